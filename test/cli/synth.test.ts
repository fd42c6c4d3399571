import { execFileSync } from 'node:child_process';
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
