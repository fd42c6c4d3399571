import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeLauncherProject } from './_launcher-project';

const LAUNCHER = path.resolve(__dirname, '../../lib/src/cli/synth.js');

let tmp: string;
let bundle: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-cli-test-'));
  bundle = path.join(tmp, 'main.js');
  fs.writeFileSync(bundle, `console.log('answer ' + (6 * 7) + ' from ' + (__dirname === ${JSON.stringify(tmp)} ? 'ok' : 'wrong'));\n`);
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs a bundle through the launcher in a fresh process (the launcher runs code in the main V8 context). */
function run(): string {
  return execFileSync(process.execPath, ['-e', `require(${JSON.stringify(LAUNCHER)}).runBundledSynth(${JSON.stringify(bundle)})`], { encoding: 'utf8' });
}

function caches(): string[] {
  return fs.readdirSync(tmp).filter(f => f.endsWith('.v8cache'));
}

describe('the synth launcher (npm run synth)', () => {
  test('runs the bundle as a CommonJS module and keeps one code cache, named by the bundle\'s content', () => {
    expect(run()).toBe('answer 42 from ok\n');
    expect(caches()).toStrictEqual([expect.stringMatching(/^main\.js\.[0-9a-f]{16}\.v8cache$/)]);
  });

  test('a second run uses the cache and leaves it as it is', () => {
    run();
    const [cache] = caches();
    const written = fs.readFileSync(path.join(tmp, cache));
    fs.utimesSync(path.join(tmp, cache), new Date(0), new Date(0));
    expect(run()).toBe('answer 42 from ok\n');
    expect(fs.statSync(path.join(tmp, cache)).mtimeMs).toBe(0);
    expect(fs.readFileSync(path.join(tmp, cache))).toStrictEqual(written);
  });

  test('a cache V8 rejects is written again, and the bundle still runs', () => {
    run();
    const [cache] = caches();
    fs.writeFileSync(path.join(tmp, cache), Buffer.alloc(4096, 7));
    expect(run()).toBe('answer 42 from ok\n');
    expect(fs.readFileSync(path.join(tmp, cache)).equals(Buffer.alloc(4096, 7))).toBe(false);
  });

  test('a changed bundle of the same length gets a new cache, and the old one is removed', () => {
    run();
    const [before] = caches();
    fs.writeFileSync(bundle, fs.readFileSync(bundle, 'utf8').replace('6 * 7', '7 * 7'));
    expect(run()).toBe('answer 49 from ok\n');
    expect(caches()).toHaveLength(1);
    expect(caches()[0]).not.toBe(before);
  });
});

describe('a failed synth says what happened to the previous output', () => {
  const MAIN = path.resolve(__dirname, '../../lib/src/main.js');
  const fail = (env: Record<string, string>, cwd = tmp) => {
    const base: NodeJS.ProcessEnv = { ...process.env, CDK8S_CHECK_UPGRADE: 'false' };
    delete base.CDK8S_OUTDIR;
    try {
      execFileSync(process.execPath, [MAIN], { encoding: 'utf8', stdio: 'pipe', cwd, env: { ...base, ...env } });
    } catch (e) {
      return String((e as { stderr: string }).stderr);
    }
    throw new Error('the synth did not fail');
  };

  test('npm run synth kept it', () => {
    const outdir = path.join(tmp, 'dist');
    fs.mkdirSync(outdir);
    fs.writeFileSync(path.join(outdir, 'previous.k8s.yaml'), 'kept\n');
    const stderr = fail({ DASHBOARD_HTPASSWD_FILE: path.join(tmp, 'missing') });
    expect(stderr).toMatch(/^synth failed; the previous output was left unchanged\./);
    expect(fs.readdirSync(outdir)).toStrictEqual(['previous.k8s.yaml']);
  });

  test('under cdk8s synth, which deleted its output folder first, it does not claim the output was kept', () => {
    const stderr = fail({ DASHBOARD_HTPASSWD_FILE: path.join(tmp, 'missing'), CDK8S_OUTDIR: path.join(tmp, 'cdk8s.out') });
    expect(stderr).toContain(`synth failed; cdk8s synth deleted ${path.join(tmp, 'cdk8s.out')}/ before running the app; npm run synth keeps the previous output on failure.`);
    expect(stderr).not.toContain('left unchanged');
  });
});

describe('npm run synth builds only when its inputs changed and synthesizes only when what it read changed (src/cli/build-and-synth.js)', () => {
  jest.setTimeout(180_000);
  let project: string;
  const file = (name: string) => path.join(project, name);
  const write = (name: string, text: string) => fs.writeFileSync(file(name), text);
  const APP = [
    'import { shout } from \'./lib\';',
    'const fs = require(\'node:fs\');',
    'const outdir: string = process.env.CDK8S_OUTDIR ?? \'dist\';',
    'const input: string = fs.existsSync(\'input.txt\') ? fs.readFileSync(\'input.txt\', \'utf8\').trim() : \'none\';',
    '// a Date whose value is never used reads no clock; USE_CLOCK uses it',
    'const now = new Date();',
    'if (process.env.USE_CLOCK) console.error(`year ${now.getFullYear() > 2000}`);',
    'if (process.env.SPAWN) require(\'node:child_process\').execFileSync(process.execPath, [\'-e\', \'0\']);',
    'const staging = `${outdir}.staging`;',
    'fs.rmSync(staging, { recursive: true, force: true });',
    'fs.mkdirSync(staging);',
    'fs.writeFileSync(`${staging}/out.txt`, shout(`${process.env.GREETING ?? \'hello\'} ${input}`));',
    'fs.rmSync(outdir, { recursive: true, force: true });',
    'fs.renameSync(staging, outdir);',
    'console.log(`synthesized ${fs.readFileSync(`${outdir}/out.txt`, \'utf8\')}`);',
    'console.error(\'a warning\');',
    'if (process.env.EXIT) process.exit(0);',
    '',
  ].join('\n');
  beforeAll(() => {
    project = makeLauncherProject('synth-launcher-test-', { app: APP, library: 'export function shout(text: string): string {\n  return text.toUpperCase();\n}\n' });
  });
  afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

  const launch = (args: string[] = [], env: Record<string, string> = {}) => {
    // the launcher's cold type check: test/cli/typecheck-server.test.ts covers the server's path
    const base: NodeJS.ProcessEnv = { ...process.env, SYNTH_TYPECHECK_SERVER: '0' };
    for (const name of ['CDK8S_OUTDIR', 'SYNTH_FORCE', 'GREETING', 'USE_CLOCK', 'SPAWN', 'EXIT']) delete base[name];
    return spawnSync(process.execPath, [file('src/cli/build-and-synth.js'), ...args], { cwd: project, encoding: 'utf8', env: { ...base, ...env } });
  };
  /** The output folder's inode: the app renames a new folder into place, so a skipped synth leaves it as it was. */
  const distInode = () => fs.statSync(file('dist')).ino;
  /** The output file's inode and mtime: a file put back as it was (a hard link) keeps both. */
  const outFile = () => {
    const stat = fs.statSync(file('dist/out.txt'));
    return { ino: stat.ino, mtimeMs: stat.mtimeMs, text: fs.readFileSync(file('dist/out.txt'), 'utf8'), files: fs.readdirSync(file('dist')) };
  };
  const mtime = (name: string) => fs.statSync(file(name)).mtimeMs;
  /** Launches twice: the first synthesizes (a new dist/), the second is skipped and prints the same. */
  const synthesizedThenSkipped = (expected: string, env: Record<string, string> = {}) => {
    const before = fs.existsSync(file('dist')) ? distInode() : undefined;
    const first = launch([], env);
    expect({ stdout: first.stdout, status: first.status }).toStrictEqual({ stdout: `synthesized ${expected}\n`, status: 0 });
    const synthesized = distInode();
    expect(synthesized).not.toBe(before);
    const second = launch([], env);
    expect({ stdout: second.stdout, stderr: second.stderr, status: second.status })
      .toStrictEqual({ stdout: first.stdout, stderr: first.stderr, status: 0 });
    expect(distInode()).toBe(synthesized);
  };

  test('builds and synthesizes on the first run; then, nothing changed, skips the synth and replays what it printed', () => {
    synthesizedThenSkipped('HELLO NONE');
    expect(launch().stderr).toBe('a warning\n');
    fs.utimesSync(file('lib/synth/main.js'), new Date(0), new Date(0));
    const inode = distInode();
    for (let i = 0; i < 2; i++) expect(launch().stdout).toBe('synthesized HELLO NONE\n');
    expect(mtime('lib/synth/main.js')).toBe(0);
    expect(distInode()).toBe(inode);
  });

  test('an environment variable the synth read, changed, set or unset, synthesizes again; one it did not read does not', () => {
    synthesizedThenSkipped('HI NONE', { GREETING: 'hi' });
    synthesizedThenSkipped('HELLO NONE');
    const inode = distInode();
    expect(launch([], { UNRELATED: 'x' }).stdout).toBe('synthesized HELLO NONE\n');
    expect(distInode()).toBe(inode);
  });

  test('a file the synth read, or whose absence it checked, synthesizes again when it changes', () => {
    write('input.txt', 'one\n');
    synthesizedThenSkipped('HELLO ONE');
    write('input.txt', 'two\n');
    synthesizedThenSkipped('HELLO TWO');
    fs.rmSync(file('input.txt'));
    synthesizedThenSkipped('HELLO NONE');
  });

  test('an edited, added or removed file in what the synth wrote synthesizes again, which restores it', () => {
    launch();
    write('dist/out.txt', 'edited by hand');
    synthesizedThenSkipped('HELLO NONE');
    write('dist/extra.txt', 'added');
    synthesizedThenSkipped('HELLO NONE');
    expect(fs.readdirSync(file('dist'))).toStrictEqual(['out.txt']);
    fs.rmSync(file('dist'), { recursive: true });
    synthesizedThenSkipped('HELLO NONE');
  });

  test('--force and SYNTH_FORCE=1 synthesize anyway', () => {
    launch();
    for (const [args, env] of [[['--force'], {}], [[], { SYNTH_FORCE: '1' }]] as const) {
      const inode = distInode();
      expect(launch([...args], env).stdout).toBe('synthesized HELLO NONE\n');
      expect(distInode()).not.toBe(inode);
    }
  });

  test('a synth that uses the clock or starts a process is never skipped: neither can be tracked', () => {
    for (const env of [{ USE_CLOCK: '1' }, { SPAWN: '1' }] as Record<string, string>[]) {
      launch([], env);
      const inode = distInode();
      expect(launch([], env).stdout).toBe('synthesized HELLO NONE\n');
      expect(distInode()).not.toBe(inode);
    }
    expect(launch([], { USE_CLOCK: '1' }).stderr).toBe('year true\na warning\n');
  });

  test('an edit to src/main.ts alone is type-checked against the library\'s declarations, without the full build', () => {
    launch();
    // the first such edit builds the whole project and, beside it, the library's declarations
    write('src/main.ts', APP.replace('\'hello\'', '\'hey\''));
    expect(launch().stdout).toBe('synthesized HEY NONE\n');
    const fullBuild = mtime('lib/.tsbuildinfo');
    write('src/main.ts', APP.replace('\'hello\'', '\'howdy\''));
    expect(launch().stdout).toBe('synthesized HOWDY NONE\n');
    expect(mtime('lib/.tsbuildinfo')).toBe(fullBuild);
    expect(fs.readFileSync(file('lib/src/main.js'), 'utf8')).toContain('\'howdy\'');
    // the library changed: the full build, which cdk8s synth and the package read
    write('src/lib.ts', 'export function shout(text: string): string {\n  return `${text.toUpperCase()}!`;\n}\n');
    synthesizedThenSkipped('HOWDY NONE!');
    expect(mtime('lib/.tsbuildinfo')).not.toBe(fullBuild);
  });

  test('a type error in src/main.ts fails with tsc\'s message and exit code, prints nothing of the synth and leaves dist/ as it was', () => {
    launch();
    const before = outFile();
    // the synth still runs (beside the type check) and writes GREETING's value, but dist/ is put back
    const app = fs.readFileSync(file('src/main.ts'), 'utf8');
    write('src/main.ts', app.replace('const outdir: string', 'const outdir: number'));
    const failed = launch([], { GREETING: 'bad' });
    expect(failed.status).toBe(2);
    expect(failed.stdout).toContain('src/main.ts(3,7): error TS2322: Type \'string\' is not assignable to type \'number\'.');
    expect(failed.stdout).not.toContain('synthesized');
    expect(failed.stderr).toBe('');
    expect(outFile()).toStrictEqual(before);
    expect(fs.readdirSync(project).filter(f => f.includes('kept'))).toStrictEqual([]);
    // an app that ends the process itself does not end the type check
    const exited = launch([], { GREETING: 'bad', EXIT: '1' });
    expect({ status: exited.status, stdout: exited.stdout }).toStrictEqual({ status: 2, stdout: failed.stdout });
    expect(outFile()).toStrictEqual(before);
    // tsc emitted the broken code anyway; the launcher must not take it for the build of the good sources
    write('src/main.ts', app);
    synthesizedThenSkipped('HOWDY NONE!');
  });

  test('a type error in the library fails the same way', () => {
    launch();
    const before = outFile();
    const library = fs.readFileSync(file('src/lib.ts'), 'utf8');
    write('src/lib.ts', library.replace('): string', '): number'));
    const failed = launch([], { GREETING: 'bad' });
    expect(failed.status).toBe(2);
    expect(failed.stdout).toContain('src/lib.ts(2,3): error TS2322: Type \'string\' is not assignable to type \'number\'.');
    expect(failed.stdout).not.toContain('synthesized');
    expect(outFile()).toStrictEqual(before);
    write('src/lib.ts', library);
    synthesizedThenSkipped('HOWDY NONE!');
  });

  test('a missing output is rebuilt even when the inputs did not change', () => {
    launch();
    fs.rmSync(file('lib/src/main.js'));
    expect(launch().stdout).toBe('synthesized HOWDY NONE!\n');
    expect(fs.existsSync(file('lib/src/main.js'))).toBe(true);
  });

  test('the record keeps no environment value in clear', () => {
    launch([], { GREETING: 'secret-greeting-value' });
    expect(fs.readFileSync(file('lib/.synth-record.json'), 'utf8')).not.toContain('secret-greeting-value');
    expect(fs.statSync(file('lib/.synth-record.json')).mode & 0o077).toBe(0);
  });
});
