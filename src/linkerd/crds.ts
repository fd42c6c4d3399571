import { Construct } from 'constructs';
import { mergeValues } from '../_internal/merge';
import { Problems } from '../_internal/problems';
import { AutomatedSync, SyncOption } from '../argocd/application';
import { ChartRelease } from '../delivery/chart-release';
import { chartValues, knownKeys, unknownKeyProblems, valueTypeProblems } from './_chart-values';
import { LinkerdContext } from './context';
import { LinkerdVersion } from './version';

/** Settings of {@link LinkerdCrds} other than its version. */
export interface LinkerdCrdsOptions {
  /**
   * Whether linkerd-crds installs the Gateway API CRDs it ships. Exactly one owner may install them: set false when
   * the cluster (GKE, a Gateway controller) or another chart already does.
   *
   * @default - the chart's default for the version (see `LinkerdVersion.gatewayApiCrds`)
   */
  readonly installGatewayApi?: boolean;
  /**
   * Any other chart values, checked against the chart's keys for the version.
   *
   * @default - none
   */
  readonly values?: Record<string, any>;
}

/** Props for {@link LinkerdCrds}. */
export interface LinkerdCrdsProps extends LinkerdCrdsOptions {
  /**
   * The Linkerd version; when given, it must be the tree's.
   *
   * @default - the version of the control plane in the construct tree ({@link LinkerdContext}), else LinkerdVersion.LATEST
   */
  readonly version?: LinkerdVersion;
}

/** Options for {@link LinkerdCrds.addRelease}. */
export interface CrdsReleaseOptions {
  /** The namespace of the Helm release (the control-plane namespace). */
  readonly namespace: string;
  /**
   * The Argo CD project.
   *
   * @default 'default'
   */
  readonly project?: string;
  /**
   * Automated sync of the Application.
   *
   * @default - manual sync
   */
  readonly automated?: AutomatedSync;
}

/**
 * The linkerd-crds chart's values. The CRDs must be installed before the control plane.
 *
 * @see https://linkerd.io/2-edge/install/helm/
 */
export class LinkerdCrds extends Construct {
  /** The Linkerd version. */
  public readonly version: LinkerdVersion;
  /** The complete values for the linkerd-crds chart. */
  public readonly helmValues: Record<string, any>;

  constructor(scope: Construct, id: string, props: LinkerdCrdsProps = {}) {
    super(scope, id);
    this.version = LinkerdContext.resolve(this, { version: props.version }).version;
    const switches = this.version.gatewayApiSwitches;
    const problems = new Problems();
    if (props.installGatewayApi === true && switches.length === 0) {
      problems.add(`installGatewayApi true is not possible: the linkerd-crds chart of ${this.version} ships no Gateway API CRDs`);
    }
    const gateway = props.installGatewayApi === undefined ? {} : Object.fromEntries(switches.map(key => [key, props.installGatewayApi]));
    this.helmValues = mergeValues(gateway, props.values);
    if (props.values) {
      const chart = `linkerd-crds ${this.version.major}`;
      problems.addAll(unknownKeyProblems(props.values, [knownKeys(this.version, 'linkerd-crds')], chart));
      problems.addAll(valueTypeProblems(props.values, chartValues(this.version, 'linkerd-crds', 'values.yaml'), chart));
    }
    problems.throwIfAny(this);
  }

  /**
   * Delivers the chart: an Argo CD Application (server-side apply: CRDs outgrow the client-side annotation limit) and
   * a values file, both from {@link helmValues}.
   */
  public addRelease(id: string, options: CrdsReleaseOptions): ChartRelease {
    return new ChartRelease(this, id, {
      repository: this.version.helmRepository,
      repositoryName: this.version.helmRepositoryName,
      chart: this.version.crdsChart.chart,
      version: this.version.crdsChart.version,
      releaseName: 'linkerd-crds',
      namespace: options.namespace,
      values: this.helmValues,
      project: options.project,
      automated: options.automated,
      syncOptions: [SyncOption.SERVER_SIDE_APPLY],
    });
  }
}
