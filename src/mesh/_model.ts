import { targetsKind } from '../_internal/target-kind';
import { LinkerdContext, serviceAccountIdentity } from '../linkerd/context';
import { DefaultInboundPolicy, LinkerdControlPlane, UNAUTHENTICATED_INBOUND_POLICIES } from '../linkerd/control-plane';
import { LinkerdFeature, LinkerdVersion } from '../linkerd/version';
import {
  CHART_DEFAULTS, DEFAULT_INBOUND_POLICY, ignoredNativeSidecarAnnotations, INJECT, namespaceExclusion, nativeSidecarOf, OPAQUE_PORTS,
  podLabelExclusion, SKIP_INBOUND_PORTS, SKIP_OUTBOUND_PORTS,
} from './_annotations';
import { appendTo, MeshModel, Rendered } from './_model-index';
import { resolveServerPorts, RUN_TO_COMPLETION_KINDS, selects, WorkloadFacts } from './_workload';
import { parsePortList, PortRange } from './port-range';

// the index of the app's objects lives in _model-index.ts; re-exported for the files that import it from here
export { MeshModel } from './_model-index';
export type { ModelNamespace, ModelWorkload, Rendered } from './_model-index';

const INJECT_VALUES = ['enabled', 'disabled', 'ingress'];
const POLICY_GROUP = 'policy.linkerd.io';
/** `config.linkerd.io/proxy-require-identity-inbound-ports` (read from the pod by the policy controller). */
const REQUIRE_IDENTITY_PORTS = 'config.linkerd.io/proxy-require-identity-inbound-ports';
/** The default inbound policies (linkerd/linkerd2@version-2.20:policy-controller/k8s/index/src/defaults.rs:33-56). */
const DEFAULT_POLICIES: readonly string[] = Object.values(DefaultInboundPolicy);
/** Marks the AuthorizationPolicy construct that `Server.authorizeProbes` makes. */
export const PROBE_POLICY = Symbol.for('cdk8s-linkerd.mesh.ProbePolicy');

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
    controlPlaneNamespace: controlPlane?.namespace ?? LinkerdContext.DEFAULTS.controlPlaneNamespace,
    trustDomain: values.identityTrustDomain || values.clusterDomain || LinkerdContext.DEFAULTS.trustDomain,
  };
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
    if (target.name !== undefined
      ? target.name !== name
      : !target.selector || !selects(target.selector, server.json.metadata?.labels ?? {})) continue;
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
