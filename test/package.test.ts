import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { placeDependencies } from './_consumer-install';
import { readmeBlocks } from './_readme-blocks';

const REPO = path.resolve(__dirname, '..');
const FIXTURE = path.join(__dirname, 'fixtures', 'consumer');
const TSC = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
// the compiler options of the project `cdk8s init typescript-app` makes (strict, noUnusedLocals, noUnusedParameters, noImplicitReturns)
const TEMPLATE_TSCONFIG = path.join(REPO, 'node_modules', 'cdk8s-cli', 'templates', 'typescript-app', 'tsconfig.json');
const README_BLOCKS = readmeBlocks(fs.readFileSync(path.join(REPO, 'README.md'), 'utf8'));

// pack → install the tarball into a fresh project → type-check a consumer app against the shipped .d.ts → synth it;
// the same project compiles every ```ts block of the README with cdk8s's app template tsconfig and runs each.
// `npm test` builds lib/ first; the packs skip the prepare script, which would only build it again.
describe('the packed package, as another team installs it', () => {
  let tmp: string;
  let consumer: string;
  let tarball: string;
  let packedFiles: string[];

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-'));
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], { cwd: REPO, encoding: 'utf8' }));
    tarball = path.join(tmp, packed[0].filename);
    // the file list of the tarball the consumer installs (no second, dry-run pack)
    packedFiles = packed[0].files.map((f: { path: string }) => f.path);
    consumer = path.join(tmp, 'consumer');
    fs.mkdirSync(consumer);
    const dependencies = {
      'cdk8s-linkerd': `file:${tarball}`, 'cdk8s': pkg.dependencies.cdk8s, 'constructs': pkg.dependencies.constructs,
      'cdk8s-plus-25': pkg.dependencies['cdk8s-plus-25'], '@types/node': pkg.devDependencies['@types/node'],
    };
    fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies }));
    for (const f of ['app.ts', 'tsconfig.json']) fs.copyFileSync(path.join(FIXTURE, f), path.join(consumer, f));
    // the dependencies, hard-linked from this repository's node_modules where npm would put them: npm then unpacks and
    // links only the tarball, offline, instead of ~60 MB of dependencies it would take from its cache again
    placeDependencies(REPO, consumer, [...Object.keys(dependencies).filter(name => name !== 'cdk8s-linkerd'), ...Object.keys(pkg.dependencies)]);
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--omit=optional', '--loglevel=error'], { cwd: consumer, stdio: 'pipe' });
  }, 120_000);

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('ships compiled code with declarations, and none of the repo-only tools', () => {
    const files = packedFiles;
    expect(files).toEqual(expect.arrayContaining(['lib/src/index.js', 'lib/src/index.d.ts', 'lib/imports/cert-manager.io.d.ts', 'LICENSE', 'README.md',
      'crds/charts/linkerd/2.20/linkerd-control-plane/values-ha.yaml',
      // the schema gate and the pinned schemas it reads, found relative to its own file
      'lib/src/gate/schema-gate.js', 'crds/kubernetes/v1.25.0/_definitions.json', 'crds/kubernetes/v1.36.0/_definitions.json',
      'crds/argo-cd.yaml', 'crds/cert-manager.yaml', 'crds/gateway-api.yaml', 'crds/linkerd.yaml', 'crds/traefik.yaml', 'crds/trust-manager.yaml']));
    // of the command-line tools, only the `cdk8s-linkerd` command (check) ships
    expect(files.filter(f => /^lib\/src\/(main|cli\/)|^src\/|^test\/|^dist\//.test(f))).toStrictEqual(['lib/src/cli/check.d.ts', 'lib/src/cli/check.js']);
    expect(files).toContain('lib/validators/index.json');
    expect(files.filter(f => /^lib\/validators\/.*\.js$/.test(f)).length).toBeGreaterThan(100);
    expect(files.filter(f => f.endsWith('.v8cache'))).toStrictEqual([]);
  });

  test('npx cdk8s-linkerd check reports each seeded mistake with file and line, and exits 1', () => {
    const seeded = path.join(consumer, 'manifests');
    fs.cpSync(path.join(__dirname, 'fixtures', 'check', 'seeded'), seeded, { recursive: true });
    fs.rmSync(path.join(seeded, 'broken.yaml'));
    const run = spawnSync('npx', ['--no-install', 'cdk8s-linkerd', 'check', 'manifests'], { cwd: consumer, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    const errors = run.stdout.split('\n').filter(l => /: error: /.test(l)).map(l => l.split(': error: ')[0]);
    expect(errors).toStrictEqual([
      'manifests/argocd.yaml:2', 'manifests/argocd.yaml:29', 'manifests/cert-manager.yaml:2', 'manifests/cert-manager.yaml:12',
      'manifests/schema.yaml:7', 'manifests/secret-in-comment.yaml:9', 'manifests/secrets.yaml:2', 'manifests/trust-manager.yaml:12',
    ]);
  });

  test('a consumer app type-checks against the public API, without @types/node', () => {
    expect(() => execFileSync(process.execPath, [TSC, '-p', '.'], { cwd: consumer, encoding: 'utf8', stdio: 'pipe' })).not.toThrow();
  });

  test('the consumer app synthesizes its own platform', () => {
    const out = execFileSync(process.execPath, ['out/app.js'], { cwd: consumer, encoding: 'utf8' });
    expect(out).toContain('synthesized 15 objects into dist/');
    const yaml = fs.readFileSync(path.join(consumer, 'dist', 'mesh.k8s.yaml'), 'utf8');
    expect(yaml).toContain('name: linkerd-identity-issuer');
    expect(yaml).toContain('duration: 72h0m0s');
    expect(yaml).toContain('secretName: web-tls');
    expect(yaml).toContain('name: linkerd-proxy-injector');
    // the same run's second synthesis: an escape-hatch patch fails the schema gate, and dist/ stays as it was
    expect(out).toContain('the invalid patch failed: [synthesize] mesh.k8s.yaml: Certificate apps/web: spec.revisionHistoryLimit must be integer');
    expect(yaml).not.toContain('revisionHistoryLimit');
    // the gate used the validators compiled at build, not the schemas: it kept their V8 code cache beside them
    expect(fs.readdirSync(path.join(consumer, 'node_modules', 'cdk8s-linkerd', 'lib', 'validators')).filter(f => f.endsWith('.v8cache')).length).toBeGreaterThan(0);
  });

  test('installs from a git URL or a path with compiled code: prepare builds lib/ and compiles the schema validators', () => {
    expect(pkg.scripts.prepare).toBe('tsc -p tsconfig.json && node lib/src/gate/precompile.js');
    expect(JSON.parse(fs.readFileSync(path.join(REPO, 'tsconfig.json'), 'utf8')).compilerOptions.outDir).toBe('lib');
  });

  describe('every ```ts block of the README, in a cdk8s typescript-app project', () => {
    let blocksDir: string;
    let compiled: string;
    /** Per runnable block, in order: the folder it ran in, and what it threw (undefined when it ran to its end). */
    let ran: { cwd: string; error?: string }[];
    const runnable = README_BLOCKS.filter(b => b.notRunnable === undefined);

    beforeAll(() => {
      blocksDir = path.join(consumer, 'readme');
      fs.mkdirSync(blocksDir);
      const template = JSON.parse(fs.readFileSync(TEMPLATE_TSCONFIG, 'utf8'));
      fs.writeFileSync(path.join(blocksDir, 'tsconfig.json'), JSON.stringify({ compilerOptions: template.compilerOptions, include: ['*.ts'] }));
      for (const b of runnable) fs.writeFileSync(path.join(blocksDir, `line-${b.line}.ts`), b.code);
      // all blocks in one program
      compiled = '';
      try {
        execFileSync(process.execPath, [TSC, '-p', '.'], { cwd: blocksDir, encoding: 'utf8', stdio: 'pipe' });
      } catch (e: any) {
        compiled = `${e.stdout}${e.stderr}`;
      }
      // and, being independent apps, all run in one Node process (one start, one load of the package), each in a
      // fresh working directory, without the developer's dashboard credentials or output folder; a block that sets
      // a failing exit code fails as if it had exited with it, and one that ends the process leaves the rest unrun
      const env = { ...process.env };
      delete env.DASHBOARD_USER;
      delete env.DASHBOARD_PASSWORD;
      delete env.CDK8S_OUTDIR;
      const jobs = runnable.map(b => ({ file: path.join(blocksDir, `line-${b.line}.js`), cwd: fs.mkdtempSync(path.join(tmp, 'run-')) }));
      const results = path.join(tmp, 'readme-runs.json');
      const runner = [
        'const fs = require(\'node:fs\');',
        `const jobs = ${JSON.stringify(jobs)};`,
        'const ran = [];',
        'for (const job of jobs) {',
        '  process.chdir(job.cwd);',
        '  try {',
        '    require(job.file);',
        '    ran.push({ cwd: job.cwd, error: process.exitCode ? `exit code ${process.exitCode}` : undefined });',
        '  } catch (e) {',
        '    ran.push({ cwd: job.cwd, error: String(e && e.stack || e) });',
        '  }',
        '  process.exitCode = undefined;',
        `  fs.writeFileSync(${JSON.stringify(results)}, JSON.stringify(ran));`,
        '}',
      ].join('\n');
      const run = spawnSync(process.execPath, ['-e', runner], { env, encoding: 'utf8' });
      ran = fs.existsSync(results) ? JSON.parse(fs.readFileSync(results, 'utf8')) : [];
      for (let i = ran.length; i < jobs.length; i++) ran.push({ cwd: jobs[i].cwd, error: `not run: the process ended (status ${run.status}): ${run.stderr}` });
    }, 120_000);

    test('the README has runnable blocks, and every block is whole or says why it is not run', () => {
      expect(runnable.length).toBeGreaterThanOrEqual(6);
      // a fragment would fail to compile anyway; this names the rule: a block brings its own imports
      expect(runnable.filter(b => !/^import /.test(b.code)).map(b => `README line ${b.line}`)).toStrictEqual([]);
    });

    test('all of them compile with the template\'s compiler options', () => {
      // line-<n>.ts(<l>,<c>) is README line n + l
      expect(compiled).toBe('');
    });

    test.each(runnable.map((b, i) => [b.line, b, i] as const))('the block at README line %i runs', (_line, block, i) => {
      const { cwd, error } = ran[i];
      expect(error).toBeUndefined();
      expect(fs.readdirSync(path.join(cwd, 'dist')).some(f => f.endsWith('.k8s.yaml'))).toBe(true);
      if (block.code.includes('certManager.Certificate(')) {
        // the quickstart's Certificate: the name and namespace it asks for, not a hashed name without a namespace
        const docs = fs.readFileSync(path.join(cwd, 'dist', 'mesh.k8s.yaml'), 'utf8').split('\n---\n');
        const certificate = docs.find(d => /^kind: Certificate$/m.test(d) && /secretName: web-tls/.test(d));
        expect(certificate).toMatch(/^ {2}name: web\n {2}namespace: shop$/m);
      }
    });
  });
});
