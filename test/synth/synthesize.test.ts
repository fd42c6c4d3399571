import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { parseAllDocuments } from 'yaml';
import { ValidationError } from '../../src/_internal/errors';
import { addWarning } from '../../src/_internal/warnings';
import { ControlPlaneNamespace, LinkerdIdentity, LinkerdIdentityProps } from '../../src/linkerd';
import { LinkerdPlatform } from '../../src/platform';
import { formatSummary, OutputCheckError, OutputFile, secretProblems, synthesize, SynthesizedFile } from '../../src/synth';
import { BasicAuthSecret, HtpasswdUser, VizPrometheus, WeakHashFormat } from '../../src/viz';
import { testCertificate } from '../_certs';

// test keys, made here: every encoding the guard must recognise
const RSA = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
const EC = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ED = crypto.generateKeyPairSync('ed25519');
const PKCS8_PEM = EC.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const DER_KEYS: Record<string, Buffer> = {
  'PKCS#8 (ed25519)': ED.privateKey.export({ type: 'pkcs8', format: 'der' }),
  'PKCS#8 (RSA)': RSA.privateKey.export({ type: 'pkcs8', format: 'der' }),
  'PKCS#1 (RSA)': RSA.privateKey.export({ type: 'pkcs1', format: 'der' }),
  'SEC1 (P-256)': EC.privateKey.export({ type: 'sec1', format: 'der' }),
  'encrypted PKCS#8': EC.privateKey.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: 'x' }),
};
const BCRYPT = '$2y$10$ISSDFYjL6mAcWcjzK9wI9eo4W1NGN/Xwf/AMRXbiI8TIhTXrTQkQO';

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
      // one error contract: output problems are ValidationErrors too, at `synthesize`
      expect(() => synthesize(app => { new IdentityChart(app, 'platform'); }, { outdir, checks: [() => ['one', 'two']] }))
        .toThrow(expect.objectContaining({ name: 'OutputCheckError', constructPath: 'synthesize', message: '[synthesize] 2 problems:\n  - one\n  - two' }));
      expect(new OutputCheckError(['x'])).toBeInstanceOf(ValidationError);
    });

    test('fails when the secret guard finds a private key and writes nothing', () => {
      expect(() => synthesize(app => { configMapChart(app, { key: '-----BEGIN EC PRIVATE KEY-----\nMHc=\n-----END EC PRIVATE KEY-----' }); }, { outdir }))
        .toThrow(/^\[synthesize\] apps\.k8s\.yaml: ConfigMap x\/cm: data\.key holds a PEM private key/);
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

  test('an output file\'s documents are parsed from its content, whatever documents it was given', () => {
    const report = synthesize(app => {
      const chart = configMapChart(app);
      new OutputFile(chart, 'given', { path: 'reports/given.json', content: '{"a":1}\n', documents: [{ a: 2 }] });
      new OutputFile(chart, 'parsed', { path: 'reports/parsed.yaml', content: 'b: [2]\n' });
      new OutputFile(chart, 'text', { path: 'reports/notes.txt', content: 'a: [b\n' });
    }, { outdir: path.join(tmp, 'dist') });
    expect(report.extraFiles.map(f => [f.file, f.documents])).toStrictEqual([
      ['reports/given.json', [{ a: 1 }]], ['reports/notes.txt', ['a: [b\n']], ['reports/parsed.yaml', [{ b: [2] }]]]);
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
    }, { outdir: path.join(tmp, 'dist') })).toThrow(/^\[synthesize\] helm\/x\.yaml is written by both apps\/a and apps\/b$/);
  });

  test('the secret guard also reads output files', () => {
    expect(() => synthesize(app => {
      new OutputFile(configMapChart(app), 'v', { path: 'helm/v.yaml', content: 'grafana:\n  adminPassword: hunter2\n' });
    }, { outdir: path.join(tmp, 'dist') })).toThrow(/helm\/v\.yaml: document 1: grafana\.adminPassword holds a plaintext credential/);
  });

  test('the secret guard reads an output file\'s content, not the documents it claims (they passed before)', () => {
    expect(() => synthesize(app => {
      new OutputFile(configMapChart(app), 'v', { path: 'helm/v.yaml', content: 'grafana:\n  adminPassword: hunter2\n', documents: [{ grafana: {} }] });
    }, { outdir: path.join(tmp, 'dist') })).toThrow(/helm\/v\.yaml: document 1: grafana\.adminPassword holds a plaintext credential/);
  });

  test('the secret guard reads an output file that is not YAML as text', () => {
    expect(() => synthesize(app => {
      new OutputFile(configMapChart(app), 'v', { path: 'notes/keys.txt', content: `[unclosed\n${PKCS8_PEM}` });
    }, { outdir: path.join(tmp, 'dist') })).toThrow(/notes\/keys\.txt: document 1: holds a PEM private key/);
  });

  test('the secret guard reads an output file\'s comments for private keys', () => {
    expect(() => synthesize(app => {
      new OutputFile(configMapChart(app), 'v', { path: 'helm/v.yaml', content: `# ${PKCS8_PEM.replace(/\n/g, '\n# ')}\na: 1\n` });
    }, { outdir: path.join(tmp, 'dist') })).toThrow(/helm\/v\.yaml: contains a private key outside its documents \(e\.g\. in a comment\)/);
  });

  test('a Secret of a BasicAuthSecret passes; changed after the fact (addJsonPatch) it fails', () => {
    const users = [HtpasswdUser.fromHash('admin', BCRYPT)];
    const report = synthesize(app => { new BasicAuthSecret(new Chart(app, 'viz'), 'auth', { name: 'a', namespace: 'linkerd-viz', users }); }, { outdir: path.join(tmp, 'dist') });
    expect(report.files[0].documents[0].data).toStrictEqual({ auth: Buffer.from(`admin:${BCRYPT}\n`).toString('base64') });
    expect(() => synthesize(app => {
      new BasicAuthSecret(new Chart(app, 'viz'), 'auth', { name: 'a', namespace: 'linkerd-viz', users }).apiObject
        .addJsonPatch(JsonPatch.add('/data/token', Buffer.from('hunter2').toString('base64')));
    }, { outdir: path.join(tmp, 'dist') })).toThrow(/viz\.k8s\.yaml: Secret linkerd-viz\/a: must hold exactly one data key "auth" \(htpasswd lines\), not \["auth","token"\]/);
    expect(() => synthesize(app => {
      new BasicAuthSecret(new Chart(app, 'viz'), 'auth', { name: 'a', namespace: 'linkerd-viz', users }).apiObject
        .addJsonPatch(JsonPatch.replace('/data/auth', Buffer.from('admin:hunter2\n').toString('base64')));
    }, { outdir: path.join(tmp, 'dist') })).toThrow(/Secret linkerd-viz\/a: data\.auth must hold only bcrypt htpasswd lines/);
  });

  test('the platform with an external Prometheus URL holding user:password@ fails, naming the values file (it passed before)', () => {
    expect(() => synthesize(app => {
      new LinkerdPlatform(app, 'platform', { viz: { prometheus: VizPrometheus.external('http://admin:hunter2@prometheus.monitoring:9090') } });
    }, { outdir: path.join(tmp, 'dist') })).toThrow(/helm\/linkerd-viz\.values\.yaml: document 1: prometheusUrl holds a http URL with user info \(user:password@\): pass credentials another way/);
  });

  test('the default platform, with a generated dashboard Secret, passes the guard', () => {
    const report = synthesize(app => {
      new LinkerdPlatform(app, 'platform', { dashboard: { hosts: ['linkerd.example.com'], users: [HtpasswdUser.fromHash('admin', BCRYPT)] } });
    }, { outdir: path.join(tmp, 'dist') });
    expect(report.files.flatMap(f => f.documents).filter(d => d.kind === 'Secret').map(d => Object.keys(d.data))).toStrictEqual([['auth']]);
  });

  test('a BasicAuthSecret given an apr1 or {SHA} hash vouches only for hashes: a plain line patched in fails', () => {
    const users = [HtpasswdUser.fromHash('ops', '{SHA}xj0IlU6ZKbf59oeCplZGUkCCy0U=')];
    const allowWeakHashes = [WeakHashFormat.SHA];
    expect(synthesize(app => { new BasicAuthSecret(new Chart(app, 'viz'), 'auth', { name: 'a', namespace: 'linkerd-viz', users, allowWeakHashes }); }, { outdir: path.join(tmp, 'dist') }).files).toHaveLength(1);
    expect(() => synthesize(app => {
      new BasicAuthSecret(new Chart(app, 'viz'), 'auth', { name: 'a', namespace: 'linkerd-viz', users, allowWeakHashes }).apiObject
        .addJsonPatch(JsonPatch.replace('/data/auth', Buffer.from('ops:{SHA}xj0IlU6ZKbf59oeCplZGUkCCy0U=\nadmin:hunter2\n').toString('base64')));
    }, { outdir: path.join(tmp, 'dist') })).toThrow(/Secret linkerd-viz\/a: data\.auth must hold only hashed htpasswd lines \(bcrypt, apr1 or \{SHA\}\), one per user/);
  });

  test('a Secret with data made outside the library fails, even one shaped like the dashboard\'s', () => {
    expect(() => synthesize(app => {
      new k8s.KubeSecret(new Chart(app, 'viz'), 'auth', { metadata: { name: 'a', namespace: 'linkerd-viz' }, data: { auth: Buffer.from(`admin:${BCRYPT}\n`).toString('base64') } });
    }, { outdir: path.join(tmp, 'dist') })).toThrow(/viz\.k8s\.yaml: Secret linkerd-viz\/a: is a Secret with data or stringData that no construct of this library vouches for/);
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
  const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
  const file = (...documents: any[]): SynthesizedFile[] => [{ file: 'x.k8s.yaml', text: JSON.stringify(documents), documents }];
  const cm = (data: Record<string, string>, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' }, data, ...extra });
  const thing = (spec: unknown) => ({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't', namespace: 'n' }, spec });
  const jwt = `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64('{"sub":"admin"}')}.c2lnbmF0dXJl`.replace(/=/g, '');

  test('passes public certificates, CA bundles, bcrypt lines, checksums, Secret references and the ways to deliver secrets', async () => {
    const { certPem } = await testCertificate({ ca: true });
    expect(secretProblems(file(
      cm({ 'ca.crt': certPem, 'htpasswd': `admin:${BCRYPT}`, 'sha': crypto.createHash('sha256').update('x').digest('hex'), 'sha-b64': crypto.createHash('sha256').update('x').digest('base64') }),
      { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'w' }, webhooks: [{ clientConfig: { caBundle: b64(certPem) } }] },
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'n', annotations: { 'nginx.ingress.kubernetes.io/auth-secret': 'n/dashboard-auth', 'checksum/config': 'a'.repeat(64) } } },
      thing({ passwordSecretRef: { name: 's', key: 'password' }, existingSecret: 'grafana-admin', automountServiceAccountToken: false, token: '$(TOKEN)', repoURL: 'ssh://git@github.com/org/repo.git', url: 'https://prometheus.monitoring:9090/' }),
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sa-token', namespace: 'n', annotations: { 'kubernetes.io/service-account.name': 'sa' } }, type: 'kubernetes.io/service-account-token' },
      { apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 's', namespace: 'n' }, spec: { encryptedData: { 'password': 'AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq', 'tls.key': b64(DER_KEYS['SEC1 (P-256)']) } } },
      { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'e', namespace: 'n' }, spec: { data: [{ secretKey: 'password', remoteRef: { key: 'db', property: 'password' } }], target: { template: { data: { password: '{{ .password }}', url: 'postgres://app:{{ .password }}@db:5432' } } } } },
    ))).toStrictEqual([]);
  });

  test('the committed dist/ passes', () => {
    const dist = path.resolve(__dirname, '..', '..', 'dist');
    const files = (fs.readdirSync(dist, { recursive: true, encoding: 'utf8' }) as string[]).filter(f => fs.statSync(path.join(dist, f)).isFile()).sort().map(f => {
      const text = fs.readFileSync(path.join(dist, f), 'utf8');
      return { file: f, text, documents: f.endsWith('.json') ? [JSON.parse(text)] : parseAllDocuments(text).map(d => d.toJS()) };
    });
    expect(files.length).toBeGreaterThan(3);
    expect(secretProblems(files)).toStrictEqual([]);
  });

  // each of these passed the guard before it became an allowlist
  test.each<[string, any, string]>([
    ['an opaque Secret with an innocent key name', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'n' }, data: { config: b64('hunter2') } },
      'Secret n/s: is a Secret with data or stringData that no construct of this library vouches for'],
    ['a .dockerconfigjson Secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pull', namespace: 'n' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{"auths":{"r.example.com":{"auth":"dTpw"}}}') } },
      'Secret n/pull: is a Secret with data or stringData that no construct of this library vouches for'],
    ['a Secret inside a List', { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'n' }, data: { config: b64('x') } }] },
      'List items[0]: Secret n/s: is a Secret with data or stringData that no construct of this library vouches for'],
    ['a docker config with auth in a ConfigMap', cm({ 'config.json': '{"auths":{"r.example.com":{"auth":"dXNlcjpwYXNz"}}}' }),
      'ConfigMap n/c: data.config.json(parsed).auths.r.example.com.auth holds registry credentials (a docker config auth)'],
    ['a kubeconfig with a client key', cm({ kubeconfig: 'apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    client-key-data: LS0tLS1CRUdJTi\n' }),
      'ConfigMap n/c: data.kubeconfig(parsed).users[0].user.client-key-data holds a plaintext credential'],
    ['adminPassword inside Helm values given as a string', { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'grafana', namespace: 'argocd' }, spec: { source: { helm: { values: 'grafana:\n  adminPassword: hunter2\n' } } } },
      'Application argocd/grafana: spec.source.helm.values(parsed).grafana.adminPassword holds a plaintext credential'],
    ['a password in a snippet that is not valid YAML', cm({ 'app.conf': 'server:\n  password: hunter2\n  bad: [\n' }), 'ConfigMap n/c: data.app.conf(parsed).password holds a plaintext credential'],
    ['a password in a large string, read line by line', cm({ 'big.yaml': `${'# filler\n'.repeat(30_000)}db:\n  password: hunter2\n` }), 'ConfigMap n/c: data.big.yaml(parsed).password holds a plaintext credential'],
    ['clientSecret in a custom resource', thing({ oidc: { clientSecret: 'my-client-secret' } }), 'Thing n/t: spec.oidc.clientSecret holds a plaintext credential'],
    ['apiToken in a custom resource', thing({ apiToken: 'abc123' }), 'Thing n/t: spec.apiToken holds a plaintext credential'],
    ['AWS_SECRET_ACCESS_KEY as an env var (name and value in an array)', thing({ env: [{ name: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }] }),
      'Thing n/t: spec.env[0].value is the value of AWS_SECRET_ACCESS_KEY: a plaintext credential'],
    ['an AWS access key ID', thing({ note: 'key AKIAIOSFODNN7EXAMPLE' }), 'Thing n/t: spec.note holds an AWS access key ID'],
    ['a password flag and its value in args', thing({ args: ['--user', 'admin', '--password', 'hunter2'] }), 'Thing n/t: spec.args[3] follows --password: a plaintext credential'],
    ['a password assignment in a command line', thing({ command: ['sh', '-c', 'run --db-password=hunter2'] }), 'Thing n/t: spec.command[2] sets db-password= to a plaintext credential'],
    ['a PEM private key base64-encoded outside a Secret', cm({}, { binaryData: { key: b64(PKCS8_PEM) } }), 'ConfigMap n/c: binaryData.key(base64-decoded) holds a PEM private key'],
    ['a PGP private key block', cm({ key: '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF...\n-----END PGP PRIVATE KEY BLOCK-----' }), 'ConfigMap n/c: data.key holds a PGP private key block'],
    ['a JSON Web Key with its private part', cm({ 'jwk.json': JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c2VjcmV0' }) }), 'ConfigMap n/c: data.jwk.json(parsed) is a JSON Web Key with its private part (d)'],
    ['a JSON Web Token', thing({ headers: { authorization: `Bearer ${jwt}` } }), 'Thing n/t: spec.headers.authorization holds a JSON Web Token'],
    ['a URL with user:password@ (an external Prometheus in viz values)', thing({ values: { prometheusUrl: 'http://admin:hunter2@prometheus.monitoring:9090' } }),
      'Thing n/t: spec.values.prometheusUrl holds a http URL with user info (user:password@): pass credentials another way'],
    ['an https URL with a token as its user', thing({ repoURL: 'https://ghp_abcdef@github.com/org/repo.git' }), 'Thing n/t: spec.repoURL holds a https URL with user info (user@): pass credentials another way'],
    ['an ExternalSecret template with a private key in it', { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'e', namespace: 'n' }, spec: { target: { template: { data: { 'tls.key': PKCS8_PEM } } } } },
      'ExternalSecret n/e: spec.target.template.data.tls.key holds a PEM private key'],
  ])('fails on %s', (_, doc, message) => {
    // the advice after "vouches for" is checked once, below
    expect(secretProblems(file(doc)).map(p => p.replace(/(vouches for): plaintext secrets must not be committed; .*$/, '$1'))).toStrictEqual([`x.k8s.yaml: ${message}`]);
  });

  test.each(Object.keys(DER_KEYS))('fails on a DER-encoded %s private key in base64, anywhere', kind => {
    expect(secretProblems(file(cm({}, { binaryData: { key: b64(DER_KEYS[kind]) } }))))
      .toStrictEqual(['x.k8s.yaml: ConfigMap n/c: binaryData.key holds a DER-encoded private key (base64)']);
  });

  test('a Secret with data fails without the app that vouches for it', () => {
    expect(secretProblems(file({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'n' }, data: { auth: b64(`admin:${BCRYPT}\n`) } })))
      .toStrictEqual(['x.k8s.yaml: Secret n/s: is a Secret with data or stringData that no construct of this library vouches for: plaintext secrets must not be committed; deliver them with a SealedSecret (encryptedData) or an ExternalSecret']);
  });

  test('messages never quote the value', () => {
    const problems = secretProblems(file(thing({ password: 'hunter2', url: 'http://u:hunter2@h', args: ['--token', 'hunter2'], env: [{ name: 'API_KEY', value: 'hunter2' }] })));
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).not.toContain('hunter2');
  });
});
