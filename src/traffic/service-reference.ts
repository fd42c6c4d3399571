import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ValidationError } from '../_internal/errors';
import { dns1123LabelProblem } from '../_internal/names';

/**
 * The Service that a traffic policy is for: a cdk8s-plus `Service`, an `ApiObject` of kind `Service`, or
 * `{ name, namespace }` for a Service defined outside this app.
 *
 * A construct is preferred: its namespace is read from it, and conflict detection (a ServiceProfile together with
 * circuit breaking, retry annotations or HTTPRoutes) and the headless check can see it.
 */
export interface ServiceReference {
  /** The Service's name. */
  readonly name: string;
  /**
   * The Service's namespace.
   *
   * @default - a construct's own namespace (its metadata, else its chart's); required for a plain `{ name, namespace }`
   */
  readonly namespace?: string;
}

/** A Service reference with its namespace resolved. */
export interface ResolvedService {
  /** The Service's name. */
  readonly name: string;
  /** The Service's namespace. */
  readonly namespace: string;
  /** The Service's ApiObject, when the reference is a construct. */
  readonly apiObject?: ApiObject;
}

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Resolves a {@link ServiceReference}, throwing a {@link ValidationError} on `scope` when it is not a Service, has no
 * namespace, or has an invalid name.
 *
 * @internal
 */
export function resolveService(scope: IConstruct, service: ServiceReference): ResolvedService {
  let apiObject: ApiObject | undefined;
  if (Construct.isConstruct(service)) {
    const candidate = ApiObject.isApiObject(service) ? service : service.node.defaultChild;
    if (!ApiObject.isApiObject(candidate) || candidate.kind !== 'Service' || candidate.apiVersion !== 'v1') {
      const what = ApiObject.isApiObject(candidate) ? `a ${candidate.kind} (${candidate.apiVersion})` : 'a construct without an ApiObject';
      throw new ValidationError(`service ${service.node.path} is ${what}: use a cdk8s-plus Service, an ApiObject of kind Service, or { name, namespace }`, scope);
    }
    apiObject = candidate;
  }
  const name = apiObject?.name ?? service.name;
  const namespace = apiObject ? apiObject.metadata.namespace : service.namespace;
  if (typeof name !== 'string' || name.length > 63 || !DNS1035_LABEL.test(name)) {
    throw new ValidationError(`service name ${JSON.stringify(name)} must be a DNS-1035 label (at most 63 lowercase alphanumerics or '-', `
      + 'starting with a letter and ending with an alphanumeric), as Kubernetes requires of Service names', scope);
  }
  if (namespace === undefined) {
    throw new ValidationError(`service ${JSON.stringify(name)} has no namespace: set metadata.namespace on the Service (or its chart's namespace), `
      + 'or pass { name, namespace }', scope);
  }
  const problem = dns1123LabelProblem(`service ${JSON.stringify(name)} namespace`, namespace);
  if (problem) throw new ValidationError(problem, scope);
  return { name, namespace, apiObject };
}

/**
 * The ports a Service construct exposes: a cdk8s-plus Service's `ports`, else the rendered `spec.ports`; undefined for
 * a `{ name, namespace }` reference.
 *
 * @internal
 */
export function servicePorts(reference: ServiceReference, service: ResolvedService): number[] | undefined {
  const ports = (reference as { ports?: unknown }).ports;
  if (Array.isArray(ports)) return ports.map(p => p?.port).filter((p): p is number => typeof p === 'number');
  if (service.apiObject === undefined) return undefined;
  const rendered = service.apiObject.toJson().spec?.ports;
  return Array.isArray(rendered) ? rendered.map((p: any) => p?.port).filter((p: unknown): p is number => typeof p === 'number') : [];
}
