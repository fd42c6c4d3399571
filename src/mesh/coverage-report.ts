import * as path from 'node:path';
import { Construct } from 'constructs';
import { ValidationError } from '../_internal/errors';
import { perSynth } from '../_internal/per-synth';
import { LinkerdContext } from '../linkerd/context';
import { OutputFile } from '../synth/output-file';
import { MeshCoverage, MeshCoverageData, MeshCoverageOptions } from './coverage';

/** Props for {@link MeshCoverageReport}. */
export interface MeshCoverageReportProps extends MeshCoverageOptions {
  /**
   * Fails synth when any declared traffic (an AuthorizationPolicy's clients, a Service's clients) would not be mTLS.
   *
   * @default false
   */
  readonly strict?: boolean;
  /**
   * Where the JSON report goes, inside the output folder; in a subfolder, which the Argo CD directory app does not read.
   *
   * @default 'reports/mtls-coverage.json'
   */
  readonly path?: string;
}

/**
 * Writes the app's mTLS coverage ({@link MeshCoverage}) to a JSON file next to the manifests and, in strict mode,
 * fails synth on declared traffic that would not be mTLS.
 *
 * The report covers the whole app as it is at synth, after every construct exists: its {@link OutputFile} (child id
 * `File`) is made here, and its content is computed when it is first read at synth (or by the strict check), never
 * by changing the construct tree during validation.
 */
export class MeshCoverageReport extends Construct {
  /** The report's path inside the output folder. */
  public readonly path: string;
  /** Whether synth fails on traffic that would not be mTLS. */
  public readonly strict: boolean;
  private readonly options: MeshCoverageOptions;

  constructor(scope: Construct, id: string, props: MeshCoverageReportProps = {}) {
    super(scope, id);
    this.path = path.posix.normalize(props.path ?? 'reports/mtls-coverage.json');
    this.strict = props.strict ?? false;
    this.options = { controlPlane: props.controlPlane, version: props.version };
    // the same rule as OutputFile's, checked now rather than when the file is made at synth
    if (path.posix.isAbsolute(this.path) || this.path.startsWith('..') || !this.path.includes('/')) {
      throw new ValidationError(`path ${JSON.stringify(props.path)} must be relative and inside a subfolder of the output folder (e.g. reports/mtls-coverage.json)`, this);
    }
    new CoverageFile(this, 'File', this.path, () => this.atSynth());
    this.node.addValidation({ validate: () => (this.strict ? MeshCoverage.problems(this.atSynth()) : []) });
  }

  /** The coverage of the whole app as it is now. */
  public compute(): MeshCoverageData {
    // the control plane of the report's own tree, which may be nearer than the app's
    const controlPlane = this.options.controlPlane ?? LinkerdContext.tryOf(this)?.controlPlane;
    return MeshCoverage.of(this.node.root, { ...this.options, controlPlane });
  }

  /** The coverage at synth, shared by the strict check and the file's writer and readers ({@link perSynth}). */
  private atSynth(): MeshCoverageData {
    return perSynth(this, 'mesh-coverage-report', () => this.compute());
  }
}

/**
 * An {@link OutputFile} whose content is produced when it is read, so that it reflects the finished tree without a
 * validation hook adding or replacing children.
 */
class CoverageFile extends OutputFile {
  constructor(scope: Construct, id: string, filePath: string, data: () => MeshCoverageData) {
    super(scope, id, { path: filePath, content: '' });
    // OutputFile holds plain fields; redefine them on this instance as getters over the data computed at synth
    Object.defineProperty(this, 'content', { get: () => MeshCoverage.toJson(data()) });
    Object.defineProperty(this, 'documents', { get: () => [data()] });
  }
}
