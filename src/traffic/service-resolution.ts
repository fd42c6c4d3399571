import { IConstruct } from 'constructs';
import { ResolvedService, ServiceReference } from './service-reference';

/**
 * Resolves a {@link ServiceReference}, throwing a {@link ValidationError} on `scope` when it has no namespace or an
 * invalid name.
 *
 * @internal
 */
export function resolveService(scope: IConstruct, service: ServiceReference): ResolvedService {
  return service._resolve(scope);
}

/**
 * The ports a referenced Service exposes: a cdk8s-plus Service's `ports`, else the rendered `spec.ports`; undefined for
 * a {@link ServiceReference.fromName} reference.
 *
 * @internal
 */
export function servicePorts(reference: ServiceReference): number[] | undefined {
  return reference._ports();
}
