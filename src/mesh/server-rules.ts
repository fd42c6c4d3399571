import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Problems } from '../_internal/problems';
import type { LinkerdControlPlane } from '../linkerd/control-plane';
import { LinkerdVersion } from '../linkerd/version';
import { ClusterDefaults, clusterDefaults, isProbePolicy, meshing, MeshModel, ModelWorkload, portPolicy, proxyPorts, Rendered, requiresIdentity } from './_model';
import { describe, HttpProbe, resolveServerPorts, tryApiObject, WorkloadFacts } from './_workload';
import { ProxyProtocol } from './server-port';

/** Server protocols whose port the proxy reads as HTTP/2 without detection (linkerd/linkerd2-proxy@release/v2.359.0:linkerd/app/inbound/src/detect.rs:204). */
export const HTTP2_PROTOCOLS: string[] = [ProxyProtocol.HTTP2, ProxyProtocol.GRPC];
/** Server protocols whose proxy uses no routes at all, only the Server's authorizations (linkerd/linkerd2@version-2.20:policy-controller/grpc/src/inbound.rs:214-219). */
export const TCP_PROTOCOLS: string[] = [ProxyProtocol.OPAQUE, ProxyProtocol.TLS];

/**
 * Whether an AuthorizationPolicy targeting a route admits clients without a mesh identity.
 *
 * @internal
 */
export function routeAdmitsUnauthenticated(model: MeshModel, route: Rendered): boolean {
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
 *
 * @internal
 */
export function routeMatchesProbe(route: any, path: string): boolean {
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
 * The rules a Server is checked against at synth, over the whole app: the selected workloads must be meshed, no
 * other Server may select the same pod port, and the kubelet's HTTP probes on the selected ports must get through.
 *
 * @internal
 */
export function serverSynthProblems(server: ServerUnderCheck, model: MeshModel): string[] {
  const own = server.apiObject.toJson();
  const selected = server.workload ? ownWorkload(server, model) : model.workloadsSelectedBy(server.namespace, own.spec?.podSelector);
  const problems = new Problems();
  for (const w of selected) {
    const m = meshing(w.facts, model);
    if (!m.meshed) {
      problems.add(`selects ${describe(w.facts)}, which is not meshed (${m.reason}): the proxy enforces policy, so this Server would protect nothing; `
        + 'mesh the workload (Mesh.inject) or drop the Server');
    }
  }
  problems.addAll(overlapProblems(server, model, own, selected.map(w => w.facts)));
  problems.addAll(probeProblems(server, model, own, selected.filter(w => meshing(w.facts, model).meshed).map(w => w.facts)));
  return [...problems.list];
}

/** The workload this Server was made for, when it is in the Server's namespace. */
function ownWorkload(server: ServerUnderCheck, model: MeshModel): ModelWorkload[] {
  const workload = model.workloadOf(tryApiObject(server.workload!));
  return workload && workload.facts.namespace === server.namespace ? [workload] : [];
}

/** Linkerd allows one Server per pod port; reported on the later of two Servers. */
function overlapProblems(server: ServerUnderCheck, model: MeshModel, own: any, selected: WorkloadFacts[]): string[] {
  const servers = model.policiesOf('Server', server.namespace);
  const position = model.positionOf(server.apiObject);
  // each earlier Server in conflict, with the first of this Server's workloads it also selects on the same port
  const earlier = new Map<number, WorkloadFacts | undefined>();
  const shared = new Map<number, number>();
  for (const facts of selected) {
    const ports = resolveServerPorts(facts, own.spec.port);
    if (ports.length === 0) continue;
    for (const other of model.serversSelecting(facts)) {
      const port = resolveServerPorts(facts, servers[other].json.spec?.port).find(p => ports.includes(p));
      if (other < position && !earlier.has(other) && port !== undefined) {
        earlier.set(other, facts);
        shared.set(other, port);
      }
    }
  }
  for (const other of model.serversWithSelectorAndPort(server.namespace, own.spec?.podSelector, own.spec.port)) {
    if (other < position && !earlier.has(other)) earlier.set(other, undefined);
  }
  return [...earlier].sort(([a], [b]) => a - b).map(([other, facts]) => {
    const otherName = `Server ${server.namespace}/${servers[other].json.metadata?.name}`;
    return facts ? `selects port ${shared.get(other)} of ${describe(facts)}, which ${otherName} also selects: Linkerd allows one Server per pod port`
      : `has the same podSelector and port as ${otherName}: Linkerd allows one Server per pod port`;
  });
}

/** The kubelet's HTTP probes on this Server's ports that the proxy would refuse or break, and a harmful authorizeProbes(). */
function probeProblems(server: ServerUnderCheck, model: MeshModel, own: any, selected: WorkloadFacts[]): string[] {
  const protocol: string = own.spec?.proxyProtocol ?? ProxyProtocol.UNKNOWN;
  // the tree's control plane, as the coverage report takes it: its skipped ports and default policy count here too
  const defaults = clusterDefaults(server.version, server.controlPlane);
  const probes: { facts: WorkloadFacts; probe: HttpProbe }[] = [];
  for (const facts of selected) {
    const skipped = proxyPorts(facts, model, defaults).skipInbound;
    // a skipped port bypasses the proxy, probes included
    for (const probe of httpProbesOn(facts, own.spec?.port)) if (!skipped.some(r => r.includes(probe.port))) probes.push({ facts, probe });
  }
  const list = (ps: typeof probes) => ps.map(({ facts, probe }) => `${probe.scheme === 'HTTPS' ? 'HTTPS ' : ''}GET ${probe.path} on port ${probe.port} of ${describe(facts)}`).join(', ');
  const routes = model.routesTo(server.name, server.namespace).filter(r => r.json.kind === 'HTTPRoute');
  const probeRoute = routes.find(r => r.apiObject.node.scope === server.probes);
  const userRoutes = routes.filter(r => r !== probeRoute);
  const problems = new Problems();
  if (HTTP2_PROTOCOLS.includes(protocol)) {
    if (probes.length > 0) {
      problems.add(`the kubelet's HTTP/1.1 probes (${list(probes)}) would fail: the proxy reads the port of a proxyProtocol ${protocol} Server as HTTP/2 `
        + 'without detection; use ProxyProtocol.UNKNOWN or HTTP1 if the app also serves HTTP/1.1, or probe a port this Server does not select');
    }
    return [...problems.list];
  }
  // HTTPS probes are not HTTP to the proxy: on a detecting Server they go the TCP way, on an HTTP/1 Server they break
  const broken = protocol === ProxyProtocol.HTTP1 ? probes.filter(p => p.probe.scheme === 'HTTPS') : [];
  if (broken.length > 0) {
    problems.add(`the kubelet's HTTPS probes (${list(broken)}) would fail: the proxy reads the port of a proxyProtocol HTTP/1 Server as plaintext HTTP/1 `
      + 'without detection; use ProxyProtocol.UNKNOWN, or probe a port this Server does not select');
  }
  const tcp = TCP_PROTOCOLS.includes(protocol) ? probes : protocol === ProxyProtocol.UNKNOWN ? probes.filter(p => p.probe.scheme === 'HTTPS') : [];
  const refusedTcp = tcp.filter(p => !admitsUnauthenticated(server, model, p.facts, p.probe.port, defaults));
  if (refusedTcp.length > 0) {
    const why = TCP_PROTOCOLS.includes(protocol) ? `a proxyProtocol ${protocol} Server has no probe route` : 'HTTPS is not HTTP to the proxy, so the probe route does not apply';
    problems.add(`the kubelet's probes (${list(refusedTcp)}) would be refused: ${why}, and no authorization of the Server admits clients without a mesh identity; `
      + 'authorize the probe networks on the Server (an AuthorizationPolicy with only a NetworkAuthentication), or probe a port this Server does not select');
  }
  const http = TCP_PROTOCOLS.includes(protocol) ? [] : probes.filter(p => p.probe.scheme !== 'HTTPS');
  if (probeRoute && userRoutes.length === 0) {
    problems.add(`authorizeProbes() attached HTTPRoute ${server.namespace}/${probeRoute.json.metadata?.name}, the only HTTPRoute of this Server: Linkerd then drops `
      + 'its default route, so every request but the probes would fail with 404; drop authorizeProbes(), Linkerd authorizes the probes itself on a Server without HTTPRoutes');
  } else if (userRoutes.length > 0) {
    // a probe a route of the Server matches, and an authorization without identity admits, gets through without the probe route
    const open = (route: Rendered, p: typeof http[number]) => admitsUnauthenticated(server, model, p.facts, p.probe.port, defaults) || routeAdmitsUnauthenticated(model, route);
    const missing = http.filter(p => !(server.probePaths ?? []).includes(p.probe.path) && !userRoutes.some(r => routeMatchesProbe(r.json, p.probe.path) && open(r, p)));
    const names = userRoutes.map(r => `HTTPRoute ${server.namespace}/${r.json.metadata?.name}`).join(', ');
    if (missing.length > 0 && !probeRoute) {
      problems.add(`${names} attaches to this Server, so Linkerd no longer authorizes the kubelet probes (${list(missing)}): call authorizeProbes() on the Server`);
    } else if (missing.length > 0) {
      problems.add(`${names} attaches to this Server, so Linkerd no longer authorizes the kubelet probes, and authorizeProbes() was not given ${list(missing)}: `
        + 'add the paths (or leave paths unset to take the workload\'s probes)');
    }
  }
  return [...problems.list];
}

/** Whether the Server's own authorizations (no routes) admit a client without a mesh identity on a port. */
function admitsUnauthenticated(server: ServerUnderCheck, model: MeshModel, facts: WorkloadFacts, port: number, defaults: ClusterDefaults): boolean {
  const policy = portPolicy(model, facts, port, defaults, { routes: false });
  return policy.server?.apiObject === server.apiObject && policy.authorizations.some(a => a.unauthenticated);
}
