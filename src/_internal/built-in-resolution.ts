import { App, ImplicitTokenResolver, IResolver, Lazy, LazyResolver, NumberStringUnionResolver } from 'cdk8s';

/** cdk8s's resolve function, as `ApiObject.toJson` and `ApiObjectMetadataDefinition.toJson` call it. */
type Resolve = (key: string[], value: any, apiObject: any) => any;

/**
 * Runs `run` with cdk8s's value resolution replaced by an equivalent that does less per value, for apps that render
 * with cdk8s's own resolvers only.
 *
 * cdk8s resolves every value of every object, down to each string, through the app's resolvers: per value it looks
 * up the app by walking up the construct tree, allocates a resolution context and the value's key path, and asks each
 * resolver (cdk8s@2.70.106:lib/resolve.js:101-128 `resolve`). With only the built-in resolvers, which read nothing
 * but the value (lib/resolve.js:54-98: `LazyResolver`, `ImplicitTokenResolver`, `NumberStringUnionResolver`, in that
 * order after any of the app's own: lib/app.js:145), the same result needs none of that: {@link resolveBuiltIn} applies
 * the three tests in the same order to each value and recurses the same way. An app with resolvers of its own (they
 * may read the key or the object) is resolved by cdk8s itself, as is anything rendered outside `run`. ApiObject and
 * metadata call resolve through the module's exports (lib/api-object.js:150, lib/metadata.js:115), where it is
 * replaced for the duration of `run`.
 */
export function withBuiltInResolution<T>(run: () => T): T {
  const module = resolveModule();
  if (!module) return run();
  const original = module.resolve;
  // per object, not per value: the app lookup walks up the construct tree, which is what this saves
  const builtInByObject = new WeakMap<object, boolean>();
  module.resolve = (key, value, apiObject) => {
    let builtIn = builtInByObject.get(apiObject);
    if (builtIn === undefined) {
      builtIn = builtInResolversOnly(App.of(apiObject));
      builtInByObject.set(apiObject, builtIn);
    }
    return builtIn ? resolveBuiltIn(value) : original(key, value, apiObject);
  };
  try {
    return run();
  } finally {
    module.resolve = original;
  }
}

/** The resolvers of an app created without any (lib/app.js:145). */
const BUILT_IN: readonly Function[] = [LazyResolver, ImplicitTokenResolver, NumberStringUnionResolver];

/**
 * Whether an app renders with cdk8s's own resolvers only, exactly as an app created without any has them
 * (cdk8s@2.70.106:lib/app.js:145): then rendering reads nothing but each value, and what a construct wrote, as plain
 * data, is what it renders to.
 */
export function builtInResolversOnly(app: App): boolean {
  const resolvers = app.resolvers as readonly IResolver[] | undefined;
  return Array.isArray(resolvers) && resolvers.length === BUILT_IN.length && resolvers.every((r, i) => r?.constructor === BUILT_IN[i]);
}

/** The types of value a `NumberStringUnionResolver` unwraps (lib/resolve.js:83). */
const UNION_TYPES = ['number', 'string'];

/** cdk8s's `resolve` with the built-in resolvers only: the same tests in the same order, the same recursion. */
function resolveBuiltIn(value: any): any {
  if (value == null) return value;
  if (value instanceof Lazy) return resolveBuiltIn(value.produce());
  if (typeof value.resolve === 'function') return resolveBuiltIn(value.resolve());
  if (value.constructor !== Object && UNION_TYPES.includes(typeof value.value)) return resolveBuiltIn({ value: value.value });
  if (Array.isArray(value)) return value.map(x => resolveBuiltIn(x));
  if (value.constructor == Object) {
    const result: Record<string, any> = {};
    for (const [k, v] of Object.entries(value)) result[k] = resolveBuiltIn(v);
    return result;
  }
  return value;
}

/** cdk8s's resolve module, when it is the one this package's cdk8s renders with and its `resolve` can be replaced. */
function resolveModule(): { resolve: Resolve } | undefined {
  let module: any;
  try {
    module = require('cdk8s/lib/resolve');
  } catch {
    return undefined;
  }
  const own = Object.getOwnPropertyDescriptor(module, 'resolve');
  const sameCopy = module.LazyResolver === LazyResolver;
  return sameCopy && own?.writable && typeof own.value === 'function' ? module : undefined;
}
