import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ValidationError } from '../_internal/errors';
import { compareStrings } from '../_internal/order';

/** Props for {@link OutputFile}. */
export interface OutputFileProps {
  /**
   * The file's path inside the output folder, in a subfolder (`helm/linkerd-control-plane.values.yaml`): an
   * Argo CD directory app reads only the top folder, so files here stay out of its manifests.
   */
  readonly path: string;
  /** The file's text. */
  readonly content: string;
  /**
   * The data `content` was rendered from, one entry per YAML document, for the constructs that read it back. The
   * output checks and `synthesize`'s report parse `content` instead, so documents that differ from it hide nothing.
   *
   * @default - none
   */
  readonly documents?: readonly unknown[];
}

/**
 * A file that `synthesize` writes next to the manifests, such as a Helm values file. It goes through the same
 * atomic write and secret guard as the manifests. A plain `App.synth()` (what `cdk8s synth` runs) writes it too,
 * into the app's outdir after the manifests, without the atomic write.
 */
export class OutputFile extends Construct {
  /** Whether a construct is an OutputFile (works across copies of this library). */
  public static isOutputFile(x: IConstruct): x is OutputFile {
    return (x as any)[OUTPUT_FILE] === true;
  }

  /** The path inside the output folder. */
  public readonly path: string;
  /** The file's text. */
  public readonly content: string;
  /** The data the text was rendered from, when given. */
  public readonly documents?: readonly unknown[];

  constructor(scope: Construct, id: string, props: OutputFileProps) {
    super(scope, id);
    const normalized = path.posix.normalize(props.path);
    if (path.posix.isAbsolute(normalized) || normalized.startsWith('..') || !normalized.includes('/')) {
      throw new ValidationError(`path ${JSON.stringify(props.path)} must be relative and inside a subfolder of the output folder (e.g. helm/values.yaml)`, this);
    }
    this.path = normalized;
    this.content = props.content;
    this.documents = props.documents;
    Object.defineProperty(this, OUTPUT_FILE, { value: true });
    writeWithAppSynth(this.node.root);
  }
}

/**
 * Writes every {@link OutputFile} of an app into a folder, sorted by path; two files with one path are an error.
 *
 * @internal
 */
export function writeOutputFiles(app: IConstruct, dir: string): OutputFile[] {
  const outputs = app.node.findAll().filter(OutputFile.isOutputFile).sort((a, b) => compareStrings(a.path, b.path));
  const seen = new Map<string, string>();
  for (const output of outputs) {
    const previous = seen.get(output.path);
    if (previous !== undefined) throw new OutputFileConflictError(`${output.path} is written by both ${previous} and ${output.node.path}`, output);
    seen.set(output.path, output.node.path);
    fs.mkdirSync(path.join(dir, path.dirname(output.path)), { recursive: true });
    fs.writeFileSync(path.join(dir, output.path), output.content);
  }
  return outputs;
}

/** Two OutputFiles claim one path: a {@link ValidationError} at the second of them. */
export class OutputFileConflictError extends ValidationError {
  /** The problem, without the construct path. */
  public readonly problem: string;

  constructor(problem: string, scope: IConstruct) {
    super(problem, scope);
    this.name = 'OutputFileConflictError';
    this.problem = problem;
  }
}

/**
 * Runs `app.synth()` and returns the OutputFiles it wrote into the app's outdir: the hooked synth writes them (see
 * {@link OutputFile}); an app the hook could not reach (none were created, or another copy of cdk8s) gets them here.
 *
 * @internal
 */
export function synthWithOutputFiles(app: App): OutputFile[] {
  written.delete(app);
  app.synth();
  return written.get(app) ?? writeOutputFiles(app, app.outdir);
}

const OUTPUT_FILE = Symbol.for('cdk8s-linkerd.OutputFile');
/** The apps whose synth is hooked, and what each hooked synth wrote. */
const hooked = new WeakSet<IConstruct>();
const written = new WeakMap<IConstruct, OutputFile[]>();

/** Makes `App.synth()` of the app write the OutputFiles after the manifests, so that no file is dropped silently. */
function writeWithAppSynth(root: IConstruct): void {
  // duck-typed: a consumer's app may come from another copy of cdk8s
  if (!(root instanceof App || (typeof (root as any).synth === 'function' && typeof (root as any).outdir === 'string')) || hooked.has(root)) return;
  const app = root as App;
  const synth = app.synth.bind(app);
  // an OutputFile made while a synth already runs (in a validation) hooks the next synth only: that one is written after
  hooked.add(app);
  app.synth = () => {
    synth();
    written.set(app, writeOutputFiles(app, app.outdir));
  };
}
