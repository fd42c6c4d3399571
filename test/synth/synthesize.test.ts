import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { k8s } from 'cdk8s-plus-25';
import { addWarning } from '../../src/_internal/warnings';
import { ValidationError } from '../../src/_internal/errors';
import { formatSummary, OutputCheckError, OutputFile, secretProblems, synthesize, SynthesizedFile } from '../../src/synth';
import { ControlPlaneNamespace, LinkerdIdentity, LinkerdIdentityProps } from '../../src/linkerd';

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-test-')); });
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()
    .filter(f => fs.statSync(path.join(dir, f)).isFile())
    .map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

/** The identity chain and its namespace: six objects. */
class IdentityChart extends Chart {
  public readonly identity: LinkerdIdentity;
  constructor(app: App, id: string, props: LinkerdIdentityProps = {}) {
    super(app, id);
    new ControlPlaneNamespace(this, 'namespace', { name: props.namespace });
    this.identity = new LinkerdIdentity(this, 'identity', props);
  }
}

function configMapChart(app: App, data: Record<string, string> = { a: 'b' }): Chart {
  const chart = new Chart(app, 'apps');
  new k8s.KubeConfigMap(chart, 'cm', { metadata: { name: 'cm', namespace: 'x' }, data });
  return chart;
}

describe('synthesize', () => {
  test('writes one YAML file per chart and reports what it wrote', () => {
    const outdir = path.join(tmp, 'dist');
    const report = synthesize(app => { new IdentityChart(app, 'platform'); configMapChart(app); }, { outdir });
    expect(fs.readdirSync(outdir).sort()).toStrictEqual(['apps.k8s.yaml', 'platform.k8s.yaml']);
    expect(report.files.map(f => [f.file, f.documents.length])).toStrictEqual([['apps.k8s.yaml', 1], ['platform.k8s.yaml', 10]]);
    expect(fs.readdirSync(tmp)).toStrictEqual(['dist']);
  });

  test('replaces the previous output, so removed charts disappear', () => {
    const outdir = path.join(tmp, 'dist');
    synthesize(app => { configMapChart(app); new IdentityChart(app, 'platform'); }, { outdir });
    synthesize(app => { new IdentityChart(app, 'platform'); }, { outdir });
    expect(fs.readdirSync(outdir)).toStrictEqual(['platform.k8s.yaml']);
  });

  describe('a failure leaves the previous output byte-for-byte intact', () => {
    let outdir: string;
    let before: Record<string, string>;
    beforeEach(() => {
      outdir = path.join(tmp, 'dist');
      synthesize(app => { new IdentityChart(app, 'platform'); }, { outdir });
      before = snapshot(outdir);
    });
    afterEach(() => {
      expect(snapshot(outdir)).toStrictEqual(before);
      expect(fs.readdirSync(tmp)).toStrictEqual(['dist']);
    });

    test('fails on a construct error and writes nothing', () => {
      expect(() => synthesize(app => { new IdentityChart(app, 'platform', { namespace: 'Bad' }); }, { outdir }))
        .toThrow(ValidationError);
    });

    test('fails on a synth-time validation error and writes nothing', () => {
      expect(() => synthesize(app => {
        const platform = new IdentityChart(app, 'platform');
        ApiObject.of(platform.identity.issuerCertificate).addJsonPatch(JsonPatch.replace('/spec/isCa', false));
      }, { outdir })).toThrow(/Validation failed with the following errors:\n {2}\[platform\/identity\] the identity issuer certificate must have isCA: true/);
    });

    test('fails on a failed output check and writes nothing', () => {
      expect(() => synthesize(app => { new IdentityChart(app, 'platform'); }, { outdir, checks: [() => ['planted problem']] }))
        .toThrow(new OutputCheckError(['planted problem']));
    });

    test('fails when the secret guard finds a private key and writes nothing', () => {
      expect(() => synthesize(app => { configMapChart(app, { key: '-----BEGIN EC PRIVATE KEY-----\nMHc=\n-----END EC PRIVATE KEY-----' }); }, { outdir }))
        .toThrow(/1 output check problem\(s\):\n {2}- apps\.k8s\.yaml: contains a PEM private key/);
    });
  });

  test('writes output files into subfolders, beside the manifests', () => {
    const outdir = path.join(tmp, 'dist');
    const report = synthesize(app => {
      const chart = configMapChart(app);
      new OutputFile(chart, 'values', { path: 'helm/x.values.yaml', content: 'a: 1\n' });
    }, { outdir });
    expect(fs.readFileSync(path.join(outdir, 'helm', 'x.values.yaml'), 'utf8')).toBe('a: 1\n');
    expect(report.extraFiles.map(f => [f.file, f.documents])).toStrictEqual([['helm/x.values.yaml', [{ a: 1 }]]]);
    expect(report.files.map(f => f.file)).toStrictEqual(['apps.k8s.yaml']);
  });

  test('reports each file\'s objects as written, also when charts depend on each other (indexed file names)', () => {
    const outdir = path.join(tmp, 'dist');
    const report = synthesize(app => {
      const identity = new IdentityChart(app, 'platform');
      configMapChart(app).addDependency(identity);
    }, { outdir });
    expect(report.files.map(f => f.file)).toStrictEqual(['0000-platform.k8s.yaml', '0001-apps.k8s.yaml']);
    for (const f of report.files) {
      expect(f.documents).toStrictEqual(parseAllDocuments(fs.readFileSync(path.join(outdir, f.file), 'utf8')).map(d => d.toJS()));
    }
    expect(report.files[1].documents).toStrictEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'x' }, data: { a: 'b' } }]);
  });

  test('an output file\'s documents are the data it was rendered from when given, else its parsed text', () => {
    const report = synthesize(app => {
      const chart = configMapChart(app);
      new OutputFile(chart, 'given', { path: 'reports/given.json', content: '{"a":1}\n', documents: [{ a: 1 }] });
      new OutputFile(chart, 'parsed', { path: 'reports/parsed.yaml', content: 'b: [2]\n' });
    }, { outdir: path.join(tmp, 'dist') });
    expect(report.extraFiles.map(f => [f.file, f.documents])).toStrictEqual([['reports/given.json', [{ a: 1 }]], ['reports/parsed.yaml', [{ b: [2] }]]]);
  });

  test('fails when an output file is not inside a subfolder', () => {
    expect(() => new OutputFile(new Chart(new App(), 'c'), 'f', { path: 'values.yaml', content: '' }))
      .toThrow(/^\[c\/f\] path "values\.yaml" must be relative and inside a subfolder of the output folder/);
    expect(() => new OutputFile(new Chart(new App(), 'c'), 'f', { path: '../x/values.yaml', content: '' })).toThrow(/must be relative/);
  });

  test('fails when two output files have the same path', () => {
    expect(() => synthesize(app => {
      const chart = configMapChart(app);
      new OutputFile(chart, 'a', { path: 'helm/x.yaml', content: '' });
      new OutputFile(chart, 'b', { path: 'helm/x.yaml', content: '' });
    }, { outdir: path.join(tmp, 'dist') })).toThrow(/helm\/x\.yaml is written by both apps\/a and apps\/b/);
  });

  test('the secret guard also reads output files', () => {
    expect(() => synthesize(app => {
      new OutputFile(configMapChart(app), 'v', { path: 'helm/v.yaml', content: 'grafana:\n  adminPassword: hunter2\n' });
    }, { outdir: path.join(tmp, 'dist') })).toThrow(/helm\/v\.yaml: grafana\.adminPassword holds a plaintext password/);
  });

  test('fails when two objects have the same kind, namespace and name, as Argo CD would keep only one', () => {
    expect(() => synthesize(app => { configMapChart(app); new k8s.KubeConfigMap(new Chart(app, 'more'), 'cm', { metadata: { name: 'cm', namespace: 'x' } }); }, { outdir: path.join(tmp, 'dist') }))
      .toThrow(/core\/ConfigMap x\/cm appears twice \(apps\/cm and more\/cm\): Argo CD would keep only the last one/);
  });

  test('the summary lists files, kinds, certificates and warnings', () => {
    const report = synthesize(app => {
      const platform = new IdentityChart(app, 'platform');
      addWarning(platform.identity, 'something to look at');
    }, { outdir: path.join(tmp, 'dist') });
    const summary = formatSummary(report);
    expect(summary).toContain('platform.k8s.yaml: 10 objects');
    expect(summary).toContain('objects by kind: Bundle 1, Certificate 2, CronJob 1, Issuer 2, Namespace 1, Role 1, RoleBinding 1, ServiceAccount 1');
    expect(summary).toContain('linkerd/linkerd-trust-anchor: duration 8760h0m0s, renewBefore 1440h0m0s, CA, ECDSA 256 rotation Never');
    expect(summary).toContain('linkerd/linkerd-identity-issuer: duration 48h0m0s, renewBefore 25h0m0s, CA, ECDSA 256 rotation Always');
    expect(summary).toContain('warnings (1):\n  [platform/identity] something to look at');
  });
});

describe('secret guard', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const secret = (extra: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'n' }, ...extra });
  const file = (...documents: any[]): SynthesizedFile[] => [{ file: 'x.k8s.yaml', text: JSON.stringify(documents), documents }];

  test('passes public certificates, htpasswd hashes and Secret references', () => {
    expect(secretProblems(file(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ca' }, data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' } },
      secret({ data: { auth: b64('admin:$2y$10$ISSDFYjL6mAcWcjzK9wI9eo4W1NGN/Xwf/AMRXbiI8TIhTXrTQkQO\nops:{SHA}xj0IlU6ZKbf59oeCplZGUkCCy0U=\n') } }),
      { apiVersion: 'x/v1', kind: 'Thing', metadata: { name: 't' }, spec: { passwordSecretRef: { name: 's', key: 'password' } } },
    ))).toStrictEqual([]);
  });

  test('fails on a base64-encoded private key in a Secret', () => {
    expect(secretProblems(file(secret({ data: { 'tls.key': b64('-----BEGIN PRIVATE KEY-----\nMIG\n-----END PRIVATE KEY-----') } }))))
      .toStrictEqual(['x.k8s.yaml: Secret n/s: data.tls.key holds a PEM private key']);
  });

  test('fails on stringData', () => {
    expect(secretProblems(file(secret({ stringData: { anything: 'x' } }))))
      .toStrictEqual(['x.k8s.yaml: Secret n/s: stringData holds plaintext values; synthesized Secrets may only carry hashes or public data']);
  });

  test.each(['password', 'db-password', 'token', 'api-key', 'credentials', 'client_secret'])('fails on a Secret data key named %s', key => {
    expect(secretProblems(file(secret({ data: { [key]: b64('hunter2') } }))))
      .toStrictEqual([`x.k8s.yaml: Secret n/s: data.${key} holds a plaintext credential`]);
  });

  test('fails on an htpasswd line that is not a hash', () => {
    expect(secretProblems(file(secret({ data: { auth: b64('admin:hunter2\n') } }))))
      .toStrictEqual(['x.k8s.yaml: Secret n/s: data.auth has 1 htpasswd line(s) that are not bcrypt, apr1 or {SHA} hashes']);
  });

  test('fails on a password field anywhere, e.g. in Helm values', () => {
    expect(secretProblems(file({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'grafana' }, spec: { source: { helm: { valuesObject: { adminPassword: 'secret' } } } } })))
      .toStrictEqual(['x.k8s.yaml: Application grafana: spec.source.helm.valuesObject.adminPassword holds a plaintext password']);
  });
});
