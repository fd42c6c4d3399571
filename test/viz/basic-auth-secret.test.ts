import { Testing } from 'cdk8s';
import { BasicAuthSecret, HtpasswdUser } from '../../src/viz';
import { synthKind, testChart } from '../_util';

describe('BasicAuthSecret', () => {
  test('holds one user:hash line per user under the key auth, and no password', () => {
    const chart = testChart();
    new BasicAuthSecret(chart, 'auth', {
      name: 'dashboard-auth', namespace: 'linkerd-viz',
      users: [HtpasswdUser.fromPassword('admin', 'hunter2'), HtpasswdUser.fromHash('ops', '{SHA}xj0IlU6ZKbf59oeCplZGUkCCy0U=')],
    });
    const [secret] = synthKind(chart, 'Secret');
    expect(Object.keys(secret.data)).toStrictEqual(['auth']);
    expect(secret.type).toBe('Opaque');
    expect(secret.metadata).toStrictEqual({ name: 'dashboard-auth', namespace: 'linkerd-viz' });
    const lines = Buffer.from(secret.data.auth, 'base64').toString('utf8');
    expect(lines).toMatch(/^admin:\$2y\$10\$[./A-Za-z0-9]{53}\nops:\{SHA\}xj0IlU6ZKbf59oeCplZGUkCCy0U=\n$/);
    expect(JSON.stringify(secret)).not.toContain('hunter2');
  });

  test('fromExistingSecret emits nothing', () => {
    const chart = testChart();
    const existing = BasicAuthSecret.fromExistingSecret(chart, 'auth', 'made-by-hand', 'linkerd-viz');
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
      .toThrow(/^\[test\/auth\] user name "a:b" must be non-empty, without ':' or whitespace$/);
  });

  test('fails on a cost out of range', () => {
    expect(() => new BasicAuthSecret(testChart(), 'auth', { name: 'a', namespace: 'linkerd-viz', users: [HtpasswdUser.fromPassword('admin', 'pw')], cost: 31 }))
      .toThrow(/^\[test\/auth\] bcrypt cost 31 is out of range: use 4 to 19/);
  });

  test('fails on a name that is not a DNS-1123 subdomain', () => {
    expect(() => BasicAuthSecret.fromExistingSecret(testChart(), 'auth', 'Auth', 'linkerd-viz')).toThrow(/^\[test\/auth\] name "Auth" must be a DNS-1123 subdomain/);
  });
});
