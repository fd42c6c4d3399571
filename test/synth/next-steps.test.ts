import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart, Testing } from 'cdk8s';
import { ControlPlaneNamespace, LinkerdIdentity, TrustAnchor } from '../../src/linkerd';
import { LinkerdPlatform } from '../../src/platform';
import { formatSummary, OutputFile, synthesize } from '../../src/synth';
import { missingSecrets } from '../../src/synth/next-steps';

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'next-steps-test-')); });
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('missing Secrets', () => {
  test('a CA issuer, a Bundle source and an Ingress auth Secret that nothing makes are listed, with their readers', () => {
    const objects = [
      { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'ca', namespace: 'linkerd' }, spec: { ca: { secretName: 'root' } } },
      { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'cluster-ca' }, spec: { ca: { secretName: 'cluster-root' } } },
      { apiVersion: 'trust.cert-manager.io/v1alpha1', kind: 'Bundle', metadata: { name: 'roots' }, spec: { sources: [{ secret: { name: 'root', key: 'tls.crt' } }] } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'viz', annotations: { 'nginx.ingress.kubernetes.io/auth-secret': 'dashboard-auth' } } },
    ];
    expect(missingSecrets(objects)).toStrictEqual([
      // cert-manager/cert-manager@v1.21.1:deploy/charts/cert-manager/templates/deployment.yaml:100-103: the cluster resource namespace
      { namespace: 'cert-manager', name: 'cluster-root', readers: ['ClusterIssuer cluster-ca (spec.ca.secretName)'] },
      // cert-manager/trust-manager@v0.24.0:cmd/trust-manager/app/options/options.go:241: the trust namespace
      { namespace: 'cert-manager', name: 'root', readers: ['Bundle roots (spec.sources[].secret)'] },
      { namespace: 'linkerd', name: 'root', readers: ['Issuer linkerd/ca (spec.ca.secretName)'] },
      { namespace: 'viz', name: 'dashboard-auth', readers: ['Ingress viz/web (nginx.ingress.kubernetes.io/auth-secret)'] },
    ]);
  });

  test('a Secret made by a Certificate, a Secret, a SealedSecret or an ExternalSecret is not missing', () => {
    const issuer = (secretName: string) => ({ apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: secretName, namespace: 'ns' }, spec: { ca: { secretName } } });
    expect(missingSecrets([
      issuer('a'), { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'x', namespace: 'ns' }, spec: { secretName: 'a' } },
      issuer('b'), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'b', namespace: 'ns' } },
      issuer('c'), { apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 'c', namespace: 'ns' } },
      issuer('d'), { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'e', namespace: 'ns' }, spec: { target: { name: 'd' } } },
    ])).toStrictEqual([]);
  });

  test('an offline trust anchor\'s Secret becomes a next step of the synth, naming its namespace', () => {
    const report = synthesize(app => {
      const chart = new Chart(app, 'platform');
      new ControlPlaneNamespace(chart, 'namespace');
      new LinkerdIdentity(chart, 'identity', { trustAnchor: TrustAnchor.fromSecret('my-root') });
    }, { outdir: path.join(tmp, 'dist') });
    // the anchor's Issuer and the trust-manager Bundle both read it in the control-plane namespace (trust namespace linkerd)
    expect(report.nextSteps.filter(s => s.includes('my-root'))).toStrictEqual([
      'create Secret linkerd/my-root before the sync: Issuer linkerd/linkerd-identity-issuer (spec.ca.secretName), Bundle linkerd-identity-trust-roots (spec.sources[].secret) read it and nothing here makes it',
    ]);
  });
});

describe('the next-steps checklist', () => {
  test('the default platform lists the prerequisites and the dashboard\'s ingress controller, last in the summary', () => {
    const report = synthesize(app => new LinkerdPlatform(app, 'platform', { dashboard: { hosts: ['linkerd.example.com'] } }), { outdir: path.join(tmp, 'dist') });
    expect(report.nextSteps.some(s => /^install cert-manager \(v1\.21 or later, with its CRDs\) and trust-manager \(v0\.24 or later, trust namespace linkerd\)/.test(s))).toBe(true);
    expect(report.nextSteps.some(s => /^run an ingress controller for IngressClass nginx \(ingress-nginx\), meshed, with DNS for linkerd\.example\.com/.test(s))).toBe(true);
    const summary = formatSummary(report);
    const checklist = summary.slice(summary.indexOf(`next steps (${report.nextSteps.length}):`));
    expect(checklist.split('\n').slice(1)).toStrictEqual(report.nextSteps.map(s => `  [ ] ${s}`));
  });

  test('with prerequisites delivered, there is no prerequisite step', () => {
    const report = synthesize(app => new LinkerdPlatform(app, 'platform', { prerequisites: true }), { outdir: path.join(tmp, 'dist') });
    expect(report.nextSteps.filter(s => s.startsWith('install cert-manager'))).toStrictEqual([]);
  });
});

describe('a plain App.synth(), as cdk8s synth runs it', () => {
  test('writes the OutputFiles (Helm values files, reports) beside the manifests instead of dropping them', () => {
    const outdir = path.join(tmp, 'out');
    const app = new App({ outdir });
    const chart = new Chart(app, 'c');
    new OutputFile(chart, 'values', { path: 'helm/x.values.yaml', content: 'a: 1\n' });
    app.synth();
    expect(fs.readFileSync(path.join(outdir, 'helm', 'x.values.yaml'), 'utf8')).toBe('a: 1\n');
    expect(fs.existsSync(path.join(outdir, 'c.k8s.yaml'))).toBe(true);
  });

  test('the platform\'s values files and coverage report are written by App.synth()', () => {
    const outdir = path.join(tmp, 'out');
    const app = new App({ outdir });
    new LinkerdPlatform(app, 'platform');
    app.synth();
    const written = fs.readdirSync(outdir, { recursive: true, encoding: 'utf8' }).sort();
    expect(written).toEqual(expect.arrayContaining(['helm/linkerd-control-plane.values.yaml', 'helm/linkerd-crds.values.yaml', 'helm/linkerd-viz.values.yaml', 'reports/mtls-coverage.json']));
  });

  test('Testing.synth, which renders charts only, writes nothing', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new OutputFile(chart, 'values', { path: 'helm/x.values.yaml', content: 'a: 1\n' });
    Testing.synth(chart);
    expect(fs.existsSync(path.join(app.outdir, 'helm'))).toBe(false);
  });
});
