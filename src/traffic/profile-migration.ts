import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { parseGoDuration } from '../_internal/duration';
import { addWarning } from '../_internal/warnings';
import { LinkerdFeature, LinkerdVersion } from '../linkerd/version';
import { formatRouteTimeout } from './_policy-grammar';
import { anchorLikeProxy, literalOf } from './_regex';
import { RouteSpec } from './conditions';
import { HttpMethod, HttpRoute, HttpRouteMatch, HttpRouteRule, PathMatch } from './http-route';
import { HttpRetryCondition } from './retries-and-timeouts';
import { ServiceProfile } from './service-profile';
import { ServiceReference } from './service-reference';

/** Props for {@link ProfileMigration}. */
export interface ProfileMigrationProps {
  /** The profile to replace. It is removed from the construct tree. */
  readonly profile: ServiceProfile;
  /**
   * The Service port the routes apply to.
   *
   * @default - the Service's only port
   */
  readonly port?: number;
  /**
   * Retries per request for retryable routes (`retry.linkerd.io/limit`): annotation retries are counted, not budgeted.
   *
   * @default 1
   */
  readonly retryLimit?: number;
  /**
   * The HTTPRoutes' name; further routes get `-2`, `-3`, ….
   *
   * @default - the Service's name
   */
  readonly name?: string;
  /**
   * The Linkerd version (the routes' retry and timeout annotations need 2.16).
   *
   * @default - the profile's version
   */
  readonly version?: LinkerdVersion;
}

const METHODS = new Set<string>(Object.values(HttpMethod));
const CEL_SAFE_PATH = (p: string) => p.startsWith('/') && !/\/\/|\/\.\/|\/\.\.\/|%2f|#|\/\.\.?$/i.test(p);

/**
 * Replaces a ServiceProfile with Gateway API HTTPRoutes plus Linkerd's retry and timeout annotations (Linkerd 2.16+),
 * the successor Linkerd recommends, in one change: the profile is removed from the construct tree (while both exist
 * the profile would win, and Linkerd would ignore the routes).
 *
 * Each profile route becomes a rule (same matches, `timeout` → `timeouts.request`); retryable routes go to a route
 * with `retry.linkerd.io/http` set to their failure status ranges (5xx by default) and a counted `limit`.
 *
 * Every request stays routable: a profile always has a default route for requests no route matches
 * (`linkerd2-proxy@release/v2.359.0:linkerd/app/outbound/src/http/logical/profile.rs:181`), but once an HTTPRoute is
 * attached the policy controller adds its default route only when the Service has no route at all
 * (`linkerd2@version-2.20:policy-controller/grpc/src/outbound/http.rs:48`), and the client proxy answers a request no
 * rule matches with 404 (`linkerd2-proxy@release/v2.359.0:linkerd/app/outbound/src/http/server.rs:158`). So a
 * catch-all rule (PathPrefix `/`, no method, no retries, no timeout) is added unless a profile route already matches
 * every request; as the least specific match it only takes what no other rule matches
 * (`linkerd2-proxy@release/v2.359.0:linkerd/http/route/src/http/match/path.rs:42`). What has no
 * HTTPRoute equivalent is listed in `unmapped` and reported as warnings: response classes (metrics classification),
 * the retry budget, `not` conditions, non-standard methods, sub-millisecond timeouts, and first-match ordering.
 *
 * @see https://linkerd.io/2-edge/features/httproute/
 */
export class ProfileMigration extends Construct {
  /** The HTTPRoutes, in order. */
  public readonly httpRoutes: HttpRoute[] = [];
  /** What could not be carried over, one sentence each. */
  public readonly unmapped: string[] = [];
  /**
   * Whether a catch-all rule (PathPrefix `/`, no method, no retries, no timeout) was added, as it is unless a profile
   * route already matches every request.
   */
  public readonly catchAllAdded: boolean;

  constructor(scope: Construct, id: string, props: ProfileMigrationProps) {
    super(scope, id);
    const profile = props.profile;
    const version = props.version ?? profile.version;
    version.requireFeature(this, LinkerdFeature.RETRY_TIMEOUT_ANNOTATIONS, 'migrating a ServiceProfile to HTTPRoutes with retry and timeout annotations');
    const routes = profile.routes;
    const groups = new Map<string, { retry?: HttpRetryCondition[]; rules: HttpRouteRule[] }>();

    const converted = routes.map(route => toMatches(route.condition));
    const profileCatchAll = routes.find((_, i) => typeof converted[i] !== 'string' && (converted[i] as HttpRouteMatch[]).some(isCatchAll));
    this.catchAllAdded = profileCatchAll === undefined;
    const fallback = profileCatchAll === undefined
      ? 'the added catch-all rule (PathPrefix /, no retries or timeouts of its own: the Service\'s annotations, if any, apply)'
      : `the profile's catch-all route ${JSON.stringify(profileCatchAll.name)}`;

    routes.forEach((route, i) => {
      const label = `route ${JSON.stringify(route.name)}`;
      const matches = converted[i];
      if (typeof matches === 'string') {
        this.unmapped.push(`${label}: ${matches}; it has no rule, so its requests go to ${fallback}`);
        return;
      }
      if (route.responseClasses !== undefined) {
        this.unmapped.push(`${label}: responseClasses classify responses for metrics, which HTTPRoutes cannot`
          + (route.isRetryable ? ' (its failure ranges became the retry conditions)' : ''));
      }
      const timeout = route.timeout === undefined ? undefined : toTimeout(route.timeout);
      if (typeof timeout === 'string') this.unmapped.push(`${label}: ${timeout}`);
      const retry = route.isRetryable ? retryConditions(route) : undefined;
      if (typeof retry === 'string') this.unmapped.push(`${label}: ${retry}; it retries 5xx instead`);
      const conditions = retry === undefined ? undefined : typeof retry === 'string' ? [HttpRetryCondition.SERVER_ERROR] : retry;
      const key = conditions === undefined ? '' : conditions.map(c => c.value).join(',');
      const group = groups.get(key) ?? { retry: conditions, rules: [] };
      group.rules.push({ matches, timeout: typeof timeout === 'string' ? undefined : timeout });
      groups.set(key, group);
    });
    if (this.catchAllAdded) {
      // With HTTPRoutes attached the policy controller adds no default route, so a request no rule matches would get 404
      const group = groups.get('') ?? { rules: [] };
      group.rules.push({ matches: [{ path: PathMatch.prefix('/') }] });
      groups.set('', group);
    }
    if (profile.retryBudget !== undefined || routes.some(r => r.isRetryable)) {
      const budget = profile.retryBudget;
      this.unmapped.push(`retryBudget (${budget ? `retryRatio ${budget.retryRatio ?? 0.2}, minRetriesPerSecond ${budget.minRetriesPerSecond ?? 10}` : 'Linkerd\'s default 20% plus 10/s'}) `
        + `has no HTTPRoute equivalent: retries are counted per request instead (retry.linkerd.io/limit: ${props.retryLimit ?? 1}); keep the limit low`);
    }
    if (routes.length > 1) {
      this.unmapped.push('route order: the profile uses the first route that matches, HTTPRoutes rank matches by specificity (exact path, '
        + 'longest prefix, method); check overlapping regexes');
    }

    const baseName = props.name ?? profile.service.name;
    const service = profile.service.apiObject ? ServiceReference.fromApiObject(profile.service.apiObject)
      : ServiceReference.fromName(profile.service.name, profile.service.namespace);
    let index = 0;
    for (const group of groups.values()) {
      for (const rules of chunks(group.rules)) {
        index++;
        this.httpRoutes.push(new HttpRoute(this, `Route${index}`, {
          service,
          port: props.port,
          rules,
          metadata: { name: index === 1 ? baseName : `${baseName}-${index}`, namespace: profile.namespace },
          retry: group.retry && { http: group.retry, limit: props.retryLimit ?? 1 },
          // the profile already required an explicit opt-in for each retryable non-idempotent route
          allowNonIdempotentRetries: true,
          version,
        }));
      }
    }
    this.unmapped.forEach(u => addWarning(this, `ServiceProfile ${profile.name} → HTTPRoute: ${u}`));
    profile.node.scope?.node.tryRemoveChild(profile.node.id);
  }
}

/** The HTTPRoute matches (ORed) of a profile condition, or why there are none. */
function toMatches(condition: any): HttpRouteMatch[] | string {
  if (condition.any !== undefined && Object.keys(condition).length > 1) return 'any combined with other fields has no HTTPRoute equivalent';
  if (Array.isArray(condition.any)) {
    const alternatives = condition.any.map(toMatches);
    const failed = alternatives.find((a: HttpRouteMatch[] | string) => typeof a === 'string');
    return failed ?? alternatives.flat();
  }
  const leaves: any[] = Array.isArray(condition.all) ? [...condition.all, { ...condition, all: undefined }] : [condition];
  let method: string | undefined;
  let regex: string | undefined;
  for (const leaf of leaves) {
    if (leaf.not !== undefined) return 'a not condition has no HTTPRoute equivalent';
    if (leaf.any !== undefined || leaf.all !== undefined) return 'nested all/any conditions have no HTTPRoute equivalent';
    if (leaf.method !== undefined) {
      if (method !== undefined && method !== leaf.method) return `it requires two methods (${method}, ${leaf.method}) at once`;
      method = leaf.method;
    }
    if (leaf.pathRegex !== undefined) {
      if (regex !== undefined && regex !== leaf.pathRegex) return 'it requires two path regexes at once';
      regex = leaf.pathRegex;
    }
  }
  if (method !== undefined && !METHODS.has(method.toUpperCase())) return `method ${method} is not one Gateway API can match`;
  if (regex !== undefined && MATCH_ALL_REGEXES.includes(regex.trim().replace(/^\^/, '').replace(/\$$/, ''))) regex = undefined;
  const literal = regex === undefined ? undefined : literalOf(regex.trim());
  const path = regex === undefined ? PathMatch.prefix('/')
    : literal !== undefined && CEL_SAFE_PATH(literal) ? PathMatch.exact(literal) : PathMatch.regex(anchorLikeProxy(regex));
  return [{ path, method: method?.toUpperCase() as HttpMethod | undefined }];
}

/** Regexes (anchors removed) that match every request path: such a route becomes PathPrefix `/`. */
const MATCH_ALL_REGEXES = ['.*', '.+', '/.*', '(.*)'];

/** A match that every request satisfies. */
function isCatchAll(m: HttpRouteMatch): boolean {
  return m.method === undefined && m.path?.type === PathMatch.prefix('/').type && m.path.value === '/';
}

/** A profile timeout as a rule timeout, or why it cannot be one (see `formatRouteTimeout`). */
function toTimeout(timeout: string): Duration | string {
  const nanos = parseGoDuration(timeout);
  const ms = nanos !== undefined && nanos % 1_000_000n === 0n ? nanos / 1_000_000n : undefined;
  if (ms === undefined || formatRouteTimeout(ms) === undefined) {
    return `timeout ${timeout} cannot be written as one <1-5 digits><h|m|s|ms> term, the only HTTPRoute timeout Linkerd reads; the rule has none`;
  }
  return Duration.millis(Number(ms));
}

/** The status ranges a retryable route's failure classes name, or why they cannot be expressed. */
function retryConditions(route: RouteSpec): HttpRetryCondition[] | string {
  const failures = (route.responseClasses ?? []).filter((c: any) => c.isFailure);
  if (failures.length === 0) return [HttpRetryCondition.SERVER_ERROR];
  const ranges: HttpRetryCondition[] = [];
  for (const c of failures) {
    const status = c.condition?.status;
    if (Object.keys(c.condition ?? {}).length !== 1 || status === undefined) return 'a failure class without a plain status range cannot become a retry condition';
    ranges.push(status.min === status.max ? HttpRetryCondition.status(status.min) : HttpRetryCondition.range(status.min, status.max));
  }
  return ranges;
}

/** Rules in HTTPRoute-sized groups: at most 16 rules and 128 matches each. */
function chunks(rules: HttpRouteRule[]): HttpRouteRule[][] {
  const result: HttpRouteRule[][] = [];
  let current: HttpRouteRule[] = [];
  let matches = 0;
  for (const rule of rules) {
    const n = rule.matches?.length ?? 1;
    if (current.length === 16 || matches + n > 128) {
      result.push(current);
      current = [];
      matches = 0;
    }
    current.push(rule);
    matches += n;
  }
  if (current.length > 0) result.push(current);
  return result;
}
