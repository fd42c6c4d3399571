import { Cron } from 'cdk8s';
import { ImagePullPolicy } from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { throwIfProblems } from '../_internal/errors';
import { isPlainObject, mergeValues } from '../_internal/merge';
import { AutomatedSync, IgnoreDifference, SyncOption } from '../argocd/application';
import { PrivateKeyEncoding } from '../cert-manager/private-key';
import { ChartRelease } from '../delivery/chart-release';
import { chartValues, knownKeys, unknownKeyProblems, valueTypeProblems } from './_chart-values';
import { LinkerdContext } from './context';
import { ControlPlaneNamespace, PodSecurityLevel } from './control-plane-namespace';
import { controlPlaneValuesProblems } from './control-plane-rules';
import { LinkerdIdentity } from './identity';
import { ProxyResources } from './proxy-settings';
import { renderProxyResources } from './proxy-settings-rules';
import { LinkerdVersion } from './version';
import { WebhookIssuer } from './webhook-issuer';

/** The default inbound policy of meshed pods (`proxy.defaultInboundPolicy`). */
export enum DefaultInboundPolicy {
  /** Allow all traffic, meshed or not. */
  ALL_UNAUTHENTICATED = 'all-unauthenticated',
  /** Allow only mTLS-authenticated traffic. */
  ALL_AUTHENTICATED = 'all-authenticated',
  /** Allow traffic from the cluster networks only. */
  CLUSTER_UNAUTHENTICATED = 'cluster-unauthenticated',
  /** Allow only mTLS-authenticated traffic from the cluster networks. */
  CLUSTER_AUTHENTICATED = 'cluster-authenticated',
  /** Deny everything not explicitly authorized. */
  DENY = 'deny',
  /** Allow everything, but report what a policy would deny (Linkerd 2.16+). */
  AUDIT = 'audit',
}

/**
 * The default inbound policies that admit clients without a mesh identity: `audit` and the `-unauthenticated` ones
 * (linkerd/linkerd2@version-2.20:policy-controller/k8s/index/src/defaults.rs:83-129, `default_authzs`).
 *
 * @internal
 */
export const UNAUTHENTICATED_INBOUND_POLICIES: readonly string[] = [
  DefaultInboundPolicy.ALL_UNAUTHENTICATED, DefaultInboundPolicy.CLUSTER_UNAUTHENTICATED, DefaultInboundPolicy.AUDIT,
];

/** What the API server does when a Linkerd admission webhook cannot be reached (`webhookFailurePolicy`). */
export enum WebhookFailurePolicy {
  /** Admit the object anyway (unmeshed pods when the injector is down). */
  IGNORE = 'Ignore',
  /** Reject the object (HA's choice: no pod starts unmeshed). */
  FAIL = 'Fail',
}

/** Settings of {@link LinkerdControlPlane} other than its identity and version. */
export interface LinkerdControlPlaneOptions {
  /**
   * The cluster's DNS domain (`clusterDomain`).
   *
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * Applies the chart's `values-ha.yaml` profile: 3 replicas, anti-affinity, PodDisruptionBudgets, resources and
   * `webhookFailurePolicy: Fail`. HA needs at least 3 replicas (and 3 nodes).
   *
   * @default false
   */
  readonly ha?: boolean;
  /**
   * Replicas of each control-plane controller (`controllerReplicas`).
   *
   * @default - 1, or 3 with `ha`
   */
  readonly controllerReplicas?: number;
  /**
   * Requests and limits of the injected proxies.
   *
   * @default - the chart's defaults (or the HA profile's)
   */
  readonly proxyResources?: ProxyResources;
  /**
   * The proxies' log level, in Rust `env_logger` syntax (`warn,linkerd=info`).
   *
   * @default - the chart's default
   */
  readonly proxyLogLevel?: string;
  /**
   * The cluster-wide default inbound policy. The chart's default admits any client, meshed or not, on every meshed
   * port no Server covers; `CLUSTER_AUTHENTICATED` is the hardened choice once the ingress controller is meshed. The
   * synth summary's security-posture line states the value in effect.
   *
   * @default - the chart's default, DefaultInboundPolicy.ALL_UNAUTHENTICATED (linkerd/linkerd2@version-2.20:charts/linkerd-control-plane/values.yaml:251)
   */
  readonly defaultInboundPolicy?: DefaultInboundPolicy;
  /**
   * The cluster's pod and service networks, as CIDRs (`clusterNetworks`).
   *
   * @default - the chart's default (the private IPv4 ranges, plus fd00::/8 on 2.19+)
   */
  readonly clusterNetworks?: string[];
  /**
   * When the heartbeat CronJob runs. Always set: the chart otherwise derives it from the render time, and Argo CD
   * would see a new schedule on every compare.
   *
   * @default Cron.daily() (`0 0 * * *`)
   */
  readonly heartbeatSchedule?: Cron;
  /**
   * The failure policy of the proxy-injector, sp-validator and policy-validator webhooks. `IGNORE` lets pods start
   * unmeshed while the injector is down; `FAIL` blocks Pod and Service creation in every namespace the webhook selects
   * until it is back (so pair it with `ha`). The synth summary's security-posture line states the value in effect.
   *
   * @default - WebhookFailurePolicy.IGNORE (linkerd/linkerd2@version-2.20:charts/linkerd-control-plane/values.yaml:416), or FAIL with `ha`
   */
  readonly webhookFailurePolicy?: WebhookFailurePolicy;
  /**
   * The image pull policy of the control plane and proxies (`imagePullPolicy`).
   *
   * @default - the chart's default, IfNotPresent
   */
  readonly imagePullPolicy?: ImagePullPolicy;
  /**
   * Serves the admission webhooks with cert-manager Certificates (`externalSecret` + `injectCaFrom`) instead of
   * certificates the chart generates on every render.
   *
   * @default true
   */
  readonly webhookCertificates?: boolean;
  /**
   * The Pod Security Standard of the control-plane namespace.
   *
   * @default PodSecurityLevel.PRIVILEGED (what proxy-init needs without the CNI plugin)
   */
  readonly podSecurity?: PodSecurityLevel;
  /**
   * Any other chart values, merged last. Every key must exist in the chosen version's chart: Helm ignores a
   * misspelt key silently, this construct rejects it.
   *
   * @default - none
   */
  readonly values?: Record<string, any>;
}

/** Props for {@link LinkerdControlPlane}. */
export interface LinkerdControlPlaneProps extends LinkerdControlPlaneOptions {
  /** The identity chain; its namespace is the control-plane namespace and it supplies the identity values. */
  readonly identity: LinkerdIdentity;
  /**
   * The Linkerd version: chart versions, known values keys, feature gates.
   *
   * @default LinkerdVersion.LATEST
   */
  readonly version?: LinkerdVersion;
}

/** Options for {@link LinkerdControlPlane.addRelease}. */
export interface ControlPlaneReleaseOptions {
  /**
   * The linkerd-crds release, which must be installed first.
   *
   * @default - none declared
   */
  readonly crds?: ChartRelease;
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

const WEBHOOK_CONFIGURATION_KINDS = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

/**
 * The linkerd-control-plane chart's values for one cluster, with what a Helm or Argo CD install needs around them:
 * the control-plane Namespace (the chart only renders it for the CLI) and cert-manager webhook certificates.
 *
 * Values are typed; identity comes from a {@link LinkerdIdentity}; `values` reaches every other key but is checked
 * against the chart's keys for the version. The CLI's checks on values run on the merged result.
 *
 * It is the source of its version, cluster domain, trust domain and namespace for the constructs in its tree
 * ({@link LinkerdContext}): the chart it is created in and, when it is the app's only control plane, the whole app.
 *
 * @see https://linkerd.io/2-edge/install/helm/
 */
export class LinkerdControlPlane extends Construct {
  /** The Linkerd version. */
  public readonly version: LinkerdVersion;
  /** The control-plane namespace's name (the identity's namespace). */
  public readonly namespace: string;
  /** The control-plane Namespace construct (its labels and Pod Security level). */
  public readonly namespaceObject: ControlPlaneNamespace;
  /** The webhook CA and certificates; undefined when `webhookCertificates` is false. */
  public readonly webhooks?: WebhookIssuer;
  /** The complete values for the linkerd-control-plane chart. */
  public readonly helmValues: Record<string, any>;
  private readonly identity: LinkerdIdentity;

  constructor(scope: Construct, id: string, props: LinkerdControlPlaneProps) {
    super(scope, id);
    this.version = props.version ?? LinkerdVersion.LATEST;
    const identity = props.identity;
    this.identity = identity;
    const ha = props.ha ?? false;

    this.namespace = identity.namespace;
    this.namespaceObject = new ControlPlaneNamespace(this, 'namespace', { name: identity.namespace, podSecurity: props.podSecurity });
    identity.node.addDependency(this.namespaceObject);

    const webhookValues: Record<string, any> = {};
    if (props.webhookCertificates ?? true) {
      this.webhooks = new WebhookIssuer(this, 'webhooks', { namespace: identity.namespace });
      this.webhooks.node.addDependency(this.namespaceObject);
      webhookValues.proxyInjector = this.webhooks.addWebhook('proxy-injector', { name: 'linkerd-proxy-injector' }).helmValues;
      webhookValues.profileValidator = this.webhooks.addWebhook('sp-validator', { name: 'linkerd-sp-validator' }).helmValues;
      webhookValues.policyValidator = this.webhooks.addWebhook('policy-validator', { name: 'linkerd-policy-validator', encoding: PrivateKeyEncoding.PKCS8 }).helmValues;
    }

    const resources = props.proxyResources;
    const typed = {
      clusterDomain: props.clusterDomain ?? 'cluster.local',
      ...identity.helmValues,
      controllerReplicas: props.controllerReplicas,
      heartbeatSchedule: (props.heartbeatSchedule ?? Cron.daily()).expressionString,
      webhookFailurePolicy: props.webhookFailurePolicy,
      imagePullPolicy: props.imagePullPolicy,
      clusterNetworks: props.clusterNetworks?.join(','),
      proxy: {
        logLevel: props.proxyLogLevel,
        defaultInboundPolicy: props.defaultInboundPolicy,
        resources: resources && renderProxyResources(resources),
      },
      ...webhookValues,
    };
    const chart = `linkerd-control-plane ${this.version.major}`;
    // the chart's values.yaml (~40 ms to parse) is read only to check `values`: typed props are valid keys for every version
    const defaults = props.values ? chartValues(this.version, 'linkerd-control-plane', 'values.yaml') : undefined;
    const haProfile = ha ? chartValues(this.version, 'linkerd-control-plane', 'values-ha.yaml') : undefined;
    this.helmValues = mergeValues(ha ? haProfile : {}, compact(typed), props.values);

    throwIfProblems([
      ...(props.values ? unknownKeyProblems(props.values, [knownKeys(this.version, 'linkerd-control-plane')], chart) : []),
      ...(props.values ? valueTypeProblems(props.values, mergeValues(defaults, haProfile), chart) : []),
      ...controlPlaneValuesProblems(mergeValues(defaults, this.helmValues), ha, this.version),
    ], this);
    LinkerdContext._register(this);
  }

  /**
   * Delivers the chart: an Argo CD Application and a values file, both from {@link helmValues}. The release comes
   * after the identity chain, the webhook certificates, the namespace and the CRDs in Argo CD's sync waves.
   */
  public addRelease(id: string, options: ControlPlaneReleaseOptions = {}): ChartRelease {
    const release = new ChartRelease(this, id, {
      repository: this.version.helmRepository,
      repositoryName: this.version.helmRepositoryName,
      chart: this.version.controlPlaneChart.chart,
      version: this.version.controlPlaneChart.version,
      releaseName: 'linkerd-control-plane',
      namespace: this.identity.namespace,
      values: this.helmValues,
      project: options.project,
      automated: options.automated,
      syncOptions: this.webhooks ? [SyncOption.RESPECT_IGNORE_DIFFERENCES] : [],
      ignoreDifferences: this.webhooks ? WEBHOOK_CONFIGURATION_KINDS.map(kind => IgnoreDifference.jqPaths({
        group: 'admissionregistration.k8s.io',
        kind,
        expressions: ['.webhooks[]?.clientConfig.caBundle'],
        reason: 'cert-manager\'s cainjector writes the CA bundle of the webhooks (injectCaFrom)',
      })) : [],
    });
    release.node.addDependency(this.identity, this.namespaceObject,
      ...(this.webhooks ? [this.webhooks] : []), ...(options.crds ? [options.crds] : []));
    return release;
  }
}

/** Drops unset (undefined) props, and the objects left empty by that. */
function compact(values: Record<string, any>): Record<string, any> {
  const result: Record<string, any> = {};
  for (const [key, value] of Object.entries(values)) {
    const kept = isPlainObject(value) ? compact(value) : value;
    if (kept !== undefined && !(isPlainObject(kept) && Object.keys(kept).length === 0)) result[key] = kept;
  }
  return result;
}
