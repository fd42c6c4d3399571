import { literalOf, literalPrefix, prefixWildcardOf, proxyMatches, regexLints } from './_regex';
import { RouteSpec } from './conditions';

/** What is known about a route's condition for shadowing checks. */
interface Analyzed {
  readonly name: string;
  /** Canonical JSON of the condition, for exact duplicates. */
  readonly key: string;
  /** The route's index in the profile. */
  readonly position: number;
  /** Set when the condition is only a method and/or a path regex. */
  readonly simple?: {
    readonly method?: string;
    readonly pathRegex?: string;
    readonly literal?: string;
    readonly prefix: string;
    readonly wildcard?: string;
  };
}

/**
 * Lints a profile's routes in order, as they are added: duplicate conditions and names, routes that an earlier,
 * broader route for the same method shadows (the proxy uses the first route that matches), and regexes that compile
 * but probably do not mean what was written.
 */
export class RouteLinter {
  /** Earlier simple routes by method (`*` for routes without one): only these can shadow a later route. */
  private readonly byMethod = new Map<string, Analyzed[]>();
  private readonly names = new Set<string>();
  private count = 0;
  private readonly keys = new Map<string, string>();

  /** The warnings for a route added after all earlier ones. */
  public add(route: RouteSpec): string[] {
    const warnings: string[] = [];
    const label = `route ${JSON.stringify(route.name)}`;
    for (const regex of pathRegexes(route.condition)) warnings.push(...regexLints(regex).map(l => `${label}: ${l}`));

    if (this.names.has(route.name)) {
      warnings.push(`${label}: another route has the same name; Linkerd reports metrics per route name, so the two are indistinguishable`);
    }
    this.names.add(route.name);

    const analyzed = analyze(route, this.count);
    const duplicate = this.keys.get(analyzed.key);
    if (duplicate !== undefined) {
      warnings.push(`${label} has the same condition as the earlier route ${JSON.stringify(duplicate)}, which wins (first match), so it never matches`);
    } else {
      this.keys.set(analyzed.key, route.name);
      const buckets = [this.byMethod.get('*'), analyzed.simple?.method ? this.byMethod.get(analyzed.simple.method) : undefined];
      const shadow = buckets.map(bucket => bucket?.find(earlier => shadows(earlier, analyzed)))
        .filter((a): a is Analyzed => a !== undefined)
        .sort((a, b) => a.position - b.position)[0];
      if (shadow) {
        warnings.push(`${label} is shadowed by the earlier, broader route ${JSON.stringify(shadow.name)} for the same method (first match wins), so it never matches`);
      }
    }
    if (analyzed.simple) {
      const key = analyzed.simple.method ?? '*';
      if (!this.byMethod.has(key)) this.byMethod.set(key, []);
      this.byMethod.get(key)!.push(analyzed);
    }
    this.count++;
    return warnings;
  }
}

function analyze(route: RouteSpec, position: number): Analyzed {
  const condition = route.condition ?? {};
  const key = canonical(condition);
  const fields = Object.keys(condition);
  if (fields.length === 0 || !fields.every(f => f === 'method' || f === 'pathRegex')) return { name: route.name, key, position };
  const method = typeof condition.method === 'string' ? condition.method.toUpperCase() : undefined;
  const pathRegex = typeof condition.pathRegex === 'string' ? condition.pathRegex.trim() : undefined;
  return {
    name: route.name,
    key,
    position,
    simple: {
      method,
      pathRegex,
      literal: pathRegex === undefined ? undefined : literalOf(pathRegex.replace(/^\^/, '').replace(/(?<!\\)\$$/, '')),
      prefix: pathRegex === undefined ? '' : literalPrefix(pathRegex),
      wildcard: pathRegex === undefined ? undefined : prefixWildcardOf(pathRegex),
    },
  };
}

/** Whether every request `later` matches is matched by `earlier` too (only decided where it can be proven). */
function shadows(earlier: Analyzed, later: Analyzed): boolean {
  const e = earlier.simple;
  const l = later.simple;
  if (!e || !l) return false;
  if (e.method !== undefined && e.method !== l.method) return false;
  if (e.pathRegex === undefined) return true;
  if (l.pathRegex === undefined) return false;
  if (e.pathRegex === l.pathRegex) return true;
  if (l.literal !== undefined) return l.literal.startsWith(e.prefix) && proxyMatches(e.pathRegex, l.literal);
  return e.wildcard !== undefined && l.prefix.startsWith(e.wildcard);
}

/** Every pathRegex in a request match tree. */
export function pathRegexes(match: any): string[] {
  if (match === null || typeof match !== 'object') return [];
  return [
    ...(typeof match.pathRegex === 'string' ? [match.pathRegex] : []),
    ...[...(Array.isArray(match.all) ? match.all : []), ...(Array.isArray(match.any) ? match.any : [])].flatMap(pathRegexes),
    ...pathRegexes(Array.isArray(match.not) ? undefined : match.not),
  ];
}

/** JSON with object keys sorted, so equal conditions compare equal whatever order their keys were written in. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map(k => `${JSON.stringify(k)}:${canonical((value as any)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
