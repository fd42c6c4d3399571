import { ApiObject, ApiObjectMetadata, Chart } from 'cdk8s';
import { IServiceAccount } from 'cdk8s-plus-25';
import { Construct, IConstruct } from 'constructs';
import {
  HttpRouteV1Beta1, HttpRouteV1Beta1Spec, HttpRouteV1Beta3, HttpRouteV1Beta3Spec, HttpRouteV1Beta3SpecRulesMatchesMethod as Method,
  HttpRouteV1Beta3SpecRulesMatchesPathType as PathType, ServerV1Beta1, ServerV1Beta3,
} from '../../imports/policy.linkerd.io';
import { throwIfProblems, ValidationError } from '../_internal/errors';
import { dns1123LabelProblem, dns1123SubdomainProblem } from '../_internal/names';
import { keepNamespace, requireNamespace } from '../_internal/namespaced';
import { Problems } from '../_internal/problems';
import { validateWritten } from '../_internal/validated';
import { addWarning } from '../_internal/warnings';
import { LinkerdContext } from '../linkerd/context';
import { DefaultInboundPolicy } from '../linkerd/control-plane';
import { LinkerdFeature, LinkerdVersion } from '../linkerd/version';
import { MeshModel, PROBE_POLICY } from './_model';
import {
  describe, isTcp, LabelSelectorJson, meshTarget, resolveServerPorts, tryApiObject, WorkloadFacts, workloadFacts,
} from './_workload';
import { AuthenticationRef, AuthorizationPolicy, PolicyTarget } from './authorization-policy';
import { IdentityRef } from './identity';
import { MeshTLSAuthentication } from './meshtls-authentication';
import { NetworkAuthentication } from './network-authentication';
import { ProxyProtocol, ServerPort } from './server-port';
import { HTTP2_PROTOCOLS, httpProbesOn, serverRules, serverSynthProblems, TCP_PROTOCOLS } from './server-rules';

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
    const namespace = props.metadata?.namespace
      ?? (props.workload && meshTarget(props.workload)?.apiObject.metadata.namespace)
      ?? Chart.of(this).namespace;
    if (namespace !== undefined && namespace !== '') problems.add(dns1123LabelProblem('namespace', namespace));
    if (facts && props.metadata?.namespace !== undefined && props.metadata.namespace !== facts.namespace) {
      problems.add(`namespace ${props.metadata.namespace} is not the namespace of ${describe(facts)}: a Server selects pods of its own namespace only`);
    }
    problems.throwIfAny(this);
    this.namespace = requireNamespace(this, 'Server', namespace);

    const metadata = { ...props.metadata, name, namespace: this.namespace };
    const checked = { port: props.port._toKube(), proxyProtocol: props.proxyProtocol };
    const accessPolicy = this.version.supports(LinkerdFeature.SERVER_ACCESS_POLICY) ? { accessPolicy: props.accessPolicy } : {};
    const spec = { podSelector: selector, ...checked, ...accessPolicy };
    this.apiObject = this.version.supports(LinkerdFeature.SERVER_ACCESS_POLICY)
      ? new ServerV1Beta3(this, 'Resource', { metadata, spec })
      : new ServerV1Beta1(this, 'Resource', { metadata, spec });
    keepNamespace(this, this.apiObject, 'Server');
    // checked as written: the rules read the spec's port, proxyProtocol and accessPolicy, which the Server CRD classes
    // pass through as they are (imports/policy.linkerd.io.ts toJson_ServerV1Beta1Spec, toJson_ServerV1Beta3Spec)
    validateWritten(this, this.apiObject, { spec: { ...checked, ...accessPolicy } }, obj => serverRules(obj, this.version), { metadata, selector });
    this.node.addValidation({
      validate: () => serverSynthProblems({
        apiObject: this.apiObject, name: this.name, namespace: this.namespace, version: this.version, workload: this.workload,
        probes: this.probes, probePaths: this.probePaths, controlPlane: LinkerdContext.tryOf(this)?.controlPlane,
      }, MeshModel.of(this.node.root)),
    });
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
