import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { perSynth } from '../_internal/per-synth';
import { DefaultInboundPolicy, LinkerdControlPlane, UNAUTHENTICATED_INBOUND_POLICIES } from '../linkerd/control-plane';
import { LinkerdContext, serviceAccountIdentity } from '../linkerd/context';
import { LinkerdFeature, LinkerdVersion } from '../linkerd/version';
import {
  CHART_DEFAULTS, DEFAULT_INBOUND_POLICY, ignoredNativeSidecarAnnotations, INJECT, namespaceExclusion, nativeSidecarOf, OPAQUE_PORTS,
  podLabelExclusion, SKIP_INBOUND_PORTS, SKIP_OUTBOUND_PORTS,
} from './_annotations';
import { LabelSelectorJson, resolveServerPorts, RUN_TO_COMPLETION_KINDS, selects, WorkloadFacts, workloadFacts } from './_workload';
import { targetsKind } from '../_internal/target-kind';
import { parsePortList, PortRange } from './port-range';

const INJECT_VALUES = ['enabled', 'disabled', 'ingress'];
const POLICY_GROUP = 'policy.linkerd.io';
/** `config.linkerd.io/proxy-require-identity-inbound-ports` (read from the pod by the policy controller). */
const REQUIRE_IDENTITY_PORTS = 'config.linkerd.io/proxy-require-identity-inbound-ports';
/** The default inbound policies (linkerd/linkerd2@version-2.20:policy-controller/k8s/index/src/defaults.rs:33-56). */
const DEFAULT_POLICIES: readonly string[] = Object.values(DefaultInboundPolicy);
/** Marks the AuthorizationPolicy construct that `Server.authorizeProbes` makes. */
export const PROBE_POLICY = Symbol.for('cdk8s-linkerd.mesh.ProbePolicy');

/** A rendered object and the construct that renders it. */
export interface Rendered {
  readonly apiObject: ApiObject;
  readonly json: any;
}

/** A workload of the app, rendered. */
export interface ModelWorkload extends Rendered {
  readonly facts: WorkloadFacts;
}

/** A Namespace of the app, rendered. */
export interface ModelNamespace {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/** Cluster-wide settings that decide meshing and port handling. */
export interface ClusterDefaults {
  readonly version: LinkerdVersion;
  readonly opaquePorts: string;
  readonly ignoreInboundPorts: string;
  readonly ignoreOutboundPorts: string;
  readonly defaultInboundPolicy: string;
  readonly nativeSidecar: boolean;
  readonly controlPlaneNamespace: string;
  readonly trustDomain: string;
}

/** The cluster defaults of a version, overlaid with a control plane's values when there is one. */
export function clusterDefaults(version: LinkerdVersion | undefined, controlPlane: LinkerdControlPlane | undefined): ClusterDefaults {
  const v = controlPlane?.version ?? version ?? LinkerdContext.DEFAULTS.version;
  const values = controlPlane?.helmValues ?? {};
  return {
    version: v,
    opaquePorts: values.proxy?.opaquePorts ?? CHART_DEFAULTS.opaquePorts,
    ignoreInboundPorts: values.proxyInit?.ignoreInboundPorts ?? CHART_DEFAULTS.ignoreInboundPorts,
    ignoreOutboundPorts: values.proxyInit?.ignoreOutboundPorts ?? CHART_DEFAULTS.ignoreOutboundPorts,
    defaultInboundPolicy: values.proxy?.defaultInboundPolicy ?? CHART_DEFAULTS.defaultInboundPolicy,
    nativeSidecar: values.proxy?.nativeSidecar ?? v.nativeSidecarDefault,
    controlPlaneNamespace: controlPlane?.namespace.name ?? LinkerdContext.DEFAULTS.controlPlaneNamespace,
    trustDomain: values.identityTrustDomain || values.clusterDomain || LinkerdContext.DEFAULTS.trustDomain,
  };
}

/** Every object of an app that matters to the mesh, rendered once. */
export class MeshModel {
  /** Renders every ApiObject under a construct (normally the app), once per synthesis ({@link perSynth}). */
  public static of(root: IConstruct): MeshModel {
    return perSynth(root, 'mesh-model', () => {
      const objects = root.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
      return new MeshModel(objects.map(apiObject => ({ apiObject, json: apiObject.toJson() })));
    });
  }

  /**
   * A model of objects that are not in a construct tree (`cdk8s-linkerd check`): each `apiObject` is a stand-in key
   * whose `node.scope` is undefined.
   *
   * @internal
   */
  public static fromRendered(objects: Rendered[]): MeshModel {
    return new MeshModel(objects);
  }

  public readonly namespaces = new Map<string, ModelNamespace>();
  public readonly workloads: ModelWorkload[] = [];
  public readonly services: Rendered[] = [];
  /** policy.linkerd.io and gateway.networking.k8s.io objects. */
  public readonly policies: Rendered[] = [];

  // indexes, so that each of a thousand Servers looks only at what concerns it
  private readonly policyIndex = new Map<string, Rendered[]>();
  private readonly routeIndex = new Map<string, Rendered[]>();
  private readonly workloadIndex = new Map<string, ModelWorkload[]>();
  private readonly workloadObjects = new Map<ApiObject, ModelWorkload>();
  /** Each policy object's position among the objects of its kind and namespace. */
  private readonly positions = new Map<ApiObject, number>();
  // built on first use
  private serverKeys?: Map<string, number[]>;
  private namedPolicies?: Map<string, Rendered[]>;
  private workloadsByServiceAccount?: Map<string, ModelWorkload[]>;
  private readonly serverSelectors = new Map<string, SelectorIndex>();
  private serviceSelectors?: Map<string, { services: Rendered[]; index: SelectorIndex }>;
  private readonly workloadLabels = new Map<string, Map<string, ModelWorkload[]>>();
  private readonly policyTargets = new Map<string, { namespaceWide: number[]; byServer: Map<string, number[]> }>();

  private constructor(objects: Rendered[]) {
    for (const o of objects) {
      const { apiVersion, kind, metadata } = o.json ?? {};
      const group = String(apiVersion ?? '').includes('/') ? String(apiVersion).split('/')[0] : '';
      if (kind === 'Namespace' && group === '') {
        this.namespaces.set(metadata?.name, { labels: metadata?.labels ?? {}, annotations: metadata?.annotations ?? {} });
      } else if (kind === 'Service' && group === '') {
        this.services.push(o);
      } else if (group === POLICY_GROUP || group === 'gateway.networking.k8s.io') {
        this.policies.push(o);
        const namespace = metadata?.namespace ?? 'default';
        this.positions.set(o.apiObject, appendTo(this.policyIndex, `${kind} ${namespace}`, o));
        if (kind === 'HTTPRoute' || kind === 'GRPCRoute') {
          for (const ref of o.json.spec?.parentRefs ?? []) {
            if (ref.kind === 'Server' && (ref.group ?? POLICY_GROUP) === POLICY_GROUP) appendTo(this.routeIndex, `${ref.namespace ?? namespace}/${ref.name}`, o);
          }
        }
      } else {
        const facts = workloadFacts(o.json);
        if (facts) {
          const workload = { ...o, facts };
          this.workloads.push(workload);
          this.workloadObjects.set(o.apiObject, workload);
          appendTo(this.workloadIndex, facts.namespace, workload);
        }
      }
    }
  }

  /** The policy objects of a kind in a namespace. */
  public policiesOf(kind: string, namespace: string): Rendered[] {
    return this.policyIndex.get(`${kind} ${namespace}`) ?? [];
  }

  /** A policy object's position in {@link policiesOf} its kind and namespace; -1 when it is not in the model. */
  public positionOf(apiObject: ApiObject): number {
    return this.positions.get(apiObject) ?? -1;
  }

  /** Positions of the namespace's Servers with this podSelector (the same JSON) and this port. */
  public serversWithSelectorAndPort(namespace: string, podSelector: unknown, port: unknown): number[] {
    const key = (ns: string, selector: unknown, p: unknown) => `${ns}\0${JSON.stringify(selector)}\0${JSON.stringify(p)}`;
    if (!this.serverKeys) {
      const keys = new Map<string, number[]>();
      for (const [k, servers] of this.policyIndex) {
        if (!k.startsWith('Server ')) continue;
        servers.forEach((server, position) => {
          appendTo(keys, key(k.slice('Server '.length), server.json.spec?.podSelector, server.json.spec?.port), position);
        });
      }
      this.serverKeys = keys;
    }
    return this.serverKeys.get(key(namespace, podSelector, port)) ?? [];
  }

  /** Positions of the Servers of a workload's namespace whose podSelector selects its pods. */
  public serversSelecting(workload: WorkloadFacts): number[] {
    let index = this.serverSelectors.get(workload.namespace);
    if (!index) {
      index = new SelectorIndex(this.policiesOf('Server', workload.namespace).map(s => s.json.spec?.podSelector ?? {}));
      this.serverSelectors.set(workload.namespace, index);
    }
    return index.selecting(workload.labels);
  }

  /** The Services of a workload's namespace whose (non-empty) selector selects its pods, in app order. */
  public servicesSelecting(workload: WorkloadFacts): Rendered[] {
    if (!this.serviceSelectors) {
      this.serviceSelectors = new Map();
      const byNamespace = new Map<string, Rendered[]>();
      for (const service of this.services) appendTo(byNamespace, service.json.metadata?.namespace ?? 'default', service);
      for (const [namespace, services] of byNamespace) {
        // a Service without a selector selects nothing (its endpoints are managed by hand)
        const selectors = services.map(s => Object.keys(s.json.spec?.selector ?? {}).length > 0 ? { matchLabels: s.json.spec.selector } : undefined);
        this.serviceSelectors.set(namespace, { services, index: new SelectorIndex(selectors) });
      }
    }
    const found = this.serviceSelectors.get(workload.namespace);
    return found ? found.index.selecting(workload.labels).map(position => found.services[position]) : [];
  }

  /** The workload an ApiObject renders, if it is one. */
  public workloadOf(apiObject: ApiObject | undefined): ModelWorkload | undefined {
    return apiObject && this.workloadObjects.get(apiObject);
  }

  /** The workloads of a namespace whose pods a label selector selects, in app order. */
  public workloadsSelectedBy(namespace: string, selector: LabelSelectorJson | undefined): ModelWorkload[] {
    const [first] = Object.entries(selector?.matchLabels ?? {});
    if (!first) return this.workloadsIn(namespace).filter(w => selects(selector, w.facts.labels));
    let byLabel = this.workloadLabels.get(namespace);
    if (!byLabel) {
      byLabel = new Map();
      for (const w of this.workloadsIn(namespace)) {
        for (const [k, v] of Object.entries(w.facts.labels)) appendTo(byLabel, `${k}\0${v}`, w);
      }
      this.workloadLabels.set(namespace, byLabel);
    }
    return (byLabel.get(`${first[0]}\0${first[1]}`) ?? []).filter(w => selects(selector, w.facts.labels));
  }

  /** The policy objects of a kind and namespace with a name, in app order (normally one). */
  public policiesNamed(kind: string, namespace: string, name: string): Rendered[] {
    if (!this.namedPolicies) {
      this.namedPolicies = new Map();
      for (const [kindAndNamespace, objects] of this.policyIndex) {
        for (const o of objects) appendTo(this.namedPolicies, `${kindAndNamespace} ${o.json.metadata?.name}`, o);
      }
    }
    return this.namedPolicies.get(`${kind} ${namespace} ${name}`) ?? [];
  }

  /** The workloads of a namespace that run as a ServiceAccount. */
  public workloadsRunningAs(namespace: string, serviceAccount: string): ModelWorkload[] {
    if (!this.workloadsByServiceAccount) {
      this.workloadsByServiceAccount = new Map();
      for (const w of this.workloads) appendTo(this.workloadsByServiceAccount, `${w.facts.namespace}/${w.facts.serviceAccount}`, w);
    }
    return this.workloadsByServiceAccount.get(`${namespace}/${serviceAccount}`) ?? [];
  }

  /**
   * The AuthorizationPolicies of a workload's namespace that may cover it, in app order: those targeting a Namespace,
   * and those targeting a Server that selects its pods or a route attached to such a Server.
   */
  public authorizationPoliciesFor(workload: WorkloadFacts): Rendered[] {
    const namespace = workload.namespace;
    const policies = this.policiesOf('AuthorizationPolicy', namespace);
    let targets = this.policyTargets.get(namespace);
    if (!targets) {
      const found = { namespaceWide: [] as number[], byServer: new Map<string, number[]>() };
      policies.forEach((policy, position) => {
        const ref = policy.json.spec?.targetRef ?? {};
        if (ref.kind === 'Namespace') found.namespaceWide.push(position);
        const servers: string[] = ref.kind === 'Server' ? [ref.name] : this.policiesNamed(ref.kind, namespace, ref.name)
          .flatMap(route => (route.json.spec?.parentRefs ?? []).filter((p: any) => targetsKind(p, POLICY_GROUP, 'Server')).map((p: any) => p.name));
        for (const server of new Set(servers)) appendTo(found.byServer, server, position);
      });
      targets = found;
      this.policyTargets.set(namespace, targets);
    }
    const servers = this.policiesOf('Server', namespace);
    const positions = new Set(targets.namespaceWide);
    for (const server of this.serversSelecting(workload)) {
      for (const position of targets.byServer.get(servers[server].json.metadata?.name) ?? []) positions.add(position);
    }
    return [...positions].sort((a, b) => a - b).map(position => policies[position]);
  }

  /** The HTTPRoutes and GRPCRoutes whose parent is a Server. */
  public routesTo(serverName: string, namespace: string): Rendered[] {
    return this.routeIndex.get(`${namespace}/${serverName}`) ?? [];
  }

  /** The workloads of a namespace. */
  public workloadsIn(namespace: string): ModelWorkload[] {
    return this.workloadIndex.get(namespace) ?? [];
  }
}

/** Whether, and why, a workload's pods get a proxy. */
export interface Meshing {
  readonly meshed: boolean;
  /** How the pods are meshed or why they are not, e.g. `namespace demo has linkerd.io/inject: enabled`. */
  readonly reason: string;
}

/** Decides meshing the way the proxy injector does (`l5d:pkg/inject/report.go`), from what the app declares. */
export function meshing(facts: WorkloadFacts, model: MeshModel): Meshing {
  const ns = model.namespaces.get(facts.namespace);
  const excluded = namespaceExclusion(facts.namespace, ns?.labels) ?? podLabelExclusion(facts.labels);
  if (excluded) return { meshed: false, reason: excluded };
  if (facts.hostNetwork) return { meshed: false, reason: 'its pods use hostNetwork, which the proxy injector skips' };
  const pod = facts.annotations[INJECT];
  if (pod !== undefined) {
    if (!INJECT_VALUES.includes(pod)) return { meshed: false, reason: `its pod template has an invalid ${INJECT} value ${JSON.stringify(pod)}` };
    return { meshed: pod !== 'disabled', reason: `its pod template has ${INJECT}: ${pod}` };
  }
  const nsValue = ns?.annotations[INJECT];
  if (nsValue === 'enabled' || nsValue === 'ingress') return { meshed: true, reason: `namespace ${facts.namespace} has ${INJECT}: ${nsValue}` };
  if (nsValue !== undefined && nsValue !== 'disabled') {
    return { meshed: false, reason: `namespace ${facts.namespace} has an invalid ${INJECT} value ${JSON.stringify(nsValue)}` };
  }
  const where = ns ? `namespace ${facts.namespace}` : `namespace ${facts.namespace} (not declared in this app)`;
  return { meshed: false, reason: `neither its pod template nor ${where} has ${INJECT}: enabled` };
}

/** A config annotation as the proxy sees it: the pod template's, else the namespace's. */
export function effectiveAnnotation(facts: WorkloadFacts, model: MeshModel, key: string): string | undefined {
  return facts.annotations[key] ?? model.namespaces.get(facts.namespace)?.annotations[key];
}

/** How a meshed pod's proxy handles inbound traffic on a port. */
export enum PortHandling {
  /** Through the proxy, mTLS between meshed pods, with protocol detection. */
  MTLS = 'mtls',
  /** Through the proxy, mTLS between meshed pods, as opaque TCP. */
  OPAQUE = 'opaque',
  /** Around the proxy (skip-inbound-ports): plaintext, no policy. */
  SKIPPED = 'skipped',
  /** No proxy at all. */
  PLAINTEXT = 'plaintext',
}

/** The port lists that apply to a workload's proxy. */
export interface ProxyPorts {
  readonly skipInbound: readonly PortRange[];
  readonly skipOutbound: readonly PortRange[];
  readonly opaque: readonly PortRange[];
}

/** The port lists of a workload: the annotation on its pod template or namespace, else the cluster-wide list. */
export function proxyPorts(facts: WorkloadFacts, model: MeshModel, defaults: ClusterDefaults): ProxyPorts {
  const list = (key: string, fallback: string) => parsePortList(effectiveAnnotation(facts, model, key) ?? fallback).ranges;
  // each annotation replaces its cluster-wide list (`l5d:pkg/inject/inject.go` proxyInboundSkipPorts)
  return {
    skipInbound: list(SKIP_INBOUND_PORTS, defaults.ignoreInboundPorts),
    skipOutbound: list(SKIP_OUTBOUND_PORTS, defaults.ignoreOutboundPorts),
    opaque: list(OPAQUE_PORTS, defaults.opaquePorts),
  };
}

/** How a port of a workload is handled. */
export function portHandling(meshed: boolean, ports: ProxyPorts, port: number): PortHandling {
  if (!meshed) return PortHandling.PLAINTEXT;
  if (ports.skipInbound.some(r => r.includes(port))) return PortHandling.SKIPPED;
  return ports.opaque.some(r => r.includes(port)) ? PortHandling.OPAQUE : PortHandling.MTLS;
}

/** The default inbound policy of a workload's proxies, and where it comes from, e.g. `deny (namespace demo)`. */
export function inboundPolicy(facts: WorkloadFacts, model: MeshModel, defaults: ClusterDefaults): string {
  const { policy, where } = defaultPolicyOf(facts, model, defaults);
  return `${policy} (${where})`;
}

/**
 * The default inbound policy of a workload: the pod's annotation, which the injector copies from the namespace when the
 * pod has none (linkerd/linkerd2@version-2.20:pkg/inject/inject.go:174-188), else the cluster-wide `--default-policy`;
 * an annotation value the policy controller cannot parse is ignored
 * (policy-controller/k8s/index/src/inbound/workload.rs:164-167, inbound/index.rs:1767).
 */
export function defaultPolicyOf(facts: WorkloadFacts, model: MeshModel, defaults: ClusterDefaults): { policy: string; where: string } {
  const own = facts.annotations[DEFAULT_INBOUND_POLICY];
  if (own !== undefined && DEFAULT_POLICIES.includes(own)) return { policy: own, where: 'pod template' };
  const ns = model.namespaces.get(facts.namespace)?.annotations[DEFAULT_INBOUND_POLICY];
  if (own === undefined && ns !== undefined && DEFAULT_POLICIES.includes(ns)) return { policy: ns, where: `namespace ${facts.namespace}` };
  return { policy: defaults.defaultInboundPolicy, where: 'cluster default' };
}

/** One authorization that applies to a port. */
export interface PortAuthorization {
  /** What grants it, e.g. `AuthorizationPolicy demo/web` or `accessPolicy audit of Server demo/web-http`. */
  readonly source: string;
  /** Whether it admits clients without a mesh identity. */
  readonly unauthenticated: boolean;
}

/** Who may reach a port of a meshed workload through its proxy, as the policy controller decides it. */
export interface PortPolicy {
  /** The Server that selects the port, if any. */
  readonly server?: Rendered;
  /** What decides, e.g. `Server demo/web-http` or `the default inbound policy deny (cluster default)`. */
  readonly decidedBy: string;
  /** The authorizations, besides the kubelet probe route; empty means every client is refused. */
  readonly authorizations: PortAuthorization[];
}

/**
 * The first Server (in app order) of a workload's namespace that selects the workload on a pod port; with two, the
 * policy controller keeps one and logs a conflict (inbound/index.rs:1259), which {@link Server} reports as an error.
 */
export function serverFor(model: MeshModel, facts: WorkloadFacts, port: number): Rendered | undefined {
  const servers = model.policiesOf('Server', facts.namespace);
  const position = model.serversSelecting(facts).find(p => resolveServerPorts(facts, servers[p].json.spec?.port).includes(port));
  return position === undefined ? undefined : servers[position];
}

/**
 * Who may reach a port of a meshed workload. With a Server: the AuthorizationPolicies targeting it or its Namespace,
 * ServerAuthorizations selecting it and its `accessPolicy` (linkerd/linkerd2@version-2.20:policy-controller/k8s/index/src/inbound/index.rs:1817-1888),
 * plus, when `routes`, the policies of the routes its protocol uses: HTTPRoutes unless gRPC, GRPCRoutes for gRPC, none for
 * opaque and TLS (policy-controller/grpc/src/inbound.rs:186-220). Without a Server: the default inbound policy, made
 * authenticated-only on the pod's require-identity ports (inbound/index.rs:1767-1776). Namespace-targeted policies apply
 * to Servers only (inbound/index.rs:1848). An AuthorizationPolicy requiring no MeshTLSAuthentication and no
 * ServiceAccount admits clients without identity (inbound/index.rs:2121-2123).
 */
export function portPolicy(
  model: MeshModel, facts: WorkloadFacts, port: number, defaults: ClusterDefaults, options: { routes: boolean } = { routes: true },
): PortPolicy {
  const server = serverFor(model, facts, port);
  if (!server) {
    const { policy, where } = defaultPolicyOf(facts, model, defaults);
    const requireIdentity = parsePortList(effectiveAnnotation(facts, model, REQUIRE_IDENTITY_PORTS) ?? '').ranges.some(r => r.includes(port));
    const unauthenticated = UNAUTHENTICATED_INBOUND_POLICIES.includes(policy) && !(requireIdentity && policy !== 'audit');
    const source = `the default inbound policy ${policy} (${where})${requireIdentity && policy !== 'audit' ? `, identity required on port ${port}` : ''}`;
    return {
      decidedBy: source,
      authorizations: policy === 'deny' ? [] : [{ source, unauthenticated }],
    };
  }
  return { server, decidedBy: `Server ${facts.namespace}/${server.json.metadata?.name}`, authorizations: serverAuthorizations(model, server, options.routes) };
}

/** Whether an AuthorizationPolicy is the probe authorization `Server.authorizeProbes` makes. */
export function isProbePolicy(policy: Rendered): boolean {
  return (policy.apiObject.node.scope as any)?.[PROBE_POLICY] === true;
}

/** The route kinds a Server's proxy protocol uses. */
export function routeKindsOf(protocol: string | undefined): string[] {
  if (protocol === 'gRPC') return ['GRPCRoute'];
  return protocol === 'opaque' || protocol === 'TLS' ? [] : ['HTTPRoute'];
}

/** The positions of a namespace's AuthorizationPolicies by `<target kind> <target name>`, per model. */
const POLICIES_BY_TARGET = new WeakMap<MeshModel, Map<string, Map<string, number[]>>>();

function policiesByTarget(model: MeshModel, namespace: string): Map<string, number[]> {
  let perNamespace = POLICIES_BY_TARGET.get(model);
  if (!perNamespace) POLICIES_BY_TARGET.set(model, perNamespace = new Map());
  let index = perNamespace.get(namespace);
  if (!index) {
    const built = new Map<string, number[]>();
    model.policiesOf('AuthorizationPolicy', namespace).forEach((policy, position) => {
      const ref = policy.json.spec?.targetRef ?? {};
      appendTo(built, `${ref.kind} ${ref.name}`, position);
    });
    perNamespace.set(namespace, index = built);
  }
  return index;
}

/** Each Server's authorizations, with and without its routes': Servers are shared by many ports and flows. */
const SERVER_AUTHORIZATIONS = new WeakMap<Rendered, Map<boolean, PortAuthorization[]>>();

function serverAuthorizations(model: MeshModel, server: Rendered, routes: boolean): PortAuthorization[] {
  let cached = SERVER_AUTHORIZATIONS.get(server);
  if (!cached) SERVER_AUTHORIZATIONS.set(server, cached = new Map());
  let found = cached.get(routes);
  if (!found) cached.set(routes, found = computeServerAuthorizations(model, server, routes));
  return found;
}

function computeServerAuthorizations(model: MeshModel, server: Rendered, routes: boolean): PortAuthorization[] {
  const namespace = server.json.metadata?.namespace ?? 'default';
  const name = server.json.metadata?.name;
  const kinds = routes ? routeKindsOf(server.json.spec?.proxyProtocol) : [];
  const routed = new Set(model.routesTo(name, namespace).filter(r => kinds.includes(r.json.kind)).map(r => `${r.json.kind} ${r.json.metadata?.name}`));
  const found: PortAuthorization[] = [];
  const byTarget = policiesByTarget(model, namespace);
  const keys = [`Server ${name}`, `Namespace ${namespace}`, ...routed];
  const positions = [...new Set(keys.flatMap(k => byTarget.get(k) ?? []))].sort((x, y) => x - y);
  const policies = model.policiesOf('AuthorizationPolicy', namespace);
  for (const policy of positions.map(position => policies[position])) {
    if (isProbePolicy(policy)) continue;
    const refs: any[] = policy.json.spec?.requiredAuthenticationRefs ?? [];
    const identity = refs.some(requiresIdentity);
    found.push({ source: `AuthorizationPolicy ${namespace}/${policy.json.metadata?.name}`, unauthenticated: !identity });
  }
  for (const saz of model.policiesOf('ServerAuthorization', namespace)) {
    const target = saz.json.spec?.server ?? {};
    if (target.name !== undefined ? target.name !== name : !target.selector || !selects(target.selector, server.json.metadata?.labels ?? {})) continue;
    const client = saz.json.spec?.client ?? {};
    found.push({ source: `ServerAuthorization ${namespace}/${saz.json.metadata?.name}`, unauthenticated: client.unauthenticated === true || client.meshTLS?.unauthenticatedTLS === true });
  }
  const access: string | undefined = server.json.spec?.accessPolicy;
  if (access !== undefined && access !== 'deny' && DEFAULT_POLICIES.includes(access)) {
    found.push({ source: `accessPolicy ${access} of Server ${namespace}/${name}`, unauthenticated: UNAUTHENTICATED_INBOUND_POLICIES.includes(access) });
  }
  return found;
}

/** Things about a workload's meshing that a user would want to know. */
export function meshNotes(facts: WorkloadFacts, meshed: boolean, model: MeshModel, defaults: ClusterDefaults): string[] {
  const notes: string[] = [];
  if (facts.ownAnnotations[INJECT] !== undefined) {
    notes.push(`${INJECT} on the ${facts.kind}'s own metadata is ignored: the injector reads the pod template and the namespace`);
  }
  if (meshed) notes.push(...ignoredNativeSidecarAnnotations(defaults.version, facts.annotations));
  if (meshed && RUN_TO_COMPLETION_KINDS.includes(facts.kind)) {
    const native = defaults.version.supports(LinkerdFeature.NATIVE_SIDECAR) && nativeSidecarOf(defaults.version, facts.annotations,
      model.namespaces.get(facts.namespace)?.annotations ?? {}, defaults.nativeSidecar);
    if (!native) notes.push(`its proxy is not a native sidecar, so it keeps running after the ${facts.kind}'s containers exit and the ${facts.kind} never completes`);
  }
  return notes;
}

/** The mTLS identity of a ServiceAccount. */
/**
 * Whether an authentication ref admits only meshed identities: a MeshTLSAuthentication or a ServiceAccount, kinds
 * compared as the policy controller compares them ({@link targetsKind}).
 */
export function requiresIdentity(ref: { group?: unknown; kind?: unknown }): boolean {
  return targetsKind(ref, POLICY_GROUP, 'MeshTLSAuthentication') || targetsKind(ref, '', 'ServiceAccount');
}

export function identityOf(serviceAccount: string, namespace: string, defaults: ClusterDefaults): string {
  return serviceAccountIdentity(serviceAccount, namespace, defaults.controlPlaneNamespace, defaults.trustDomain);
}

/** Appends to the list under a key (in place: copying would make building an index quadratic); returns its position. */
function appendTo<T>(index: Map<string, T[]>, key: string, value: T): number {
  const list = index.get(key);
  if (list) return list.push(value) - 1;
  index.set(key, [value]);
  return 0;
}

/**
 * Label selectors, indexed so that finding the ones that select a pod's labels does not test every selector: each
 * selector with `matchLabels` is filed under one of its pairs, which any labels it selects must have.
 */
class SelectorIndex {
  private readonly byLabel = new Map<string, number[]>();
  private readonly unfiled: number[] = [];

  /** `undefined` selects nothing. */
  constructor(private readonly selectors: readonly (LabelSelectorJson | undefined)[]) {
    selectors.forEach((selector, position) => {
      if (selector === undefined) return;
      const [first] = Object.entries(selector.matchLabels ?? {});
      if (first) appendTo(this.byLabel, `${first[0]}\0${first[1]}`, position);
      else this.unfiled.push(position);
    });
  }

  /** Positions of the selectors that select these labels, in order. */
  public selecting(labels: Record<string, string>): number[] {
    const candidates = [...this.unfiled];
    for (const [k, v] of Object.entries(labels)) candidates.push(...this.byLabel.get(`${k}\0${v}`) ?? []);
    return candidates.sort((a, b) => a - b).filter(position => selects(this.selectors[position], labels));
  }
}
