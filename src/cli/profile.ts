import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { App, Chart } from 'cdk8s';
import { stringify } from 'yaml';
import { collectWarnings } from '../_internal/warnings';
import { LinkerdVersion } from '../linkerd/version';
import { MAX_SPEC_CHARS } from '../traffic/_generators';
import { ServiceProfile } from '../traffic/service-profile';
import { ServiceReference } from '../traffic/service-reference';

/** Exit code: the profile was printed (or help shown). */
export const EXIT_OK = 0;
/** Exit code: the input could not be read or does not make a valid profile. */
export const EXIT_FAILED = 1;
/** Exit code: bad command line. */
export const EXIT_USAGE = 2;

/** The `--help` text. */
export const USAGE = `Usage: npm run profile -- (--open-api <file> | --proto <file>) [options] <service>
       node lib/src/cli/profile.js (--open-api <file> | --proto <file>) [options] <service>

Prints the ServiceProfile that
  linkerd profile --open-api <file> | --proto <file> -n <namespace> <service>
prints, as YAML, using the same generator as ServiceProfile.fromOpenApi / fromProto, and checks
it with the same rules (sp-validator, RE2 regexes). Warnings (operations the generator skips or
misreads, shadowed routes) go to stderr.

Options:
  --open-api <file>          an OpenAPI 3.x or Swagger 2.0 document (YAML or JSON); - reads stdin
  --proto <file>             a .proto file; - reads stdin
  -n, --namespace <ns>       the Service's namespace (default "default")
  --cluster-domain <domain>  the cluster's DNS domain (default cluster.local)
  --linkerd-version <2.x>    the linkerd profile to mirror: up to 2.14 joined basePath and paths with
                             path.Join, which strips trailing slashes (default ${LinkerdVersion.LATEST.major})
  -h, --help                 show this help

Like linkerd profile, operations marked x-linkerd-retryable are retryable whatever their method.
Inputs over 8 MiB, and OpenAPI documents nested more than 100 levels deep, are refused.
Exit codes: 0 printed, 1 unreadable input or invalid profile, 2 bad usage.
`;

/** Where the command reads and writes. */
export interface ProfileIo {
  /** Receives the YAML. */
  readonly stdout: (text: string) => void;
  /** Receives warnings and errors. */
  readonly stderr: (text: string) => void;
  /** Reads standard input (for `-`). */
  readonly stdin: () => string;
  /** The directory relative file names are resolved from. */
  readonly cwd: string;
}

class UsageError extends Error {}

/**
 * Runs the `profile` command line and returns its exit code.
 *
 * @param argv the arguments after the script name
 */
export function run(argv: readonly string[], io: ProfileIo): number {
  try {
    return generate(argv, io);
  } catch (err) {
    const message = messageOf(err).replace(/^\[[^\]]*\] /, '');
    io.stderr(`profile: ${message}${err instanceof UsageError ? ' (see --help)' : ''}\n`);
    return err instanceof UsageError ? EXIT_USAGE : EXIT_FAILED;
  }
}

function generate(argv: readonly string[], io: ProfileIo): number {
  const { values, positionals } = parseCommandLine(argv);
  if (values.help) {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  const sources = [values['open-api'], values.proto].filter(v => v !== undefined);
  if (sources.length !== 1) throw new UsageError('You must specify exactly one of --open-api or --proto');
  if (positionals.length !== 1) throw new UsageError(`expected exactly one <service>, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
  let version: LinkerdVersion;
  try {
    version = values['linkerd-version'] === undefined ? LinkerdVersion.LATEST : LinkerdVersion.of(values['linkerd-version']);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const file = (values['open-api'] ?? values.proto)!;
  const text = file === '-' ? io.stdin() : readInput(path.resolve(io.cwd, file));

  const app = new App();
  const chart = new Chart(app, 'profile');
  const base = {
    service: ServiceReference.fromName(positionals[0], values.namespace ?? 'default'),
    clusterDomain: values['cluster-domain'],
    version,
  };
  const profile = values['open-api'] !== undefined
    ? ServiceProfile.fromOpenApi(chart, 'Profile', { ...base, spec: text, allowNonIdempotentRetries: true })
    : ServiceProfile.fromProto(chart, 'Profile', { ...base, proto: text });
  const [rendered] = chart.toJson();
  for (const warning of collectWarnings(app)) io.stderr(`profile: warning: ${warning.message}\n`);
  io.stdout(toLinkerdYaml(rendered, profile));
  return EXIT_OK;
}

/**
 * YAML as `linkerd profile` writes it (`sigs.k8s.io/yaml`): keys sorted, sequences not indented under their key,
 * `metadata.creationTimestamp: null`, `spec: {}` when there are no routes.
 */
function toLinkerdYaml(rendered: any, profile: ServiceProfile): string {
  const doc = {
    ...rendered,
    metadata: { ...rendered.metadata, creationTimestamp: null, name: profile.name, namespace: profile.namespace },
    spec: rendered.spec ?? {},
  };
  return stringify(doc, { sortMapEntries: true, indentSeq: false, lineWidth: 0 });
}

function parseCommandLine(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        'open-api': { type: 'string' },
        'proto': { type: 'string' },
        'namespace': { type: 'string', short: 'n' },
        'cluster-domain': { type: 'string' },
        'linkerd-version': { type: 'string' },
        'help': { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    const message = messageOf(err);
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    throw new UsageError(unknown ? `unknown option ${unknown[1]}` : message.split('. ')[0].replace(/\.$/, ''));
  }
}

function readInput(file: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${messageOf(err).replace(/^[A-Z]+: /, '')}`);
  }
  try {
    // checked before reading, so that a huge file is not read into memory only to be refused
    const size = fs.fstatSync(fd).size;
    if (size > MAX_SPEC_CHARS) throw new Error(`${file} has ${size} bytes; at most ${MAX_SPEC_CHARS} (8 MiB) are read`);
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** An error's message; errors from Node built-ins may come from another realm (jest), so no `instanceof Error`. */
function messageOf(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(err);
}

if (require.main === module) {
  // Under "npm run profile" the working directory is the package root; INIT_CWD is where npm was started.
  const cwd = process.env.npm_lifecycle_event === 'profile' && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
  process.exitCode = run(process.argv.slice(2), {
    stdout: text => process.stdout.write(text),
    stderr: text => process.stderr.write(text),
    stdin: () => fs.readFileSync(0, 'utf8'),
    cwd,
  });
}
