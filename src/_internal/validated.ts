import { ApiObject, App } from 'cdk8s';
import { IConstruct } from 'constructs';
import { builtInResolversOnly, withBuiltInResolution } from './built-in-resolution';
import { throwIfProblems, ValidationError } from './errors';

/**
 * Applies a rule set to a construct's rendered object twice: now (one clear error at construction) and again at synth,
 * so that a JSON patch applied through the `ApiObject.of(construct)` escape hatch cannot smuggle in what the rules forbid.
 * The construction-time rendering resolves values as {@link withBuiltInResolution} does (the same result, less work).
 *
 * @internal
 */
export function validateRendered(scope: IConstruct, apiObject: ApiObject, rules: (obj: any) => string[]): void {
  let rendered: any;
  try {
    rendered = withBuiltInResolution(() => apiObject.toJson());
  } catch (e) {
    throw new ValidationError(`cannot be rendered: ${(e as Error).message}`, scope);
  }
  throwIfProblems(rules(rendered), scope);
  validateAtSynth(scope, apiObject, rules);
}

/**
 * Like {@link validateRendered}, but the construction-time check reads `written`, the object as the construct wrote it,
 * instead of rendering it: rendering resolves every value with the app's resolvers, which is most of a small object's
 * cost and, at ten thousand objects, seconds. The two checks agree when `written` is plain data (strings, numbers,
 * booleans, plain objects and arrays, so nothing for cdk8s's built-in resolvers to resolve: a `Lazy`, a union class or
 * an object with `resolve()`; cdk8s@2.70.106:lib/resolve.js:54-98) and the app has no resolvers of its own (which may
 * replace any value). Otherwise this renders, as {@link validateRendered} does. The caller answers for `written`
 * carrying what `rules` read of the rendered object; `checkedElsewhere` is the rest of what the construct wrote, which
 * the caller has checked already and which must be plain data too (else rendering it could fail, or resolve it).
 *
 * @internal
 */
export function validateWritten(
  scope: IConstruct, apiObject: ApiObject, written: unknown, rules: (obj: any) => string[], checkedElsewhere?: unknown,
): void {
  if (!isPlainData(written) || !isPlainData(checkedElsewhere) || !appHasBuiltInResolversOnly(scope)) {
    validateRendered(scope, apiObject, rules);
    return;
  }
  throwIfProblems(rules(written), scope);
  validateAtSynth(scope, apiObject, rules);
}

/** Applies a rule set to the rendered object at synth. */
function validateAtSynth(scope: IConstruct, apiObject: ApiObject, rules: (obj: any) => string[]): void {
  scope.node.addValidation({ validate: () => rules(apiObject.toJson()) });
}

/**
 * Strings, numbers, booleans and undefined, in objects of the Object prototype and arrays. Not null, which rendering
 * drops (a rule would read undefined there), nor an object without a prototype, which cdk8s cannot render
 * (cdk8s@2.70.106:lib/_util.js:4-34, `sanitizeValue`).
 */
function isPlainData(value: unknown): boolean {
  if (value === null) return false;
  if (typeof value !== 'object') return typeof value !== 'function' && typeof value !== 'symbol';
  if (Array.isArray(value)) return value.every(isPlainData);
  return Object.getPrototypeOf(value) === Object.prototype && Object.values(value).every(isPlainData);
}

/** Whether the construct's app renders with cdk8s's own resolvers only ({@link builtInResolversOnly}). */
function appHasBuiltInResolversOnly(scope: IConstruct): boolean {
  let app: App;
  try {
    app = App.of(scope);
  } catch {
    return false;
  }
  return builtInResolversOnly(app);
}
