import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

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

describe('npm run synth builds only when its inputs changed (src/cli/build-and-synth.js)', () => {
  const REPO = path.resolve(__dirname, '../..');
  let project: string;
  // a project laid out like this one, small enough that tsc is quick: the launcher, the runner, an app
  beforeAll(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-launcher-test-'));
    for (const dir of ['src/cli', 'imports']) fs.mkdirSync(path.join(project, dir), { recursive: true });
    fs.copyFileSync(path.join(REPO, 'src', 'cli', 'build-and-synth.js'), path.join(project, 'src', 'cli', 'build-and-synth.js'));
    // no @types/node, so tsc has little to read: a runner that just loads the bundle, an app that declares console
    fs.writeFileSync(path.join(project, 'src', 'cli', 'synth.ts'), 'declare function require(id: string): unknown;\nexport function runBundledSynth(bundle: string): void {\n  require(bundle);\n}\n');
    fs.writeFileSync(path.join(project, 'imports', 'console.ts'), 'declare global {\n  const console: { log(line: string): void };\n}\nexport {};\n');
    fs.writeFileSync(path.join(project, 'src', 'main.ts'), 'const answer: number = 42;\nconsole.log(`answer ${answer}`);\n');
    fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', lib: ['es2022'], module: 'commonjs', rootDir: '.', outDir: 'lib', strict: true, incremental: true, tsBuildInfoFile: 'lib/.tsbuildinfo', types: [], skipLibCheck: true },
      include: ['src/**/*.ts', 'imports/**/*.ts'],
    }));
    fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "launcher-test", "private": true }\n');
    fs.writeFileSync(path.join(project, 'package-lock.json'), '{}\n');
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(project, 'node_modules'));
  });
  afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

  const launch = () => spawnSync(process.execPath, [path.join(project, 'src', 'cli', 'build-and-synth.js')], { cwd: project, encoding: 'utf8' });
  const bundleMtime = () => fs.statSync(path.join(project, 'lib', 'synth', 'main.js')).mtimeMs;

  test('builds on the first run, then runs without building while nothing changed; an edit rebuilds', () => {
    const first = launch();
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe('answer 42\n');
    fs.utimesSync(path.join(project, 'lib', 'synth', 'main.js'), new Date(0), new Date(0));
    expect(launch().stdout).toBe('answer 42\n');
    expect(bundleMtime()).toBe(0);
    fs.writeFileSync(path.join(project, 'src', 'main.ts'), 'const answer: number = 43;\nconsole.log(`answer ${answer}`);\n');
    expect(launch().stdout).toBe('answer 43\n');
    expect(bundleMtime()).not.toBe(0);
  });

  test('a type error fails with tsc\'s message and exit code and runs nothing; going back to the last good sources rebuilds', () => {
    const good = fs.readFileSync(path.join(project, 'src', 'main.ts'), 'utf8');
    fs.writeFileSync(path.join(project, 'src', 'main.ts'), 'const answer: number = \'42\';\nconsole.log(`answer ${answer}`);\n');
    const failed = launch();
    expect(failed.status).toBe(2);
    expect(failed.stdout).toContain('src/main.ts(1,7): error TS2322: Type \'string\' is not assignable to type \'number\'.');
    expect(failed.stdout).not.toContain('answer');
    // tsc emitted the broken code anyway; the launcher must not take it for the build of the good sources
    fs.writeFileSync(path.join(project, 'src', 'main.ts'), good);
    expect(launch().stdout).toBe('answer 43\n');
  });

  test('a missing output is rebuilt even when the inputs did not change', () => {
    fs.writeFileSync(path.join(project, 'src', 'main.ts'), 'console.log(\'answer 44\');\n');
    expect(launch().stdout).toBe('answer 44\n');
    fs.rmSync(path.join(project, 'lib', 'src', 'main.js'));
    expect(launch().stdout).toBe('answer 44\n');
    expect(fs.existsSync(path.join(project, 'lib', 'src', 'main.js'))).toBe(true);
  });
});
