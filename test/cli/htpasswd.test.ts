import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { updateHtpasswd } from '../../src/cli/htpasswd';
import { HtpasswdUser } from '../../src/viz';

const CLI = path.resolve(__dirname, '..', '..', 'lib', 'src', 'cli', 'htpasswd.js');

describe('npm run htpasswd', () => {
  test('adds a bcrypt line, keeps it while the password verifies, changes it with a new salt, and keeps comments and other users', () => {
    const added = updateHtpasswd('# dashboard users\nops:$2y$04$GKaH031PSqF8ZtAq.Xgvd.tCY1TBka15P1/zwyODMyGvKuiJdpYcq\n', 'admin', 'pw1', 4);
    expect(added.outcome).toBe('added');
    expect(added.content).toMatch(/^# dashboard users\nops:\$2y\$04\$GKaH[^\n]+\nadmin:\$2y\$04\$[./A-Za-z0-9]{53}\n$/);
    const again = updateHtpasswd(added.content, 'admin', 'pw1', 4);
    expect(again).toStrictEqual({ content: added.content, outcome: 'unchanged' });
    const changed = updateHtpasswd(added.content, 'admin', 'pw2', 4);
    expect(changed.outcome).toBe('changed');
    expect(changed.content.split('\n').slice(0, 2)).toStrictEqual(added.content.split('\n').slice(0, 2));
    expect(HtpasswdUser.parse(changed.content).flatMap(u => u._problems(10))).toStrictEqual([]);
    expect(updateHtpasswd(changed.content, 'admin', undefined)).toStrictEqual({ content: added.content.split('\n').slice(0, 2).join('\n') + '\n', outcome: 'removed' });
  });

  test('fails on a user name nginx would read as a comment, and on removing a user who is not there', () => {
    expect(() => updateHtpasswd('', '#admin', 'pw', 4)).toThrow(/user name "#admin" must be non-empty, without ':' or whitespace, and not start with '#'/);
    expect(() => updateHtpasswd('', 'admin', undefined)).toThrow(/^user "admin" is not in the file$/);
  });

  test('the command reads the password from stdin and writes a file synth reads, with no password in it', () => {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: npm test builds first (npm run build)`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'htpasswd-cli-'));
    try {
      const file = path.join(dir, 'dashboard.htpasswd');
      const run = spawnSync(process.execPath, [CLI, 'add', 'admin', '--file', file, '--cost', '4'], { input: 'correct horse\n', encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe(`admin: added in ${file}\n`);
      const content = fs.readFileSync(file, 'utf8');
      expect(content).not.toContain('correct horse');
      expect(HtpasswdUser.fromFile(file).map(u => u.user)).toStrictEqual(['admin']);
      expect(spawnSync('htpasswd', ['-vb', file, 'admin', 'correct horse']).status).toBe(0);
      expect(spawnSync(process.execPath, [CLI, 'rename', 'admin'], { encoding: 'utf8' }).status).toBe(2);
      const badCost = spawnSync(process.execPath, [CLI, 'add', 'admin', '--file', file, '--cost', 'abc'], { input: 'pw\n', encoding: 'utf8' });
      expect(badCost.status).toBe(2);
      expect(badCost.stderr).toMatch(/^htpasswd: --cost "abc" is not a whole number: use 4 to 19/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
