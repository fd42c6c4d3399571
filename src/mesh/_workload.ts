import { ApiObject, JsonPatch } from 'cdk8s';
import { AbstractPod, Namespace as KplusNamespace } from 'cdk8s-plus-25';
import { IConstruct } from 'constructs';

/** Where each workload kind keeps its pod template, as a path into the object (empty: the object is the pod). */
const POD_TEMPLATE: Record<string, readonly string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Pod: [],
};

/** The workload kinds whose pods can be meshed. */
export const WORKLOAD_KINDS = Object.keys(POD_TEMPLATE);

/** Kinds whose pods are meant to finish. */
export const RUN_TO_COMPLETION_KINDS = ['Job', 'CronJob'];

/** Something that can carry `linkerd.io/inject`: a Namespace, or a workload's pod template. */
export interface MeshTarget {
  readonly type: 'namespace' | 'workload';
  /** The construct the user passed. */
  readonly construct: IConstruct;
  /** The object that is rendered. */
  readonly apiObject: ApiObject;
  /** `Namespace`, `Deployment`, … */
  readonly kind: string;
  /** Sets an annotation on the namespace, or on the pod template (never on the workload's own metadata). */
  annotate(key: string, value: string): void;
}

/** The mesh target behind a construct: a cdk8s-plus workload or Namespace, or a raw ApiObject of those kinds. */
export function meshTarget(construct: IConstruct): MeshTarget | undefined {
  if (construct instanceof AbstractPod) {
    const apiObject = ApiObject.of(construct);
    return { type: 'workload', construct, apiObject, kind: apiObject.kind, annotate: (k, v) => construct.podMetadata.addAnnotation(k, v) };
  }
  if (construct instanceof KplusNamespace) {
    const apiObject = ApiObject.of(construct);
    return { type: 'namespace', construct, apiObject, kind: 'Namespace', annotate: (k, v) => construct.metadata.addAnnotation(k, v) };
  }
  const apiObject = tryApiObject(construct);
  if (!apiObject) return undefined;
  if (apiObject.kind === 'Namespace' && apiObject.apiVersion === 'v1') {
    return { type: 'namespace', construct, apiObject, kind: 'Namespace', annotate: (k, v) => apiObject.metadata.addAnnotation(k, v) };
  }
  const template = isCoreWorkload(apiObject) ? POD_TEMPLATE[apiObject.kind] : undefined;
  if (template === undefined) return undefined;
  const annotate = template.length === 0
    ? (k: string, v: string) => apiObject.metadata.addAnnotation(k, v)
    : (k: string, v: string) => patchTemplateAnnotation(apiObject, template, k, v);
  return { type: 'workload', construct, apiObject, kind: apiObject.kind, annotate };
}

/** The ApiObject a construct renders: itself, or its default child (id `Resource` or `Default`), recursively. */
export function tryApiObject(construct: IConstruct): ApiObject | undefined {
  if (construct instanceof ApiObject) return construct;
  const child = construct.node.defaultChild;
  return child ? tryApiObject(child) : undefined;
}

/** Whether an object is one of the built-in workload kinds (not a CRD that happens to share a kind name). */
export function isCoreWorkload(obj: { apiVersion: string; kind: string }): boolean {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  return POD_TEMPLATE[obj.kind] !== undefined && ['', 'apps', 'batch'].includes(group);
}

/**
 * Sets an annotation on a raw object's pod template with a JSON patch, creating `metadata.annotations` (or whatever
 * part of the path is missing) first: a JSON patch `add` fails when the parent does not exist.
 */
function patchTemplateAnnotation(obj: ApiObject, template: readonly string[], key: string, value: string): void {
  const path = [...template, 'metadata', 'annotations'];
  let node: any = obj.toJson();
  let depth = 0;
  while (depth < path.length && node?.[path[depth]] !== undefined) node = node[path[depth++]];
  if (depth === path.length) {
    obj.addJsonPatch(JsonPatch.add(pointer([...path, key]), value));
    return;
  }
  let subtree: any = { [key]: value };
  for (let i = path.length - 1; i > depth; i--) subtree = { [path[i]]: subtree };
  obj.addJsonPatch(JsonPatch.add(pointer(path.slice(0, depth + 1)), subtree));
}

function pointer(segments: readonly string[]): string {
  return '/' + segments.map(s => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

/** A container port of a workload's pods. */
export interface PodPort {
  readonly number: number;
  readonly name?: string;
  /** `TCP` (the default), `UDP` or `SCTP`, as written. */
  readonly protocol: string;
}

/**
 * An HTTP probe (liveness, readiness or startup) of a workload's pods, as the policy controller registers it
 * (linkerd/linkerd2@version-2.20:policy-controller/k8s/index/src/inbound/workload.rs:78-110): the port is a number,
 * or a name resolved among the named TCP ports of the probe's own container, ignoring case; the path is the URI's
 * path, without its query. A probe whose port name matches nothing is not registered.
 */
export interface HttpProbe {
  readonly path: string;
  readonly port: number;
  /** `HTTP` or `HTTPS`. */
  readonly scheme: string;
}

/** What the rendered object says about a workload's pods. */
export interface WorkloadFacts {
  readonly kind: string;
  readonly name: string;
  /** The namespace; `default` when the object has none (what `kubectl apply` would use). */
  readonly namespace: string;
  /** The workload's own annotations (not its pods'). */
  readonly ownAnnotations: Record<string, string>;
  /** The workload's pod selector, if it has one. */
  readonly selector?: LabelSelectorJson;
  /** The pod template's labels. */
  readonly labels: Record<string, string>;
  /** The pod template's annotations. */
  readonly annotations: Record<string, string>;
  /** The pods' ServiceAccount (`default` when unset). */
  readonly serviceAccount: string;
  readonly hostNetwork: boolean;
  /** Container and init-container ports. */
  readonly ports: readonly PodPort[];
  readonly httpProbes: readonly HttpProbe[];
}

/** `Deployment demo/web`. */
export function describe(facts: { kind: string; namespace: string; name: string }): string {
  return `${facts.kind} ${facts.namespace}/${facts.name}`;
}

/** Reads a rendered workload; undefined when the object is not a built-in workload kind. */
export function workloadFacts(json: any): WorkloadFacts | undefined {
  if (typeof json?.apiVersion !== 'string' || !isCoreWorkload(json)) return undefined;
  let template: any = json;
  for (const key of POD_TEMPLATE[json.kind]) template = template?.[key];
  const spec = template?.spec ?? {};
  const containers: any[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  const ports: PodPort[] = containers.flatMap(c => (c.ports ?? [])
    .map((p: any) => ({ number: p.containerPort, name: p.name, protocol: p.protocol ?? 'TCP' })));
  const httpProbes: HttpProbe[] = [];
  for (const c of containers) {
    for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
      const get = probe?.httpGet;
      if (!get) continue;
      const port = typeof get.port === 'string'
        ? (c.ports ?? []).find((p: any) => isTcp(p.protocol) && typeof p.name === 'string' && p.name.toLowerCase() === get.port.toLowerCase())?.containerPort
        : get.port;
      if (typeof port === 'number') httpProbes.push({ path: uriPath(get.path ?? '/'), port, scheme: String(get.scheme ?? 'HTTP').toUpperCase() });
    }
  }
  return {
    kind: json.kind,
    name: json.metadata?.name,
    namespace: json.metadata?.namespace ?? 'default',
    ownAnnotations: json.kind === 'Pod' ? {} : json.metadata?.annotations ?? {},
    selector: json.kind === 'Pod' ? undefined : json.spec?.selector,
    labels: template?.metadata?.labels ?? {},
    annotations: template?.metadata?.annotations ?? {},
    serviceAccount: spec.serviceAccountName ?? spec.serviceAccount ?? 'default',
    hostNetwork: spec.hostNetwork === true,
    ports,
    httpProbes,
  };
}

/** The pod port a Service port means: a number as is, a name through the pods' named container ports. */
export function resolvePort(facts: WorkloadFacts, port: number | string): number | undefined {
  return typeof port === 'number' ? port : facts.ports.find(p => p.name === port)?.number;
}

/**
 * The pod ports a Server port selects, sorted: a number as is; a name, every named TCP container port of that name,
 * in any container (linkerd/linkerd2@version-2.20:policy-controller/k8s/index/src/inbound/workload.rs:27,
 * `pod_tcp_ports_by_name`, and inbound/index.rs:1379, `select_ports`: "a named port may refer to an arbitrary number
 * of port numbers").
 */
export function resolveServerPorts(facts: WorkloadFacts, port: number | string | undefined): number[] {
  if (typeof port === 'number') return [port];
  const numbers = facts.ports.filter(p => p.name !== undefined && p.name === port && isTcp(p.protocol)).map(p => p.number);
  return [...new Set(numbers)].sort((a, b) => a - b);
}

/** Whether a container port protocol is TCP (unset means TCP; the policy controller ignores case). */
export function isTcp(protocol: string | undefined): boolean {
  return protocol === undefined || protocol.toUpperCase() === 'TCP';
}

/** The path of a probe's URI: what precedes `?` or `#`. */
function uriPath(path: string): string {
  const end = path.search(/[?#]/);
  const bare = end === -1 ? path : path.slice(0, end);
  return bare === '' ? '/' : bare;
}

/** A label selector as Kubernetes renders it. */
export interface LabelSelectorJson {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: any[];
}

/** Whether a label selector selects a set of labels (`matchLabels` and `matchExpressions` ANDed; empty selects all). */
export function selects(selector: LabelSelectorJson | undefined, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector?.matchExpressions ?? []) {
    const has = labels[e.key] !== undefined;
    const inValues = has && (e.values ?? []).includes(labels[e.key]);
    const ok = e.operator === 'In' ? inValues : e.operator === 'NotIn' ? !inValues : e.operator === 'Exists' ? has : !has;
    if (!ok) return false;
  }
  return true;
}
