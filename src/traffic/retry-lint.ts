import { NON_IDEMPOTENT_RETRY_LINT, RequestMatchJson } from './conditions';

/** Methods RFC 9110 defines as idempotent: a retry cannot apply them twice. */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/**
 * The HTTP methods a request match can match, or undefined when it can match any method.
 *
 * @internal
 */
export function matchedMethods(match: RequestMatchJson | undefined): Set<string> | undefined {
  if (match === null || typeof match !== 'object') return undefined;
  const sets: Array<Set<string> | undefined> = [];
  if (typeof match.method === 'string' && match.method !== '') sets.push(new Set([match.method.toUpperCase()]));
  if (Array.isArray(match.all)) sets.push(...match.all.map(matchedMethods));
  const known = sets.filter((s): s is Set<string> => s !== undefined);
  let result = known.length === 0 ? undefined : new Set([...known[0]].filter(m => known.every(s => s.has(m))));
  if (Array.isArray(match.any)) {
    const alternatives = match.any.map(matchedMethods);
    if (alternatives.every(s => s !== undefined)) {
      const union = new Set(alternatives.flatMap(s => [...s!]));
      result = result === undefined ? union : new Set([...result].filter(m => union.has(m)));
    }
  }
  return result;
}

/**
 * The sentence that ends every message of {@link NON_IDEMPOTENT_RETRY_LINT}, saying it is ours.
 *
 * @internal
 */
export function nonIdempotentRetryLintNote(): string {
  return ` (${NON_IDEMPOTENT_RETRY_LINT.id}: our lint, stricter than Linkerd, which retries any method)`;
}

/**
 * The non-idempotent methods a request match can match (`POST`, `PATCH`, …), or `['any method']` when it does not
 * restrict the method.
 *
 * @internal
 */
export function nonIdempotentMethods(match: RequestMatchJson | undefined): string[] {
  const methods = matchedMethods(match);
  if (methods === undefined) return ['any method'];
  return [...methods].filter(m => !IDEMPOTENT_METHODS.has(m)).sort();
}
