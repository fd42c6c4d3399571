import { Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import { Application, AutomatedSync, ApplicationSource, IgnoreDifference, SyncOption, SyncRetry } from '../argocd/application';
import { OutputFile } from '../synth/output-file';

/** Props for {@link ChartRelease}. */
export interface ChartReleaseProps {
  /** The Helm repository URL. */
  readonly repository: string;
  /**
   * The local name `helm repo add` gives the repository in the values file's commands.
   *
   * @default - the second-level label of the repository's host (`charts.jetstack.io` → `jetstack`)
   */
  readonly repositoryName?: string;
  /** The chart name. */
  readonly chart: string;
  /** The chart version. */
  readonly version: string;
  /** The Helm release name; also the Argo CD Application's name. */
  readonly releaseName: string;
  /** The namespace the release is installed into. */
  readonly namespace: string;
  /** The chart values: rendered once into the Application's `valuesObject` and once into the values file. */
  readonly values: Record<string, any>;
  /**
   * The Argo CD project.
   *
   * @default 'default'
   */
  readonly project?: string;
  /**
   * Sync options of the Application.
   *
   * @default - none
   */
  readonly syncOptions?: SyncOption[];
  /**
   * Automated sync of the Application.
   *
   * @default - manual sync
   */
  readonly automated?: AutomatedSync;
  /**
   * Fields Argo CD should not diff, each with its reason.
   *
   * @default - none
   */
  readonly ignoreDifferences?: IgnoreDifference[];
  /**
   * How a failed sync is retried.
   *
   * @default - the Application's default, SyncRetry.backoff()
   */
  readonly retry?: SyncRetry;
  /**
   * The folder of the values file inside the output folder; a subfolder, so Argo CD's directory app skips it.
   *
   * @default 'helm'
   */
  readonly valuesFolder?: string;
}

/**
 * One Helm release in both delivery forms, from one values object: an Argo CD Application with the values inline
 * (`helm.valuesObject`), and a plain values file (`helm/<release>.values.yaml`) for `helm install -f`.
 */
export class ChartRelease extends Construct {
  /** The Argo CD Application. */
  public readonly application: Application;
  /** The values file. */
  public readonly valuesFile: OutputFile;
  /** The `helm repo add` / `helm upgrade --install` commands that install the same release without Argo CD. */
  public readonly helmCommands: string[];
  /** The namespace the release is installed into (the Application's destination). */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: ChartReleaseProps) {
    super(scope, id);
    this.namespace = props.namespace;
    const valuesPath = `${props.valuesFolder ?? 'helm'}/${props.releaseName}.values.yaml`;
    const repoName = props.repositoryName ?? new URL(props.repository).hostname.split('.').slice(-2, -1)[0] ?? 'repo';
    this.helmCommands = [
      `helm repo add ${repoName} ${props.repository}`,
      `helm upgrade --install ${props.releaseName} ${repoName}/${props.chart} --version ${props.version} --namespace ${props.namespace} -f ${valuesPath}`,
    ];
    this.application = new Application(this, 'application', {
      metadata: { name: props.releaseName },
      project: props.project,
      source: ApplicationSource.helmChart({ repoUrl: props.repository, chart: props.chart, version: props.version, valuesObject: props.values }),
      destinationNamespace: props.namespace,
      syncOptions: props.syncOptions,
      automated: props.automated,
      ignoreDifferences: props.ignoreDifferences,
      retry: props.retry,
    });
    const header = [
      '# +argocd:skip-file-rendering',
      `# Values for the ${props.chart} chart ${props.version}, identical to the valuesObject of Argo CD Application ${props.releaseName}.`,
      ...this.helmCommands.map(c => `#   ${c}`),
      '',
    ].join('\n');
    this.valuesFile = new OutputFile(this, 'values-file', { path: valuesPath, content: header + Yaml.stringify(props.values), documents: [props.values] });
  }
}
