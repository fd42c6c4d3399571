import { ApiObject, ApiObjectMetadata, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  HttpRoute as HttpRouteL1,
  HttpRouteSpecRules,
  HttpRouteSpecRulesMatchesMethod,
  HttpRouteSpecRulesMatchesPathType,
} from '../../imports/gateway.networking.k8s.io';
import { ValidationError } from '../_internal/errors';
import { keepNamespace } from '../_internal/namespaced';
import { Problems } from '../_internal/problems';
import { validateRendered } from '../_internal/validated';
import { addSynthWarnings, addWarning } from '../_internal/warnings';
import { LinkerdContext } from '../linkerd/context';
import { LinkerdFeature, LinkerdVersion } from '../linkerd/version';
import { RETRY_HTTP, RETRY_LIMIT, RETRY_TIMEOUT, TIMEOUT_PREFIX } from './_annotations';
import { findServiceObject, httpRoutesAttachedTo } from './_conflicts';
import { formatRouteTimeout, millisText, parsePolicyDuration, routeTimeoutProblem, wholeMillis } from './_policy-grammar';
import { httpRouteProblems } from './http-route-rules';
import { RetryOptions, TimeoutOptions } from './retries-and-timeouts';
import { nonIdempotentMethods, nonIdempotentRetryLintNote } from './retry-lint';
import { retryTimeoutAnnotations } from './retry-timeout-annotations';
import { ResolvedService, ServiceReference } from './service-reference';
import { resolveService, servicePorts } from './service-resolution';

/** An HTTP method an HTTPRoute can match, as Gateway API defines them. */
export { HttpRouteSpecRulesMatchesMethod as HttpMethod };

/** How an HTTPRoute rule matches the request path. */
export class PathMatch {
  /** Exactly this path. */
  public static exact(path: string): PathMatch {
    return new PathMatch(HttpRouteSpecRulesMatchesPathType.EXACT, path);
  }

  /** This path and everything below it, by whole segments (`/books` matches `/books/1`, not `/bookshelf`). */
  public static prefix(path: string): PathMatch {
    return new PathMatch(HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, path);
  }

  /** A regex over the whole path (RE2 / Rust syntax; Linkerd's proxy evaluates it). */
  public static regex(regex: string): PathMatch {
    return new PathMatch(HttpRouteSpecRulesMatchesPathType.REGULAR_EXPRESSION, regex);
  }

  private constructor(
    /** The Gateway API match type. */
    public readonly type: HttpRouteSpecRulesMatchesPathType,
    /** The path, prefix or regex. */
    public readonly value: string,
  ) {}
}

/** One way a rule matches a request; fields are ANDed. */
export interface HttpRouteMatch {
  /**
   * The path.
   *
   * @default PathMatch.prefix('/')
   */
  readonly path?: PathMatch;
  /**
   * The method.
   *
   * @default - any method
   */
  readonly method?: HttpRouteSpecRulesMatchesMethod;
}

/** A rule of an {@link HttpRoute}: requests that match any of its matches go to the parent Service. */
export interface HttpRouteRule {
  /**
   * The matches, ORed.
   *
   * @default - every request (`PathPrefix /`)
   */
  readonly matches?: HttpRouteMatch[];
  /**
   * The rule's request timeout (`timeouts.request`), written as one term (`1500ms`, `90s`): Linkerd reads it with its
   * single-unit grammar and silently drops anything else, so a value that cannot be written that way (e.g. 100001ms)
   * is an error. The `timeout.linkerd.io/request` annotation wins over it
   * (`linkerd2@version-2.20:policy-controller/k8s/index/src/outbound/index/http.rs:186`).
   *
   * Setting it replaces the Service's `timeout.linkerd.io/*` annotations for this rule as a whole: the Service's
   * response and idle timeouts no longer apply to it (`linkerd2@version-2.20:policy-controller/grpc/src/outbound/http.rs:248`).
   *
   * @default - none (the route's or the Service's timeout annotations apply)
   */
  readonly timeout?: Duration;
}

/** Props for {@link HttpRoute}. */
export interface HttpRouteProps {
  /** The Service whose traffic the route configures (its `parentRef`, and the backend). */
  readonly service: ServiceReference;
  /**
   * The Service port the route applies to.
   *
   * @default - the Service's only port; required for a `ServiceReference.fromName` reference or a Service with several ports
   */
  readonly port?: number;
  /**
   * The rules, at most 16 with at most 128 matches in all.
   *
   * @default - one rule matching every request
   */
  readonly rules?: HttpRouteRule[];
  /**
   * Retries for the route's requests (`retry.linkerd.io/*`), overriding the Service's.
   *
   * @default - the Service's retry annotations, if any
   */
  readonly retry?: RetryOptions;
  /**
   * Timeouts for the route's requests (`timeout.linkerd.io/*`), overriding the Service's.
   *
   * @default - the Service's timeout annotations, if any
   */
  readonly timeouts?: TimeoutOptions;
  /**
   * Allows `retry` although a rule can match a method that is not idempotent (POST, PATCH, or any method when a match
   * has none): a retried request may be applied twice. Turns off {@link NON_IDEMPOTENT_RETRY_LINT}, our lint, which is
   * stricter than Linkerd (Linkerd retries any method).
   *
   * @default false
   */
  readonly allowNonIdempotentRetries?: boolean;
  /**
   * Name, namespace (a client namespace makes it a consumer route), labels and annotations.
   *
   * @default - a name generated from the construct path; the Service's namespace
   */
  readonly metadata?: ApiObjectMetadata;
  /**
   * The Linkerd version: Gateway API HTTPRoutes need 2.14, retry and timeout annotations 2.16. When given, it must be
   * the tree's.
   *
   * @default - the version of the control plane in the construct tree ({@link LinkerdContext}), else LinkerdVersion.LATEST
   */
  readonly version?: LinkerdVersion;
}

/**
 * A Gateway API HTTPRoute (`gateway.networking.k8s.io/v1`) whose parent is a Service: Linkerd's route-level
 * configuration for meshed clients of that Service (GAMMA), with retries and timeouts as annotations.
 *
 * Unmatched requests: once any HTTPRoute attaches to a Service, the policy controller no longer adds its default route
 * (`linkerd2@version-2.20:policy-controller/grpc/src/outbound/http.rs:48`), so a request that no rule of any attached
 * route matches gets 404 from the client proxy (`linkerd2-proxy@release/v2.359.0:linkerd/app/outbound/src/http/server.rs:158`).
 * Add a rule without matches (PathPrefix `/`) to keep every request routable.
 *
 * Overrides replace whole categories (`linkerd2@version-2.20:policy-controller/grpc/src/outbound/http.rs:248-253`): for
 * a rule with any timeout (its own `timeout` or the route's `timeouts`), none of the Service's `timeout.linkerd.io/*`
 * annotations apply; with route `retry`, none of the Service's `retry.linkerd.io/*` annotations apply (an unset limit is
 * 1 again, and unset conditions retry no status). Synth warns when this drops something the Service sets.
 *
 * Linkerd ignores the route while a ServiceProfile with routes exists for the Service; that combination is a synth
 * error.
 *
 * @see https://linkerd.io/2-edge/features/httproute/
 */
export class HttpRoute extends Construct {
  /** The generated L1, the escape hatch (`ApiObject.of(route)`). */
  public readonly apiObject: ApiObject;
  /** The parent Service. */
  public readonly service: ResolvedService;
  /** The Service port. */
  public readonly port: number;
  /** The route's namespace: `metadata.namespace` (a client namespace makes it a consumer route), else the Service's. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: HttpRouteProps) {
    super(scope, id);
    const version = LinkerdContext.resolve(this, { version: props.version }).version;
    version.requireFeature(this, LinkerdFeature.GATEWAY_API_HTTP_ROUTES, 'a gateway.networking.k8s.io HTTPRoute');
    if (props.retry !== undefined || props.timeouts !== undefined) {
      version.requireFeature(this, LinkerdFeature.RETRY_TIMEOUT_ANNOTATIONS, 'configuring retries or timeouts by annotation');
    }
    this.service = resolveService(this, props.service);
    this.port = props.port ?? onlyPort(this, props.service, this.service);
    const rules = props.rules ?? [{}];
    const { annotations, problems: found, warnings } = retryTimeoutAnnotations(props.retry, props.timeouts, 'HTTPRoute');
    const problems = new Problems().addAll(found);
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535) problems.add(`port ${this.port} must be a whole number from 1 to 65535`);
    if (rules.length === 0) problems.add('rules must not be empty: give at least one rule, or omit rules to match every request');
    if (props.retry !== undefined && !(props.allowNonIdempotentRetries ?? false)) {
      const unsafe = [...new Set(rules.flatMap(r => (r.matches ?? [{}]).flatMap(m => nonIdempotentMethods({ method: m.method }))))].sort();
      if (unsafe.length > 0) {
        problems.add(`retry applies to ${unsafe.join(', ')}, which is not idempotent: a retried request may be applied twice; `
          + `set allowNonIdempotentRetries: true if the handlers are idempotent, or match idempotent methods such as GET${nonIdempotentRetryLintNote()}`);
      }
    }
    const ruleTimeouts = rules.map((r, i) => {
      if (r.timeout === undefined) return undefined;
      const ms = wholeMillis(r.timeout);
      const text = ms === undefined ? undefined : formatRouteTimeout(ms);
      if (text === undefined) {
        problems.add(`rules[${i}].timeout ${millisText(r.timeout)} cannot be written as one <1-5 digits><h|m|s|ms> term: Linkerd reads an `
          + 'HTTPRoute timeout with a single-unit grammar and silently drops anything else (1s500ms means no timeout); use a positive whole number '
          + 'of milliseconds up to 99999ms, or whole seconds, minutes or hours up to 99999');
      }
      return text;
    });
    problems.throwIfAny(this);
    warnings.forEach(w => addWarning(this, w));
    if (props.retry !== undefined && props.retry.timeout === undefined && props.timeouts?.request === undefined
      && props.timeouts?.response === undefined && ruleTimeouts.some(t => t === undefined)) {
      addWarning(this, 'retries without a timeout: a hung request is never retried; set retry.timeout or a request timeout');
    }
    if (annotations[`${TIMEOUT_PREFIX}request`] !== undefined && ruleTimeouts.some(t => t !== undefined)) {
      addWarning(this, `timeouts.request (${TIMEOUT_PREFIX}request) takes priority over every rule's timeout, which is then ignored`);
    }

    const namespace = props.metadata?.namespace ?? this.service.namespace;
    this.namespace = namespace;
    const sameNamespace = namespace === this.service.namespace;
    this.apiObject = new HttpRouteL1(this, 'Resource', {
      metadata: { ...props.metadata, namespace, annotations: { ...props.metadata?.annotations, ...annotations } },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: this.service.name, ...(sameNamespace ? {} : { namespace: this.service.namespace }), port: this.port }],
        rules: rules.map((rule, i): HttpRouteSpecRules => ({
          matches: (rule.matches ?? [{}]).map(m => ({
            path: { type: (m.path ?? PathMatch.prefix('/')).type, value: (m.path ?? PathMatch.prefix('/')).value },
            method: m.method,
          })),
          // a rule without backendRefs goes to the parent Service; a cross-namespace backendRef would need a ReferenceGrant
          backendRefs: sameNamespace ? [{ name: this.service.name, port: this.port }] : undefined,
          timeouts: ruleTimeouts[i] === undefined ? undefined : { request: ruleTimeouts[i] },
        })),
      },
    });
    keepNamespace(this, this.apiObject, 'HTTPRoute');
    validateRendered(this, this.apiObject, httpRouteProblems);
    addSynthWarnings(this, () => {
      const service = this.service.apiObject ?? findServiceObject(this, this.service.namespace, this.service.name);
      const unmatched = unmatchedRequestsWarning(this);
      return [...(service ? overrideWarnings(this.apiObject.toJson(), service.toJson()) : []), ...(unmatched ? [unmatched] : [])];
    });
  }

  /** The route's name. */
  public get name(): string {
    return this.apiObject.name;
  }
}

/**
 * The warning that requests no rule matches get 404, said once per Service port and client namespace (by the first of
 * its routes) when none of the routes that apply has a rule matching every request: with a route attached the policy
 * controller adds no default route (linkerd/linkerd2@version-2.20:policy-controller/grpc/src/outbound/http.rs:48), and
 * the proxy answers an unmatched request with 404 (linkerd/linkerd2-proxy@release/v2.359.0:linkerd/app/outbound/src/http/server.rs:158).
 */
function unmatchedRequestsWarning(route: HttpRoute): string | undefined {
  const routes = httpRoutesAttachedTo(route, route.service, route.port, route.namespace);
  if (routes[0] !== route.apiObject) return undefined;
  const matchesAll = (m: any) => m?.method === undefined && m?.headers === undefined && m?.queryParams === undefined
    && (m?.path === undefined || (m.path.type === 'PathPrefix' && m.path.value === '/'));
  const catchAll = routes.some(r => (r.toJson().spec?.rules ?? []).some((rule: any) => {
    const matches: any[] = Array.isArray(rule?.matches) ? rule.matches : [];
    return matches.length === 0 || matches.some(matchesAll);
  }));
  if (catchAll) return undefined;
  return `no rule of the HTTPRoutes for Service ${route.service.namespace}/${route.service.name} port ${route.port} `
    + `(${routes.map(r => r.name).join(', ')}) matches every request: once a route is attached Linkerd adds no default route, so a request `
    + 'that no rule matches gets 404 from the client proxy; add a rule without matches if other requests should still reach the Service';
}

const TIMEOUT_KEYS = ['request', 'response', 'idle'].map(k => `${TIMEOUT_PREFIX}${k}`);
const HTTP_RETRY_KEYS = [RETRY_HTTP, RETRY_LIMIT, RETRY_TIMEOUT];

/**
 * What a rendered route's overrides silently drop from its Service's annotations. The policy controller gives a rule
 * the Service's timeouts only when the rule has none at all, and the Service's retry only when the route has none
 * (`linkerd2@version-2.20:policy-controller/grpc/src/outbound/http.rs:248-253`): a rule or route value replaces the
 * whole category, not just the keys it sets.
 */
function overrideWarnings(route: any, service: any): string[] {
  const own: Record<string, string> = route?.metadata?.annotations ?? {};
  const inherited: Record<string, string> = service?.metadata?.annotations ?? {};
  const list = (keys: string[]) => keys.map(k => `${k}: ${JSON.stringify(inherited[k])}`).join(', ');
  const warnings: string[] = [];
  const svc = `Service ${service?.metadata?.namespace ?? 'default'}/${service?.metadata?.name}`;

  const serviceTimeouts = TIMEOUT_KEYS.filter(k => inherited[k] !== undefined);
  const rules: any[] = Array.isArray(route?.spec?.rules) ? route.spec.rules : [];
  const losing = new Map<string, number[]>();
  rules.forEach((rule, i) => {
    const set = new Set(TIMEOUT_KEYS.filter(k => own[k] !== undefined));
    const ruleTimeout = rule?.timeouts?.request;
    if (ruleTimeout !== undefined && routeTimeoutProblem(ruleTimeout) === undefined && parsePolicyDuration(ruleTimeout).value !== 0n) {
      set.add(TIMEOUT_KEYS[0]);
    }
    if (set.size === 0) return;
    const dropped = serviceTimeouts.filter(k => !set.has(k));
    if (dropped.length > 0) losing.set(list(dropped), [...losing.get(list(dropped)) ?? [], i]);
  });
  const apply = (text: string) => (text.includes(', ') ? 'apply' : 'applies');
  for (const [dropped, indexes] of losing) {
    const which = indexes.length === rules.length ? 'every rule' : indexes.map(i => `rules[${i}]`).join(', ');
    warnings.push(`${which} sets a timeout, which replaces the ${svc}'s timeout annotations as a whole: its ${dropped} no longer `
      + `${apply(dropped)} there; repeat ${dropped.includes(', ') ? 'them' : 'it'} in timeouts if ${dropped.includes(', ') ? 'they' : 'it'} should`);
  }

  if (HTTP_RETRY_KEYS.some(k => own[k] !== undefined)) {
    const dropped = HTTP_RETRY_KEYS.filter(k => inherited[k] !== undefined && own[k] === undefined);
    if (dropped.length > 0) {
      const one = dropped.length === 1;
      warnings.push(`retry replaces the ${svc}'s retry annotations as a whole: its ${list(dropped)} no longer ${one ? 'applies' : 'apply'} to this route `
        + `(an unset ${RETRY_LIMIT} is 1, unset conditions retry no status); repeat ${one ? 'it' : 'them'} in retry if ${one ? 'it' : 'they'} should`);
    }
  }
  return warnings;
}

function onlyPort(scope: Construct, reference: ServiceReference, service: ResolvedService): number {
  const ports = servicePorts(reference);
  if (ports === undefined || ports.length !== 1) {
    const what = ports === undefined ? 'is a ServiceReference.fromName reference' : `exposes ${ports.length === 0 ? 'no ports' : `ports ${ports.join(', ')}`}`;
    throw new ValidationError(`service ${service.namespace}/${service.name} ${what}: set port to the Service port the route applies to`, scope);
  }
  return ports[0];
}
