import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { BasicAuthSecret, HtpasswdUser, WeakHashFormat } from '../../src/viz';
import { synthKind, testChart } from '../_util';

describe('BasicAuthSecret', () => {
  test('holds one user:hash line per user under the key auth, and no password', () => {
    const chart = testChart();
    new BasicAuthSecret(chart, 'auth', {
      name: 'dashboard-auth', namespace: 'linkerd-viz',
      users: [HtpasswdUser.fromPassword('admin', 'hunter2'), HtpasswdUser.fromHash('ops', '{SHA}xj0IlU6ZKbf59oeCplZGUkCCy0U=')],
      allowWeakHashes: [WeakHashFormat.SHA],
    });
    const [secret] = synthKind(chart, 'Secret');
    expect(Object.keys(secret.data)).toStrictEqual(['auth']);
    expect(secret.type).toBe('Opaque');
    expect(secret.metadata).toStrictEqual({ name: 'dashboard-auth', namespace: 'linkerd-viz' });
    const lines = Buffer.from(secret.data.auth, 'base64').toString('utf8');
    expect(lines).toMatch(/^admin:\$2y\$10\$[./A-Za-z0-9]{53}\nops:\{SHA\}xj0IlU6ZKbf59oeCplZGUkCCy0U=\n$/);
    expect(JSON.stringify(secret)).not.toContain('hunter2');
  });

  test('keeps the previous synthesis\' line while it verifies, read back from the output folder; a changed password gets a new salt', () => {
    const synthAuth = (password: string, previousHtpasswd?: string) => {
      const chart = testChart();
      new BasicAuthSecret(chart, 'auth', { name: 'dashboard-auth', namespace: 'linkerd-viz', users: [HtpasswdUser.fromPassword('admin', password)], cost: 4, previousHtpasswd });
      return Testing.synth(chart);
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dist-'));
    try {
      const first = synthAuth('pw1');
      fs.writeFileSync(path.join(dir, 'platform.k8s.yaml'), first.map(o => JSON.stringify(o)).join('\n---\n'));
      const previous = BasicAuthSecret.previousHtpasswd(dir, 'dashboard-auth', 'linkerd-viz');
      expect(previous).toMatch(/^admin:\$2y\$04\$/);
      expect(synthAuth('pw1', previous)).toStrictEqual(first);
      expect(synthAuth('pw1')).not.toStrictEqual(first);
      const changed = Buffer.from(synthAuth('pw2', previous)[0].data.auth, 'base64').toString();
      expect(changed).not.toBe(previous);
      expect(changed).toMatch(/^admin:\$2y\$04\$/);
      expect(BasicAuthSecret.previousHtpasswd(dir, 'other', 'linkerd-viz')).toBeUndefined();
      expect(BasicAuthSecret.previousHtpasswd(path.join(dir, 'missing'), 'dashboard-auth', 'linkerd-viz')).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('fromSealedSecret emits a SealedSecret whose encryptedData.auth the controller unseals into the Secret', () => {
    const chart = testChart();
    const sealed = Buffer.alloc(600, 7).toString('base64');
    const auth = BasicAuthSecret.fromSealedSecret(chart, 'auth', { name: 'dashboard-auth', namespace: 'linkerd-viz', encryptedAuth: sealed });
    expect(auth.secretName).toBe('dashboard-auth');
    expect(Testing.synth(chart)).toStrictEqual([{
      apiVersion: 'bitnami.com/v1alpha1',
      kind: 'SealedSecret',
      metadata: { name: 'dashboard-auth', namespace: 'linkerd-viz' },
      spec: { encryptedData: { auth: sealed }, template: { metadata: { name: 'dashboard-auth', namespace: 'linkerd-viz' }, type: 'Opaque' } },
    }]);
  });

  test('fails on a SealedSecret value that is not kubeseal output (e.g. the htpasswd line itself), without echoing it', () => {
    const line = Buffer.from('admin:$2y$10$abcdefghijklmnopqrstuuJ2PbuN6f5aFqDjNRa9y/uAGJ/1pAO9W\n').toString('base64');
    expect(() => BasicAuthSecret.fromSealedSecret(testChart(), 'auth', { name: 'a', namespace: 'linkerd-viz', encryptedAuth: line }))
      .toThrow(/^\[test\/auth\] encryptedAuth \(\d+ characters\) is not kubeseal output: seal the htpasswd lines with kubeseal --raw; its content is not shown$/);
  });

  test('fromExternalSecret emits an ExternalSecret that writes only the bcrypt line into the Secret', () => {
    const chart = testChart();
    BasicAuthSecret.fromExternalSecret(chart, 'auth', { name: 'dashboard-auth', namespace: 'linkerd-viz', secretStore: { name: 'vault', kind: 'ClusterSecretStore' }, remoteKey: 'linkerd/dashboard' });
    expect(Testing.synth(chart)).toStrictEqual([{
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'dashboard-auth', namespace: 'linkerd-viz' },
      spec: {
        refreshInterval: '1h0m0s',
        secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
        target: {
          name: 'dashboard-auth',
          creationPolicy: 'Owner',
          template: { type: 'Opaque', engineVersion: 'v2', mergePolicy: 'Replace', data: { auth: '{{ htpasswd .username .password "bcrypt" }}\n' } },
        },
        data: [
          { secretKey: 'username', remoteRef: { key: 'linkerd/dashboard', property: 'username' } },
          { secretKey: 'password', remoteRef: { key: 'linkerd/dashboard', property: 'password' } },
        ],
      },
    }]);
  });

  test('fails on an ExternalSecret with an empty remote key or property', () => {
    const make = (extra: Record<string, string>) => () => BasicAuthSecret.fromExternalSecret(testChart(), 'auth',
      { name: 'a', namespace: 'linkerd-viz', secretStore: { name: 'vault', kind: 'ClusterSecretStore' }, remoteKey: 'k', ...extra });
    expect(make({ remoteKey: ' ' })).toThrow(/^\[test\/auth\] remoteKey must not be empty$/);
    expect(make({ passwordProperty: '' })).toThrow(/^\[test\/auth\] passwordProperty must not be empty$/);
  });

  test('fails on an ExternalSecret store kind that is not a secret store', () => {
    expect(() => BasicAuthSecret.fromExternalSecret(testChart(), 'auth', { name: 'a', namespace: 'linkerd-viz', secretStore: { name: 'vault', kind: 'Vault' }, remoteKey: 'k' }))
      .toThrow(/^\[test\/auth\] secretStore\.kind "Vault" is not allowed: use SecretStore or ClusterSecretStore$/);
  });

  test('fails on a weak hash unless allowed, naming the opt-in', () => {
    expect(() => new BasicAuthSecret(testChart(), 'auth', { name: 'a', namespace: 'linkerd-viz', users: [HtpasswdUser.fromHash('ops', '{SHA}xj0IlU6ZKbf59oeCplZGUkCCy0U=')] }))
      .toThrow(/^\[test\/auth\] the hash of user "ops" is \{SHA\} \(unsalted SHA-1\), far faster to guess than bcrypt: rehash it with htpasswd -nB, or allow it with allowWeakHashes: \[WeakHashFormat\.SHA\]$/);
  });

  test('error messages never carry the password', () => {
    expect(() => new BasicAuthSecret(testChart(), 'auth', { name: 'a', namespace: 'linkerd-viz', users: [HtpasswdUser.fromPassword('#admin', 'hunter2-secret')], cost: 20 }))
      .toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2-secret') }));
  });

  test('fromSecretName emits nothing', () => {
    const chart = testChart();
    const existing = BasicAuthSecret.fromSecretName(chart, 'auth', 'made-by-hand', { namespace: 'linkerd-viz' });
    expect(existing.secretName).toBe('made-by-hand');
    expect(Testing.synth(chart)).toStrictEqual([]);
  });

  test('fails without users', () => {
    expect(() => new BasicAuthSecret(testChart(), 'auth', { name: 'a', namespace: 'linkerd-viz', users: [] }))
      .toThrow(/^\[test\/auth\] users must not be empty: the Ingress would let nobody in$/);
  });

  test('fails on a user listed twice', () => {
    expect(() => new BasicAuthSecret(testChart(), 'auth', { name: 'a', namespace: 'linkerd-viz', users: [HtpasswdUser.fromPassword('admin', 'a'), HtpasswdUser.fromPassword('admin', 'b')] }))
      .toThrow(/^\[test\/auth\] user "admin" appears twice: each user needs one line$/);
  });

  test('fails on a bad user, with the construct path', () => {
    expect(() => new BasicAuthSecret(testChart(), 'auth', { name: 'a', namespace: 'linkerd-viz', users: [HtpasswdUser.fromPassword('a:b', 'pw')] }))
      .toThrow(/^\[test\/auth\] user name "a:b" must be non-empty, without ':' or whitespace, and not start with '#'/);
  });

  test('fails on a cost out of range', () => {
    expect(() => new BasicAuthSecret(testChart(), 'auth', { name: 'a', namespace: 'linkerd-viz', users: [HtpasswdUser.fromPassword('admin', 'pw')], cost: 31 }))
      .toThrow(/^\[test\/auth\] bcrypt cost 31 is out of range: use 4 to 19/);
  });

  test('fails on a name that is not a DNS-1123 subdomain', () => {
    expect(() => BasicAuthSecret.fromSecretName(testChart(), 'auth', 'Auth', { namespace: 'linkerd-viz' })).toThrow(/^\[test\/auth\] name "Auth" must be a DNS-1123 subdomain/);
  });
});
