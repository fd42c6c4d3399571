import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ValidationError } from './errors';

/**
 * The namespace of a namespaced object: the given one, else its chart's.
 *
 * An object without one is applied wherever the deployer happens to point: kubectl puts it in the current context's
 * namespace, Argo CD in the Application's destination namespace. So having none is an error here, never a default.
 *
 * @internal
 */
export function requireNamespace(scope: IConstruct, kind: string, given: string | undefined): string {
  const namespace = given ?? Chart.of(scope).namespace;
  if (namespace === undefined || namespace === '') throw new ValidationError(noNamespace(kind), scope);
  return namespace;
}

/**
 * Checks again at synth that the rendered object still has a namespace, so a JSON patch through the
 * `ApiObject.of(construct)` escape hatch cannot remove it.
 *
 * @internal
 */
export function keepNamespace(scope: IConstruct, apiObject: ApiObject, kind: string): void {
  scope.node.addValidation({ validate: () => (apiObject.toJson().metadata?.namespace ? [] : [noNamespace(kind)]) });
}

function noNamespace(kind: string): string {
  return `${/^[AEIOU]/.test(kind) ? 'an' : 'a'} ${kind} is namespaced and has no namespace: set metadata.namespace or the chart's namespace `
    + '(without one, kubectl would apply it to the current context\'s namespace and Argo CD to the Application\'s destination)';
}
