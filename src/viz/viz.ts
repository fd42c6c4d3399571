import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { clusterScoped } from '../_internal/cluster-scoped';
import { ValidationError, throwIfProblems } from '../_internal/errors';
import { isPlainObject, mergeValues } from '../_internal/merge';
import { dns1123LabelProblem, dns1123SubdomainProblem } from '../_internal/names';
import { Problems } from '../_internal/problems';
import { AutomatedSync, IgnoreDifference, SyncOption } from '../argocd/application';
import { ChartRelease } from '../delivery/chart-release';
import { chartValues, knownKeys, unknownKeyProblems, valueTypeProblems } from '../linkerd/_chart-values';
import { LinkerdControlPlane } from '../linkerd/control-plane';
import { LinkerdVersion } from '../linkerd/version';
import { WebhookIssuer } from '../linkerd/webhook-issuer';
import { webhookValuesProblems } from '../linkerd/webhook-issuer-rules';
import { AuthenticationRef, AuthorizationPolicy, PolicyTarget } from '../mesh/authorization-policy';
import { Server } from '../mesh/server';
import { ProxyProtocol, ServerPort } from '../mesh/server-port';
import { enforcedHostProblems, enforcedHostRegexp, hostRegexProblems } from './_enforced-host';

/** Where the dashboard and `linkerd viz` read metrics from. */
export class VizPrometheus {
  /** The Prometheus the viz chart installs (`prometheus.enabled: true`), the chart's default. */
  public static bundled(): VizPrometheus {
    return new VizPrometheus({ prometheus: { enabled: true } });
  }

  /** An existing Prometheus that scrapes the proxies (`prometheusUrl`); the chart installs none. */
  public static external(url: string): VizPrometheus {
    return new VizPrometheus({ prometheusUrl: url, prometheus: { enabled: false } });
  }

  /** No Prometheus: the dashboard shows no metrics. */
  public static none(): VizPrometheus {
    return new VizPrometheus({ prometheus: { enabled: false } });
  }

  private constructor(private readonly values: Record<string, any>) {}

  /** @internal */
  public _toValues(): Record<string, any> {
    return this.values;
  }
}

/** A ServiceAccount whose meshed pods may call the dashboard's web port (e.g. the ingress controller's). */
export interface DashboardClient {
  /** The ServiceAccount's name. */
  readonly name: string;
  /** The ServiceAccount's namespace. */
  readonly namespace: string;
}

/** Settings of {@link LinkerdViz} other than its control plane. */
export interface LinkerdVizOptions {
  /**
   * The viz namespace.
   *
   * @default 'linkerd-viz'
   */
  readonly namespace?: string;
  /**
   * Applies the chart's `values-ha.yaml` profile (3 tap replicas, anti-affinity, PodDisruptionBudgets, resources).
   *
   * @default false
   */
  readonly ha?: boolean;
  /**
   * Where metrics come from.
   *
   * @default VizPrometheus.bundled()
   */
  readonly prometheus?: VizPrometheus;
  /**
   * Dashboard (web) replicas.
   *
   * @default - the chart's default, 1
   */
  readonly dashboardReplicas?: number;
  /**
   * The external host names the dashboard answers to; they become `dashboard.enforcedHostRegexp`, anchored and
   * escaped. A {@link DashboardIngress} or {@link DashboardHttpRoute} adds its hosts here itself.
   *
   * @default - none: the chart's default, in-cluster names only
   */
  readonly dashboardHosts?: string[];
  /**
   * Accepts a `dashboard.enforcedHostRegexp` (set through `values`) that matches any host. The host check is what
   * stops DNS rebinding; turn it off only behind another guard.
   *
   * @default false
   */
  readonly allowAnyDashboardHost?: boolean;
  /**
   * Serves tap and tap-injector with cert-manager Certificates (`externalSecret` + `injectCaFrom`).
   *
   * @default true
   */
  readonly webhookCertificates?: boolean;
  /**
   * Any other chart values, checked against the chart's keys for the version.
   *
   * @default - none
   */
  readonly values?: Record<string, any>;
}

/**
 * The viz namespace unless `namespace` says otherwise.
 *
 * @internal
 */
export const VIZ_NAMESPACE = 'linkerd-viz';

/** Props for {@link LinkerdViz}. */
export interface LinkerdVizProps extends LinkerdVizOptions {
  /** The control plane viz extends: its version, namespace, cluster and trust domains. */
  readonly controlPlane: LinkerdControlPlane;
}

/** Options for {@link LinkerdViz.addRelease}. */
export interface VizReleaseOptions {
  /**
   * The control-plane release viz needs first.
   *
   * @default - none declared
   */
  readonly controlPlane?: ChartRelease;
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
 * The linkerd-viz extension's values, its namespace (the chart renders it only for the CLI) and cert-manager
 * certificates for tap and tap-injector.
 *
 * @see https://linkerd.io/2-edge/features/dashboard/
 */
export class LinkerdViz extends Construct {
  /** The Linkerd version. */
  public readonly version: LinkerdVersion;
  /** The viz namespace. */
  public readonly namespace: string;
  /** The generated Namespace. */
  public readonly namespaceObject: ApiObject;
  /** The control plane's default inbound policy, which also governs the dashboard's web port. */
  public readonly defaultInboundPolicy?: string;
  /** The tap and tap-injector certificates; undefined when `webhookCertificates` is false. */
  public readonly webhooks?: WebhookIssuer;
  private readonly hosts: string[];
  private readonly dashboardClients = new Set<string>();
  private webServer?: Server;
  private readonly baseValues: Record<string, any>;
  private release?: ChartRelease;

  constructor(scope: Construct, id: string, props: LinkerdVizProps) {
    super(scope, id);
    const cp = props.controlPlane;
    this.version = cp.version;
    this.defaultInboundPolicy = cp.helmValues.proxy?.defaultInboundPolicy;
    this.namespace = props.namespace ?? VIZ_NAMESPACE;
    this.hosts = [...props.dashboardHosts ?? []];
    const ha = props.ha ?? false;
    const problems = new Problems().add(dns1123LabelProblem('namespace', this.namespace));
    const haProfile = ha ? chartValues(this.version, 'linkerd-viz', 'values-ha.yaml') : undefined;
    if (props.values) {
      const chart = `linkerd-viz ${this.version.major}`;
      problems.addAll(unknownKeyProblems(props.values, [knownKeys(this.version, 'linkerd-viz')], chart));
      problems.addAll(valueTypeProblems(props.values, mergeValues(chartValues(this.version, 'linkerd-viz', 'values.yaml'), haProfile), chart));
    }
    problems.addAll(enforcedHostProblems(this.hosts));
    problems.throwIfAny(this);

    this.namespaceObject = new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: this.namespace,
        annotations: { 'linkerd.io/inject': 'enabled' },
        labels: { 'linkerd.io/extension': 'viz', 'pod-security.kubernetes.io/enforce': 'privileged' },
      },
    });
    clusterScoped(this.namespaceObject);

    const webhookValues: Record<string, any> = {};
    if (props.webhookCertificates ?? true) {
      this.webhooks = new WebhookIssuer(this, 'webhooks', { namespace: this.namespace });
      this.webhooks.node.addDependency(this.namespaceObject);
      webhookValues.tap = this.webhooks.addWebhook('tap', { name: 'tap' }).helmValues;
      webhookValues.tapInjector = this.webhooks.addWebhook('tap-injector', {
        name: 'linkerd-tap-injector', service: 'tap-injector', secretName: 'tap-injector-k8s-tls',
      }).helmValues;
    }
    const identity = cp.helmValues;
    this.baseValues = mergeValues(
      ha ? haProfile : {},
      {
        linkerdNamespace: cp.namespace,
        clusterDomain: identity.clusterDomain,
        identityTrustDomain: identity.identityTrustDomain,
        ...(props.prometheus ?? VizPrometheus.bundled())._toValues(),
        dashboard: props.dashboardReplicas === undefined ? undefined : { replicas: props.dashboardReplicas },
        ...webhookValues,
      },
      props.values,
    );
    throwIfProblems(['tap', 'tapInjector'].flatMap(block => webhookValuesProblems(block, this.baseValues[block])), this);
    const allowAnyHost = props.allowAnyDashboardHost ?? false;
    this.node.addValidation({
      validate: () => {
        // a regex built from the hosts is right by construction (escaped, anchored, tested); a given one is read as Go would
        const explicit = this.explicitHostRegexp;
        return explicit ? hostRegexProblems(explicit, this.hosts, allowAnyHost) : [];
      },
    });
  }

  /** The complete values for the linkerd-viz chart, with `dashboard.enforcedHostRegexp` from the dashboard hosts. */
  public get helmValues(): Record<string, any> {
    return this.hosts.length === 0 || this.explicitHostRegexp ? this.baseValues
      : mergeValues(this.baseValues, { dashboard: { enforcedHostRegexp: enforcedHostRegexp(this.hosts, this.namespace, this.baseValues.clusterDomain ?? 'cluster.local') } });
  }

  /** A `dashboard.enforcedHostRegexp` given through `values`. */
  private get explicitHostRegexp(): string | undefined {
    return isPlainObject(this.baseValues.dashboard) ? this.baseValues.dashboard.enforcedHostRegexp : undefined;
  }

  /** The external dashboard hosts registered so far. */
  public get dashboardHosts(): readonly string[] {
    return [...this.hosts];
  }

  /**
   * Lets the dashboard answer to more external hosts. Called by {@link DashboardIngress} and {@link DashboardHttpRoute};
   * must come before {@link addRelease}, which renders the values.
   */
  public addDashboardHosts(scope: Construct, hosts: string[]): void {
    if (this.release) {
      throw new ValidationError(`dashboard hosts ${hosts.join(', ')} come after ${this.release.node.path} rendered the viz values: create the dashboard exposure before calling addRelease`, scope);
    }
    throwIfProblems(enforcedHostProblems(hosts), scope);
    for (const host of hosts) if (!this.hosts.includes(host)) this.hosts.push(host);
  }

  /**
   * Admits a ServiceAccount's meshed pods on the dashboard's web port, and from the first call on, nobody else: a
   * `policy.linkerd.io` Server `dashboard-web` on the web pods' `http` port (8084) and one AuthorizationPolicy per
   * client, requiring the client's ServiceAccount identity. The chart ships policies for metrics-api, tap,
   * tap-injector and prometheus but none for web (linkerd2@version-2.20 `viz/charts/linkerd-viz/templates/*-policy.yaml`),
   * so without this any pod may call `web:8084` with a matching Host header and get the dashboard and tap without
   * the Ingress' password. The kubelet probes are on the `admin` port 9994, which this Server does not select
   * (`viz/charts/linkerd-viz/templates/web.yaml:118-133`), so they keep working; `linkerd viz dashboard` port-forwards,
   * which arrive from localhost, and the proxy always admits localhost on every Server
   * (linkerd2-proxy@release/v2.359.0 `linkerd/proxy/server-policy/src/lib.rs:159-172`).
   *
   * A ServiceAccount reference admits exactly `<name>.<namespace>.serviceaccount.identity.linkerd.<trust domain>`
   * (linkerd2@version-2.20 `policy-controller/k8s/index/src/inbound/index.rs:2075-2086`): the client must be meshed.
   */
  public allowDashboardClient(scope: Construct, client: DashboardClient): void {
    new Problems().add(dns1123SubdomainProblem('dashboard client name', client.name), dns1123LabelProblem('dashboard client namespace', client.namespace)).throwIfAny(scope);
    if (!this.webServer) {
      this.webServer = new Server(this, 'dashboard-web', {
        metadata: { name: 'dashboard-web', namespace: this.namespace, labels: { 'linkerd.io/extension': 'viz', 'component': 'web' } },
        podSelector: { 'linkerd.io/extension': 'viz', 'component': 'web' },
        port: ServerPort.named('http'),
        proxyProtocol: ProxyProtocol.HTTP1,
        version: this.version,
      });
      this.webServer.node.addDependency(this.namespaceObject);
    }
    const key = `${client.namespace}/${client.name}`;
    if (this.dashboardClients.has(key)) return;
    this.dashboardClients.add(key);
    new AuthorizationPolicy(this.webServer, `client-${client.namespace}-${client.name}`, {
      metadata: { name: `dashboard-web-${client.namespace}-${client.name}`, namespace: this.namespace, labels: { 'linkerd.io/extension': 'viz', 'component': 'web' } },
      targetRef: PolicyTarget.server(this.webServer),
      requiredAuthenticationRefs: [AuthenticationRef.serviceAccount(client.name, client.namespace)],
    });
  }

  /** The ServiceAccounts admitted on the dashboard's web port, as `namespace/name`; empty while the port is open to all. */
  public get dashboardClientAccounts(): readonly string[] {
    return [...this.dashboardClients];
  }

  /**
   * Delivers the chart: an Argo CD Application and a values file, both from {@link helmValues}, after the control
   * plane, the viz namespace and the webhook certificates in Argo CD's sync waves.
   */
  public addRelease(id: string, options: VizReleaseOptions = {}): ChartRelease {
    const withWebhooks = this.webhooks !== undefined;
    this.release = new ChartRelease(this, id, {
      repository: this.version.helmRepository,
      repositoryName: this.version.helmRepositoryName,
      chart: this.version.vizChart.chart,
      version: this.version.vizChart.version,
      releaseName: 'linkerd-viz',
      namespace: this.namespace,
      values: this.helmValues,
      project: options.project,
      automated: options.automated,
      syncOptions: withWebhooks ? [SyncOption.RESPECT_IGNORE_DIFFERENCES] : [],
      ignoreDifferences: withWebhooks ? [
        IgnoreDifference.jqPaths({
          group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', expressions: ['.webhooks[]?.clientConfig.caBundle'],
          reason: 'cert-manager\'s cainjector writes the CA bundle of the tap-injector webhook (injectCaFrom)',
        }),
        IgnoreDifference.jqPaths({
          group: 'apiregistration.k8s.io', kind: 'APIService', expressions: ['.spec.caBundle'],
          reason: 'cert-manager\'s cainjector writes the CA bundle of the tap APIService (injectCaFrom)',
        }),
      ] : [],
    });
    this.release.node.addDependency(this.namespaceObject,
      ...(this.webhooks ? [this.webhooks] : []), ...(options.controlPlane ? [options.controlPlane] : []));
    return this.release;
  }
}
