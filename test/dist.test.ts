import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..');
/** What `npm run synth` runs: the bundled app through its code cache. */
const SYNTH = path.join(REPO, 'lib', 'src', 'cli', 'synth.js');
const CDK8S = path.join(REPO, 'node_modules', '.bin', 'cdk8s');

/** Every file under a folder, by relative path. */
function read(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()
    .filter(f => fs.statSync(path.join(dir, f)).isFile())
    .map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

/** Runs the app the way `npm run synth` does, into `outdir`, without the developer's dashboard credentials. */
function synth(outdir: string, env: NodeJS.ProcessEnv = {}, cwd = REPO): string {
  const base = { ...process.env };
  for (const name of ['DASHBOARD_USER', 'DASHBOARD_PASSWORD', 'DASHBOARD_HTPASSWD_FILE']) delete base[name];
  return execFileSync(process.execPath, [SYNTH], { cwd, env: { ...base, CDK8S_OUTDIR: outdir, ...env }, encoding: 'utf8' });
}

let tmp: string;
/**
 * What the default synth printed, into `${tmp}/fresh`, in UTC with the C locale: one run serves the tests of its
 * output, of its summary, and as the first of the two synths compared across time zones.
 */
let printed: string;
beforeAll(() => {
  if (!fs.existsSync(SYNTH)) throw new Error(`${SYNTH} is missing: npm test builds first (npm run build)`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dist-test-'));
  printed = synth(path.join(tmp, 'fresh'), { TZ: 'UTC', LANG: 'C' });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('dist/', () => {
  test('the committed dist/ is exactly what the current code synthesizes', () => {
    expect(read(path.join(tmp, 'fresh'))).toStrictEqual(read(path.join(REPO, 'dist')));
  });

  test('two synths are byte-identical, whatever the time zone, locale and working directory', () => {
    synth(path.join(tmp, 'b'), { TZ: 'Pacific/Kiritimati', LANG: 'de_DE.UTF-8' }, os.tmpdir());
    expect(read(path.join(tmp, 'b'))).toStrictEqual(read(path.join(tmp, 'fresh')));
  });

  test('the output holds no timestamps', () => {
    const text = Object.values(read(path.join(REPO, 'dist'))).join('\n');
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    expect(text).not.toMatch(/creationTimestamp/);
  });

  test('npm run synth prints the summary', () => {
    const out = printed;
    // the dashboard's web port: a Server and an AuthorizationPolicy beside the demo's; the control-plane gate Job and
    // its RBAC; the identity restarter
    expect(out).toContain('objects by kind: AppProject 1, Application 4, AuthorizationPolicy 2, Bundle 1, Certificate 9, ClusterRole 1, '
      + 'ClusterRoleBinding 1, CronJob 1, Deployment 2, Ingress 1, Issuer 6, Job 1, MeshTLSAuthentication 1, Namespace 3, Role 1, RoleBinding 1, '
      + 'Server 2, Service 2, ServiceAccount 4, ServiceProfile 1');
    expect(out).toContain('security posture: trust anchor usable only in linkerd (Issuer linkerd-identity-issuer); default inbound policy');
    // the gate Job and the identity restarter's CronJob are unmeshed on purpose
    expect(out).toContain('mtls coverage (Linkerd 2.20): 4 workloads, 2 meshed; 3 declared flows, 3 mTLS, 0 not mTLS');
    expect(out).toContain('    then: nothing to do; CronJob linkerd/linkerd-identity-restarter (0 * * * *) restarts linkerd-identity onto the renewed root');
    expect(out).toContain('  helm/linkerd-control-plane.values.yaml');
    expect(out).toContain('  reports/rollout.json');
    expect(out).toContain('  linkerd-control-plane (wave 5): chart linkerd-control-plane 2026.6.3; ignores MutatingWebhookConfiguration .webhooks[]?.clientConfig.caBundle');
    expect(out).toContain('\n  wave 6: (hooks only)\n    hook Job argocd/linkerd-control-plane-ready (Sync: waits for ');
    expect(out).toContain('\n  wave 7: Application argocd/linkerd-viz; AuthorizationPolicy linkerd-viz/dashboard-web-ingress-nginx-ingress-nginx, mesh-demo/server-http; Deployment mesh-demo/client, mesh-demo/server;');
    expect(out).toContain('kubectl create secret generic linkerd-dashboard-auth -n linkerd-viz --from-file=auth');
  });

  test('cdk8s synth runs the same compiled app and writes the same output', () => {
    const out = path.join(tmp, 'cli');
    const run = spawnSync(CDK8S, ['synth', '--output', out], { cwd: REPO, env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' }, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(read(out)).toStrictEqual(read(path.join(REPO, 'dist')));
  });
});

describe('dashboard passwords', () => {
  const objects = (dir: string) => require('yaml').parseAllDocuments(fs.readFileSync(path.join(dir, 'platform.k8s.yaml'), 'utf8')).map((d: any) => d.toJS());

  test('the same password keeps its line in the same dist/, a fresh dist/ gets a new salt, and a change alters exactly one object: the Secret', () => {
    const env = { DASHBOARD_USER: 'admin', DASHBOARD_PASSWORD: 'first password' };
    const a = path.join(tmp, 'pw-a');
    synth(a, env);
    const first = read(a);
    synth(a, env);
    expect(read(a)).toStrictEqual(first);
    synth(path.join(tmp, 'pw-fresh'), env);
    const secret = (dir: string) => objects(dir).find((o: any) => o.kind === 'Secret').data.auth;
    expect(secret(path.join(tmp, 'pw-fresh'))).not.toBe(secret(a));
    synth(path.join(tmp, 'pw-b'), { DASHBOARD_USER: 'admin', DASHBOARD_PASSWORD: 'second password' });
    const [before, after] = [objects(a), objects(path.join(tmp, 'pw-b'))];
    const changed = before.filter((o: any, i: number) => JSON.stringify(o) !== JSON.stringify(after[i])).map((o: any) => `${o.kind} ${o.metadata.name}`);
    expect(changed).toStrictEqual(['Secret linkerd-dashboard-auth']);
    expect(Object.values(read(a)).join('\n')).not.toContain('first password');
  });

  test('fails clearly on DASHBOARD_USER without DASHBOARD_PASSWORD, and on a DASHBOARD_HTPASSWD_FILE that does not exist', () => {
    const run = (env: NodeJS.ProcessEnv) => {
      const base = { ...process.env };
      for (const name of ['DASHBOARD_USER', 'DASHBOARD_PASSWORD', 'DASHBOARD_HTPASSWD_FILE']) delete base[name];
      return spawnSync(process.execPath, [SYNTH], { cwd: REPO, env: { ...base, CDK8S_OUTDIR: path.join(tmp, 'refused'), ...env }, encoding: 'utf8' });
    };
    const userOnly = run({ DASHBOARD_USER: 'admin' });
    expect(userOnly.status).toBe(1);
    expect(userOnly.stderr).toContain('DASHBOARD_USER is set but DASHBOARD_PASSWORD is not: set both for a dashboard user, or neither');
    const missing = run({ DASHBOARD_HTPASSWD_FILE: path.join(tmp, 'no-such.htpasswd') });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`DASHBOARD_HTPASSWD_FILE names ${path.join(tmp, 'no-such.htpasswd')}, which does not exist`);
  });

  test('without credentials the Ingress references an existing Secret and nothing is generated', () => {
    const dist = objects(path.join(REPO, 'dist'));
    expect(dist.filter((o: any) => o.kind === 'Secret')).toStrictEqual([]);
    expect(dist.find((o: any) => o.kind === 'Ingress').metadata.annotations['nginx.ingress.kubernetes.io/auth-secret']).toBe('linkerd-dashboard-auth');
  });
});

describe('imports/', () => {
  test('a bare cdk8s import regenerates imports/ byte-identically, offline', () => {
    const out = path.join(tmp, 'imports');
    execFileSync(CDK8S, ['import', '--no-save', '--output', out], { cwd: REPO, env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' }, stdio: 'pipe' });
    expect(read(out)).toStrictEqual(read(path.join(REPO, 'imports')));
  });
});

describe('dist/ as Argo CD and Helm read it', () => {
  const dist = path.join(REPO, 'dist');
  const yaml = require('yaml') as typeof import('yaml');

  test('each values file equals the valuesObject of the Application of the same release', () => {
    const applications = yaml.parseAllDocuments(fs.readFileSync(path.join(dist, 'platform.k8s.yaml'), 'utf8'))
      .map(d => d.toJS()).filter(o => o.kind === 'Application');
    const valuesFiles = fs.readdirSync(path.join(dist, 'helm')).sort();
    expect(valuesFiles).toStrictEqual(['linkerd-control-plane.values.yaml', 'linkerd-crds.values.yaml', 'linkerd-viz.values.yaml']);
    for (const file of valuesFiles) {
      const release = file.replace(/\.values\.yaml$/, '');
      const app = applications.find(a => a.metadata.name === release);
      expect(yaml.parse(fs.readFileSync(path.join(dist, 'helm', file), 'utf8'))).toStrictEqual(app.spec.source.helm.valuesObject);
    }
  });

  test('the directory app path holds only manifests; everything else sits in subfolders the root app does not read', () => {
    const root = yaml.parseAllDocuments(fs.readFileSync(path.join(dist, 'argocd-root.k8s.yaml'), 'utf8')).map(d => d.toJS()).find(o => o.kind === 'Application');
    expect(root.spec.source).toMatchObject({ path: 'dist', directory: { recurse: false } });
    for (const entry of fs.readdirSync(dist, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        for (const file of fs.readdirSync(path.join(dist, entry.name))) {
          const text = fs.readFileSync(path.join(dist, entry.name, file), 'utf8');
          // YAML values files also carry Argo CD's skip marker; the JSON report has no apiVersion or kind to misread
          if (file.endsWith('.yaml')) expect(text.startsWith('# +argocd:skip-file-rendering\n')).toBe(true);
          else expect(JSON.parse(text).kind).toBeUndefined();
        }
        continue;
      }
      expect(entry.name).toMatch(/\.k8s\.yaml$/);
      for (const doc of yaml.parseAllDocuments(fs.readFileSync(path.join(dist, entry.name), 'utf8'))) {
        expect(doc.toJS()).toMatchObject({ apiVersion: expect.any(String), kind: expect.any(String), metadata: { name: expect.any(String) } });
      }
    }
  });
});
