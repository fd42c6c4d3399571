import { ApiObject, Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { addNextStep } from './_internal/next-steps';
import { compareStrings } from './_internal/order';
import { AppProject, ProjectScope } from './argocd/app-project';
import { AutomatedSync, SyncOption } from './argocd/application';
import { SyncGate } from './argocd/sync-gate';
import { applySyncWaves } from './argocd/sync-waves';
import { ChartRelease } from './delivery/chart-release';
import { CertManagerPrerequisites } from './delivery/prerequisites';
import { CONTROL_PLANE_DEPLOYMENTS, LINKERD_CRD_GROUPS } from './linkerd/_chart-objects';
import { LinkerdControlPlane, LinkerdControlPlaneOptions } from './linkerd/control-plane';
import { LinkerdCrds, LinkerdCrdsOptions } from './linkerd/crds';
import { LinkerdIdentity, LinkerdIdentityProps } from './linkerd/identity';
import { LinkerdVersion } from './linkerd/version';
import { MeshCoverageReport } from './mesh/coverage-report';
import { DemoWorkloads } from './mesh/demo-workloads';
import { DemoTrafficPolicy } from './traffic/demo-traffic-policy';
import { ServiceReference } from './traffic/service-reference';
import { DashboardCredentials } from './viz/dashboard-credentials';
import { DashboardIngress } from './viz/dashboard-ingress';
import { DashboardTls } from './viz/dashboard-tls';
import { HtpasswdUser } from './viz/htpasswd-user';
import { LinkerdViz, LinkerdVizOptions } from './viz/viz';

/** How {@link LinkerdPlatform} exposes the viz dashboard. */
export interface PlatformDashboardOptions {
  /** The external host names. */
  readonly hosts: string[];
  /**
   * The users. Without users, the Ingress references an existing Secret (`authSecretName`), and the synth summary
   * says how to create it: there is never a default password.
   *
   * @default - none: an existing Secret
   */
  readonly users?: HtpasswdUser[];
  /**
   * Where the htpasswd Secret comes from; overrides `users`. A SealedSecret or an ExternalSecret keeps even the
   * hashes out of git.
   *
   * @default - DashboardCredentials.users(users) with users, else DashboardCredentials.existingSecret()
   */
  readonly credentials?: DashboardCredentials;
  /**
   * The htpasswd content of the last synthesis (see `BasicAuthSecret.previousHtpasswd`), so `users`' lines stay the
   * same while their passwords do.
   *
   * @default - none: new random salts
   */
  readonly previousHtpasswd?: string;
  /**
   * The htpasswd Secret's name, in the viz namespace.
   *
   * @default 'linkerd-dashboard-auth'
   */
  readonly authSecretName?: string;
  /**
   * The IngressClass.
   *
   * @default 'nginx'
   */
  readonly ingressClassName?: string;
  /**
   * TLS for the hosts.
   *
   * @default - none
   */
  readonly tls?: DashboardTls;
}

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
   * The linkerd-viz extension.
   *
   * @default - LinkerdViz's defaults (bundled Prometheus, cert-manager tap certificates)
   */
  readonly viz?: LinkerdVizOptions;
  /**
   * Exposes the viz dashboard through ingress-nginx with basic auth.
   *
   * @default - not exposed
   */
  readonly dashboard?: PlatformDashboardOptions;
  /**
   * Adds the runbook's practice workloads: a meshed client and server, the server protected by
   * `allow(client → server)`, with a ServiceProfile (a retryable GET route with a timeout and a retry budget) and a
   * circuit breaker on a second Service in front of the server. Off by default: an importer's platform deploys no
   * practice workloads it did not ask for (`npm run synth`'s default platform asks).
   *
   * @default false
   */
  readonly demo?: boolean;
  /**
   * Fails synth when any declared traffic would not be mTLS (the coverage report is written either way).
   *
   * @default true
   */
  readonly strictMtls?: boolean;
  /**
   * Delivers cert-manager and trust-manager too ({@link CertManagerPrerequisites}), in the first sync wave, and lets
   * Argo CD skip the dry run of cert-manager and trust-manager objects whose CRDs that same sync installs.
   *
   * @default false (the cluster already runs cert-manager ≥ 1.21 and trust-manager ≥ 0.24 whose trust namespace is
   * `identity.anchorNamespace`: the control-plane namespace by default, see `AnchorIssuerScope`)
   */
  readonly prerequisites?: boolean;
  /**
   * The kubectl image of the sync gates ({@link SyncGate}), e.g. a mirror for an air-gapped cluster.
   *
   * @default 'registry.k8s.io/kubectl:v1.34.3'
   */
  readonly syncGateImage?: string;
  /**
   * Automated sync of the chart Applications.
   *
   * @default { prune: true, selfHeal: true }
   */
  readonly automated?: AutomatedSync;
}

/**
 * The default platform that `npm run synth` renders into dist/: the control-plane namespace, the identity chain,
 * webhook certificates, linkerd-crds, linkerd-control-plane and linkerd-viz as Argo CD Applications plus Helm values
 * files, optionally the dashboard behind an Ingress with basic auth and (`demo: true`) the runbook's meshed demo pair with
 * its authorization policy, and an mTLS coverage report; sync waves are computed from dependencies.
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
  /** The viz extension. */
  public readonly viz: LinkerdViz;
  /** The linkerd-viz release (Application and values file). */
  public readonly vizRelease: ChartRelease;
  /** The demo workloads; undefined when `demo` is false. */
  public readonly demo?: DemoWorkloads;
  /** cert-manager and trust-manager; undefined unless `prerequisites` is true. */
  public readonly prerequisites?: CertManagerPrerequisites;
  /**
   * The wave that waits for the Linkerd CRDs and the control plane (identity, destination, proxy injector) before viz,
   * the demo and every Linkerd object of this chart: see {@link SyncGate}.
   */
  public readonly controlPlaneGate: SyncGate;

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
    // the injector's webhook fails open (webhookFailurePolicy: Ignore,
    // linkerd2@version-2.20:charts/linkerd-control-plane/values.yaml:416), so a pod created before it serves stays unmeshed
    const controlPlaneNamespace = this.controlPlane.namespace;
    this.controlPlaneGate = new SyncGate(this, 'control-plane-ready', {
      name: 'linkerd-control-plane-ready',
      image: props.syncGateImage,
      crds: LINKERD_CRDS,
      deployments: CONTROL_PLANE_DEPLOYMENTS.map(name => ({ namespace: controlPlaneNamespace, name })),
    });
    this.controlPlaneGate.job.node.addDependency(this.controlPlaneRelease);
    this.viz = new LinkerdViz(this, 'viz', { ...props.viz, controlPlane: this.controlPlane });
    if (props.dashboard) this.exposeDashboard(props.dashboard);
    this.vizRelease = this.viz.addRelease('release', { controlPlane: this.controlPlaneRelease, project, automated });
    this.vizRelease.node.addDependency(this.controlPlaneGate);
    if (props.demo ?? false) {
      this.demo = new DemoWorkloads(this, 'demo', { version });
      this.demo.node.addDependency(this.controlPlaneGate);
      const trafficPolicy = new DemoTrafficPolicy(this, 'demo-traffic', { profiledService: ServiceReference.fromService(this.demo.serverService), version });
      trafficPolicy.node.addDependency(this.controlPlaneGate);
    }
    new MeshCoverageReport(this, 'mtls-coverage', { controlPlane: this.controlPlane, strict: props.strictMtls ?? true });
    afterGate(this, LINKERD_CRD_GROUPS, this.controlPlaneGate);
    if (!props.prerequisites) {
      addNextStep(this, `install cert-manager (v1.21 or later, with its CRDs) and trust-manager (v0.24 or later, trust namespace ${this.identity.anchorNamespace}) `
        + 'before the sync, or set prerequisites: true to deliver them as the first Applications');
    }
    if (props.prerequisites) {
      const prerequisites = this.prerequisites = new CertManagerPrerequisites(this, 'prerequisites', { project, automated, trustNamespace: this.identity.anchorNamespace });
      // trust-manager's chart creates its Role in the trust namespace, which must exist first
      prerequisites.trustManager.node.addDependency(this.controlPlane.namespaceObject);
      // trust-manager's chart makes cert-manager objects (its webhook certificate), so it waits for cert-manager too
      const certManagerGate = new SyncGate(this, 'cert-manager-ready', {
        name: 'cert-manager-ready',
        image: props.syncGateImage,
        crds: ['certificates.cert-manager.io', 'clusterissuers.cert-manager.io', 'issuers.cert-manager.io'],
        deployments: ['cert-manager', 'cert-manager-cainjector', 'cert-manager-webhook'].map(name => ({ namespace: 'cert-manager', name })),
      });
      certManagerGate.job.node.addDependency(prerequisites.certManager);
      prerequisites.trustManager.node.addDependency(certManagerGate);
      const trustManagerGate = new SyncGate(this, 'trust-manager-ready', {
        name: 'trust-manager-ready',
        image: props.syncGateImage,
        crds: ['bundles.trust.cert-manager.io'],
        deployments: [{ namespace: 'cert-manager', name: 'trust-manager' }],
      });
      trustManagerGate.job.node.addDependency(prerequisites.trustManager);
      afterGate(this, ['cert-manager.io'], certManagerGate);
      afterGate(this, ['trust.cert-manager.io'], trustManagerGate);
    }
    applySyncWaves(this);
  }

  /**
   * What the platform deploys, for an {@link AppProject} of its own instead of `default`: the namespaces and
   * cluster-scoped kinds of its objects, the charts' repositories and namespaces, and the cluster-scoped kinds the
   * charts render (CRDs, RBAC, admission webhooks, viz's tap APIService).
   */
  public projectScope(): ProjectScope {
    const own = AppProject.scopeOf(this);
    // cert-manager's chart keeps its leader-election Role in kube-system (cert-manager@v1.21.1:deploy/charts/cert-manager/values.yaml:75)
    const namespaces = [...own.namespaces, ...(this.prerequisites ? ['kube-system'] : [])];
    const kinds = new Map([...own.clusterResources, ...CHART_CLUSTER_RESOURCES].map(k => [`${k.group}/${k.kind}`, k]));
    return {
      sourceRepos: own.sourceRepos,
      namespaces: [...new Set(namespaces)].sort(compareStrings),
      clusterResources: [...kinds.keys()].sort(compareStrings).map(k => kinds.get(k)!),
    };
  }

  private exposeDashboard(options: PlatformDashboardOptions): void {
    const name = options.authSecretName ?? DASHBOARD_AUTH_SECRET;
    const namespace = this.viz.namespace;
    const credentials = options.credentials
      ?? (options.users
        ? DashboardCredentials.users(options.users, { previousHtpasswd: options.previousHtpasswd })
        : DashboardCredentials.existingSecret());
    const auth = credentials._bind(this, 'dashboard-auth', name, namespace);
    auth.node.addDependency(this.viz.namespaceObject);
    if (credentials._existing) {
      addNextStep(this, `create Secret ${namespace}/${name} before the sync, for the dashboard's basic auth: `
        + `htpasswd -cB auth <user> && kubectl create secret generic ${name} -n ${namespace} --from-file=auth `
        + '(or synth with DASHBOARD_USER and DASHBOARD_PASSWORD, or DASHBOARD_HTPASSWD_FILE)', { secret: `${namespace}/${name}` });
    }
    addNextStep(this, `run an ingress controller for IngressClass ${options.ingressClassName ?? 'nginx'} (ingress-nginx), meshed, `
      + `with DNS for ${options.hosts.join(', ')} pointing at it: the dashboard is reachable only through it`);
    new DashboardIngress(this, 'dashboard', { viz: this.viz, hosts: options.hosts, auth, ingressClassName: options.ingressClassName, tls: options.tls });
  }
}

/**
 * The name of the dashboard's htpasswd Secret unless `authSecretName` says otherwise.
 *
 * @internal
 */
export const DASHBOARD_AUTH_SECRET = 'linkerd-dashboard-auth';

/** The cluster-scoped kinds the linkerd, cert-manager and trust-manager charts render (their templates at the pinned versions). */
const CHART_CLUSTER_RESOURCES = [
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
  { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
  { group: 'apiregistration.k8s.io', kind: 'APIService' },
];
/**
 * The CRDs of linkerd-crds that exist at every catalog version (`charts/linkerd-crds/templates/` at stable-2.12.6 and
 * version-2.20): the control-plane gate waits for them.
 */
const LINKERD_CRDS = [
  'authorizationpolicies.policy.linkerd.io', 'httproutes.policy.linkerd.io', 'meshtlsauthentications.policy.linkerd.io',
  'networkauthentications.policy.linkerd.io', 'serverauthorizations.policy.linkerd.io', 'servers.policy.linkerd.io',
  'serviceprofiles.linkerd.io',
];

/**
 * Puts every object of the groups after the gate that waits for their CRDs, and marks them so that Argo CD's dry run
 * does not fail while the CRDs are missing: `SkipDryRunOnMissingResource` skips only the dry run, the apply would
 * still fail (argo-cd@v3.5.1:docs/user-guide/sync-options.md), hence the gate.
 */
function afterGate(scope: Construct, groups: readonly string[], gate: SyncGate): void {
  for (const obj of scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
    if (groups.includes(obj.apiGroup)) {
      obj.metadata.addAnnotation('argocd.argoproj.io/sync-options', SyncOption.SKIP_DRY_RUN_ON_MISSING_RESOURCE);
      obj.node.addDependency(gate);
    }
  }
}
