import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { collectWarnings } from '../../src/_internal/warnings';
import { createTrustAnchor, EXIT_OK, EXIT_REFUSED, GitRunner, main, TrustAnchorOptionError } from '../../src/cli/trust-anchor';
import { LinkerdIdentity, TrustAnchor } from '../../src/linkerd';

// The CLI is run compiled, as `npm run trust-anchor` runs it; `npm test` builds lib/ first.
const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'lib', 'src', 'cli', 'trust-anchor.js');
const HOUR_MS = 3_600_000;
const SKEW_MS = 60_000;

function cli(args: readonly string[], cwd: string = REPO): SpawnSyncReturns<string> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.npm_lifecycle_event;
  return spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: 'utf8' });
}

interface Outcome { readonly status: number | null; readonly stdout: string; readonly stderr: string }

/**
 * Runs the CLI's `main` in this process (no Node start-up and module loading per case), capturing what it writes; the
 * compiled CLI itself is run by `cli` for the output, --force's replacement, --help, relative paths and one real-git refusal.
 */
async function inProcess(args: readonly string[]): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => out.push(String(chunk)) > 0);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => err.push(String(chunk)) > 0);
  try {
    const status = await main(args);
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

function openssl(args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync('openssl', [...args], { encoding: 'utf8' });
}

function git(cwd: string, args: readonly string[]): void {
  // A git hook running the tests may export GIT_DIR / GIT_INDEX_FILE for the main repository; keep them away from the
  // scratch repository.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GIT_')));
  const result = spawnSync('git', ['-C', cwd, ...args], { encoding: 'utf8', env });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
}

function mode(file: string): number {
  return fs.statSync(file).mode & 0o777;
}

function expectRefused(result: Outcome, ...fragments: string[]): void {
  expect(result.status).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  for (const fragment of fragments) expect(result.stderr).toContain(fragment);
}

function expectUsageError(result: Outcome, ...fragments: string[]): void {
  expect(result.status).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  for (const fragment of fragments) expect(result.stderr).toContain(fragment);
}

let tmp: string;
let out: string;
let startedMs: number;
let run: SpawnSyncReturns<string>;

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npx tsc -p tsconfig.json first`);
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'trust-anchor-test-')));
  out = path.join(tmp, 'anchor');
  startedMs = Date.now();
  run = cli(['--out', out, '--issuer']);
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('trust-anchor CLI output', () => {
  test('exits 0 and writes ca.crt, ca.key, issuer.crt and issuer.key', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['ca.crt', 'ca.key', 'issuer.crt', 'issuer.key']);
  });

  test('ca.crt is an ECDSA P-256 CA certificate signed with ecdsa-with-SHA256', () => {
    const text = openssl(['x509', '-noout', '-text', '-in', path.join(out, 'ca.crt')]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('CA:TRUE');
    expect(text.stdout).toContain('prime256v1');
    expect(text.stdout).toContain('ecdsa-with-SHA256');
    expect(text.stdout).toMatch(/Basic Constraints: critical\s+CA:TRUE\n/);
    expect(text.stdout).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign\n/);
    expect(text.stdout).toContain('X509v3 Subject Key Identifier');
    expect(text.stdout).toContain('Subject: CN = root.linkerd.cluster.local');
  });

  test('ca.key is a PKCS#8 EC key that openssl accepts, with mode 0600; certificates are 0644', () => {
    const key = fs.readFileSync(path.join(out, 'ca.key'), 'utf8');
    expect(key.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true);
    const check = openssl(['ec', '-in', path.join(out, 'ca.key'), '-noout', '-check']);
    expect(check.status).toBe(0);
    expect(check.stdout + check.stderr).toContain('EC Key valid');
    expect(mode(path.join(out, 'ca.key'))).toBe(0o600);
    expect(mode(path.join(out, 'issuer.key'))).toBe(0o600);
    expect(mode(path.join(out, 'ca.crt'))).toBe(0o644);
    expect(mode(path.join(out, 'issuer.crt'))).toBe(0o644);
  });

  test('ca.crt is a self-signed CA valid from one minute before now for 87600h, matching ca.key', () => {
    const ca = new X509Certificate(fs.readFileSync(path.join(out, 'ca.crt')));
    expect(ca.ca).toBe(true);
    expect(ca.subject).toBe('CN=root.linkerd.cluster.local');
    expect(ca.checkIssued(ca)).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(ca.checkPrivateKey(createPrivateKey(fs.readFileSync(path.join(out, 'ca.key'))))).toBe(true);
    const notBefore = Date.parse(ca.validFrom);
    const notAfter = Date.parse(ca.validTo);
    expect(notBefore).toBeGreaterThanOrEqual(startedMs - SKEW_MS - 1000);
    expect(notBefore).toBeLessThanOrEqual(Date.now() - SKEW_MS);
    expect(notAfter - notBefore).toBe(87600 * HOUR_MS + SKEW_MS);
  });

  test('issuer.crt is an intermediate CA (pathlen 0) that openssl verifies against ca.crt', () => {
    const verify = openssl(['verify', '-CAfile', path.join(out, 'ca.crt'), path.join(out, 'issuer.crt')]);
    expect(verify.stdout).toContain(': OK');
    expect(verify.status).toBe(0);
    const text = openssl(['x509', '-noout', '-text', '-in', path.join(out, 'issuer.crt')]);
    expect(text.stdout).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0\n/);
    expect(text.stdout).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign\n/);
    expect(text.stdout).toContain('X509v3 Authority Key Identifier');
    expect(text.stdout).toContain('prime256v1');
    expect(text.stdout).toContain('Subject: CN = identity.linkerd.cluster.local');
  });

  test('issuer.crt is signed by ca.crt, matches issuer.key and is valid for 8760h', () => {
    const ca = new X509Certificate(fs.readFileSync(path.join(out, 'ca.crt')));
    const issuer = new X509Certificate(fs.readFileSync(path.join(out, 'issuer.crt')));
    expect(issuer.ca).toBe(true);
    expect(issuer.checkIssued(ca)).toBe(true);
    expect(issuer.verify(ca.publicKey)).toBe(true);
    expect(issuer.checkPrivateKey(createPrivateKey(fs.readFileSync(path.join(out, 'issuer.key'))))).toBe(true);
    expect(issuer.validFrom).toBe(ca.validFrom);
    expect(Date.parse(issuer.validTo) - Date.parse(issuer.validFrom)).toBe(8760 * HOUR_MS + SKEW_MS);
  });

  test('prints the kubectl command for TrustAnchor.fromSecret and the never-commit reminder', () => {
    expect(run.stdout).toContain(
      `kubectl create secret tls linkerd-trust-anchor --cert=${out}/ca.crt --key=${out}/ca.key --namespace=linkerd\n`);
    expect(run.stdout).toContain('Never commit ca.key');
    expect(run.stdout).toContain("TrustAnchor.fromPem(readFileSync('ca.crt', 'utf8'), 'linkerd-trust-anchor')");
    expect(run.stdout).toContain('identityTrustAnchorsPEM');
  });
});

describe('trust-anchor CLI output feeds TrustAnchor.fromPem', () => {
  test('ca.crt passes the linkerd check trust-anchor checks and becomes identityTrustAnchorsPEM', () => {
    const pem = fs.readFileSync(path.join(out, 'ca.crt'), 'utf8');
    const chart = Testing.chart();
    const identity = new LinkerdIdentity(chart, 'identity', { trustAnchor: TrustAnchor.fromPem(pem, 'linkerd-trust-anchor') });
    expect(identity.helmValues.identityTrustAnchorsPEM).toBe(pem);
    expect(collectWarnings(chart)).toStrictEqual([]);
  });
});

describe('trust-anchor CLI options', () => {
  test('--help prints usage and exits 0', () => {
    const result = cli(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: npm run trust-anchor -- --out <dir> [options]');
    expect(result.stderr).toBe('');
  });

  test('resolves a relative --out against the working directory', () => {
    const result = cli(['--out', 'relative/anchor'], tmp);
    expect(result.status).toBe(0);
    expect(fs.existsSync(path.join(tmp, 'relative', 'anchor', 'ca.key'))).toBe(true);
    expect(result.stdout).toContain(`--key=${tmp}/relative/anchor/ca.key`);
  });

  test('--common-name, --validity, --namespace, --trust-domain and --issuer-validity shape the certificates', async () => {
    const dir = path.join(tmp, 'custom');
    const result = await inProcess(['--out', dir, '--common-name', 'Mesh Root CA', '--validity', '1000h', '--issuer',
      '--namespace', 'mesh', '--trust-domain', 'example.org', '--issuer-validity', '48h30m']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const ca = new X509Certificate(fs.readFileSync(path.join(dir, 'ca.crt')));
    const issuer = new X509Certificate(fs.readFileSync(path.join(dir, 'issuer.crt')));
    expect(ca.subject).toBe('CN=Mesh Root CA');
    expect(issuer.subject).toBe('CN=identity.mesh.example.org');
    expect(issuer.issuer).toBe('CN=Mesh Root CA');
    expect(Date.parse(ca.validTo) - Date.parse(ca.validFrom)).toBe(1000 * HOUR_MS + SKEW_MS);
    expect(Date.parse(issuer.validTo) - Date.parse(issuer.validFrom)).toBe(48.5 * HOUR_MS + SKEW_MS);
  });

  test('--force replaces existing files through a rename, keeping the replaced key as ca.key.previous (mode 0600)', () => {
    const dir = path.join(tmp, 'force');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'ca.key'), 'old\n', { mode: 0o644 });
    const oldInode = fs.statSync(path.join(dir, 'ca.key')).ino;
    const result = cli(['--out', dir, '--force']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'ca.key'), 'utf8')).toContain('-----BEGIN PRIVATE KEY-----');
    expect(mode(path.join(dir, 'ca.key'))).toBe(0o600);
    // the old key was not truncated in place: its inode lives on as .previous, the new key is a new file
    expect(fs.readFileSync(path.join(dir, 'ca.key.previous'), 'utf8')).toBe('old\n');
    expect(fs.statSync(path.join(dir, 'ca.key.previous')).ino).toBe(oldInode);
    expect(fs.statSync(path.join(dir, 'ca.key')).ino).not.toBe(oldInode);
    expect(mode(path.join(dir, 'ca.key.previous'))).toBe(0o600);
    expect(fs.readdirSync(dir).sort()).toEqual(['ca.crt', 'ca.key', 'ca.key.previous']);
    expect(result.stdout).toContain(`${dir}/ca.key.previous  the replaced root CA private key (mode 0600): store or delete it`);
  });

  test('--force refuses to replace a key whose .previous from an earlier --force exists, and changes nothing', async () => {
    const dir = path.join(tmp, 'force-twice');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'ca.key'), 'second\n', { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'ca.key.previous'), 'first\n', { mode: 0o600 });
    expectRefused(await inProcess(['--out', dir, '--force']), `${dir}/ca.key.previous from an earlier --force exists and would be lost`);
    expect(fs.readdirSync(dir).sort()).toEqual(['ca.key', 'ca.key.previous']);
    expect(fs.readFileSync(path.join(dir, 'ca.key'), 'utf8')).toBe('second\n');
    expect(fs.readFileSync(path.join(dir, 'ca.key.previous'), 'utf8')).toBe('first\n');
  });

  test('fails on an unknown flag with exit code 2 and writes nothing', async () => {
    const dir = path.join(tmp, 'unknown-flag');
    expectUsageError(await inProcess(['--out', dir, '--bogus']), '--bogus');
    expect(fs.existsSync(dir)).toBe(false);
  });

  test('fails without --out with exit code 2', async () => {
    expectUsageError(await inProcess([]), '--out');
  });

  test('fails on a duration that is not a Go duration with exit code 2', async () => {
    expectUsageError(await inProcess(['--out', path.join(tmp, 'bad-duration'), '--validity', '10y']), '"10y"');
  });

  test('fails when the issuer would outlive the root with exit code 2', async () => {
    expectUsageError(await inProcess(['--out', path.join(tmp, 'outlive'), '--validity', '100h', '--issuer']), 'must not outlive the root');
  });

  test('fails on issuer options without --issuer with exit code 2', async () => {
    expectUsageError(await inProcess(['--out', path.join(tmp, 'no-issuer'), '--trust-domain', 'example.org']), '--trust-domain');
  });

  test('fails to overwrite an existing file without --force and leaves it untouched', async () => {
    const dir = path.join(tmp, 'existing');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'ca.key'), 'old\n');
    expectRefused(await inProcess(['--out', dir]), path.join(dir, 'ca.key'), '--force');
    expect(fs.readdirSync(dir)).toEqual(['ca.key']);
    expect(fs.readFileSync(path.join(dir, 'ca.key'), 'utf8')).toBe('old\n');
  });
});

describe('trust-anchor CLI refuses unsafe locations', () => {
  test('fails inside the repository dist/ folder', async () => {
    const dir = path.join(REPO, 'dist', `trust-anchor-test-${process.pid}`);
    try {
      expectRefused(await inProcess(['--out', dir]), dir, 'dist');
      expect(fs.existsSync(dir)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // The symlink must resolve, so this needs dist/ to exist (it is committed: Argo CD reads it).
  (fs.existsSync(path.join(REPO, 'dist')) ? test : test.skip)('fails inside the repository dist/ folder reached through a symlink', async () => {
    const link = path.join(tmp, 'dist-link');
    fs.symlinkSync(path.join(REPO, 'dist'), link);
    const dir = path.join(fs.realpathSync(path.join(REPO, 'dist')), `trust-anchor-test-${process.pid}`);
    try {
      expectRefused(await inProcess(['--out', path.join(link, `trust-anchor-test-${process.pid}`)]), dir, 'dist');
      expect(fs.existsSync(dir)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([[0o770, 'lets its group write it'], [0o777, 'lets every user write it'], [0o1777, 'lets every user write it']])(
    'fails in a directory with mode %o (%s) and writes nothing', async (dirMode, fragment) => {
      const dir = path.join(tmp, `shared-${dirMode.toString(8)}`);
      fs.mkdirSync(dir);
      fs.chmodSync(dir, dirMode);
      expectRefused(await inProcess(['--out', dir]), dir, fragment, 'chmod go-w');
      expect(fs.readdirSync(dir)).toEqual([]);
    });

  (process.getuid?.() === 0 ? test : test.skip)('fails in a directory another user owns and writes nothing', async () => {
    const dir = path.join(tmp, 'someone-else');
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.chownSync(dir, 65534, 65534);
    expectRefused(await inProcess(['--out', dir]), dir, 'owned by uid 65534, not by you (uid 0)');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  // a throwaway repository, so the suite needs no .git of its own (it passes from a source tarball) and writes nothing into it
  describe('in a git work tree', () => {
    let repo: string;

    beforeAll(() => {
      repo = path.join(tmp, 'repo');
      fs.mkdirSync(path.join(repo, 'tracked'), { recursive: true });
      git(repo, ['init', '-q']);
      fs.writeFileSync(path.join(repo, '.gitignore'), 'keys/\ntracked/\n');
      fs.writeFileSync(path.join(repo, 'tracked', 'ca.crt'), 'committed\n');
      git(repo, ['add', '-f', 'tracked/ca.crt']);
    });

    test('writes into a gitignored directory', async () => {
      const result = await inProcess(['--out', path.join(repo, 'keys')]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(fs.readdirSync(path.join(repo, 'keys')).sort()).toEqual(['ca.crt', 'ca.key']);
    });

    // the compiled CLI with the real git, once; the other cases here ask the same git from this process
    test('fails over a file git tracks, even with --force', () => {
      expectRefused(cli(['--out', path.join(repo, 'tracked'), '--force']), path.join(repo, 'tracked', 'ca.crt'), 'git tracks');
      expect(fs.readdirSync(path.join(repo, 'tracked'))).toEqual(['ca.crt']);
      expect(fs.readFileSync(path.join(repo, 'tracked', 'ca.crt'), 'utf8')).toBe('committed\n');
    });

    test('fails on --force when the key is gitignored but the .previous it would keep is not', async () => {
      fs.mkdirSync(path.join(repo, 'named'));
      fs.writeFileSync(path.join(repo, 'named', '.gitignore'), 'ca.crt\nca.key\n');
      expect((await inProcess(['--out', path.join(repo, 'named')])).status).toBe(0);
      const key = fs.readFileSync(path.join(repo, 'named', 'ca.key'), 'utf8');
      expectRefused(await inProcess(['--out', path.join(repo, 'named'), '--force']), path.join(repo, 'named', 'ca.key.previous'), 'not gitignored');
      expect(fs.readdirSync(path.join(repo, 'named')).sort()).toEqual(['.gitignore', 'ca.crt', 'ca.key']);
      expect(fs.readFileSync(path.join(repo, 'named', 'ca.key'), 'utf8')).toBe(key);
    });

    test('fails at a path that is not gitignored, leaving nothing behind', async () => {
      expectRefused(await inProcess(['--out', path.join(repo, 'plain')]), path.join(repo, 'plain'), 'not gitignored');
      expect(fs.existsSync(path.join(repo, 'plain'))).toBe(false);
    });

    test('fails inside the work tree\'s dist/ folder, even where gitignored', async () => {
      fs.appendFileSync(path.join(repo, '.gitignore'), 'dist/keys/\n');
      const dir = path.join(repo, 'dist', 'keys');
      expectRefused(await inProcess(['--out', dir]), dir, `inside ${path.join(repo, 'dist')}, which Argo CD reads from git`);
      expect(fs.existsSync(path.join(repo, 'dist'))).toBe(false);
    });
  });

  describe('asks git through a seam', () => {
    let written: string[];
    beforeEach(() => {
      written = [];
      jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
    });
    afterEach(() => jest.restoreAllMocks());

    const missing: GitRunner = () => ({ status: null, stdout: '', stderr: '', error: Object.assign(new Error('spawnSync git ENOENT'), { code: 'ENOENT' }) });

    test('without git installed it writes anywhere but the package\'s dist/', async () => {
      const dir = path.join(tmp, 'no-git');
      await expect(main(['--out', dir], missing)).resolves.toBe(EXIT_OK);
      expect(fs.readdirSync(dir).sort()).toStrictEqual(['ca.crt', 'ca.key']);
      await expect(main(['--out', path.join(REPO, 'dist', `trust-anchor-test-${process.pid}`)], missing)).resolves.toBe(EXIT_REFUSED);
      expect(written.join('')).toContain('which Argo CD reads from git');
    });

    test('fails when git cannot say whether the path is in a work tree', async () => {
      const broken: GitRunner = () => ({ status: 128, stdout: '', stderr: 'fatal: detected dubious ownership in repository\n' });
      const dir = path.join(tmp, 'broken-git');
      await expect(main(['--out', dir], broken)).resolves.toBe(EXIT_REFUSED);
      expect(written.join('')).toContain(`refusing to write to ${tmp}: could not ask git whether it is in a work tree: fatal: detected dubious ownership in repository`);
      expect(fs.existsSync(dir)).toBe(false);
    });

    test('fails when git cannot say whether a file is tracked', async () => {
      const lsFilesFails: GitRunner = (_cwd, args) => args[0] === 'rev-parse' ? { status: 0, stdout: `${tmp}\n`, stderr: '' } : { status: 128, stdout: '', stderr: 'fatal: index file corrupt\n' };
      const dir = path.join(tmp, 'corrupt-index');
      await expect(main(['--out', dir], lsFilesFails)).resolves.toBe(EXIT_REFUSED);
      expect(written.join('')).toContain(`refusing to write ${path.join(dir, 'ca.crt')}: could not ask git whether it is tracked: fatal: index file corrupt`);
      expect(fs.existsSync(dir)).toBe(false);
    });
  });
});

describe('createTrustAnchor', () => {
  test('returns only the root by default, with PKCS#8 keys', async () => {
    const pems = await createTrustAnchor({ now: new Date('2030-01-01T00:00:00Z') });
    expect(pems.issuerCertPem).toBeUndefined();
    expect(pems.issuerKeyPem).toBeUndefined();
    expect(pems.caKeyPem.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true);
    const ca = new X509Certificate(pems.caCertPem);
    expect(new Date(ca.validFrom).toISOString()).toBe('2029-12-31T23:59:00.000Z');
    expect(new Date(ca.validTo).toISOString()).toBe('2039-12-30T00:00:00.000Z');
  });

  test('fails on a namespace that is not a DNS-1123 label', async () => {
    await expect(createTrustAnchor({ issuer: true, namespace: 'Linkerd' })).rejects.toThrow(TrustAnchorOptionError);
  });
});
