import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { collectNextSteps } from '../../src/_internal/next-steps';
import { collectWarnings } from '../../src/_internal/warnings';
import { LinkerdPlatform } from '../../src/platform';
import { synthesize } from '../../src/synth';
import { DashboardCredentials, HtpasswdUser } from '../../src/viz';

function platform(dashboard: Record<string, unknown>) {
  const app = Testing.app();
  const chart = new LinkerdPlatform(app, 'platform', { demo: false, dashboard: { hosts: ['linkerd.example.com'], ...dashboard } });
  return { chart, objects: Testing.synth(chart) };
}

describe('DashboardCredentials in LinkerdPlatform', () => {
  test('a SealedSecret instead of a Secret: nothing secret in the output, and the Ingress reads the unsealed Secret', () => {
    const sealed = Buffer.alloc(600, 1).toString('base64');
    const { chart, objects } = platform({ credentials: DashboardCredentials.sealedSecret(sealed) });
    expect(objects.filter(o => o.kind === 'Secret')).toStrictEqual([]);
    const sealedSecret = objects.find(o => o.kind === 'SealedSecret');
    expect(sealedSecret.metadata).toMatchObject({ name: 'linkerd-dashboard-auth', namespace: 'linkerd-viz' });
    expect(objects.find(o => o.kind === 'Ingress').metadata.annotations['nginx.ingress.kubernetes.io/auth-secret']).toBe('linkerd-dashboard-auth');
    expect(collectWarnings(chart).map(w => w.message).filter(m => m.includes('existing Secret'))).toStrictEqual([]);
  });

  test('an ExternalSecret that hashes in the cluster', () => {
    const { objects } = platform({ credentials: DashboardCredentials.externalSecret({ secretStore: { name: 'vault' }, remoteKey: 'linkerd/dashboard' }) });
    expect(objects.find(o => o.kind === 'ExternalSecret').spec.target.template.data.auth).toBe('{{ htpasswd .username .password "bcrypt" }}\n');
  });

  test('users with the previous synthesis\' htpasswd keep their lines; without credentials, the existing Secret and its next step', () => {
    const first = platform({ users: [HtpasswdUser.fromPassword('admin', 'pw')] }).objects.find(o => o.kind === 'Secret');
    const previousHtpasswd = Buffer.from(first.data.auth, 'base64').toString();
    const again = platform({ users: [HtpasswdUser.fromPassword('admin', 'pw')], previousHtpasswd }).objects.find(o => o.kind === 'Secret');
    expect(again).toStrictEqual(first);
    const { chart, objects } = platform({});
    expect(objects.filter(o => o.kind === 'Secret')).toStrictEqual([]);
    expect(collectNextSteps(chart).map(s => s.message).filter(m => m.startsWith('create Secret linkerd-viz/linkerd-dashboard-auth before the sync'))).toHaveLength(1);
  });

  test.each([
    ['a SealedSecret', DashboardCredentials.sealedSecret(Buffer.alloc(600, 1).toString('base64'))],
    ['an ExternalSecret', DashboardCredentials.externalSecret({ secretStore: { name: 'vault' }, remoteKey: 'linkerd/dashboard' })],
    ['bcrypt users', DashboardCredentials.users([HtpasswdUser.fromPassword('admin', 'pw')])],
  ])('the secret guard of synthesize lets %s through', (_, credentials) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'credentials-'));
    try {
      const report = synthesize(app => { new LinkerdPlatform(app, 'platform', { demo: false, dashboard: { hosts: ['linkerd.example.com'], credentials } }); }, { outdir: path.join(dir, 'dist') });
      expect(report.files.map(f => f.file)).toContain('platform.k8s.yaml');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
