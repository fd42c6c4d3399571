import { ApiObject, ApiObjectMetadata, Chart } from 'cdk8s';
import { IServiceAccount } from 'cdk8s-plus-25';
import { Construct, IConstruct } from 'constructs';
import { Problems } from '../_internal/problems';
import { throwIfProblems, ValidationError } from '../_internal/errors';
import { dns1123LabelProblem, dns1123SubdomainProblem } from '../_internal/names';
import { keepNamespace, requireNamespace } from '../_internal/namespaced';
import { addWarning } from '../_internal/warnings';
import { DefaultInboundPolicy } from '../linkerd/control-plane';
import { LinkerdContext } from '../linkerd/context';
import { LinkerdFeature, LinkerdVersion } from '../linkerd/version';
import {
  HttpRouteV1Beta1, HttpRouteV1Beta1Spec, HttpRouteV1Beta3, HttpRouteV1Beta3Spec, HttpRouteV1Beta3SpecRulesMatchesMethod as Method,
  HttpRouteV1Beta3SpecRulesMatchesPathType as PathType, ServerV1Beta1, ServerV1Beta3,
} from '../../imports/policy.linkerd.io';
import { ClusterDefaults, clusterDefaults, meshing, MeshModel, ModelWorkload, portPolicy, PROBE_POLICY, proxyPorts, Rendered } from './_model';
import {
  describe, HttpProbe, isTcp, LabelSelectorJson, meshTarget, resolveServerPorts, tryApiObject, WorkloadFacts, workloadFacts,
} from './_workload';
import { AuthenticationRef, AuthorizationPolicy, PolicyTarget } from './authorization-policy';
import { IdentityRef } from './identity';
import { MeshTLSAuthentication } from './meshtls-authentication';
import { NetworkAuthentication } from './network-authentication';
import { ProxyProtocol, ServerPort } from './server-port';
import { httpProbesOn, routeAdmitsUnauthenticated, routeMatchesProbe } from './server-rules';

/** Props for {@link Server}. */
export interface ServerProps {
  /**
   * Name, namespace, labels and annotations.
   *
   * @default - `<workload>-<port>` in the workload's namespace when `workload` is given, else a generated name in the chart's namespace (a namespace is required)
   */
  readonly metadata?: ApiObjectMetadata;
  /**
   * The workload whose pods the Server selects (its pod selector is copied). Give `workload` or `podSelector`.
   *
   * @default - none
   */
  readonly workload?: IConstruct;
  /**
   * The labels of the pods the Server selects (`podSelector.matchLabels`). Give `workload` or `podSelector`.
   *
   * @default - none
   */
  readonly podSelector?: Record<string, string>;
  /** The pod port. */
  readonly port: ServerPort;
  /**
   * The protocol of inbound connections; skips protocol detection.
   *
   * @default - unset: ProxyProtocol.UNKNOWN (detect)
   */
  readonly proxyProtocol?: ProxyProtocol;
  /**
   * What happens to traffic no AuthorizationPolicy allows (Linkerd 2.16+, `policy.linkerd.io/v1beta3`).
   *
   * @default - unset: deny (the CRD's default on 2.16+; before, the Server denies unauthorized traffic)
   */
  readonly accessPolicy?: DefaultInboundPolicy;
  /**
   * The Linkerd version: Server `v1beta3` from 2.16, `v1beta1` before. When given, it must be the tree's.
   *
   * @default - the version of the control plane in the construct tree ({@link LinkerdContext}), else LinkerdVersion.LATEST
   */
  readonly version?: LinkerdVersion;
}

/** Options for {@link Server.authorizeProbes}. */
export interface ProbeAuthorizationOptions {
  /**
   * The probe paths to allow (GET, exact match).
   *
   * @default - the HTTP liveness, readiness and startup probe paths of the workload on this Server's port
   */
  readonly paths?: string[];
  /**
   * The networks kubelet probes come from.
   *
   * @default ['0.0.0.0/0', '::/0'] (the policy controller's default `probeNetworks`)
   */
  readonly networks?: string[];
}

/** Server protocols whose port the proxy reads as HTTP/2 without detection (linkerd/linkerd2-proxy@release/v2.359.0:linkerd/app/inbound/src/detect.rs:204). */
const HTTP2_PROTOCOLS: string[] = [ProxyProtocol.HTTP2, ProxyProtocol.GRPC];
/** Server protocols whose proxy uses no routes at all, only the Server's authorizations (linkerd/linkerd2@version-2.20:policy-controller/grpc/src/inbound.rs:214-219). */
const TCP_PROTOCOLS: string[] = [ProxyProtocol.OPAQUE, ProxyProtocol.TLS];

/**
 * A port of some pods, as Linkerd's policy sees it (`policy.linkerd.io` Server): once a Server exists, only traffic
 * an AuthorizationPolicy allows reaches that port.
 *
 * Selects the pods of a `workload` (or a `podSelector`) on one port. A named port selects every TCP container port of
 * that name (several when containers share a name); it must name at least one in the workload's pods. `accessPolicy`
 * needs 2.16+, `audit` too. At synth: the selected workloads must be meshed (policy on an unmeshed workload is an
 * error: there is no proxy to enforce it), no other Server may select the same pod port, and every HTTP probe of the
 * kubelet on a selected port must get through:
 *
 * - `unknown` (detect) and `HTTP/1`: Linkerd adds a probe route authorizing the probe paths from the probe networks while
 *   no HTTPRoute attaches to the Server; once one does, call {@link authorizeProbes} (a GRPCRoute changes nothing:
 *   these protocols do not use GRPCRoutes);
 * - `HTTP/2` and `gRPC`: the proxy reads the port as HTTP/2 without detection, so the kubelet's HTTP/1.1 probe fails;
 * - `opaque` and `TLS` (and HTTPS probes, which the proxy does not see as HTTP): no routes, so only an authorization of
 *   the Server itself that admits clients without a mesh identity lets the probe in.
 *
 * @see linkerd/linkerd2@version-2.20:policy-controller/k8s/index/src/inbound/index.rs:1997-2018 (the probe route only without HTTPRoutes), :2241-2298 (the probe route)
 * @see linkerd/linkerd2@version-2.20:policy-controller/grpc/src/inbound.rs:186-220 (which routes each protocol uses)
 * @see linkerd/linkerd2-proxy@release/v2.359.0:linkerd/app/inbound/src/detect.rs:181-206 (HTTP/2 and gRPC skip detection)
 *
 * @see https://linkerd.io/2-edge/reference/authorization-policy/#server
 */
export class Server extends Construct {
  /** The generated object. */
  public readonly apiObject: ApiObject;
  /** The pod port. */
  public readonly port: ServerPort;
  /** The Linkerd version. */
  public readonly version: LinkerdVersion;
  /** The selected workload, when the Server was made for one. */
  public readonly workload?: IConstruct;
  /** The namespace: `metadata.namespace`, else the workload's, else the chart's. */
  public readonly namespace: string;
  private clients?: MeshTLSAuthentication;
  private probes?: IConstruct;
  private probePaths?: string[];

  constructor(scope: Construct, id: string, props: ServerProps) {
    super(scope, id);
    this.port = props.port;
    this.version = LinkerdContext.resolve(this, { version: props.version }).version;
    this.workload = props.workload;
    const problems = new Problems();
    if ((props.workload === undefined) === (props.podSelector === undefined)) problems.add('give exactly one of workload and podSelector');
    const portProblem = props.port._problem();
    problems.add(portProblem);
    const facts = props.workload ? selectedFacts(props.workload) : undefined;
    if (props.workload && !facts) problems.add(`workload ${props.workload.node.path} is not a workload: pass a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod`);
    if (facts && !portProblem && props.port.portName !== undefined && resolveServerPorts(facts, props.port.portName).length === 0) {
      const other = facts.ports.find(p => p.name === props.port.portName);
      problems.add(other ? `port ${JSON.stringify(props.port.portName)} names only ${other.protocol} container ports of ${describe(facts)}: a Server selects TCP ports; name one of ${namedPorts(facts)}`
        : `port ${JSON.stringify(props.port.portName)} is not a container port of ${describe(facts)}: name one of ${namedPorts(facts)}`);
    }
    if (props.proxyProtocol !== undefined && !(Object.values(ProxyProtocol) as string[]).includes(props.proxyProtocol)) {
      problems.add(`proxyProtocol ${JSON.stringify(props.proxyProtocol)} is not allowed: use one of ${Object.values(ProxyProtocol).join(', ')}`);
    }
    if (props.accessPolicy !== undefined) {
      // Server v1beta3 and the audit policy both arrived in 2.16, so this gate covers `audit` too
      problems.add(this.version.featureProblem(LinkerdFeature.SERVER_ACCESS_POLICY, 'accessPolicy'));
      if (!(Object.values(DefaultInboundPolicy) as string[]).includes(props.accessPolicy)) {
        problems.add(`accessPolicy ${JSON.stringify(props.accessPolicy)} is not allowed: use one of ${Object.values(DefaultInboundPolicy).join(', ')}`);
      }
    }
    const selector = facts ? podSelectorOf(facts) : { matchLabels: props.podSelector };
    if (facts && Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions?.length ?? 0) === 0) {
      problems.add(`${describe(facts)} has no pod labels to select: label its pod template`);
    }
    const name = props.metadata?.name ?? (facts ? `${facts.name}-${props.port}` : undefined);
    // a name derived from a bad port would only repeat the port's problem
    if (name !== undefined && (props.metadata?.name !== undefined || !portProblem)) problems.add(dns1123SubdomainProblem('name', name));
    const namespace = props.metadata?.namespace ?? (props.workload && meshTarget(props.workload)?.apiObject.metadata.namespace) ?? Chart.of(this).namespace;
    if (namespace !== undefined && namespace !== '') problems.add(dns1123LabelProblem('namespace', namespace));
    if (facts && props.metadata?.namespace !== undefined && props.metadata.namespace !== facts.namespace) {
      problems.add(`namespace ${props.metadata.namespace} is not the namespace of ${describe(facts)}: a Server selects pods of its own namespace only`);
    }
    problems.throwIfAny(this);
    this.namespace = requireNamespace(this, 'Server', namespace);

    const metadata = { ...props.metadata, name, namespace: this.namespace };
    const spec = { podSelector: selector, port: props.port._toKube(), proxyProtocol: props.proxyProtocol };
    this.apiObject = this.version.supports(LinkerdFeature.SERVER_ACCESS_POLICY)
      ? new ServerV1Beta3(this, 'Resource', { metadata, spec: { ...spec, accessPolicy: props.accessPolicy } })
      : new ServerV1Beta1(this, 'Resource', { metadata, spec });
    keepNamespace(this, this.apiObject, 'Server');
    this.node.addValidation({ validate: () => this.synthProblems() });
  }

  /** The object name. */
  public get name(): string {
    return this.apiObject.name;
  }

  /**
   * Authorizes meshed clients on this Server: workloads (their ServiceAccount) or ServiceAccounts, through one
   * MeshTLSAuthentication (`<server>-clients`) and one AuthorizationPolicy (`<server>`) made on first use.
   *
   * A workload running as its namespace's `default` ServiceAccount gets a warning: every pod without its own
   * ServiceAccount there shares that identity.
   */
  public allowFrom(...peers: IConstruct[]): void {
    const refs = peers.map(peer => identityRefOf(peer, this));
    if (!this.clients) {
      const namespace = this.namespace;
      this.clients = new MeshTLSAuthentication(this, 'Clients', { metadata: { name: `${this.name}-clients`, namespace } });
      new AuthorizationPolicy(this, 'Authorization', {
        metadata: { name: this.name, namespace },
        targetRef: PolicyTarget.server(this),
        requiredAuthenticationRefs: [AuthenticationRef.meshTLS(this.clients)],
      });
    }
    this.clients.addIdentityRefs(...refs);
  }

  /**
   * Keeps kubelet probes working once HTTPRoutes attach to this Server: Linkerd authorizes probes on its own only while
   * no HTTPRoute attaches to a Server. Emits an HTTPRoute for the probe paths (`<server>-probes`), a NetworkAuthentication for the
   * probe networks and an AuthorizationPolicy tying them together, as Linkerd's per-route policy guide does.
   *
   * It helps only there: on a Server without other HTTPRoutes it would take away Linkerd's default route, so every
   * request but the probes would fail with 404 (synth fails); on an `HTTP/2`, `gRPC`, `opaque` or `TLS` Server the
   * proxy uses no HTTP route for the kubelet's probes (it fails now).
   *
   * @see https://linkerd.io/2-edge/tasks/configuring-per-route-policy/
   * @see linkerd/linkerd2@version-2.20:policy-controller/k8s/index/src/inbound/index.rs:1997-2018
   */
  public authorizeProbes(options: ProbeAuthorizationOptions = {}): void {
    const facts = this.workload ? selectedFacts(this.workload) : undefined;
    const protocol: string = this.apiObject.toJson().spec?.proxyProtocol ?? ProxyProtocol.UNKNOWN;
    const paths = options.paths ?? (facts ? httpProbesOn(facts, this.port._toKube()).filter(p => p.scheme === 'HTTP').map(p => p.path) : []);
    const problems = new Problems();
    if (HTTP2_PROTOCOLS.includes(protocol)) {
      throwIfProblems([`authorizeProbes() cannot help a proxyProtocol ${protocol} Server: the proxy reads its port as HTTP/2 without detection, `
        + 'so the kubelet\'s HTTP/1.1 probes fail before any route applies; probe a port this Server does not select'], this);
    }
    if (TCP_PROTOCOLS.includes(protocol)) {
      throwIfProblems([`authorizeProbes() cannot help a proxyProtocol ${protocol} Server: its proxy uses no HTTP routes, only the Server's own `
        + 'authorizations; probe a port this Server does not select'], this);
    }
    if (this.probes) problems.add('probes are already authorized on this Server');
    if (paths.length === 0) {
      problems.add(facts ? `${describe(facts)} has no HTTP probes on port ${this.port}: pass paths` : 'this Server selects pods by podSelector: pass the probe paths');
    }
    for (const path of paths) if (!path.startsWith('/')) problems.add(`probe path ${JSON.stringify(path)} must start with "/"`);
    problems.throwIfAny(this);

    const probes = new Construct(this, 'Probes');
    this.probes = probes;
    this.probePaths = [...new Set(paths)].sort();
    const metadata = { name: `${this.name}-probes`, namespace: this.namespace };
    const spec: HttpRouteV1Beta3Spec = {
      parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: this.name }],
      rules: [{ matches: [...new Set(paths)].sort().map(value => ({ path: { type: PathType.EXACT, value }, method: Method.GET })) }],
    };
    // v1beta1 (2.12, 2.13) has the same shape; only its generated enum types differ
    const route = this.version.supports(LinkerdFeature.POLICY_HTTP_ROUTE_V1BETA3) ? new HttpRouteV1Beta3(probes, 'Route', { metadata, spec })
      : new HttpRouteV1Beta1(probes, 'Route', { metadata, spec: spec as HttpRouteV1Beta1Spec });
    const networks = new NetworkAuthentication(probes, 'Networks', {
      metadata,
      networks: (options.networks ?? ['0.0.0.0/0', '::/0']).map(cidr => ({ cidr })),
    });
    const policy = new AuthorizationPolicy(probes, 'Authorization', {
      metadata,
      targetRef: PolicyTarget.route(route),
      requiredAuthenticationRefs: [AuthenticationRef.network(networks)],
    });
    Object.defineProperty(policy, PROBE_POLICY, { value: true });
  }

  private synthProblems(): string[] {
    const model = MeshModel.of(this.node.root);
    const own = this.apiObject.toJson();
    const selected = this.workload ? this.ownWorkload(model) : model.workloadsSelectedBy(this.namespace, own.spec?.podSelector);
    const problems = new Problems();
    for (const w of selected) {
      const m = meshing(w.facts, model);
      if (!m.meshed) {
        problems.add(`selects ${describe(w.facts)}, which is not meshed (${m.reason}): the proxy enforces policy, so this Server would protect nothing; `
          + 'mesh the workload (Mesh.inject) or drop the Server');
      }
    }
    problems.addAll(this.overlapProblems(model, own, selected.map(w => w.facts)));
    problems.addAll(this.probeProblems(model, own, selected.filter(w => meshing(w.facts, model).meshed).map(w => w.facts)));
    return [...problems.list];
  }

  /** The workload this Server was made for, when it is in the Server's namespace. */
  private ownWorkload(model: MeshModel): ModelWorkload[] {
    const workload = model.workloadOf(tryApiObject(this.workload!));
    return workload && workload.facts.namespace === this.namespace ? [workload] : [];
  }

  /** Linkerd allows one Server per pod port; reported on the later of two Servers. */
  private overlapProblems(model: MeshModel, own: any, selected: WorkloadFacts[]): string[] {
    const servers = model.policiesOf('Server', this.namespace);
    const position = model.positionOf(this.apiObject);
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
    for (const other of model.serversWithSelectorAndPort(this.namespace, own.spec?.podSelector, own.spec.port)) {
      if (other < position && !earlier.has(other)) earlier.set(other, undefined);
    }
    return [...earlier].sort(([a], [b]) => a - b).map(([other, facts]) => {
      const otherName = `Server ${this.namespace}/${servers[other].json.metadata?.name}`;
      return facts ? `selects port ${shared.get(other)} of ${describe(facts)}, which ${otherName} also selects: Linkerd allows one Server per pod port`
        : `has the same podSelector and port as ${otherName}: Linkerd allows one Server per pod port`;
    });
  }

  /** The kubelet's HTTP probes on this Server's ports that the proxy would refuse or break, and a harmful authorizeProbes(). */
  private probeProblems(model: MeshModel, own: any, selected: WorkloadFacts[]): string[] {
    const protocol: string = own.spec?.proxyProtocol ?? ProxyProtocol.UNKNOWN;
    // the tree's control plane, as the coverage report takes it: its skipped ports and default policy count here too
    const defaults = clusterDefaults(this.version, LinkerdContext.tryOf(this)?.controlPlane);
    const probes: { facts: WorkloadFacts; probe: HttpProbe }[] = [];
    for (const facts of selected) {
      const skipped = proxyPorts(facts, model, defaults).skipInbound;
      // a skipped port bypasses the proxy, probes included
      for (const probe of httpProbesOn(facts, own.spec?.port)) if (!skipped.some(r => r.includes(probe.port))) probes.push({ facts, probe });
    }
    const list = (ps: typeof probes) => ps.map(({ facts, probe }) => `${probe.scheme === 'HTTPS' ? 'HTTPS ' : ''}GET ${probe.path} on port ${probe.port} of ${describe(facts)}`).join(', ');
    const routes = model.routesTo(this.name, this.namespace).filter(r => r.json.kind === 'HTTPRoute');
    const probeRoute = routes.find(r => r.apiObject.node.scope === this.probes);
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
    const refusedTcp = tcp.filter(p => !this.admitsUnauthenticated(model, p.facts, p.probe.port, defaults));
    if (refusedTcp.length > 0) {
      const why = TCP_PROTOCOLS.includes(protocol) ? `a proxyProtocol ${protocol} Server has no probe route` : 'HTTPS is not HTTP to the proxy, so the probe route does not apply';
      problems.add(`the kubelet's probes (${list(refusedTcp)}) would be refused: ${why}, and no authorization of the Server admits clients without a mesh identity; `
        + 'authorize the probe networks on the Server (an AuthorizationPolicy with only a NetworkAuthentication), or probe a port this Server does not select');
    }
    const http = TCP_PROTOCOLS.includes(protocol) ? [] : probes.filter(p => p.probe.scheme !== 'HTTPS');
    if (probeRoute && userRoutes.length === 0) {
      problems.add(`authorizeProbes() attached HTTPRoute ${this.namespace}/${probeRoute.json.metadata?.name}, the only HTTPRoute of this Server: Linkerd then drops `
        + 'its default route, so every request but the probes would fail with 404; drop authorizeProbes(), Linkerd authorizes the probes itself on a Server without HTTPRoutes');
    } else if (userRoutes.length > 0) {
      // a probe a route of the Server matches, and an authorization without identity admits, gets through without the probe route
      const open = (route: Rendered, p: typeof http[number]) => this.admitsUnauthenticated(model, p.facts, p.probe.port, defaults) || routeAdmitsUnauthenticated(model, route);
      const missing = http.filter(p => !(this.probePaths ?? []).includes(p.probe.path) && !userRoutes.some(r => routeMatchesProbe(r.json, p.probe.path) && open(r, p)));
      const names = userRoutes.map(r => `HTTPRoute ${this.namespace}/${r.json.metadata?.name}`).join(', ');
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
  private admitsUnauthenticated(model: MeshModel, facts: WorkloadFacts, port: number, defaults: ClusterDefaults): boolean {
    const policy = portPolicy(model, facts, port, defaults, { routes: false });
    return policy.server?.apiObject === this.apiObject && policy.authorizations.some(a => a.unauthenticated);
  }
}

/** The rendered facts of a workload construct, or undefined when it is not one. */
function selectedFacts(workload: IConstruct): WorkloadFacts | undefined {
  const target = meshTarget(workload);
  return target?.type === 'workload' ? workloadFacts(target.apiObject.toJson()) : undefined;
}

/** A workload's own selector, else its pod labels (Jobs and Pods have no usable selector). */
function podSelectorOf(facts: WorkloadFacts): LabelSelectorJson {
  const { matchLabels, matchExpressions } = facts.selector ?? {};
  if (Object.keys(matchLabels ?? {}).length > 0 || (matchExpressions ?? []).length > 0) {
    return { ...(matchLabels ? { matchLabels } : {}), ...(matchExpressions ? { matchExpressions } : {}) };
  }
  return { matchLabels: facts.labels };
}

function namedPorts(facts: WorkloadFacts): string {
  const names = [...new Set(facts.ports.filter(p => isTcp(p.protocol)).map(p => p.name).filter((n): n is string => n !== undefined))];
  return names.length > 0 ? names.join(', ') : '(it has no named TCP ports)';
}

/** The identity reference of a client: a ServiceAccount, or the ServiceAccount a workload runs as. */
function identityRefOf(peer: IConstruct, server: Server): IdentityRef {
  const target = meshTarget(peer);
  if (target?.type === 'workload') {
    const facts = workloadFacts(target.apiObject.toJson())!;
    if (facts.serviceAccount === 'default') {
      addWarning(server, `${describe(facts)} runs as the default ServiceAccount of ${facts.namespace}: allowing it allows every pod there that has no ServiceAccount of its own`);
    }
    return IdentityRef.serviceAccount(facts.serviceAccount, facts.namespace);
  }
  const subject = typeof (peer as any).toSubjectConfiguration === 'function' ? (peer as IServiceAccount).toSubjectConfiguration() : undefined;
  if (subject?.kind === 'ServiceAccount') {
    return IdentityRef.serviceAccount(subject.name, subject.namespace ?? tryApiObject(peer)?.metadata.namespace ?? server.namespace);
  }
  const obj = tryApiObject(peer);
  if (obj?.kind === 'ServiceAccount' && obj.apiVersion === 'v1') return IdentityRef.serviceAccount(obj.name, obj.metadata.namespace ?? 'default');
  throw new ValidationError(`cannot allow ${peer.node.path}: allow workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod) or ServiceAccounts`, server);
}
