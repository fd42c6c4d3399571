/*
 * The index of an app's objects that the mesh rules and the coverage report read (MeshModel): built once per synthesis.
 * What meshing means for a workload (injection, port handling, policy) is computed from it in _model.ts.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { perSynth } from '../_internal/per-synth';
import { targetsKind } from '../_internal/target-kind';
import { LabelSelectorJson, selects, WorkloadFacts, workloadFacts } from './_workload';

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

/** Appends to the list under a key (in place: copying would make building an index quadratic); returns its position. */
export function appendTo<T>(index: Map<string, T[]>, key: string, value: T): number {
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
