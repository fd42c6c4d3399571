import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Problems } from '../_internal/problems';
import { DefaultInboundPolicy, LinkerdControlPlane } from '../linkerd/control-plane';
import { LinkerdFeature, LinkerdVersion } from '../linkerd/version';
import { ClusterDefaults, clusterDefaults, isProbePolicy, meshing, MeshModel, ModelWorkload, portPolicy, proxyPorts, Rendered, requiresIdentity } from './_model';
import { describe, HttpProbe, resolveServerPorts, tryApiObject, WorkloadFacts } from './_workload';
import { ProxyProtocol } from './server-port';

/**
 * The rules of a Server that look at other objects (its workloads, the other Servers, routes and policies), shared by
 * the {@link Server} construct (at synth, over the app's {@link MeshModel}) and `cdk8s-linkerd check` (over a model of
 * the parsed objects).
 *
 * @internal
 */

/** Server protocols whose port the proxy reads as HTTP/2 without detection (linkerd/linkerd2-proxy@release/v2.359.0:linkerd/app/inbound/src/detect.rs:204). */
export const HTTP2_PROTOCOLS: string[] = [ProxyProtocol.HTTP2, ProxyProtocol.GRPC];
/** Server protocols whose proxy uses no routes at all, only the Server's authorizations (linkerd/linkerd2@version-2.20:policy-controller/grpc/src/inbound.rs:214-219). */
export const TCP_PROTOCOLS: string[] = [ProxyProtocol.OPAQUE, ProxyProtocol.TLS];

/**
 * What the policy admission webhook and the Server CRD refuse in a rendered Server: an `accessPolicy` that is not a
 * default policy name (linkerd/linkerd2@version-2.20:policy-controller/runtime/src/admission.rs:348-364), or one on a
 * version before 2.16, whose Server (v1beta1) has no such field; a `proxyProtocol` outside the CRD's enum; a port that
 * is neither 1–65535 nor a name.
 *
 * @internal
 */
export function serverRules(obj: any, version: LinkerdVersion): string[] {
  const spec = obj?.spec ?? {};
  const problems: string[] = [];
  const policies = Object.values(DefaultInboundPolicy) as string[];
  if (spec.accessPolicy !== undefined) {
    const gate = version.featureProblem(LinkerdFeature.SERVER_ACCESS_POLICY, 'accessPolicy');
    if (gate !== undefined) problems.push(gate);
    if (!policies.includes(spec.accessPolicy)) problems.push(`accessPolicy ${JSON.stringify(spec.accessPolicy)} is not allowed: use one of ${policies.join(', ')}`);
  }
  const protocols = Object.values(ProxyProtocol) as string[];
  if (spec.proxyProtocol !== undefined && !protocols.includes(spec.proxyProtocol)) {
    problems.push(`proxyProtocol ${JSON.stringify(spec.proxyProtocol)} is not allowed: use one of ${protocols.join(', ')}`);
  }
  const port = spec.port;
  if (typeof port === 'number' ? !(Number.isInteger(port) && port >= 1 && port <= 65535) : typeof port !== 'string' || port === '') {
    problems.push(`port ${JSON.stringify(port)} is not allowed: use a port number from 1 to 65535 or a container port name`);
  }
  return problems;
}

/**
 * Linkerd allows one Server per pod port: the policy controller keeps one of two and logs a conflict
 * (linkerd/linkerd2@version-2.20:policy-controller/k8s/index/src/inbound/index.rs:1259). Reported on the later of two
 * Servers (in the model's order), naming the earlier ones.
 *
 * @param selected the workloads the Server selects
 * @internal
 */
export function serverOverlapProblems(model: MeshModel, server: Rendered, selected: readonly WorkloadFacts[]): string[] {
  const own = server.json;
  const namespace = own.metadata?.namespace ?? 'default';
  const servers = model.policiesOf('Server', namespace);
  const position = model.positionOf(server.apiObject);
  // each earlier Server in conflict, with the first of this Server's workloads it also selects on the same port
  const earlier = new Map<number, WorkloadFacts | undefined>();
  const shared = new Map<number, number>();
  for (const facts of selected) {
    const ports = resolveServerPorts(facts, own.spec?.port);
    if (ports.length === 0) continue;
    for (const other of model.serversSelecting(facts)) {
      const port = resolveServerPorts(facts, servers[other].json.spec?.port).find(p => ports.includes(p));
      if (other < position && !earlier.has(other) && port !== undefined) {
        earlier.set(other, facts);
        shared.set(other, port);
      }
    }
  }
  for (const other of model.serversWithSelectorAndPort(namespace, own.spec?.podSelector, own.spec?.port)) {
    if (other < position && !earlier.has(other)) earlier.set(other, undefined);
  }
  return [...earlier].sort(([a], [b]) => a - b).map(([other, facts]) => {
    const otherName = `Server ${namespace}/${servers[other].json.metadata?.name}`;
    return facts ? `selects port ${shared.get(other)} of ${describe(facts)}, which ${otherName} also selects: Linkerd allows one Server per pod port`
      : `has the same podSelector and port as ${otherName}: Linkerd allows one Server per pod port`;
  });
}

/** What `Server.authorizeProbes` made for a Server, if it was called. */
export interface ProbeAuthorization {
  /** The construct holding the probe route, network authentication and policy. */
  readonly scope: IConstruct;
  /** The probe paths it authorizes. */
  readonly paths: readonly string[];
}

/**
 * The kubelet's HTTP probes on a Server's ports that the proxy would refuse or break, and a harmful
 * `authorizeProbes()`: see {@link Server} for the rules and their upstream sources.
 *
 * @param selected the meshed workloads the Server selects
 * @param probes what `authorizeProbes()` made, if it was called (never for parsed objects)
 * @internal
 */
export function serverProbeProblems(
  model: MeshModel, server: Rendered, selected: readonly WorkloadFacts[], defaults: ClusterDefaults, probes?: ProbeAuthorization,
): string[] {
  const own = server.json;
  const namespace = own.metadata?.namespace ?? 'default';
  const name = own.metadata?.name;
  const protocol: string = own.spec?.proxyProtocol ?? ProxyProtocol.UNKNOWN;
  const found: { facts: WorkloadFacts; probe: HttpProbe }[] = [];
  for (const facts of selected) {
    const skipped = proxyPorts(facts, model, defaults).skipInbound;
    // a skipped port bypasses the proxy, probes included
    for (const probe of httpProbesOn(facts, own.spec?.port)) if (!skipped.some(r => r.includes(probe.port))) found.push({ facts, probe });
  }
  const list = (ps: typeof found) => ps.map(({ facts, probe }) => `${probe.scheme === 'HTTPS' ? 'HTTPS ' : ''}GET ${probe.path} on port ${probe.port} of ${describe(facts)}`).join(', ');
  const admitsUnauthenticated = (facts: WorkloadFacts, port: number) => {
    const policy = portPolicy(model, facts, port, defaults, { routes: false });
    return policy.server?.apiObject === server.apiObject && policy.authorizations.some(a => a.unauthenticated);
  };
  const routes = model.routesTo(name, namespace).filter(r => r.json.kind === 'HTTPRoute');
  const probeRoute = probes ? routes.find(r => r.apiObject.node.scope === probes.scope) : undefined;
  const userRoutes = routes.filter(r => r !== probeRoute);
  const problems: string[] = [];
  if (HTTP2_PROTOCOLS.includes(protocol)) {
    if (found.length > 0) {
      problems.push(`the kubelet's HTTP/1.1 probes (${list(found)}) would fail: the proxy reads the port of a proxyProtocol ${protocol} Server as HTTP/2 `
        + 'without detection; use ProxyProtocol.UNKNOWN or HTTP1 if the app also serves HTTP/1.1, or probe a port this Server does not select');
    }
    return problems;
  }
  // HTTPS probes are not HTTP to the proxy: on a detecting Server they go the TCP way, on an HTTP/1 Server they break
  const broken = protocol === ProxyProtocol.HTTP1 ? found.filter(p => p.probe.scheme === 'HTTPS') : [];
  if (broken.length > 0) {
    problems.push(`the kubelet's HTTPS probes (${list(broken)}) would fail: the proxy reads the port of a proxyProtocol HTTP/1 Server as plaintext HTTP/1 `
      + 'without detection; use ProxyProtocol.UNKNOWN, or probe a port this Server does not select');
  }
  const tcp = TCP_PROTOCOLS.includes(protocol) ? found : protocol === ProxyProtocol.UNKNOWN ? found.filter(p => p.probe.scheme === 'HTTPS') : [];
  const refusedTcp = tcp.filter(p => !admitsUnauthenticated(p.facts, p.probe.port));
  if (refusedTcp.length > 0) {
    const why = TCP_PROTOCOLS.includes(protocol) ? `a proxyProtocol ${protocol} Server has no probe route` : 'HTTPS is not HTTP to the proxy, so the probe route does not apply';
    problems.push(`the kubelet's probes (${list(refusedTcp)}) would be refused: ${why}, and no authorization of the Server admits clients without a mesh identity; `
      + 'authorize the probe networks on the Server (an AuthorizationPolicy with only a NetworkAuthentication), or probe a port this Server does not select');
  }
  const http = TCP_PROTOCOLS.includes(protocol) ? [] : found.filter(p => p.probe.scheme !== 'HTTPS');
  if (probeRoute && userRoutes.length === 0) {
    problems.push(`authorizeProbes() attached HTTPRoute ${namespace}/${probeRoute.json.metadata?.name}, the only HTTPRoute of this Server: Linkerd then drops `
      + 'its default route, so every request but the probes would fail with 404; drop authorizeProbes(), Linkerd authorizes the probes itself on a Server without HTTPRoutes');
  } else if (userRoutes.length > 0) {
    // a probe a route of the Server matches, and an authorization without identity admits, gets through without the probe route
    const open = (route: Rendered, p: typeof http[number]) =>
      admitsUnauthenticated(p.facts, p.probe.port) || routeAdmitsUnauthenticated(model, route);
    const missing = http.filter(p => !(probes?.paths ?? []).includes(p.probe.path)
      && !userRoutes.some(r => routeMatchesProbe(r.json, p.probe.path) && open(r, p)));
    const names = userRoutes.map(r => `HTTPRoute ${namespace}/${r.json.metadata?.name}`).join(', ');
    if (missing.length > 0 && !probeRoute) {
      problems.push(`${names} attaches to this Server, so Linkerd no longer authorizes the kubelet probes (${list(missing)}): call authorizeProbes() on the Server`);
    } else if (missing.length > 0) {
      problems.push(`${names} attaches to this Server, so Linkerd no longer authorizes the kubelet probes, and authorizeProbes() was not given ${list(missing)}: `
        + 'add the paths (or leave paths unset to take the workload\'s probes)');
    }
  }
  return problems;
}

/**
 * The HTTP probes of a workload on the pod ports a Server port selects, by port and path.
 *
 * @internal
 */
export function httpProbesOn(facts: WorkloadFacts, port: number | string | undefined): HttpProbe[] {
  const ports = resolveServerPorts(facts, port);
  const seen = new Set<string>();
  return facts.httpProbes.filter(p => ports.includes(p.port))
    .filter(p => !seen.has(`${p.port} ${p.path} ${p.scheme}`) && seen.add(`${p.port} ${p.path} ${p.scheme}`))
    .sort((a, b) => a.port - b.port || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Whether an AuthorizationPolicy targeting a route admits clients without a mesh identity. */
function routeAdmitsUnauthenticated(model: MeshModel, route: Rendered): boolean {
  const namespace = route.json.metadata?.namespace ?? 'default';
  return model.policiesOf('AuthorizationPolicy', namespace).some(policy => {
    const ref = policy.json.spec?.targetRef ?? {};
    const refs: any[] = policy.json.spec?.requiredAuthenticationRefs ?? [];
    return ref.kind === route.json.kind && ref.name === route.json.metadata?.name && !isProbePolicy(policy)
      && !refs.some(requiresIdentity);
  });
}

/**
 * Whether an HTTPRoute matches the kubelet's `GET <path>`: no hostnames, and a rule with no matches or a match whose
 * path (unset: prefix `/`) is `Exact` or an element-wise `PathPrefix` of it, with no method but GET and no headers or
 * query parameters. Regular expressions are not evaluated (treated as no match).
 */
function routeMatchesProbe(route: any, path: string): boolean {
  if ((route.spec?.hostnames ?? []).length > 0) return false;
  const matches = (m: any) => {
    if ((m.headers ?? []).length > 0 || (m.queryParams ?? []).length > 0 || (m.method !== undefined && m.method !== 'GET')) return false;
    const type = m.path?.type ?? 'PathPrefix';
    const value: string = m.path?.value ?? '/';
    if (type === 'Exact') return value === path;
    if (type !== 'PathPrefix') return false;
    const prefix = value.replace(/\/+$/, '');
    return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
  };
  return (route.spec?.rules ?? [{}]).some((rule: any) => (rule.matches ?? []).length === 0 || rule.matches.some(matches));
}

/** A Server as its synth rules see it. @internal */
export interface ServerUnderCheck {
  /** The Server's object. */
  readonly apiObject: ApiObject;
  /** Its name. */
  readonly name: string;
  /** Its namespace. */
  readonly namespace: string;
  /** The Linkerd version it was made for. */
  readonly version: LinkerdVersion;
  /** The workload it was made for, if any. */
  readonly workload?: IConstruct;
  /** The scope of the probe route, policy and network that `authorizeProbes()` made, if it was called. */
  readonly probes?: IConstruct;
  /** The probe paths `authorizeProbes()` authorized. */
  readonly probePaths?: readonly string[];
  /** The control plane of the Server's tree, whose skipped ports and default policy count too. */
  readonly controlPlane?: LinkerdControlPlane;
}

/**
 * The rules a Server construct is checked against at synth, over the whole app: the selected workloads must be meshed,
 * and the overlap and probe rules above (the ones `cdk8s-linkerd check` runs on parsed objects).
 *
 * @internal
 */
export function serverSynthProblems(server: ServerUnderCheck, model: MeshModel): string[] {
  const own: Rendered = { apiObject: server.apiObject, json: server.apiObject.toJson() };
  const selected = server.workload ? ownWorkload(server, model) : model.workloadsSelectedBy(server.namespace, own.json.spec?.podSelector);
  const problems = new Problems();
  for (const w of selected) {
    const m = meshing(w.facts, model);
    if (!m.meshed) {
      problems.add(`selects ${describe(w.facts)}, which is not meshed (${m.reason}): the proxy enforces policy, so this Server would protect nothing; `
        + 'mesh the workload (Mesh.inject) or drop the Server');
    }
  }
  problems.addAll(serverOverlapProblems(model, own, selected.map(w => w.facts)));
  // the tree's control plane, as the coverage report takes it: its skipped ports and default policy count here too
  const defaults = clusterDefaults(server.version, server.controlPlane);
  const probes = server.probes ? { scope: server.probes, paths: server.probePaths ?? [] } : undefined;
  const meshed = selected.filter(w => meshing(w.facts, model).meshed).map(w => w.facts);
  problems.addAll(serverProbeProblems(model, own, meshed, defaults, probes));
  return [...problems.list];
}

/** The workload a Server was made for, when it is in the Server's namespace. */
function ownWorkload(server: ServerUnderCheck, model: MeshModel): ModelWorkload[] {
  const workload = model.workloadOf(tryApiObject(server.workload!));
  return workload && workload.facts.namespace === server.namespace ? [workload] : [];
}
