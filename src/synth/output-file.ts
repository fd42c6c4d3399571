import * as path from 'node:path';
import { Construct, IConstruct } from 'constructs';
import { ValidationError } from '../_internal/errors';

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
 * atomic write and secret guard as the manifests.
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
  }
}

const OUTPUT_FILE = Symbol.for('cdk8s-linkerd.OutputFile');
