import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HtpasswdUser } from '../../src/viz';

/** Apache's `htpasswd -vb` on a one-line file: true when the password verifies. */
function htpasswdVerifies(line: string, password: string): boolean {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'htpasswd-'));
  try {
    fs.writeFileSync(path.join(dir, 'auth'), `${line}\n`);
    const user = line.slice(0, line.indexOf(':'));
    const run = spawnSync('htpasswd', ['-vb', path.join(dir, 'auth'), user, password], { encoding: 'utf8' });
    if (run.error) throw run.error;
    return run.status === 0;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('HtpasswdUser', () => {
  test('a password becomes a $2y$ bcrypt line that Debian\'s htpasswd verifies, and rejects a wrong password', () => {
    const line = HtpasswdUser.fromPassword('admin', 'S3cr3t!pa$$')._line(10, 'linkerd-viz/auth');
    expect(line).toMatch(/^admin:\$2y\$10\$[./A-Za-z0-9]{53}$/);
    expect(htpasswdVerifies(line, 'S3cr3t!pa$$')).toBe(true);
    expect(htpasswdVerifies(line, 'S3cr3t!pa$')).toBe(false);
  });

  test('the line is deterministic, and changes with the password, the user or the Secret', () => {
    const line = (user: string, password: string, identity: string) => HtpasswdUser.fromPassword(user, password)._line(10, identity);
    const base = line('admin', 'pw1', 'linkerd-viz/auth');
    expect(line('admin', 'pw1', 'linkerd-viz/auth')).toBe(base);
    expect(line('admin', 'pw2', 'linkerd-viz/auth')).not.toBe(base);
    expect(line('admin', 'pw1', 'linkerd-viz/other')).not.toBe(base);
    expect(line('ops', 'pw1', 'linkerd-viz/auth').slice(4)).not.toBe(base.slice(6));
  });

  test('the cost is configurable', () => {
    const line = HtpasswdUser.fromPassword('admin', 'pw')._line(12, 'ns/s');
    expect(line).toMatch(/^admin:\$2y\$12\$/);
    expect(htpasswdVerifies(line, 'pw')).toBe(true);
  });

  test('pre-hashed lines from htpasswd -B, -m and -s pass through and still verify', () => {
    for (const flag of ['-nbB', '-nbm', '-nbs']) {
      const made = spawnSync('htpasswd', [flag, 'ops', 'hunter2'], { encoding: 'utf8' }).stdout.trim();
      const user = HtpasswdUser.fromLine(made);
      expect(user._problems(10)).toStrictEqual([]);
      expect(user._line(10, 'ns/s')).toBe(made);
      expect(htpasswdVerifies(made, 'hunter2')).toBe(true);
    }
  });

  test('reads users from an htpasswd file and from the environment', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'users-'));
    const file = path.join(dir, 'auth');
    fs.writeFileSync(file, '# team\nadmin:$apr1$n7Cu6gHl$E47ogf7CO8NRYjEjBOkWM.\n\nops:{SHA}xj0IlU6ZKbf59oeCplZGUkCCy0U=\n');
    expect(HtpasswdUser.fromFile(file).map(u => u.user)).toStrictEqual(['admin', 'ops']);
    fs.rmSync(dir, { recursive: true, force: true });
    process.env.TEST_DASH_USER = 'admin';
    process.env.TEST_DASH_PASSWORD = 'pw';
    expect(HtpasswdUser.fromEnv('TEST_DASH_USER', 'TEST_DASH_PASSWORD')?.user).toBe('admin');
    delete process.env.TEST_DASH_PASSWORD;
    expect(HtpasswdUser.fromEnv('TEST_DASH_USER', 'TEST_DASH_PASSWORD')).toBeUndefined();
  });

  test.each(['ad:min', 'ad min', '', 'tab\tuser'])('fails on the user name %j', name => {
    expect(HtpasswdUser.fromPassword(name, 'pw')._problems(10))
      .toStrictEqual([`user name ${JSON.stringify(name)} must be non-empty, without ':' or whitespace`]);
  });

  test.each(['admin', '$1$abc$def', 'plain-password', '$2y$10$short'])('fails on the hash %j', hash => {
    expect(HtpasswdUser.fromHash('ops', hash)._problems(10))
      .toStrictEqual(['the hash of user "ops" is not a bcrypt ($2y$), apr1 ($apr1$) or {SHA} hash: hash it with htpasswd -nB, never store a plain password']);
  });

  test.each([3, 20, 10.5])('fails on the bcrypt cost %d', cost => {
    expect(HtpasswdUser.fromPassword('admin', 'pw')._problems(cost))
      .toStrictEqual([`bcrypt cost ${cost} is out of range: use 4 to 19 (ingress-nginx's musl crypt rejects 20 and above)`]);
  });

  test('fails on an empty password', () => {
    expect(HtpasswdUser.fromPassword('admin', '')._problems(10)).toStrictEqual(['the password of user "admin" must not be empty']);
  });
});
