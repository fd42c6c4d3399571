import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HtpasswdUser, WeakHashFormat } from '../../src/viz';

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
    const line = HtpasswdUser.fromPassword('admin', 'S3cr3t!pa$$')._line(10);
    expect(line).toMatch(/^admin:\$2y\$10\$[./A-Za-z0-9]{53}$/);
    expect(htpasswdVerifies(line, 'S3cr3t!pa$$')).toBe(true);
    expect(htpasswdVerifies(line, 'S3cr3t!pa$')).toBe(false);
  });

  test('the salt is random: two syntheses without a previous line give different salts, so no table over public inputs cracks it', () => {
    const salt = (line: string) => line.slice('admin:$2y$10$'.length, 'admin:$2y$10$'.length + 22);
    const first = HtpasswdUser.fromPassword('admin', 'pw1')._line(10);
    const second = HtpasswdUser.fromPassword('admin', 'pw1')._line(10);
    expect(salt(first)).not.toBe(salt(second));
    expect(htpasswdVerifies(first, 'pw1') && htpasswdVerifies(second, 'pw1')).toBe(true);
  });

  test('a previous line that still verifies the password at the same cost is reused; a changed password or cost gets a new salt', () => {
    const previous = HtpasswdUser.fromPassword('admin', 'pw1')._line(10).slice('admin:'.length);
    expect(HtpasswdUser.fromPassword('admin', 'pw1')._line(10, previous)).toBe(`admin:${previous}`);
    const changed = HtpasswdUser.fromPassword('admin', 'pw2')._line(10, previous);
    expect(changed.slice(6, 35)).not.toBe(previous.slice(0, 29));
    expect(htpasswdVerifies(changed, 'pw2')).toBe(true);
    expect(HtpasswdUser.fromPassword('admin', 'pw1')._line(11, previous)).toMatch(/^admin:\$2y\$11\$/);
    // a weak previous hash is never reused, even if it verifies
    expect(HtpasswdUser.fromPassword('ops', 'hunter2')._line(10, '{SHA}xj0IlU6ZKbf59oeCplZGUkCCy0U=')).toMatch(/^ops:\$2y\$10\$/);
  });

  test('the password shows neither in JSON.stringify, util.inspect, nor the object\'s keys', () => {
    const user = HtpasswdUser.fromPassword('admin', 'hunter2-secret');
    expect(JSON.stringify(user)).toBe('{"user":"admin"}');
    expect(require('node:util').inspect(user, { showHidden: true, depth: 5 })).not.toContain('hunter2-secret');
    expect(JSON.stringify(Object.values(user))).not.toContain('hunter2-secret');
  });

  test('the cost is configurable', () => {
    const line = HtpasswdUser.fromPassword('admin', 'pw')._line(12);
    expect(line).toMatch(/^admin:\$2y\$12\$/);
    expect(htpasswdVerifies(line, 'pw')).toBe(true);
  });

  test('pre-hashed lines from htpasswd -B, and (when allowed) -m and -s, pass through and still verify', () => {
    for (const flag of ['-nbB', '-nbm', '-nbs']) {
      const made = spawnSync('htpasswd', [flag, 'ops', 'hunter2'], { encoding: 'utf8' }).stdout.trim();
      const user = HtpasswdUser.fromLine(made);
      expect(user._problems(10, [WeakHashFormat.APR1, WeakHashFormat.SHA])).toStrictEqual([]);
      expect(user._line(10)).toBe(made);
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
    delete process.env.TEST_DASH_USER;
    delete process.env.TEST_DASH_PASSWORD;
    expect(HtpasswdUser.fromEnv('TEST_DASH_USER', 'TEST_DASH_PASSWORD')).toBeUndefined();
  });

  test('fails when only one of the user and password variables is set', () => {
    process.env.TEST_DASH_USER = 'admin';
    try {
      expect(() => HtpasswdUser.fromEnv('TEST_DASH_USER', 'TEST_DASH_PASSWORD'))
        .toThrow(/^\[HtpasswdUser\.fromEnv\] TEST_DASH_USER is set but TEST_DASH_PASSWORD is not: set both for a dashboard user, or neither$/);
    } finally {
      delete process.env.TEST_DASH_USER;
    }
  });

  test('fails on a malformed file line without echoing it (it may be a password)', () => {
    const users = HtpasswdUser.parse('admin:$2y$10$abcdefghijklmnopqrstuuJ2PbuN6f5aFqDjNRa9y/uAGJ/1pAO9W\nhunter2-typed-by-mistake\n', 'auth.htpasswd');
    const problems = users.flatMap(u => u._problems(10));
    expect(problems).toStrictEqual(['line 2 of auth.htpasswd is not user:hash (no \':\'); its content is not shown, as it may be a password']);
    expect(JSON.stringify(users)).not.toContain('hunter2');
  });

  test.each(['ad:min', 'ad min', '', 'tab\tuser', '#admin'])('fails on the user name %j', name => {
    expect(HtpasswdUser.fromPassword(name, 'pw')._problems(10))
      .toStrictEqual([`user name ${JSON.stringify(name)} must be non-empty, without ':' or whitespace, and not start with '#' (nginx reads such a line as a comment)`]);
  });

  test.each(['admin', '$1$abc$def', 'plain-password', '$2y$10$short', 'abJnggxhB/yWI', '{PLAIN}hunter2', '{SSHA}abcdefghijklmnopqrstuvwxyz012345'])('fails on the hash %j', hash => {
    expect(HtpasswdUser.fromHash('ops', hash)._problems(10))
      .toStrictEqual(['the hash of user "ops" is not a bcrypt hash ($2y$, $2b$ or $2a$): hash it with htpasswd -nB, never store a plain password']);
  });

  test('fails on {SHA} and $apr1$ hashes unless allowed', () => {
    expect(HtpasswdUser.fromHash('ops', '{SHA}xj0IlU6ZKbf59oeCplZGUkCCy0U=')._problems(10)).toStrictEqual([
      'the hash of user "ops" is {SHA} (unsalted SHA-1), far faster to guess than bcrypt: rehash it with htpasswd -nB, or allow it with allowWeakHashes: [WeakHashFormat.SHA]',
    ]);
    expect(HtpasswdUser.fromHash('ops', '$apr1$n7Cu6gHl$E47ogf7CO8NRYjEjBOkWM.')._problems(10)).toStrictEqual([
      'the hash of user "ops" is $apr1$ (MD5), far faster to guess than bcrypt: rehash it with htpasswd -nB, or allow it with allowWeakHashes: [WeakHashFormat.APR1]',
    ]);
    expect(HtpasswdUser.fromHash('ops', '{SHA}xj0IlU6ZKbf59oeCplZGUkCCy0U=')._problems(10, [WeakHashFormat.APR1])).toHaveLength(1);
    expect(HtpasswdUser.fromHash('ops', '{SHA}xj0IlU6ZKbf59oeCplZGUkCCy0U=')._problems(10, [WeakHashFormat.SHA])).toStrictEqual([]);
  });

  test('fails on a given bcrypt hash above cost 19, which musl crypt answers with "*"', () => {
    const cost20 = spawnSync('htpasswd', ['-nbB', '-C', '4', 'ops', 'pw'], { encoding: 'utf8' }).stdout.trim().replace('$2y$04$', '$2y$20$');
    expect(HtpasswdUser.fromLine(cost20)._problems(10)).toStrictEqual([
      'the bcrypt hash of user "ops" has cost 20: use 4 to 19 (ingress-nginx\'s musl crypt returns "*" above 19, so every login fails)',
    ]);
  });

  test.each([3, 20, 10.5])('fails on the bcrypt cost %d', cost => {
    expect(HtpasswdUser.fromPassword('admin', 'pw')._problems(cost))
      .toStrictEqual([`bcrypt cost ${cost} is out of range: use 4 to 19 (ingress-nginx's musl crypt rejects 20 and above)`]);
  });

  test('fails on an empty password', () => {
    expect(HtpasswdUser.fromPassword('admin', '')._problems(10)).toStrictEqual(['the password of user "admin" must not be empty']);
  });
});
