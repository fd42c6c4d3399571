import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, App, Chart, Yaml, YamlOutputType } from 'cdk8s';
import { withBuiltInResolution } from '../_internal/built-in-resolution';
import { trustNamespaceOf } from '../_internal/cert-manager-secrets';
import { ValidationError } from '../_internal/errors';
import { collectNextSteps } from '../_internal/next-steps';
import { compareStrings } from '../_internal/order';
import { Problems } from '../_internal/problems';
import { collectWarnings, Warning } from '../_internal/warnings';
import { parseYamlDocuments } from '../_internal/yaml-documents';
import { YamlWriter } from '../_internal/yaml-writer';
import { schemaCheck, SchemaValidation } from '../gate/schema-validation';
import { chartsOf, topology } from './_topology';
import { withSharedTreeWalks } from './_tree';
import { missingSecrets, missingSecretStep } from './next-steps';
import { OutputFile, OutputFileConflictError, synthWithOutputFiles } from './output-file';
import { secretProblems, SynthesizedFile } from './secret-guard';

export { SchemaValidation } from '../gate/schema-validation';

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
  /**
   * Whether every object of the manifests is checked against the pinned schemas (Kubernetes 1.25 and 1.36, the
   * vendored CRDs); an invalid object, e.g. from an escape-hatch patch, fails the synthesis with one message naming
   * file, kind, name, field and what is allowed. An object of a kind without a vendored schema (a SealedSecret, a
   * team's own CRD) is not checked and gets a warning. Turning it off takes a reason: `SchemaValidation.off('…')`.
   *
   * @default SchemaValidation.on()
   */
  readonly validation?: SchemaValidation;
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
  /**
   * What the operator must do before or right after the sync: the steps constructs recorded (prerequisites, the
   * repository URL), then every Secret an object reads that nothing in the output makes.
   */
  readonly nextSteps: readonly string[];
}

/**
 * The output failed a check; the previous output folder was left as it was. A {@link ValidationError} reported at
 * `synthesize`, so one `catch (e instanceof ValidationError)` covers construct and output problems alike.
 */
export class OutputCheckError extends ValidationError {
  constructor(public readonly problems: readonly string[]) {
    super(problems, 'synthesize');
    this.name = 'OutputCheckError';
  }
}

/**
 * Synthesizes an app atomically: manifests and {@link OutputFile}s into a staging folder beside the output folder,
 * then the secret guard, the schema gate (unless `validation` turns it off), a duplicate-object check (Argo CD keeps only one of two same-named objects) and the given
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
    // the tree is finished: from here on the walks of it are shared until it changes
    return withSharedTreeWalks(app, () => {
      const saved = new Map<string, SavedManifest>();
      let outputs: OutputFile[];
      try {
        outputs = renderingOnce(app, saved, () => synthWithOutputFiles(app));
      } catch (e) {
        if (e instanceof OutputFileConflictError) throw new OutputCheckError([e.problem]);
        throw e;
      }
      const files = readManifests(staging, saved);
      const reports = (options.reports ?? []).map(r => {
        const normalized = path.posix.normalize(r.path);
        if (path.posix.isAbsolute(normalized) || normalized.startsWith('..') || !normalized.includes('/')) {
          // a directory app without recurse reads only the top folder (argo-cd@v3.5.1:reposerver/repository/repository.go:2196)
          throw new OutputCheckError([`report path ${JSON.stringify(r.path)} must be inside a subfolder of the output folder, out of the Argo CD directory app`]);
        }
        return { path: normalized, ...r.compute(files) };
      });
      // parsed from what was written, not from `documents`: the checks must read what lands in the folder
      const written = outputs.map(o => readFile(staging, o.path, undefined));
      const extraFiles = [...written, ...writeReports(app, staging, reports)].sort((a, b) => compareStrings(a.file, b.file));
      const schemas = (options.validation ?? SchemaValidation.on()).enabled ? schemaCheck(files) : { problems: [], unchecked: [] };
      const problems = [
        ...reports.flatMap(r => r.problems),
        ...secretProblems([...files, ...extraFiles], app),
        ...schemas.problems,
        ...duplicateObjectProblems(app),
        ...(options.checks ?? []).flatMap(check => check(files)),
      ];
      if (problems.length > 0) throw new OutputCheckError(problems);
      replaceFolder(staging, outdir);
      const steps = collectNextSteps(app);
      // a Secret a construct already asked for, with its how-to, is not listed twice
      const asked = new Set(steps.map(s => s.secret));
      const missing = missingSecrets(files.flatMap(f => f.documents), trustNamespaceOf(app)).filter(s => !asked.has(`${s.namespace}/${s.name}`));
      const nextSteps = [...steps.map(s => s.message), ...missing.map(missingSecretStep)];
      const pathOf = schemas.unchecked.length > 0 ? constructPaths(app) : undefined;
      const unchecked = schemas.unchecked.map(u => ({ path: pathOf?.get(objectKey(u.object)) ?? u.file, message: u.message }));
      return { outdir, files, extraFiles, warnings: [...collectWarnings(app), ...unchecked], nextSteps };
    });
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Runs one synthesis of the app with each ApiObject rendered at most once and each chart rendered without validating
 * the app again, and keeps what each chart renders (as cdk8s writes it with `Yaml.save`) so that the checks and the
 * summary read the objects themselves instead of parsing the files back. Output and errors are those of a plain
 * `App.synth()`; the ApiObjects and charts are as before afterwards.
 *
 * `App.synth()` validates the app, resolves the dependencies, then renders each chart with `Chart.toJson()`, which
 * resolves the dependencies and validates the whole app once more before rendering the chart's objects
 * (cdk8s@2.70.106:lib/app.js:150-158 `synth`, lib/app.js:87-98 `_synthChart`); and the validations that read rendered
 * objects (`validateRendered`, the mesh model) render them too. All of it is one synchronous pass after construction in
 * which no object changes, so one rendering of each object serves the validations, the written YAML and the checks,
 * and validating an app that has just passed its validations again would compute the same. A chart's objects are listed
 * as cdk8s's `chartToKube` lists them (cdk8s@2.70.106:lib/app.js:299-304): in dependency order, each object in its
 * closest chart ({@link topology}: without building the dependency graph when nothing has a dependency). An object
 * created during the synthesis (in a validation) is rendered as usual. The charts' YAML is
 * written by {@link YamlWriter} (the same bytes as `Yaml.stringify`, without the yaml library's document model), and
 * values are resolved without cdk8s's per-value machinery when the app has only the built-in resolvers
 * ({@link withBuiltInResolution}).
 */
function renderingOnce<T>(app: App, saved: Map<string, SavedManifest>, run: () => T): T {
  const restore: (() => void)[] = [];
  const replace = (target: any, render: () => unknown) => {
    const own = Object.getOwnPropertyDescriptor(target, 'toJson');
    target.toJson = render;
    restore.push(own ? () => Object.defineProperty(target, 'toJson', own) : () => delete target.toJson);
  };
  for (const construct of app.node.findAll()) {
    if (construct instanceof ApiObject) {
      const render = construct.toJson.bind(construct);
      let json: { value: any } | undefined;
      replace(construct, () => (json ??= { value: render() }).value);
    } else if (Chart.isChart(construct)) {
      const chart = construct;
      replace(chart, () => topology(chart)
        .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart)
        .map(o => o.toJson()));
    }
  }
  // App.synth lists the charts with a dependency graph of the whole app (cdk8s@2.70.106:lib/app.js:130-135, :159)
  Object.defineProperty(app, 'charts', { configurable: true, get: () => chartsOf(app) });
  restore.push(() => delete (app as any).charts);
  const writer = new YamlWriter();
  const stringify = Object.getOwnPropertyDescriptor(Yaml, 'stringify')!;
  const save = Object.getOwnPropertyDescriptor(Yaml, 'save')!;
  Yaml.stringify = (...docs: any[]) => writer.documents(docs);
  // as Yaml.save writes (cdk8s@2.70.106:lib/yaml.js:63-66), keeping the documents and the text so that the checks
  // and the summary read them without reading the files back
  Yaml.save = (filePath: string, docs: any[]) => {
    const text = writer.documents(docs);
    fs.writeFileSync(filePath, text, { encoding: 'utf8' });
    saved.set(path.resolve(filePath), { text, documents: docs.filter(d => d !== undefined) });
  };
  restore.push(() => Object.defineProperty(Yaml, 'stringify', stringify), () => Object.defineProperty(Yaml, 'save', save));
  try {
    return withBuiltInResolution(run);
  } finally {
    for (const undo of restore) undo();
  }
}

/** A manifest file as `Yaml.save` wrote it during the synthesis. */
interface SavedManifest {
  readonly text: string;
  readonly documents: readonly unknown[];
}

function readManifests(dir: string, saved: Map<string, SavedManifest>): SynthesizedFile[] {
  return fs.readdirSync(dir).filter(f => f.endsWith('.yaml')).sort().map(file => {
    const manifest = saved.get(path.resolve(dir, file));
    return readFile(dir, file, manifest?.documents, manifest?.text);
  });
}

/** Writes the reports as JSON; a report may not take the path of an {@link OutputFile}. */
function writeReports(app: App, dir: string, reports: readonly { path: string; data: unknown }[]): SynthesizedFile[] {
  const taken = new Map(app.node.findAll().filter(OutputFile.isOutputFile).map(o => [o.path, o.node.path]));
  for (const report of reports) {
    const owner = taken.get(report.path);
    if (owner !== undefined) throw new OutputCheckError([`${report.path} is written by both ${owner} and a report: give the report another path`]);
    taken.set(report.path, 'another report');
    fs.mkdirSync(path.join(dir, path.dirname(report.path)), { recursive: true });
    fs.writeFileSync(path.join(dir, report.path), `${JSON.stringify(report.data, undefined, 2)}\n`);
  }
  // the data the report was written from: the summary reads it without parsing the file back
  return reports.map(r => readFile(dir, r.path, [r.data]));
}

function readFile(dir: string, file: string, rendered: readonly unknown[] | undefined, written?: string): SynthesizedFile {
  const text = written ?? fs.readFileSync(path.join(dir, file), 'utf8');
  let documents = rendered;
  return {
    file,
    text,
    get documents() {
      documents ??= parseText(file, text);
      return documents;
    },
  };
}

/** A file's documents: JSON, else YAML, else the text as one string (so the secret guard still reads it). */
function parseText(file: string, text: string): unknown[] {
  if (file.endsWith('.json')) {
    try {
      return [JSON.parse(text)];
    } catch {
      // not JSON after all: read as YAML below
    }
  }
  return parseYamlDocuments(text)?.filter(d => d !== null) ?? [text];
}

/** The path of the ApiObject that rendered each object, by {@link objectKey}: one walk of the tree for all objects. */
function constructPaths(app: App): Map<string, string> {
  const paths = new Map<string, string>();
  for (const c of app.node.findAll()) {
    if (c instanceof ApiObject) {
      const key = objectKey({ apiVersion: c.apiVersion, kind: c.kind, metadata: { name: c.name, namespace: c.metadata.namespace } });
      if (!paths.has(key)) paths.set(key, c.node.path);
    }
  }
  return paths;
}

/** apiVersion, kind, namespace and name of a rendered object. */
function objectKey(obj: any): string {
  return [obj.apiVersion, obj.kind, obj.metadata?.namespace ?? '', obj.metadata?.name].join('\0');
}

/** Argo CD keeps only the last of two objects with the same group, kind, namespace and name (RepeatedResourceWarning). */
function duplicateObjectProblems(app: App): string[] {
  const seen = new Map<string, string>();
  const problems = new Problems();
  for (const obj of app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
    const key = `${obj.apiGroup}/${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.name}`;
    const first = seen.get(key);
    if (first !== undefined) problems.add(`${key} appears twice (${first} and ${obj.node.path}): Argo CD would keep only the last one`);
    else seen.set(key, obj.node.path);
  }
  return [...problems.list];
}

function replaceFolder(from: string, to: string): void {
  const old = `${from}-old`;
  if (fs.existsSync(to)) fs.renameSync(to, old);
  fs.renameSync(from, to);
  fs.rmSync(old, { recursive: true, force: true });
}
