import * as path from 'node:path';
import { Construct } from 'constructs';
import { ValidationError } from '../_internal/errors';
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
 * The report covers the whole app and is computed at synth (in a validation hook), after every construct exists; its
 * {@link OutputFile} (child id `File`) is replaced each time the app is validated.
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
    this.node.addValidation({ validate: () => this.refresh() });
  }

  /** The coverage of the whole app as it is now. */
  public compute(): MeshCoverageData {
    // the control plane of the report's own tree, which may be nearer than the app's
    const controlPlane = this.options.controlPlane ?? LinkerdContext.tryOf(this)?.controlPlane;
    return MeshCoverage.of(this.node.root, { ...this.options, controlPlane });
  }

  private refresh(): string[] {
    const data = this.compute();
    this.node.tryRemoveChild('File');
    new OutputFile(this, 'File', { path: this.path, content: MeshCoverage.toJson(data), documents: [data] });
    return this.strict ? MeshCoverage.problems(data) : [];
  }
}
