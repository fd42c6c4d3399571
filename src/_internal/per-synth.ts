import { IConstruct } from 'constructs';

const caches = new WeakMap<IConstruct, Map<string, unknown>>();

/**
 * Computes something about a whole app once per synthesis and shares it between the validations that need it.
 *
 * Validations that look at the whole app (a Server checks every workload, a ServiceProfile every Service and route)
 * would otherwise render the app once per construct: quadratic, minutes for a thousand services. cdk8s runs all
 * validations in one synchronous pass, so the value lives until the next microtask, and a later synth recomputes it.
 * Within one synchronous stretch of code, a change made after a validation ran is not seen by the next one.
 */
export function perSynth<T>(root: IConstruct, key: string, compute: () => T): T {
  let cache = caches.get(root);
  if (!cache) {
    const fresh = new Map<string, unknown>();
    caches.set(root, fresh);
    queueMicrotask(() => caches.delete(root));
    cache = fresh;
  }
  if (!cache.has(key)) cache.set(key, compute());
  return cache.get(key) as T;
}
