import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { IServiceAccount } from 'cdk8s-plus-25';
import { Construct, IConstruct } from 'constructs';
import { throwIfProblems, ValidationError } from '../_internal/errors';
import { dns1123LabelProblem, dns1123SubdomainProblem } from '../_internal/names';
import { addWarning } from '../_internal/warnings';
import { DefaultInboundPolicy } from '../linkerd/control-plane';
import { LinkerdContext } from '../linkerd/context';
import { LinkerdVersion } from '../linkerd/version';
import {
  HttpRouteV1Beta1, HttpRouteV1Beta1Spec, HttpRouteV1Beta3, HttpRouteV1Beta3Spec, HttpRouteV1Beta3SpecRulesMatchesMethod as Method,
  HttpRouteV1Beta3SpecRulesMatchesPathType as PathType, ServerV1Beta1, ServerV1Beta3,
} from '../../imports/policy.linkerd.io';
import { minorOf } from './_annotations';
import { meshing, MeshModel, ModelWorkload } from './_model';
import { describe, LabelSelectorJson, meshTarget, resolvePort, tryApiObject, WorkloadFacts, workloadFacts } from './_workload';
import { AuthenticationRef, AuthorizationPolicy, PolicyTarget } from './authorization-policy';
import { IdentityRef } from './identity';
import { MeshTLSAuthentication } from './meshtls-authentication';
import { NetworkAuthentication } from './network-authentication';
import { ProxyProtocol, ServerPort } from './server-port';

/** Props for {@link Server}. */
export interface ServerProps {
  /**
   * Name, namespace, labels and annotations.
   *
   * @default - `<workload>-<port>` in the workload's namespace when `workload` is given, else a generated name
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

const PROBE_POLICY = Symbol.for('cdk8s-linkerd.mesh.ProbePolicy');

/**
 * A port of some pods, as Linkerd's policy sees it (`policy.linkerd.io` Server): once a Server exists, only traffic
 * an AuthorizationPolicy allows reaches that port.
 *
 * Selects the pods of a `workload` (or a `podSelector`) on one port. Rules: a named port must exist in the workload's
 * pods; `accessPolicy` needs 2.16+, `audit` too. At synth: the selected workloads must be meshed (policy on an
 * unmeshed workload is an error: there is no proxy to enforce it), no other Server may select the same pod port, and
 * when HTTPRoutes attach to the Server the kubelet probes must be authorized ({@link authorizeProbes}), because
 * Linkerd stops authorizing them on its own.
 *
 * @see https://linkerd.io/2-edge/reference/authorization-policy/#server
 */
export class Server extends Construct {
  /** Whether an AuthorizationPolicy construct is a probe authorization made by {@link authorizeProbes}. @internal */
  public static _isProbePolicy(c: IConstruct): boolean {
    return (c as any)[PROBE_POLICY] === true;
  }

  /** The generated object. */
  public readonly apiObject: ApiObject;
  /** The pod port. */
  public readonly port: ServerPort;
  /** The Linkerd version. */
  public readonly version: LinkerdVersion;
  /** The selected workload, when the Server was made for one. */
  public readonly workload?: IConstruct;
  private clients?: MeshTLSAuthentication;
  private probes?: IConstruct;

  constructor(scope: Construct, id: string, props: ServerProps) {
    super(scope, id);
    this.port = props.port;
    this.version = LinkerdContext.resolve(this, { version: props.version }).version;
    this.workload = props.workload;
    const problems: string[] = [];
    const add = (p: string | undefined) => { if (p) problems.push(p); };
    if ((props.workload === undefined) === (props.podSelector === undefined)) add('give exactly one of workload and podSelector');
    const portProblem = props.port._problem();
    add(portProblem);
    const facts = props.workload ? selectedFacts(props.workload) : undefined;
    if (props.workload && !facts) add(`workload ${props.workload.node.path} is not a workload: pass a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod`);
    if (facts && !portProblem && props.port.portName !== undefined && resolvePort(facts, props.port.portName) === undefined) {
      add(`port ${JSON.stringify(props.port.portName)} is not a container port of ${describe(facts)}: name one of ${namedPorts(facts)}`);
    }
    if (props.proxyProtocol !== undefined && !(Object.values(ProxyProtocol) as string[]).includes(props.proxyProtocol)) {
      add(`proxyProtocol ${JSON.stringify(props.proxyProtocol)} is not allowed: use one of ${Object.values(ProxyProtocol).join(', ')}`);
    }
    if (props.accessPolicy !== undefined) {
      // Server v1beta3 and the audit policy both arrived in 2.16, so this gate covers `audit` too
      if (minorOf(this.version) < 16) add(`accessPolicy needs Linkerd 2.16 or later (Server v1beta3), but this is Linkerd ${this.version.major}`);
      if (!(Object.values(DefaultInboundPolicy) as string[]).includes(props.accessPolicy)) {
        add(`accessPolicy ${JSON.stringify(props.accessPolicy)} is not allowed: use one of ${Object.values(DefaultInboundPolicy).join(', ')}`);
      }
    }
    const selector = facts ? podSelectorOf(facts) : { matchLabels: props.podSelector };
    if (facts && Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions?.length ?? 0) === 0) {
      add(`${describe(facts)} has no pod labels to select: label its pod template`);
    }
    const name = props.metadata?.name ?? (facts ? `${facts.name}-${props.port}` : undefined);
    // a name derived from a bad port would only repeat the port's problem
    if (name !== undefined && (props.metadata?.name !== undefined || !portProblem)) add(dns1123SubdomainProblem('name', name));
    const namespace = props.metadata?.namespace ?? (props.workload && meshTarget(props.workload)?.apiObject.metadata.namespace);
    if (namespace !== undefined) add(dns1123LabelProblem('namespace', namespace));
    if (facts && props.metadata?.namespace !== undefined && props.metadata.namespace !== facts.namespace) {
      add(`namespace ${props.metadata.namespace} is not the namespace of ${describe(facts)}: a Server selects pods of its own namespace only`);
    }
    throwIfProblems(problems, this);

    const metadata = { ...props.metadata, name, namespace };
    const spec = { podSelector: selector, port: props.port._toKube(), proxyProtocol: props.proxyProtocol };
    this.apiObject = minorOf(this.version) >= 16
      ? new ServerV1Beta3(this, 'Resource', { metadata, spec: { ...spec, accessPolicy: props.accessPolicy } })
      : new ServerV1Beta1(this, 'Resource', { metadata, spec });
    this.node.addValidation({ validate: () => this.synthProblems() });
  }

  /** The object name. */
  public get name(): string {
    return this.apiObject.name;
  }

  /** The namespace (`default` when the object has none). */
  public get namespace(): string {
    return this.apiObject.metadata.namespace ?? 'default';
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
      const namespace = this.apiObject.metadata.namespace;
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
   * a Server has no routes. Emits an HTTPRoute for the probe paths (`<server>-probes`), a NetworkAuthentication for the
   * probe networks and an AuthorizationPolicy tying them together, as Linkerd's per-route policy guide does.
   *
   * Call it only when routes attach: a route on a Server makes every request no route matches fail with 404.
   *
   * @see https://linkerd.io/2-edge/tasks/configuring-per-route-policy/
   */
  public authorizeProbes(options: ProbeAuthorizationOptions = {}): void {
    const facts = this.workload ? selectedFacts(this.workload) : undefined;
    const paths = options.paths ?? (facts ? probePaths(facts, this.port) : []);
    const problems: string[] = [];
    if (this.probes) problems.push('probes are already authorized on this Server');
    if (paths.length === 0) {
      problems.push(facts ? `${describe(facts)} has no HTTP probes on port ${this.port}: pass paths` : 'this Server selects pods by podSelector: pass the probe paths');
    }
    for (const path of paths) if (!path.startsWith('/')) problems.push(`probe path ${JSON.stringify(path)} must start with "/"`);
    throwIfProblems(problems, this);

    const probes = new Construct(this, 'Probes');
    this.probes = probes;
    const metadata = { name: `${this.name}-probes`, namespace: this.apiObject.metadata.namespace };
    const spec: HttpRouteV1Beta3Spec = {
      parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: this.name }],
      rules: [{ matches: [...new Set(paths)].sort().map(value => ({ path: { type: PathType.EXACT, value }, method: Method.GET })) }],
    };
    // v1beta1 (2.12, 2.13) has the same shape; only its generated enum types differ
    const route = minorOf(this.version) >= 14 ? new HttpRouteV1Beta3(probes, 'Route', { metadata, spec })
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
    const problems: string[] = [];
    for (const w of selected) {
      const m = meshing(w.facts, model);
      if (!m.meshed) {
        problems.push(`selects ${describe(w.facts)}, which is not meshed (${m.reason}): the proxy enforces policy, so this Server would protect nothing; `
          + 'mesh the workload (Mesh.inject) or drop the Server');
      }
    }
    problems.push(...this.overlapProblems(model, own, selected.map(w => w.facts)));
    if (!this.probes) problems.push(...this.probeProblems(model, selected.map(w => w.facts)));
    return problems;
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
    for (const facts of selected) {
      const port = resolvePort(facts, own.spec.port);
      if (port === undefined) continue;
      for (const other of model.serversSelecting(facts)) {
        if (other < position && !earlier.has(other) && resolvePort(facts, servers[other].json.spec?.port) === port) earlier.set(other, facts);
      }
    }
    for (const other of model.serversWithSelectorAndPort(this.namespace, own.spec?.podSelector, own.spec.port)) {
      if (other < position && !earlier.has(other)) earlier.set(other, undefined);
    }
    return [...earlier].sort(([a], [b]) => a - b).map(([other, shared]) => {
      const otherName = `Server ${this.namespace}/${servers[other].json.metadata?.name}`;
      return shared ? `selects port ${resolvePort(shared, own.spec.port)} of ${describe(shared)}, which ${otherName} also selects: Linkerd allows one Server per pod port`
        : `has the same podSelector and port as ${otherName}: Linkerd allows one Server per pod port`;
    });
  }

  /** Once a route attaches to a Server, kubelet probes on its port are no longer authorized by default. */
  private probeProblems(model: MeshModel, selected: WorkloadFacts[]): string[] {
    const routes = model.routesTo(this.name, this.namespace);
    const probed = selected.flatMap(f => probePaths(f, this.port).map(path => `GET ${path} on ${describe(f)}`));
    if (routes.length === 0 || probed.length === 0) return [];
    const names = routes.map(r => `${r.json.kind} ${this.namespace}/${r.json.metadata?.name}`).join(', ');
    return [`${names} attaches to this Server, so Linkerd no longer authorizes the kubelet probes on port ${this.port} (${probed.join(', ')}): `
      + 'call authorizeProbes() on the Server'];
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
  const names = facts.ports.map(p => p.name).filter((n): n is string => n !== undefined);
  return names.length > 0 ? names.join(', ') : '(it has no named ports)';
}

/** The HTTP probe paths of a workload on a Server port. */
function probePaths(facts: WorkloadFacts, port: ServerPort): string[] {
  const number = resolvePort(facts, port._toKube());
  return [...new Set(facts.httpProbes.filter(p => number !== undefined && resolvePort(facts, p.port) === number).map(p => p.path))].sort();
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
