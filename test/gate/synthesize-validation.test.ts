import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, App, Chart, Duration, JsonPatch } from 'cdk8s';
import { ValidationError } from '../../src/_internal/errors';
import { LinkerdIdentity, TrustAnchor } from '../../src/linkerd';
import { OutputCheckError, SchemaValidation, synthesize } from '../../src/synth';

/** A consumer's app: the identity chain in chart 'mesh', then the given escape-hatch patch on its objects. */
function consumerApp(patch: (objects: ApiObject[]) => void): (app: App) => void {
  return app => {
    const chart = new Chart(app, 'mesh');
    new LinkerdIdentity(chart, 'identity', {
      trustAnchor: TrustAnchor.fromSecret('linkerd-trust-anchor'),
      issuerDuration: Duration.hours(72),
      issuerRenewBefore: Duration.hours(36),
    });
    patch(chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject));
  };
}

function find(objects: ApiObject[], kind: string, name: string): ApiObject {
  const found = objects.find(o => o.kind === kind && o.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map(o => `${o.kind} ${o.name}`).join(', ')}`);
  return found;
}

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof OutputCheckError) return e.problems;
    throw e;
  }
  throw new Error('expected an OutputCheckError');
}

describe('synthesize validates every object against the pinned schemas by default', () => {
  let tmp: string;
  let outdir: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-validation-'));
    outdir = path.join(tmp, 'dist');
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('an app without patches synthesizes', () => {
    const report = synthesize(consumerApp(() => undefined), { outdir });
    expect(report.files.map(f => f.file)).toStrictEqual(['mesh.k8s.yaml']);
  });

  test('fails on a wrong type set by an escape-hatch patch, naming file, kind, name, field and what is allowed, and leaves the previous output intact', () => {
    synthesize(consumerApp(() => undefined), { outdir });
    const before = fs.readFileSync(path.join(outdir, 'mesh.k8s.yaml'), 'utf8');
    const problems = problemsOf(() => synthesize(consumerApp(objects => {
      find(objects, 'Certificate', 'linkerd-identity-issuer').addJsonPatch(JsonPatch.add('/spec/revisionHistoryLimit', 'two'));
    }), { outdir }));
    // revisionHistoryLimit is `type: integer` in the vendored crds/cert-manager.yaml; an imported (typed) class drops
    // unknown fields in its toJson(), so a misspelt field cannot reach the output through the escape hatch of one
    expect(problems).toStrictEqual(['mesh.k8s.yaml: Certificate linkerd/linkerd-identity-issuer: spec.revisionHistoryLimit must be integer']);
    expect(fs.readFileSync(path.join(outdir, 'mesh.k8s.yaml'), 'utf8')).toBe(before);
  });

  test('fails on a wrong type in a built-in kind, for both pinned Kubernetes releases in one message', () => {
    const problems = problemsOf(() => synthesize(app => {
      const chart = new Chart(app, 'apps');
      const cm = new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'shop' }, data: { a: 'b' } });
      cm.addJsonPatch(JsonPatch.replace('/data', { replicas: 3 }));
    }, { outdir }));
    expect(problems).toStrictEqual(['apps.k8s.yaml: ConfigMap shop/settings: kubernetes v1.25.0, v1.36.0: data.replicas must be string']);
  });

  test('fails on a misspelt field of an untyped ApiObject', () => {
    const problems = problemsOf(() => synthesize(app => {
      new ApiObject(new Chart(app, 'apps'), 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selectr: { app: 'web' } } });
    }, { outdir }));
    expect(problems).toStrictEqual(['apps.k8s.yaml: Service shop/web: kubernetes v1.25.0, v1.36.0: spec.selectr is not allowed (unknown field)']);
  });

  test('does not fail a kind without a vendored schema (a SealedSecret, a team\'s CRD): warns that it was not checked', () => {
    const report = synthesize(app => {
      new ApiObject(new Chart(app, 'widgets'), 'w', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'shop' }, spec: { anything: 1 } });
    }, { outdir });
    expect(report.warnings).toStrictEqual([{ path: 'widgets/w', message: 'not schema-validated: no vendored schema exists for apiVersion example.com/v1, kind Widget' }]);
  });

  test('SchemaValidation.off with a reason writes the output unchecked', () => {
    const report = synthesize(consumerApp(objects => {
      find(objects, 'Certificate', 'linkerd-identity-issuer').addJsonPatch(JsonPatch.add('/spec/revisionHistoryLimit', 'two'));
    }), { outdir, validation: SchemaValidation.off('the cluster runs a patched cert-manager') });
    expect(report.files[0].text).toContain('revisionHistoryLimit: two');
    expect(SchemaValidation.off('  the cluster runs a patched cert-manager ').reason).toBe('the cluster runs a patched cert-manager');
  });

  test('SchemaValidation.on() is the default', () => {
    expect(SchemaValidation.on()).toEqual({ enabled: true, reason: undefined });
    expect(() => synthesize(consumerApp(objects => {
      find(objects, 'Certificate', 'linkerd-identity-issuer').addJsonPatch(JsonPatch.add('/spec/revisionHistoryLimit', 'two'));
    }), { outdir, validation: SchemaValidation.on() })).toThrow(/spec\.revisionHistoryLimit must be integer/);
  });

  test.each(['', '   '])('fails SchemaValidation.off without a reason (%j)', reason => {
    expect(() => SchemaValidation.off(reason)).toThrow(ValidationError);
    expect(() => SchemaValidation.off(reason)).toThrow(`[SchemaValidation.off] reason must say why schema validation is off (got ${JSON.stringify(reason)})`);
  });
});
