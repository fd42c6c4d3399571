import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..');
const FIXTURE = path.join(__dirname, 'fixtures', 'consumer');
const TSC = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));

// pack → install the tarball into a fresh project → type-check a consumer app against the shipped .d.ts → synth it
describe('the packed package, as another team installs it', () => {
  let tmp: string;
  let consumer: string;
  let tarball: string;
  let packedFiles: string[];

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-'));
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: REPO, encoding: 'utf8' }));
    tarball = path.join(tmp, packed[0].filename);
    // the file list of the tarball the consumer installs (no second, dry-run pack)
    packedFiles = packed[0].files.map((f: { path: string }) => f.path);
    consumer = path.join(tmp, 'consumer');
    fs.mkdirSync(consumer);
    fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({
      name: 'consumer',
      version: '1.0.0',
      private: true,
      dependencies: { 'cdk8s-linkerd': `file:${tarball}`, 'cdk8s': pkg.dependencies.cdk8s, 'constructs': pkg.dependencies.constructs },
    }));
    for (const f of ['app.ts', 'tsconfig.json']) fs.copyFileSync(path.join(FIXTURE, f), path.join(consumer, f));
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=optional', '--loglevel=error'], { cwd: consumer, stdio: 'pipe' });
  }, 120_000);

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('ships compiled code with declarations, and none of the repo-only tools', () => {
    const files = packedFiles;
    expect(files).toEqual(expect.arrayContaining(['lib/src/index.js', 'lib/src/index.d.ts', 'lib/imports/cert-manager.io.d.ts', 'LICENSE', 'README.md',
      'crds/charts/linkerd/2.20/linkerd-control-plane/values-ha.yaml']));
    expect(files.filter(f => /^lib\/src\/(main|cli\/|gate\/)|^src\/|^test\/|^dist\//.test(f))).toStrictEqual([]);
  });

  test('a consumer app type-checks against the public API, without @types/node', () => {
    expect(() => execFileSync(process.execPath, [TSC, '-p', '.'], { cwd: consumer, encoding: 'utf8', stdio: 'pipe' })).not.toThrow();
  });

  test('the consumer app synthesizes its own platform', () => {
    const out = execFileSync(process.execPath, ['out/app.js'], { cwd: consumer, encoding: 'utf8' });
    expect(out).toContain('synthesized 11 objects into dist/');
    const yaml = fs.readFileSync(path.join(consumer, 'dist', 'mesh.k8s.yaml'), 'utf8');
    expect(yaml).toContain('name: linkerd-identity-issuer');
    expect(yaml).toContain('duration: 72h0m0s');
    expect(yaml).toContain('secretName: web-tls');
    expect(yaml).toContain('name: linkerd-proxy-injector');
  });
});
