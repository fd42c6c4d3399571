import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, App, Chart, Names, YamlOutputType } from 'cdk8s';
import type * as Yaml from 'yaml';
import { compareStrings } from '../_internal/order';
import { collectWarnings, Warning } from '../_internal/warnings';
import { OutputFile } from './output-file';
import { secretProblems, SynthesizedFile } from './secret-guard';

/** A check over the synthesized files: returns one message per problem. */
export type OutputCheck = (files: readonly SynthesizedFile[]) => string[];

/**
 * A report computed from the synthesized manifests (the top-level files, which an Argo CD directory app reads), written
 * as JSON into a subfolder of the output folder; its problems fail the synthesis like a check's.
 */
export interface OutputReport {
  /** The report's path inside the output folder, in a subfolder (`reports/rollout.json`). */
  readonly path: string;
  /** Computes the report's data and its problems. */
  readonly compute: (files: readonly SynthesizedFile[]) => { readonly data: unknown; readonly problems: readonly string[] };
}

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
  /**
   * Reports written beside the manifests, whose problems fail the synthesis.
   *
   * @default - none
   */
  readonly reports?: OutputReport[];
}

/** What {@link synthesize} wrote. */
export interface SynthReport {
  /** The output folder. */
  readonly outdir: string;
  /** The manifest files written, sorted by path: one per chart. */
  readonly files: readonly SynthesizedFile[];
  /** The other files written ({@link OutputFile}s such as Helm values files), sorted by path. */
  readonly extraFiles: readonly SynthesizedFile[];
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
 * Synthesizes an app atomically: manifests and {@link OutputFile}s into a staging folder beside the output folder,
 * then the secret guard, a duplicate-object check (Argo CD keeps only one of two same-named objects) and the given
 * checks, then a swap. A construct error, a validation error or a failed check leaves the previous output
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
    const rendered = keepRenderedDocuments(app);
    app.synth();
    const files = readManifests(staging, app, rendered);
    const reports = (options.reports ?? []).map(r => {
      const normalized = path.posix.normalize(r.path);
      if (path.posix.isAbsolute(normalized) || normalized.startsWith('..') || !normalized.includes('/')) {
        // a directory app without recurse reads only the top folder (argo-cd@v3.5.1:reposerver/repository/repository.go:2196)
        throw new OutputCheckError([`report path ${JSON.stringify(r.path)} must be inside a subfolder of the output folder, out of the Argo CD directory app`]);
      }
      return { path: normalized, ...r.compute(files) };
    });
    const extraFiles = writeOutputFiles(app, staging, reports);
    const problems = [
      ...reports.flatMap(r => r.problems),
      ...secretProblems([...files, ...extraFiles]),
      ...duplicateObjectProblems(app),
      ...(options.checks ?? []).flatMap(check => check(files)),
    ];
    if (problems.length > 0) throw new OutputCheckError(problems);
    replaceFolder(staging, outdir);
    return { outdir, files, extraFiles, warnings: collectWarnings(app) };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Keeps what each chart renders as cdk8s writes it (`Chart.toJson()`, then `Yaml.save`), so that the checks and the
 * summary read the objects themselves instead of parsing the files back.
 */
function keepRenderedDocuments(app: App): Map<Chart, any[]> {
  const rendered = new Map<Chart, any[]>();
  for (const chart of app.node.findAll().filter(Chart.isChart)) {
    const toJson = chart.toJson.bind(chart);
    chart.toJson = () => {
      const documents = toJson();
      rendered.set(chart, documents);
      return documents;
    };
  }
  return rendered;
}

function readManifests(dir: string, app: App, rendered: Map<Chart, any[]>): SynthesizedFile[] {
  // cdk8s names a chart's file after its DNS label, prefixed with its index when charts depend on each other
  const byFile = new Map<string, any[]>();
  app.charts.forEach((chart, index) => {
    const documents = rendered.get(chart);
    if (documents === undefined) return;
    const label = Names.toDnsLabel(chart);
    byFile.set(`${label}${app.outputFileExtension}`, documents);
    byFile.set(`${String(index).padStart(4, '0')}-${label}${app.outputFileExtension}`, documents);
  });
  return fs.readdirSync(dir).filter(f => f.endsWith('.yaml')).sort().map(file => readFile(dir, file, byFile.get(file)));
}

function writeOutputFiles(app: App, dir: string, reports: readonly { path: string; data: unknown }[]): SynthesizedFile[] {
  const outputs: { path: string; content: string; documents?: readonly unknown[]; node: { path: string } }[] = [
    ...app.node.findAll().filter(OutputFile.isOutputFile),
    ...reports.map(r => ({ path: r.path, content: `${JSON.stringify(r.data, undefined, 2)}\n`, documents: [r.data], node: { path: `report ${r.path}` } })),
  ].sort((a, b) => compareStrings(a.path, b.path));
  const seen = new Map<string, string>();
  for (const output of outputs) {
    const previous = seen.get(output.path);
    if (previous !== undefined) throw new OutputCheckError([`${output.path} is written by both ${previous} and ${output.node.path}`]);
    seen.set(output.path, output.node.path);
    fs.mkdirSync(path.join(dir, path.dirname(output.path)), { recursive: true });
    fs.writeFileSync(path.join(dir, output.path), output.content);
  }
  return outputs.map(o => readFile(dir, o.path, o.documents));
}

function readFile(dir: string, file: string, rendered: readonly unknown[] | undefined): SynthesizedFile {
  const text = fs.readFileSync(path.join(dir, file), 'utf8');
  let documents = rendered;
  return {
    file,
    text,
    get documents() {
      // `yaml` (72 modules) is loaded only for a file whose objects were not kept
      documents ??= (require('yaml') as typeof Yaml).parseAllDocuments(text).map(d => d.toJS()).filter(d => d !== null);
      return documents;
    },
  };
}

/** Argo CD keeps only the last of two objects with the same group, kind, namespace and name (RepeatedResourceWarning). */
function duplicateObjectProblems(app: App): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const obj of app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
    const key = `${obj.apiGroup}/${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.name}`;
    const first = seen.get(key);
    if (first !== undefined) problems.push(`${key} appears twice (${first} and ${obj.node.path}): Argo CD would keep only the last one`);
    else seen.set(key, obj.node.path);
  }
  return problems;
}

function replaceFolder(from: string, to: string): void {
  const old = `${from}-old`;
  if (fs.existsSync(to)) fs.renameSync(to, old);
  fs.renameSync(from, to);
  fs.rmSync(old, { recursive: true, force: true });
}
