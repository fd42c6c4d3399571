import { spawnSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import {
  createTrustAnchor,
  DEFAULT_ISSUER_VALIDITY,
  DEFAULT_NAMESPACE,
  DEFAULT_ROOT_COMMON_NAME,
  DEFAULT_ROOT_VALIDITY,
  DEFAULT_TRUST_DOMAIN,
  TrustAnchorOptionError,
  TrustAnchorOptions,
  TrustAnchorPems,
} from './_x509';

export { createTrustAnchor, TrustAnchorOptionError } from './_x509';
export type { TrustAnchorOptions, TrustAnchorPems } from './_x509';

/** Exit code: files written (or help shown). */
export const EXIT_OK = 0;
/** Exit code: refused (unsafe location, existing file) or failed; nothing was written. */
export const EXIT_REFUSED = 1;
/** Exit code: bad command line (unknown flag, bad or missing value). */
export const EXIT_USAGE = 2;

/** Name of the Secret that `TrustAnchor.fromSecret` is pointed at in the printed instructions. */
export const SECRET_NAME = 'linkerd-trust-anchor';
/**
 * Namespace of the anchor Secret: LinkerdIdentity's default namespaced CA Issuer reads it from the control-plane
 * namespace (with `AnchorIssuerScope.CLUSTER`, the ClusterIssuer reads it from cert-manager's namespace instead).
 */
export const SECRET_NAMESPACE = 'linkerd';

const KEY_MODE = 0o600;
const CERT_MODE = 0o644;
const DIR_MODE = 0o700;

/** The `--help` text. */
export const USAGE = `Usage: npm run trust-anchor -- --out <dir> [options]
       node lib/src/cli/trust-anchor.js --out <dir> [options]

Creates the Linkerd trust anchor; replaces the runbook's
  step certificate create root.linkerd.cluster.local ca.crt ca.key --profile root-ca --no-password --insecure
Writes <dir>/ca.crt and <dir>/ca.key: a self-signed ECDSA P-256 root CA and its
unencrypted PKCS#8 private key.

Options:
  --out <dir>              directory to write to, created (mode 0700) if missing; required.
                           Under "npm run", a relative path is resolved from the directory
                           npm was started in.
  --common-name <cn>       root CA subject CN (default ${DEFAULT_ROOT_COMMON_NAME})
  --validity <duration>    root CA lifetime from now, as a Go duration such as 87600h or
                           43800h30m (default ${DEFAULT_ROOT_VALIDITY}, 10 years)
  --issuer                 also write issuer.crt and issuer.key: an intermediate identity
                           issuer CA (pathlen 0) signed by the root, like
                           step ... --profile intermediate-ca --ca ca.crt --ca-key ca.key
  --namespace <ns>         with --issuer: Linkerd namespace in the issuer CN
                           identity.<ns>.<trust-domain> (default ${DEFAULT_NAMESPACE})
  --trust-domain <domain>  with --issuer: Linkerd trust domain in the issuer CN
                           (default ${DEFAULT_TRUST_DOMAIN})
  --issuer-validity <dur>  with --issuer: issuer lifetime from now, at most --validity
                           (default ${DEFAULT_ISSUER_VALIDITY}, 1 year)
  --force                  replace existing ca.crt / ca.key / issuer.crt / issuer.key; a replaced
                           key is kept as <name>.previous (mode 0600), and an existing
                           <name>.previous is never overwritten (move it away first)
  -h, --help               show this help

Certificates are valid from 1 minute before now (clock-skew allowance).
Keys are written with mode 0600, certificates with mode 0644, each through a temporary
file in the same directory renamed into place (a reader never sees half a key).
Refuses (exit 1, nothing written) to write inside the repository's dist/ folder, over a
file git tracks, anywhere in a git work tree that is not gitignored, or into a directory
that another user owns or that its group or others can write.
Exit codes: 0 written, 1 refused or failed, 2 bad usage.
`;

/** A usage problem: reported with exit code 2. */
class UsageError extends Error {}

/** A refusal or failure: reported with exit code 1. */
class RefusalError extends Error {}

interface OutputFile {
  readonly name: string;
  readonly path: string;
  readonly contents: string;
  readonly mode: number;
  readonly description: string;
}

/** What a git command returned: `spawnSync`'s fields the location checks read. */
export interface GitResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** set when git could not be started (`ENOENT`: not installed) */
  readonly error?: Error;
}

/** Runs `git -C <cwd> <args…>`; the CLI asks it whether an output path is tracked or ignored. */
export type GitRunner = (cwd: string, args: readonly string[]) => GitResult;

/**
 * Runs the `trust-anchor` command line and returns its exit code: 0 when the files were written or help was shown,
 * 1 when it refused or failed (nothing written), 2 on bad usage. Writes to process.stdout / process.stderr.
 *
 * @param argv the arguments after the script name, e.g. `process.argv.slice(2)`
 * @param git how git is asked about the output location; the `git` on PATH unless given (tests give one that is
 *   missing or fails)
 */
export async function main(argv: readonly string[], git: GitRunner = runGit): Promise<number> {
  try {
    return await run(argv, git);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof UsageError || err instanceof TrustAnchorOptionError) {
      process.stderr.write(`trust-anchor: ${message} (see --help)\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`trust-anchor: ${message}\n`);
    return EXIT_REFUSED;
  }
}

async function run(argv: readonly string[], git: GitRunner): Promise<number> {
  const values = parseCommandLine(argv);
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (values.out === undefined || values.out === '') {
    throw new UsageError('--out <dir> is required');
  }
  if (!values.issuer) {
    const issuerOnly = (['namespace', 'trust-domain', 'issuer-validity'] as const).filter((name) => values[name] !== undefined);
    if (issuerOnly.length > 0) {
      throw new UsageError(`--${issuerOnly[0]} only applies together with --issuer`);
    }
  }
  const options: TrustAnchorOptions = {
    commonName: values['common-name'],
    validity: values.validity,
    issuer: values.issuer,
    namespace: values.namespace,
    trustDomain: values['trust-domain'],
    issuerValidity: values['issuer-validity'],
  };
  // Generating first validates every option (exit 2) before any location check (exit 1); it writes nothing.
  const pems = await createTrustAnchor(options);

  const outDir = resolveOutDir(values.out);
  const files = outputFiles(outDir, pems);
  checkLocation(outDir, files, values.force === true, git);
  checkDirectory(outDir);
  const kept = checkExisting(files, values.force === true);
  writeFiles(outDir, files, kept);
  process.stdout.write(summary(files, pems, kept));
  const stale = ['issuer.crt', 'issuer.key']
    .filter((name) => !files.some((file) => file.name === name) && fs.existsSync(path.join(outDir, name)));
  if (stale.length > 0) {
    process.stderr.write(`trust-anchor: warning: ${stale.map((name) => path.join(outDir, name)).join(' and ')} from an earlier run `
      + `${stale.length === 1 ? 'was' : 'were'} left in place and ${stale.length === 1 ? 'is' : 'are'} not from the new root\n`);
  }
  return EXIT_OK;
}

function parseCommandLine(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'out': { type: 'string' },
        'common-name': { type: 'string' },
        'validity': { type: 'string' },
        'issuer': { type: 'boolean' },
        'namespace': { type: 'string' },
        'trust-domain': { type: 'string' },
        'issuer-validity': { type: 'string' },
        'force': { type: 'boolean' },
        'help': { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    throw new UsageError(unknown ? `unknown option ${unknown[1]}` : message.split('. ')[0].replace(/\.$/, ''));
  }
}

/**
 * The absolute, symlink-free output directory. Under `npm run trust-anchor` the working directory is the package root,
 * so a relative `--out` is resolved from INIT_CWD, the directory npm was started in.
 */
function resolveOutDir(out: string): string {
  const viaNpm = process.env.npm_lifecycle_event === 'trust-anchor' && process.env.INIT_CWD;
  const base = viaNpm ? process.env.INIT_CWD! : process.cwd();
  const resolved = realpathAllowingMissing(path.resolve(base, out));
  if (fs.existsSync(resolved) && !fs.statSync(resolved).isDirectory()) {
    throw new RefusalError(`refusing to write to ${resolved}: it exists and is not a directory`);
  }
  return resolved;
}

/** realpath of the longest existing prefix of an absolute path, with the missing rest appended. */
function realpathAllowingMissing(absolute: string): string {
  const missing: string[] = [];
  let existing = absolute;
  for (;;) {
    try {
      return path.join(fs.realpathSync(existing), ...missing);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      if (isSymlink(existing)) {
        throw new RefusalError(`refusing to write to ${absolute}: ${existing} is a dangling symlink`);
      }
      const parent = path.dirname(existing);
      if (parent === existing) throw err;
      missing.unshift(path.basename(existing));
      existing = parent;
    }
  }
}

function outputFiles(outDir: string, pems: TrustAnchorPems): OutputFile[] {
  const files: OutputFile[] = [
    { name: 'ca.crt', path: path.join(outDir, 'ca.crt'), contents: pems.caCertPem, mode: CERT_MODE, description: 'root CA certificate' },
    { name: 'ca.key', path: path.join(outDir, 'ca.key'), contents: pems.caKeyPem, mode: KEY_MODE, description: 'root CA private key' },
  ];
  if (pems.issuerCertPem !== undefined && pems.issuerKeyPem !== undefined) {
    files.push(
      { name: 'issuer.crt', path: path.join(outDir, 'issuer.crt'), contents: pems.issuerCertPem, mode: CERT_MODE, description: 'identity issuer certificate' },
      { name: 'issuer.key', path: path.join(outDir, 'issuer.key'), contents: pems.issuerKeyPem, mode: KEY_MODE, description: 'identity issuer private key' },
    );
  }
  return files;
}

/** Refuses the repository's dist/ folder, files git tracks, and work-tree locations that are not gitignored. */
function checkLocation(outDir: string, files: readonly OutputFile[], force: boolean, git: GitRunner): void {
  const packageDist = packageDistDir();
  if (packageDist !== undefined && isWithin(outDir, packageDist)) {
    throw new RefusalError(`refusing to write to ${outDir}: it is inside ${packageDist}, which Argo CD reads from git; private keys there end up committed`);
  }

  const toplevel = gitToplevel(nearestExisting(outDir), git);
  if (toplevel === undefined) return;
  const workTreeDist = realpathAllowingMissing(path.join(toplevel, 'dist'));
  if (isWithin(outDir, workTreeDist)) {
    throw new RefusalError(`refusing to write to ${outDir}: it is inside ${workTreeDist}, which Argo CD reads from git; private keys there end up committed`);
  }
  // a key that --force replaces is kept as <name>.previous: that must be as ignored as the key
  const paths = files.flatMap(file => force && file.mode === KEY_MODE && fs.existsSync(file.path) ? [file.path, previousPath(file)] : [file.path]);
  for (const file of paths) {
    const relative = path.relative(toplevel, file);
    const tracked = git(toplevel, ['ls-files', '--error-unmatch', '--', relative]);
    if (tracked.status === 0) {
      throw new RefusalError(`refusing to write ${file}: git tracks that file (work tree ${toplevel})`);
    }
    if (tracked.status !== 1) {
      throw new RefusalError(`refusing to write ${file}: could not ask git whether it is tracked: ${gitMessage(tracked)}`);
    }
    const ignored = git(toplevel, ['check-ignore', '-q', '--', relative]);
    if (ignored.status === 1) {
      throw new RefusalError(`refusing to write ${file}: it is inside the git work tree ${toplevel} and not gitignored, so it could be committed; gitignore it or choose a directory outside the work tree`);
    }
    if (ignored.status !== 0) {
      throw new RefusalError(`refusing to write ${file}: could not ask git whether it is ignored: ${gitMessage(ignored)}`);
    }
  }
}

/** `<package root>/dist`, the package root being the nearest ancestor of this script with a package.json. */
function packageDistDir(): string | undefined {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) {
      return realpathAllowingMissing(path.join(dir, 'dist'));
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

function nearestExisting(dir: string): string {
  let existing = dir;
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  return existing;
}

/** The work tree containing `dir`, or undefined when git is missing or `dir` is not in a work tree. */
function gitToplevel(dir: string, git: GitRunner): string | undefined {
  const result = git(dir, ['rev-parse', '--show-toplevel']);
  if (result.error !== undefined && (result.error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  if (result.status === 0) return fs.realpathSync(result.stdout.trim());
  if (/not a git repository|must be run in a work tree/i.test(result.stderr)) return undefined;
  throw new RefusalError(`refusing to write to ${dir}: could not ask git whether it is in a work tree: ${gitMessage(result)}`);
}

function runGit(cwd: string, args: readonly string[]): GitResult {
  // Variables a git hook may set would point these commands at another repository or index; LC_ALL=C keeps
  // messages matchable.
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_PREFIX']) delete env[name];
  return spawnSync('git', ['-C', cwd, ...args], { encoding: 'utf8', env });
}

function gitMessage(result: { error?: Error; status: number | null; stderr: string }): string {
  return result.error?.message ?? (result.stderr.trim().split('\n')[0] || `git exited with status ${result.status}`);
}

function isWithin(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

function isSymlink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Refuses a directory another user owns or its group or others can write: whoever can write it can swap a key file
 * for a symlink or read one between our write and our chmod. Checked before writing, and again after creating it.
 */
function checkDirectory(dir: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(dir);
  } catch {
    return;
  }
  if (!stat.isDirectory()) {
    throw new RefusalError(`refusing to write to ${dir}: it is not a directory`);
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new RefusalError(`refusing to write to ${dir}: it is owned by uid ${stat.uid}, not by you (uid ${uid}); use a directory of your own`);
  }
  if ((stat.mode & 0o022) !== 0) {
    throw new RefusalError(`refusing to write to ${dir}: its mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')} lets `
      + `${(stat.mode & 0o002) !== 0 ? 'every user' : 'its group'} write it; chmod go-w it or use a directory with mode 0700`);
  }
}

/** A replaced key is kept beside it as `<name>.previous`. */
function previousPath(file: OutputFile): string {
  return `${file.path}.previous`;
}

/** Checks what exists; returns the key files that --force replaces (kept as `.previous`). */
function checkExisting(files: readonly OutputFile[], force: boolean): OutputFile[] {
  const kept: OutputFile[] = [];
  for (const file of files) {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(file.path);
    } catch {
      continue;
    }
    if (!force) {
      throw new RefusalError(`refusing to overwrite ${file.path}: it already exists; pass --force to replace it`);
    }
    if (!stat.isFile()) {
      throw new RefusalError(`refusing to replace ${file.path}: it is not a regular file (symlink or directory), even with --force`);
    }
    if (file.mode === KEY_MODE) {
      if (fs.existsSync(previousPath(file)) || isSymlink(previousPath(file))) {
        throw new RefusalError(`refusing to replace ${file.path}: ${previousPath(file)} from an earlier --force exists and would be lost; `
          + 'store it or delete it yourself first');
      }
      kept.push(file);
    }
  }
  return kept;
}

/**
 * Writes every file to a temporary file beside it (exclusive create with its mode), then renames each into place; a
 * replaced key is first hard-linked to `<name>.previous` (mode 0600), so at no moment is the old key gone or a new
 * key half written. On failure the temporary files are removed and nothing is replaced.
 */
function writeFiles(outDir: string, files: readonly OutputFile[], kept: readonly OutputFile[]): void {
  fs.mkdirSync(outDir, { recursive: true, mode: DIR_MODE });
  checkDirectory(outDir);
  const temporary = new Map<OutputFile, string>();
  const linked: string[] = [];
  try {
    for (const file of files) {
      const tmp = path.join(outDir, `.${file.name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
      // 'wx' never follows a symlink or reuses a file with looser permissions; chmod undoes the umask.
      const fd = fs.openSync(tmp, 'wx', file.mode);
      temporary.set(file, tmp);
      try {
        fs.fchmodSync(fd, file.mode);
        fs.writeFileSync(fd, file.contents);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
    for (const file of kept) {
      fs.linkSync(file.path, previousPath(file));
      linked.push(previousPath(file));
      fs.chmodSync(previousPath(file), KEY_MODE);
    }
  } catch (err) {
    for (const tmp of [...temporary.values(), ...linked]) fs.rmSync(tmp, { force: true });
    throw new RefusalError(`failed to write to ${outDir}: ${err instanceof Error ? err.message : String(err)}`);
  }
  for (const [file, tmp] of temporary) fs.renameSync(tmp, file.path);
}

function summary(files: readonly OutputFile[], pems: TrustAnchorPems, kept: readonly OutputFile[]): string {
  const ca = new X509Certificate(pems.caCertPem);
  const width = Math.max(...files.map((file) => file.path.length));
  const lines = [`Wrote the Linkerd trust anchor (ECDSA P-256, ${ca.subject.trim()}, valid until ${isoDate(ca.validTo)}):`];
  for (const file of files) {
    lines.push(`  ${file.path.padEnd(width)}  ${file.description} (mode ${file.mode.toString(8).padStart(4, '0')})`);
  }
  if (pems.issuerCertPem !== undefined) {
    const issuer = new X509Certificate(pems.issuerCertPem);
    lines.push(`  identity issuer: ${issuer.subject.trim()}, valid until ${isoDate(issuer.validTo)}`);
  }
  for (const file of kept) lines.push(`  ${previousPath(file)}  the replaced ${file.description} (mode 0600): store or delete it`);
  const cert = files.find((file) => file.name === 'ca.crt')!.path;
  const key = files.find((file) => file.name === 'ca.key')!.path;
  lines.push(
    '',
    `Create the Secret for TrustAnchor.fromSecret('${SECRET_NAME}') (the anchor's CA Issuer and trust-manager read it in the ${SECRET_NAMESPACE} namespace; cert-manager with AnchorIssuerScope.CLUSTER):`,
    '',
    `  kubectl create secret tls ${SECRET_NAME} --cert=${shellQuote(cert)} --key=${shellQuote(key)} --namespace=${SECRET_NAMESPACE}`,
    '',
    pems.issuerKeyPem !== undefined
      ? 'Never commit ca.key or issuer.key: keep them in your secret store and delete these copies once they are stored.'
      : 'Never commit ca.key: keep it in your secret store and delete this copy once the Secret exists.',
    `TrustAnchor.fromPem(readFileSync('ca.crt', 'utf8'), '${SECRET_NAME}') also sets identityTrustAnchorsPEM (ca.crt is public).`,
  );
  if (pems.issuerCertPem !== undefined) {
    lines.push('issuer.crt / issuer.key are for a self-managed identity issuer, e.g. linkerd install --identity-trust-anchors-file ca.crt '
      + '--identity-issuer-certificate-file issuer.crt --identity-issuer-key-file issuer.key; skip them when cert-manager issues the issuer.');
  }
  return `${lines.join('\n')}\n`;
}

function isoDate(text: string): string {
  return new Date(text).toISOString().replace('.000Z', 'Z');
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
