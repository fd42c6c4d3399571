#!/usr/bin/env node
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { runCheck } from '../check/engine';
import { ruleFamilies } from '../check/families';
import { Format, FORMATS, formatJson, formatSarif, formatText } from '../check/format';
import { readInputs } from '../check/read';
import { LinkerdVersion } from '../linkerd/version';

/** The `--help` text. */
export const USAGE = `Usage: cdk8s-linkerd check [--format text|json|sarif] [--strict] [--linkerd-version <v>] PATH...

Checks Kubernetes YAML this library did not write (hand-written manifests, Helm or Kustomize
output, a whole Argo CD repository) with the rules it applies to its own output: the schemas
(Kubernetes 1.25 and 1.36, the vendored CRDs), cert-manager's and trust-manager's webhook
rules, Argo CD's Application rules and the sync-wave rollout check, the secret guard, and
Linkerd's (ServiceProfile and policy admission, annotation grammars, conflicts, Server overlap,
probe authorization, mTLS coverage).

PATH is a file or a folder; folders are read recursively (.yaml, .yml, .json), skipping
dot-folders, node_modules and Helm chart templates. Every YAML document is read; a List gives its items.

Options:
  --format <f>   text (default): file:line: severity: Kind namespace/name: message [rule]
                 json: { summary, findings }; sarif: SARIF 2.1.0 for code scanning
  --strict       warnings (this library's stricter lints) count as errors
  --linkerd-version <v>
                 the Linkerd version the objects are for, e.g. 2.18 (default: the library's default)
  -h, --help     this text

Severities: error (Kubernetes or an upstream webhook rejects it, or it breaks or silently
misbehaves in the cluster), warning (a stricter lint), note (skipped input, a reference
to an object that is not in the input).

Exit status: 0 no errors, 1 errors found, 2 unusable input (unreadable path, YAML that
does not parse, bad usage).
`;

/** Exit codes. */
export const EXIT_OK = 0;
export const EXIT_ERRORS = 1;
export const EXIT_UNUSABLE = 2;

/** Where the command writes and reads. */
export interface CheckIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The folder relative paths are read from. */
  readonly cwd: string;
  /** Writes a progress line; given only when stderr is a terminal. */
  readonly progress?: (text: string) => void;
  /** Milliseconds since some fixed point (for when to show progress). @default Date.now */
  readonly now?: () => number;
}

/** A run shows progress once it has taken this long. */
const PROGRESS_AFTER_MS = 1000;

/**
 * `cdk8s-linkerd <command> …`: today the one command `check`.
 *
 * @returns the exit code
 */
export function run(argv: readonly string[], io: CheckIo): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: { 'format': { type: 'string' }, 'strict': { type: 'boolean' }, 'linkerd-version': { type: 'string' }, 'help': { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    return usageError(io, (e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  const [command, ...paths] = positionals;
  if (command !== 'check') return usageError(io, command === undefined ? 'a command is required' : `unknown command ${JSON.stringify(command)}`);
  const format = (values.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) return usageError(io, `--format ${JSON.stringify(values.format)} is not one of ${FORMATS.join(', ')}`);
  if (paths.length === 0) return usageError(io, 'at least one PATH (a file or a folder) is required');
  let version: LinkerdVersion | undefined;
  if (values['linkerd-version'] !== undefined) {
    const known = LinkerdVersion.all().map(v => v.major);
    if (!known.includes(values['linkerd-version'])) {
      return usageError(io, `--linkerd-version ${JSON.stringify(values['linkerd-version'])} is not a version this library knows: use one of ${known.join(', ')}`);
    }
    version = LinkerdVersion.of(values['linkerd-version']);
  }

  const now = io.now ?? Date.now;
  const started = now();
  let shown = false;
  let last = 0;
  const progress = (text: string, force = false) => {
    const t = now();
    if (!io.progress || t - started < PROGRESS_AFTER_MS || (!force && t - last < 200)) return;
    io.progress(`\r\x1b[Kcdk8s-linkerd check: ${text}`);
    shown = true;
    last = t;
  };
  try {
    const input = readInputs(paths, io.cwd, (done, total) => progress(`read ${done}/${total} files`, done === total));
    progress(`checking ${input.objects.length} objects`, true);
    if (input.files.length === 0 && input.unusable.length === 0) {
      io.stderr(`cdk8s-linkerd check: no .yaml, .yml or .json file in ${paths.join(', ')}\n`);
      return EXIT_UNUSABLE;
    }
    const result = runCheck(input, { strict: values.strict === true, families: ruleFamilies({ version }) });
    if (shown) io.progress?.('\r\x1b[K');
    io.stdout(format === 'json' ? formatJson(result) : format === 'sarif' ? formatSarif(result, packageVersion()) : formatText(result));
    return result.exitCode;
  } catch (e) {
    // never a stack trace: one line saying what failed
    if (shown) io.progress?.('\r\x1b[K');
    io.stderr(`cdk8s-linkerd check: ${(e as Error)?.message ?? String(e)}\n`);
    return EXIT_UNUSABLE;
  }
}

function usageError(io: CheckIo, message: string): number {
  io.stderr(`cdk8s-linkerd: ${message}\n\n${USAGE}`);
  return EXIT_UNUSABLE;
}

/** This package's version, from the nearest package.json above this module. */
function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) return String(JSON.parse(fs.readFileSync(file, 'utf8')).version ?? '0.0.0');
    if (path.dirname(dir) === dir) return '0.0.0';
  }
}

if (require.main === module) {
  process.exitCode = run(process.argv.slice(2), {
    stdout: text => process.stdout.write(text),
    stderr: text => process.stderr.write(text),
    cwd: process.cwd(),
    progress: process.stderr.isTTY ? text => process.stderr.write(text) : undefined,
  });
}
