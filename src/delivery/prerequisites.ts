import { Construct } from 'constructs';
import { AutomatedSync, SyncOption } from '../argocd/application';
import { ChartRelease } from './chart-release';

/** Options for {@link CertManagerPrerequisites}. */
export interface CertManagerPrerequisitesProps {
  /**
   * The Argo CD project.
   *
   * @default 'default'
   */
  readonly project?: string;
  /**
   * Automated sync of the Applications.
   *
   * @default - manual sync
   */
  readonly automated?: AutomatedSync;
  /**
   * trust-manager's trust namespace (`app.trust.namespace`), the only namespace it reads Bundle sources from: the
   * anchor namespace of the identity chain (`LinkerdIdentity.anchorNamespace`). It must exist before trust-manager
   * is installed (cert-manager/trust-manager@v0.24.0:deploy/charts/trust-manager/values.yaml:316-319).
   *
   * @default 'cert-manager'
   */
  readonly trustNamespace?: string;
}

/**
 * What the identity chain runs on, delivered like the Linkerd charts: cert-manager v1.21.1 (with its CRDs) and
 * trust-manager v0.24.0 (with the trust namespace given, `cert-manager` as in Linkerd's docs by default), from
 * https://charts.jetstack.io.
 *
 * The versions are the ones whose CRDs are vendored in `crds/` and validated against. Use this when the cluster does
 * not already run them; objects that need them should depend on this construct, so they come in a later sync wave.
 *
 * @see https://linkerd.io/2-edge/tasks/automatically-rotating-control-plane-tls-credentials/
 */
export class CertManagerPrerequisites extends Construct {
  /** The cert-manager release. */
  public readonly certManager: ChartRelease;
  /** The trust-manager release. */
  public readonly trustManager: ChartRelease;

  constructor(scope: Construct, id: string, props: CertManagerPrerequisitesProps = {}) {
    super(scope, id);
    this.certManager = new ChartRelease(this, 'cert-manager', {
      repository: 'https://charts.jetstack.io', chart: 'cert-manager', version: 'v1.21.1', releaseName: 'cert-manager', namespace: 'cert-manager',
      values: { crds: { enabled: true } },
      // the Issuer and ClusterIssuer CRDs exceed the 262144-byte last-applied annotation
      syncOptions: [SyncOption.CREATE_NAMESPACE, SyncOption.SERVER_SIDE_APPLY],
      project: props.project, automated: props.automated,
    });
    this.trustManager = new ChartRelease(this, 'trust-manager', {
      repository: 'https://charts.jetstack.io', chart: 'trust-manager', version: 'v0.24.0', releaseName: 'trust-manager', namespace: 'cert-manager',
      values: { app: { trust: { namespace: props.trustNamespace ?? 'cert-manager' } } },
      syncOptions: [SyncOption.SERVER_SIDE_APPLY],
      project: props.project, automated: props.automated,
    });
    // trust-manager's webhook serves a certificate that cert-manager issues
    this.trustManager.node.addDependency(this.certManager);
  }
}
