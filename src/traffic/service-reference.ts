import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-25';
import { IConstruct } from 'constructs';
import { ValidationError } from '../_internal/errors';
import { dns1123LabelProblem } from '../_internal/names';

/**
 * The Service that a traffic policy is for.
 *
 * Made by a factory, so what it refers to is known by type rather than guessed at run time:
 * `fromService(kplusService)`, `fromApiObject(apiObject)` or `fromName(name, namespace)` for a Service defined
 * outside this app. A construct is preferred: its namespace is read from it, and conflict detection (a
 * ServiceProfile together with circuit breaking, retry annotations or HTTPRoutes) and the headless check can see it.
 *
 * @example
 * new CircuitBreaker(chart, 'breaker', { service: ServiceReference.fromService(payments) });
 * new ServiceProfile(chart, 'web', { service: ServiceReference.fromName('web', 'shop') });
 */
export abstract class ServiceReference {
  /** A cdk8s-plus Service of this app: its name, namespace (its metadata's, else its chart's) and ports. */
  public static fromService(service: kplus.Service): ServiceReference {
    return new ConstructServiceReference(ApiObject.of(service), () => service.ports.map(p => p.port));
  }

  /**
   * An `ApiObject` of kind `Service` (`v1`) of this app, such as cdk8s-plus-25's `k8s.KubeService`.
   *
   * @throws ValidationError, on the ApiObject, when it is not a v1 Service
   */
  public static fromApiObject(apiObject: ApiObject): ServiceReference {
    if (apiObject.kind !== 'Service' || apiObject.apiVersion !== 'v1') {
      throw new ValidationError(`is a ${apiObject.kind} (${apiObject.apiVersion}), not a Service (v1): ServiceReference.fromApiObject takes an ApiObject of kind Service`, apiObject);
    }
    return new ConstructServiceReference(apiObject, () => renderedPorts(apiObject));
  }

  /** A Service defined outside this app, by name and namespace; nothing about it is checked but the names. */
  public static fromName(name: string, namespace: string): ServiceReference {
    return new NamedServiceReference(name, namespace);
  }

  /** @internal */
  public abstract _resolve(scope: IConstruct): ResolvedService;

  /** @internal */
  public abstract _ports(): number[] | undefined;
}

class ConstructServiceReference extends ServiceReference {
  constructor(private readonly apiObject: ApiObject, private readonly ports: () => number[]) {
    super();
  }

  public _resolve(scope: IConstruct): ResolvedService {
    return checked(scope, this.apiObject.name, this.apiObject.metadata.namespace, this.apiObject);
  }

  public _ports(): number[] {
    return this.ports();
  }
}

class NamedServiceReference extends ServiceReference {
  constructor(private readonly name: string, private readonly namespace: string) {
    super();
  }

  public _resolve(scope: IConstruct): ResolvedService {
    return checked(scope, this.name, this.namespace, undefined);
  }

  public _ports(): undefined {
    return undefined;
  }
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

function checked(scope: IConstruct, name: string, namespace: string | undefined, apiObject: ApiObject | undefined): ResolvedService {
  if (typeof name !== 'string' || name.length > 63 || !DNS1035_LABEL.test(name)) {
    throw new ValidationError(`service name ${JSON.stringify(name)} must be a DNS-1035 label (at most 63 lowercase alphanumerics or '-', `
      + 'starting with a letter and ending with an alphanumeric), as Kubernetes requires of Service names', scope);
  }
  if (namespace === undefined) {
    throw new ValidationError(`service ${JSON.stringify(name)} has no namespace: set metadata.namespace on the Service (or its chart's namespace), `
      + 'or use ServiceReference.fromName(name, namespace)', scope);
  }
  const problem = dns1123LabelProblem(`service ${JSON.stringify(name)} namespace`, namespace);
  if (problem) throw new ValidationError(problem, scope);
  return { name, namespace, apiObject };
}

function renderedPorts(apiObject: ApiObject): number[] {
  const rendered = apiObject.toJson().spec?.ports;
  return Array.isArray(rendered) ? rendered.map((p: any) => p?.port).filter((p: unknown): p is number => typeof p === 'number') : [];
}
