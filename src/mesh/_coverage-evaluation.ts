import { compareStrings } from '../_internal/order';
import { targetsKind } from '../_internal/target-kind';
import {
  ClusterDefaults, identityOf, inboundPolicy, isProbePolicy, meshing, MeshModel, meshNotes, ModelWorkload, portHandling, PortHandling,
  portPolicy, ProxyPorts, proxyPorts, Rendered, requiresIdentity, routeKindsOf,
} from './_model';
import { describe, resolvePort, resolveServerPorts } from './_workload';
import type { CoverageCaller, CoverageWorkload } from './coverage';

/** Numbered ports in numeric order, then `*`. */
function comparePorts(a: number | string, b: number | string): number {
  return typeof a === 'number' && typeof b === 'number' ? a - b : typeof a === 'number' ? -1 : typeof b === 'number' ? 1 : compareStrings(a, b);
}

/** The facts the verdicts need about one workload. */
interface Evaluated {
  readonly w: ModelWorkload;
  readonly meshed: boolean;
  readonly reason: string;
  readonly ports: ProxyPorts;
}

/** Each workload's facts, computed once per model and cluster defaults: a workload is the client of many others. */
const evaluated = new WeakMap<ModelWorkload, { model: MeshModel; defaults: ClusterDefaults; value: Evaluated }>();

function evaluate(w: ModelWorkload, model: MeshModel, defaults: ClusterDefaults): Evaluated {
  const known = evaluated.get(w);
  if (known && known.model === model && known.defaults === defaults) return known.value;
  const m = meshing(w.facts, model);
  const value = { w, meshed: m.meshed, reason: m.reason, ports: proxyPorts(w.facts, model, defaults) };
  evaluated.set(w, { model, defaults, value });
  return value;
}

/** What the verdicts read besides the two ends. */
interface Context {
  readonly model: MeshModel;
  readonly defaults: ClusterDefaults;
}

/**
 * The coverage of one workload: meshing, port handling and the verdict on each declared caller.
 *
 * @internal
 */
export function coverageOf(w: ModelWorkload, model: MeshModel, defaults: ClusterDefaults): CoverageWorkload {
  const target = evaluate(w, model, defaults);
  const f = w.facts;
  const ctx = { model, defaults };
  const callers = [...serviceCallers(target, ctx), ...policyCallers(target, ctx)]
    .sort((a, b) => comparePorts(a.port, b.port) || compareStrings(a.from, b.from) || compareStrings(a.via, b.via));
  const portNumbers = new Map<number, string | undefined>();
  for (const p of f.ports) if (!portNumbers.has(p.number) || p.name) portNumbers.set(p.number, p.name);
  for (const c of callers) if (typeof c.port === 'number' && !portNumbers.has(c.port)) portNumbers.set(c.port, undefined);
  const ports = [...portNumbers].sort(([a], [b]) => a - b)
    .map(([port, name]) => ({ port, ...(name ? { name } : {}), inbound: portHandling(target.meshed, target.ports, port) }));
  return {
    kind: f.kind,
    namespace: f.namespace,
    name: f.name,
    meshed: target.meshed,
    injection: target.reason,
    serviceAccount: f.serviceAccount,
    ...(target.meshed ? {
      identity: identityOf(f.serviceAccount, f.namespace, defaults),
      defaultInboundPolicy: inboundPolicy(f, model, defaults),
      skipOutboundPorts: target.ports.skipOutbound.map(r => r.toString()).join(',') || 'none',
    } : {}),
    ports,
    callers,
    notes: [...meshNotes(f, target.meshed, model, defaults), ...defaultProbeNotes(target, ctx)],
  };
}

/**
 * HTTP probes on ports no Server selects that the default policy refuses: on an opaque port (and for an HTTPS probe,
 * which is not HTTP to the proxy) there is no probe route, only the default policy's authorization
 * (linkerd/linkerd2@version-2.20:policy-controller/k8s/index/src/inbound/index.rs:1752-1791). Servers report their own.
 */
function defaultProbeNotes(target: Evaluated, ctx: Context): string[] {
  if (!target.meshed) return [];
  const notes: string[] = [];
  for (const probe of target.w.facts.httpProbes) {
    const handling = portHandling(true, target.ports, probe.port);
    if (handling === PortHandling.SKIPPED || (handling !== PortHandling.OPAQUE && probe.scheme !== 'HTTPS')) continue;
    const policy = portPolicy(ctx.model, target.w.facts, probe.port, ctx.defaults);
    if (policy.server || policy.authorizations.some(a => a.unauthenticated)) continue;
    const why = handling === PortHandling.OPAQUE ? `port ${probe.port} is opaque` : 'HTTPS is not HTTP to the proxy';
    notes.push(`the kubelet's probe ${probe.scheme === 'HTTPS' ? 'HTTPS ' : ''}GET ${probe.path} on port ${probe.port} would be refused: ${why}, so Linkerd adds no probe route, `
      + `and ${policy.decidedBy} ${policy.authorizations.length > 0 ? 'admits only meshed clients' : 'admits no client'}`);
  }
  return [...new Set(notes)];
}

/** Services that select the workload: their clients reach its target ports. */
function serviceCallers(target: Evaluated, ctx: Context): CoverageCaller[] {
  const f = target.w.facts;
  const callers: CoverageCaller[] = [];
  for (const svc of ctx.model.servicesSelecting(f)) {
    const name = `${f.namespace}/${svc.json.metadata?.name}`;
    for (const sp of svc.json.spec?.ports ?? []) {
      const port = resolvePort(f, sp.targetPort ?? sp.port) ?? sp.targetPort;
      callers.push(verdict(`clients of Service ${name}`, `Service ${name} port ${sp.port}`, port, target, undefined, [], ctx));
    }
  }
  return callers;
}

/** A client identity named by an authentication: workloads of the app, or a description when none is known. */
interface Client {
  readonly label: string;
  readonly workloads: ModelWorkload[];
}

/** AuthorizationPolicies that target the workload: their authenticated clients. */
function policyCallers(target: Evaluated, ctx: Context): CoverageCaller[] {
  const { model, defaults } = ctx;
  const f = target.w.facts;
  const callers: CoverageCaller[] = [];
  for (const policy of model.authorizationPoliciesFor(f)) {
    if (isProbePolicy(policy)) continue;
    const via = `AuthorizationPolicy ${f.namespace}/${policy.json.metadata?.name}`;
    const covered = targetedPorts(policy, target, model);
    if (covered.ports.length === 0 && covered.unused === undefined) continue;
    const refs: any[] = policy.json.spec?.requiredAuthenticationRefs ?? [];
    const identities = refs.filter(requiresIdentity);
    const networks = refs.filter(r => r.kind === 'NetworkAuthentication').flatMap(r => networksOf(r, f.namespace, model));
    const anyone = networks.length > 0 ? `unauthenticated clients from ${networks.join(', ')}` : 'any client';
    if (covered.unused !== undefined) {
      const from = identities.length === 0 ? anyone : identities.flatMap(r => clientsOf(r, f.namespace, model)).map(c => c.label).join(', ');
      callers.push({ from, via, port: '*', mtls: false, why: covered.unused });
      continue;
    }
    for (const port of covered.ports) {
      if (identities.length === 0) {
        callers.push({ from: anyone, via, port, mtls: false, why: 'authorized without an mTLS identity: clients need not be meshed, so this traffic is not mTLS' });
        continue;
      }
      // a client may call through a Service: its port is what the client's skip-outbound-ports would match
      const servicePorts = model.servicesSelecting(f).flatMap(s => (s.json.spec?.ports ?? [])
        .filter((sp: any) => resolvePort(f, sp.targetPort ?? sp.port) === port).map((sp: any) => sp.port as number));
      for (const client of identities.flatMap(r => clientsOf(r, f.namespace, model))) {
        if (client.workloads.length === 0) callers.push(verdict(client.label, via, port, target, undefined, [], ctx));
        for (const w of client.workloads) {
          callers.push(verdict(describe(w.facts), via, port, target, evaluate(w, model, defaults), servicePorts, ctx));
        }
      }
    }
  }
  return callers;
}

/**
 * The workload ports a policy authorizes: those of the Server it targets, of the Server its route attaches to (when
 * that Server's protocol uses the route), or, for a Namespace target, of every Server selecting the workload; or why it
 * authorizes nothing on a workload it was meant for.
 */
function targetedPorts(policy: Rendered, target: Evaluated, model: MeshModel): { ports: number[]; unused?: string } {
  const f = target.w.facts;
  const ref = policy.json.spec?.targetRef ?? {};
  const servers = model.policiesOf('Server', f.namespace);
  const selecting = model.serversSelecting(f).map(position => servers[position]);
  const portsOf = (list: Rendered[]) => [...new Set(list.flatMap(s => resolveServerPorts(f, s.json.spec?.port)))].sort((a, b) => a - b);
  if (ref.kind === 'Namespace') {
    if (ref.name !== f.namespace) return { ports: [] };
    if (selecting.length > 0) return { ports: portsOf(selecting) };
    return {
      ports: [],
      unused: `it targets Namespace ${f.namespace}, which covers only ports a Server selects, and no Server selects ${describe(f)}: `
        + 'its ports follow its default inbound policy instead',
    };
  }
  if (ref.kind === 'Server') return { ports: portsOf(selecting.filter(s => s.json.metadata?.name === ref.name)) };
  const routes = model.policiesNamed(ref.kind, f.namespace, ref.name);
  const parents = new Set(routes.flatMap(r => (r.json.spec?.parentRefs ?? []).filter((p: any) => targetsKind(p, 'policy.linkerd.io', 'Server')).map((p: any) => p.name as string)));
  const used = selecting.filter(s => parents.has(s.json.metadata?.name) && routeKindsOf(s.json.spec?.proxyProtocol).includes(ref.kind));
  const unusedBy = selecting.filter(s => parents.has(s.json.metadata?.name) && !used.includes(s));
  if (used.length === 0 && unusedBy.length > 0) {
    const server = unusedBy[0];
    return {
      ports: [],
      unused: `its ${ref.kind} ${f.namespace}/${ref.name} attaches to Server ${f.namespace}/${server.json.metadata?.name}, whose proxyProtocol `
        + `${server.json.spec?.proxyProtocol ?? 'unknown'} does not use ${ref.kind}s, so it authorizes nothing`,
    };
  }
  return { ports: portsOf(used) };
}

function networksOf(ref: any, namespace: string, model: MeshModel): string[] {
  const [authn] = model.policiesNamed('NetworkAuthentication', ref.namespace ?? namespace, ref.name);
  return (authn?.json.spec?.networks ?? []).map((n: any) => n.cidr);
}

/** The clients an authentication reference names. */
function clientsOf(ref: any, namespace: string, model: MeshModel): Client[] {
  if (ref.kind === 'ServiceAccount') return [serviceAccountClient(ref.name, ref.namespace ?? namespace, model)];
  const ns = ref.namespace ?? namespace;
  const [authn] = model.policiesNamed('MeshTLSAuthentication', ns, ref.name);
  if (!authn) return [{ label: `clients of MeshTLSAuthentication ${ns}/${ref.name} (not in this app)`, workloads: [] }];
  const clients: Client[] = [];
  for (const r of authn.json.spec?.identityRefs ?? []) {
    const client = r.kind === 'Namespace' ? { label: `meshed pods of namespace ${r.name}`, workloads: [] } : serviceAccountClient(r.name, r.namespace ?? ns, model);
    clients.push(client);
  }
  for (const identity of authn.json.spec?.identities ?? []) {
    const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.serviceaccount\.identity\./.exec(identity);
    const label = identity === '*' ? 'any meshed client' : `identity ${identity}`;
    clients.push(m ? serviceAccountClient(m[1], m[2], model) : { label, workloads: [] });
  }
  return clients;
}

function serviceAccountClient(name: string, namespace: string, model: MeshModel): Client {
  const workloads = model.workloadsRunningAs(namespace, name);
  return { label: `ServiceAccount ${namespace}/${name} (no workload in this app)`, workloads };
}

/** Whether traffic from a client (or an unknown meshed client) to a workload port is mTLS. */
function verdict(
  from: string, via: string, port: number | string, target: Evaluated, client: Evaluated | undefined, servicePorts: number[], ctx: Context,
): CoverageCaller {
  const reasons: string[] = [];
  const handling = typeof port === 'number' ? portHandling(target.meshed, target.ports, port)
    : target.meshed ? PortHandling.MTLS : PortHandling.PLAINTEXT;
  const to = describe(target.w.facts);
  if (!target.meshed) reasons.push(`${to} is not meshed (${target.reason})`);
  else if (handling === PortHandling.SKIPPED) reasons.push(`port ${port} bypasses the proxy of ${to} (skip-inbound-ports)`);
  if (client && !client.meshed) {
    reasons.push(`${describe(client.w.facts)} is not meshed (${client.reason}), so it has no identity and would be denied`);
  } else if (client) {
    const skipped = [port, ...servicePorts].filter((p): p is number => typeof p === 'number' && client.ports.skipOutbound.some(r => r.includes(p)));
    if (skipped.length > 0) reasons.push(`${describe(client.w.facts)} sends port ${skipped.join(', ')} around its proxy (skip-outbound-ports)`);
  }
  let probed = false;
  if (reasons.length === 0 && typeof port === 'number') {
    const policy = portPolicy(ctx.model, target.w.facts, port, ctx.defaults);
    const open = policy.authorizations.filter(a => a.unauthenticated).map(a => a.source);
    if (policy.authorizations.length === 0) {
      reasons.push(policy.server ? `${policy.decidedBy} authorizes no client on port ${port} of ${to}, so this traffic would be refused`
        : `${policy.decidedBy} refuses every client on port ${port} of ${to} (no Server selects the port), so this traffic would be refused`);
    } else if (open.length > 0) reasons.push(`port ${port} of ${to} admits clients without a mesh identity: ${open.join(', ')}${policy.server ? '' : ' (no Server selects the port)'}`);
    probed = target.w.facts.httpProbes.some(p => p.port === port);
  }
  const how = handling === PortHandling.OPAQUE ? 'opaque TCP over mTLS' : 'mTLS through the proxies';
  const who = `${client ? 'both ends are meshed and ' : ''}only meshed identities are admitted${probed ? ', besides the kubelet on its probe paths' : ''}`;
  const why = reasons.length > 0 ? reasons.join('; ') : `${who}; ${how}`;
  return { from, via, port, mtls: reasons.length === 0, why };
}
