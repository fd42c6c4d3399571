import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { throwIfProblems, ValidationError } from './errors';

/**
 * Applies a rule set to a construct's rendered object twice: now (one clear error at construction) and again at synth,
 * so that a JSON patch applied through the `ApiObject.of(construct)` escape hatch cannot smuggle in what the rules forbid.
 *
 * @internal
 */
export function validateRendered(scope: IConstruct, apiObject: ApiObject, rules: (obj: any) => string[]): void {
  let rendered: any;
  try {
    rendered = apiObject.toJson();
  } catch (e) {
    throw new ValidationError(`cannot be rendered: ${(e as Error).message}`, scope);
  }
  throwIfProblems(rules(rendered), scope);
  scope.node.addValidation({ validate: () => rules(apiObject.toJson()) });
}
