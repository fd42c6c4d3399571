import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { perSynth } from '../_internal/per-synth';
import { LinkerdControlPlane } from '../linkerd/control-plane';
import { LinkerdVersion } from '../linkerd/version';
import {
  CHART_DEFAULTS, DEFAULT_INBOUND_POLICY, ignoredNativeSidecarAnnotations, INJECT, minorOf, namespaceExclusion, nativeSidecarOf, OPAQUE_PORTS,
  podLabelExclusion, SKIP_INBOUND_PORTS, SKIP_OUTBOUND_PORTS,
} from './_annotations';
import { LabelSelectorJson, RUN_TO_COMPLETION_KINDS, selects, WorkloadFacts, workloadFacts } from './_workload';
import { parsePortList, PortRange } from './port-range';

const INJECT_VALUES = ['enabled', 'disabled', 'ingress'];
const POLICY_GROUP = 'policy.linkerd.io';

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
  const v = controlPlane?.version ?? version ?? LinkerdVersion.LATEST;
  const values = controlPlane?.helmValues ?? {};
  return {
    version: v,
    opaquePorts: values.proxy?.opaquePorts ?? CHART_DEFAULTS.opaquePorts,
    ignoreInboundPorts: values.proxyInit?.ignoreInboundPorts ?? CHART_DEFAULTS.ignoreInboundPorts,
    ignoreOutboundPorts: values.proxyInit?.ignoreOutboundPorts ?? CHART_DEFAULTS.ignoreOutboundPorts,
    defaultInboundPolicy: values.proxy?.defaultInboundPolicy ?? CHART_DEFAULTS.defaultInboundPolicy,
    nativeSidecar: values.proxy?.nativeSidecar ?? v.nativeSidecarDefault,
    controlPlaneNamespace: controlPlane?.namespace.name ?? 'linkerd',
    trustDomain: values.identityTrustDomain || values.clusterDomain || 'cluster.local',
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
          .flatMap(route => (route.json.spec?.parentRefs ?? []).filter((p: any) => p.kind === 'Server').map((p: any) => p.name));
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

/** The default inbound policy of a workload's proxies, and where it comes from. */
export function inboundPolicy(facts: WorkloadFacts, model: MeshModel, defaults: ClusterDefaults): string {
  if (facts.annotations[DEFAULT_INBOUND_POLICY]) return `${facts.annotations[DEFAULT_INBOUND_POLICY]} (pod template)`;
  const ns = model.namespaces.get(facts.namespace)?.annotations[DEFAULT_INBOUND_POLICY];
  return ns ? `${ns} (namespace ${facts.namespace})` : `${defaults.defaultInboundPolicy} (cluster default)`;
}

/** Things about a workload's meshing that a user would want to know. */
export function meshNotes(facts: WorkloadFacts, meshed: boolean, model: MeshModel, defaults: ClusterDefaults): string[] {
  const notes: string[] = [];
  if (facts.ownAnnotations[INJECT] !== undefined) {
    notes.push(`${INJECT} on the ${facts.kind}'s own metadata is ignored: the injector reads the pod template and the namespace`);
  }
  if (meshed) notes.push(...ignoredNativeSidecarAnnotations(defaults.version, facts.annotations));
  if (meshed && RUN_TO_COMPLETION_KINDS.includes(facts.kind)) {
    const native = minorOf(defaults.version) >= 15 && nativeSidecarOf(defaults.version, facts.annotations,
      model.namespaces.get(facts.namespace)?.annotations ?? {}, defaults.nativeSidecar);
    if (!native) notes.push(`its proxy is not a native sidecar, so it keeps running after the ${facts.kind}'s containers exit and the ${facts.kind} never completes`);
  }
  return notes;
}

/** The mTLS identity of a ServiceAccount. */
export function identityOf(serviceAccount: string, namespace: string, defaults: ClusterDefaults): string {
  return `${serviceAccount}.${namespace}.serviceaccount.identity.${defaults.controlPlaneNamespace}.${defaults.trustDomain}`;
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
