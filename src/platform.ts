import { ApiObject, Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { AutomatedSync, SyncOption } from './argocd/application';
import { applySyncWaves } from './argocd/sync-waves';
import { ChartRelease } from './delivery/chart-release';
import { CertManagerPrerequisites } from './delivery/prerequisites';
import { LinkerdControlPlane, LinkerdControlPlaneOptions } from './linkerd/control-plane';
import { LinkerdCrds, LinkerdCrdsOptions } from './linkerd/crds';
import { LinkerdIdentity, LinkerdIdentityProps } from './linkerd/identity';
import { LinkerdVersion } from './linkerd/version';

/** Props for {@link LinkerdPlatform}. */
export interface LinkerdPlatformProps extends ChartProps {
  /**
   * The Linkerd version of every chart.
   *
   * @default LinkerdVersion.LATEST
   */
  readonly version?: LinkerdVersion;
  /**
   * The identity chain.
   *
   * @default - LinkerdIdentity's defaults: an in-cluster self-signed anchor, a 48h identity issuer, a trust-manager Bundle
   */
  readonly identity?: LinkerdIdentityProps;
  /**
   * The linkerd-crds chart.
   *
   * @default - the chart's defaults
   */
  readonly crds?: LinkerdCrdsOptions;
  /**
   * The linkerd-control-plane chart.
   *
   * @default - LinkerdControlPlane's defaults (cert-manager webhook certificates, a fixed heartbeat schedule)
   */
  readonly controlPlane?: LinkerdControlPlaneOptions;
  /**
   * The Argo CD project of the Applications.
   *
   * @default 'default'
   */
  readonly argoCdProject?: string;
  /**
   * Delivers cert-manager and trust-manager too ({@link CertManagerPrerequisites}), in the first sync wave, and lets
   * Argo CD skip the dry run of cert-manager and trust-manager objects whose CRDs that same sync installs.
   *
   * @default false (the cluster already runs cert-manager ≥ 1.21 and trust-manager ≥ 0.24 with trust namespace cert-manager)
   */
  readonly prerequisites?: boolean;
  /**
   * Automated sync of the chart Applications.
   *
   * @default { prune: true, selfHeal: true }
   */
  readonly automated?: AutomatedSync;
}

/**
 * The default platform that `npm run synth` renders into dist/: the control-plane namespace, the identity chain,
 * webhook certificates, and linkerd-crds and linkerd-control-plane as Argo CD Applications plus Helm values files,
 * with sync waves computed from their dependencies.
 *
 * Every lower construct works on its own; this chart only wires them. Every object has an explicit name, so the
 * output does not depend on construct paths.
 */
export class LinkerdPlatform extends Chart {
  /** The identity chain. */
  public readonly identity: LinkerdIdentity;
  /** The linkerd-crds values. */
  public readonly crds: LinkerdCrds;
  /** The control plane's values, namespace and webhook certificates. */
  public readonly controlPlane: LinkerdControlPlane;
  /** The linkerd-crds release (Application and values file). */
  public readonly crdsRelease: ChartRelease;
  /** The linkerd-control-plane release (Application and values file). */
  public readonly controlPlaneRelease: ChartRelease;

  constructor(scope: Construct, id: string, props: LinkerdPlatformProps = {}) {
    super(scope, id, props);
    const version = props.version ?? LinkerdVersion.LATEST;
    const automated = props.automated ?? { prune: true, selfHeal: true };
    const project = props.argoCdProject;
    this.identity = new LinkerdIdentity(this, 'identity', props.identity);
    this.crds = new LinkerdCrds(this, 'crds', { version, ...props.crds });
    this.controlPlane = new LinkerdControlPlane(this, 'control-plane', { ...props.controlPlane, identity: this.identity, version });
    this.crdsRelease = this.crds.addRelease('release', { namespace: this.identity.namespace, project, automated });
    this.controlPlaneRelease = this.controlPlane.addRelease('release', { crds: this.crdsRelease, project, automated });
    if (props.prerequisites) {
      const prerequisites = new CertManagerPrerequisites(this, 'prerequisites', { project, automated });
      this.identity.node.addDependency(prerequisites);
      this.controlPlane.webhooks?.node.addDependency(prerequisites);
      skipDryRunUntilCrdsExist(this);
    }
    applySyncWaves(this);
  }
}

const CERT_MANAGER_GROUPS = ['cert-manager.io', 'trust.cert-manager.io'];

/** Marks cert-manager and trust-manager objects so Argo CD's dry run does not fail before their CRDs are installed. */
function skipDryRunUntilCrdsExist(scope: Construct): void {
  for (const obj of scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
    if (CERT_MANAGER_GROUPS.includes(obj.apiGroup)) {
      obj.metadata.addAnnotation('argocd.argoproj.io/sync-options', SyncOption.SKIP_DRY_RUN_ON_MISSING_RESOURCE);
    }
  }
}
