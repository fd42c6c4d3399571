import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Yaml, YamlOutputType } from 'cdk8s';
import { collectWarnings, Warning } from '../_internal/warnings';
import { secretProblems, SynthesizedFile } from './secret-guard';

/** A check over the synthesized files: returns one message per problem. */
export type OutputCheck = (files: readonly SynthesizedFile[]) => string[];

/** Options for {@link synthesize}. */
export interface SynthesizeOptions {
  /**
   * The output folder, replaced only when synthesis and every check succeed.
   *
   * @default - `CDK8S_OUTDIR` (set by `cdk8s synth`), else 'dist'
   */
  readonly outdir?: string;
  /**
   * Checks run on the output before it replaces the output folder, after the secret guard.
   *
   * @default - the secret guard only
   */
  readonly checks?: OutputCheck[];
}

/** What {@link synthesize} wrote. */
export interface SynthReport {
  /** The output folder. */
  readonly outdir: string;
  /** The files written, sorted by path. */
  readonly files: readonly SynthesizedFile[];
  /** Warnings recorded by constructs. */
  readonly warnings: readonly Warning[];
}

/** The output failed a check; the previous output folder was left as it was. */
export class OutputCheckError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`${problems.length} output check problem(s):\n  - ${problems.join('\n  - ')}`);
    this.name = 'OutputCheckError';
  }
}

/**
 * Synthesizes an app atomically: into a staging folder beside the output folder, then the secret guard and the
 * given checks, then a swap. A construct error, a validation error or a failed check leaves the previous output
 * byte-for-byte intact (unlike `cdk8s synth`, which deletes its output folder first).
 *
 * Output is one YAML file per chart (per-resource layouts lose same-name objects of different namespaces).
 */
export function synthesize(define: (app: App) => void, options: SynthesizeOptions = {}): SynthReport {
  const outdir = path.resolve(options.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist');
  const staging = path.join(path.dirname(outdir), `.${path.basename(outdir)}-staging-${process.pid}`);
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    const app = new App({ outdir: staging, yamlOutputType: YamlOutputType.FILE_PER_CHART });
    define(app);
    app.synth();
    const files = readOutput(staging);
    const problems = [secretProblems, ...(options.checks ?? [])].flatMap(check => check(files));
    if (problems.length > 0) throw new OutputCheckError(problems);
    replaceFolder(staging, outdir);
    return { outdir, files, warnings: collectWarnings(app) };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function readOutput(dir: string): SynthesizedFile[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter(f => f.endsWith('.yaml'))
    .sort()
    .map(file => {
      const full = path.join(dir, file);
      return { file, text: fs.readFileSync(full, 'utf8'), documents: Yaml.load(full).filter((d: unknown) => d !== null) };
    });
}

function replaceFolder(from: string, to: string): void {
  const old = `${from}-old`;
  if (fs.existsSync(to)) fs.renameSync(to, old);
  fs.renameSync(from, to);
  fs.rmSync(old, { recursive: true, force: true });
}
