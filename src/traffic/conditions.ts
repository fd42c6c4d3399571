import { pathToRegex, quoteMeta } from './_regex';

/** A ServiceProfile request match, as the CRD spells it (`RequestMatch`). */
export interface RequestMatchJson {
  /** The HTTP method. */
  readonly method?: string;
  /** The path regex, anchored by the proxy. */
  readonly pathRegex?: string;
  /** Matches every one of these. */
  readonly all?: RequestMatchJson[];
  /** Matches at least one of these. */
  readonly any?: RequestMatchJson[];
  /** Does not match this. */
  readonly not?: RequestMatchJson;
}

/** A ServiceProfile response match, as the CRD spells it (`ResponseMatch`). */
export interface ResponseMatchJson {
  /** A status range, both bounds inclusive. */
  readonly status?: { readonly min: number; readonly max: number };
  /** Matches every one of these. */
  readonly all?: ResponseMatchJson[];
  /** Matches at least one of these. */
  readonly any?: ResponseMatchJson[];
  /** Does not match this. */
  readonly not?: ResponseMatchJson;
}

/** A ServiceProfile route as the CRD spells it (`RouteSpec`), as written to the profile. */
export interface RouteSpec {
  /** The route's name. */
  readonly name: string;
  /** Which requests it matches. */
  readonly condition: RequestMatchJson;
  /** How responses are classified. */
  readonly responseClasses?: Array<{ readonly condition: ResponseMatchJson; readonly isFailure?: boolean }>;
  /** Whether failed requests are retried. */
  readonly isRetryable?: boolean;
  /** The timeout, a Go duration. */
  readonly timeout?: string;
}

/**
 * Which requests a ServiceProfile route matches: by method, by path regex, or a combination.
 *
 * Path regexes use RE2 / Rust `regex` syntax; the proxy anchors them (`^…$`) and matches the path without the query
 * string. Several fields in one match are ANDed.
 *
 * @example
 * RouteCondition.method('GET').and(RouteCondition.path('/books/{id}'))   // { method: GET, pathRegex: /books/[^/]* }
 * @see https://linkerd.io/2-edge/reference/service-profiles/
 */
export class RouteCondition {
  /** Requests with this HTTP method (upper-cased, as Linkerd compares it). */
  public static method(method: string): RouteCondition {
    return new RouteCondition({ method: method.toUpperCase() });
  }

  /** Requests whose path matches this regex (RE2 / Rust syntax, anchored by the proxy). */
  public static pathRegex(regex: string): RouteCondition {
    return new RouteCondition({ pathRegex: regex });
  }

  /**
   * Requests for exactly this path, where `{param}` segments match any value without a `/`: the regex
   * `linkerd profile` generates (`/books/{id}.json` → `/books/[^/]*\.json`).
   */
  public static path(template: string): RouteCondition {
    return new RouteCondition({ pathRegex: pathToRegex(template) });
  }

  /** Requests whose path starts with this literal prefix (`/api/` → `/api/.*`). */
  public static pathPrefix(prefix: string): RouteCondition {
    return new RouteCondition({ pathRegex: `${quoteMeta(prefix)}.*` });
  }

  /** One gRPC method: `POST /<service>/<method>`, with `service` fully qualified (`emojivoto.v1.VotingService`). */
  public static grpc(service: string, method: string): RouteCondition {
    return new RouteCondition({ method: 'POST', pathRegex: quoteMeta(`/${service}/${method}`) });
  }

  /** Requests that match every condition. */
  public static all(...conditions: RouteCondition[]): RouteCondition {
    return new RouteCondition({ all: conditions.map(c => c.match) });
  }

  /** Requests that match at least one condition. */
  public static any(...conditions: RouteCondition[]): RouteCondition {
    return new RouteCondition({ any: conditions.map(c => c.match) });
  }

  /**
   * Requests that do not match the condition.
   *
   * The CRD types a route's top-level `not` as an array while the sp-validator wants an object, so a top-level `not`
   * is always rendered nested in `all` (`all: [{ not: … }]`), which both accept and which means the same.
   */
  public static not(condition: RouteCondition): RouteCondition {
    return new RouteCondition({ not: condition.match });
  }

  private constructor(private readonly match: RequestMatchJson) {}

  /**
   * This condition and the others. A method and a path regex merge into one match (`{ method, pathRegex }`, as
   * `linkerd profile` writes them); anything else becomes `all`.
   */
  public and(...others: RouteCondition[]): RouteCondition {
    const merged: Record<string, unknown> = { ...this.match };
    for (const other of others) {
      const keys = Object.keys(other.match);
      const leaf = keys.every(k => k === 'method' || k === 'pathRegex') && keys.every(k => merged[k] === undefined);
      if (!leaf || Object.keys(merged).some(k => k !== 'method' && k !== 'pathRegex')) {
        return RouteCondition.all(this, ...others);
      }
      Object.assign(merged, other.match);
    }
    return new RouteCondition(merged as RequestMatchJson);
  }

  /** The CRD form for a route's `condition`, with a top-level `not` nested in `all`. @internal */
  public _toJson(): RequestMatchJson {
    const { not, ...rest } = this.match;
    if (not === undefined) return this.match;
    return { all: [...(Object.keys(rest).length > 0 ? [rest] : []), { not }] };
  }
}

/** A check this library makes that Linkerd does not: a deliberate difference, listed as such in conformance data. */
export interface LibraryLint {
  /** The lint's id, as it appears in messages and conformance data. */
  readonly id: string;
  /** What Linkerd itself does, with the upstream source it follows. */
  readonly linkerdBehaviour: string;
  /** Why the library is stricter. */
  readonly reason: string;
  /** How to turn the lint off where it does not apply. */
  readonly optOut: string;
}

/**
 * Our retry-safety lint, stricter than Linkerd: retries (ServiceProfile `isRetryable`, `x-linkerd-retryable`,
 * `retry.linkerd.io/*` on a Service or an HTTPRoute) that can apply to a method that is not idempotent (POST, PATCH,
 * or any method when the match names none) fail synth unless explicitly allowed.
 *
 * Linkerd has no such rule: the proxy decides whether to retry from the response and the body size alone
 * (`linkerd2-proxy@release/v2.359.0:linkerd/app/outbound/src/http/logical/policy/route/retry.rs:45`,
 * `linkerd/http/retry/src/lib.rs:252`), and neither the sp-validator nor the policy controller looks at methods.
 */
export const NON_IDEMPOTENT_RETRY_LINT: LibraryLint = {
  id: 'cdk8s-linkerd/non-idempotent-retry',
  linkerdBehaviour: 'Linkerd retries a request of any method whose body fits the 64 KiB replay buffer '
    + '(linkerd2-proxy@release/v2.359.0:linkerd/app/outbound/src/http/logical/policy/route/retry.rs:45, linkerd/http/retry/src/lib.rs:252)',
  reason: 'a retried POST or PATCH may be applied twice',
  optOut: 'allowNonIdempotentRetries (Service, HttpRoute, ServiceProfile.fromOpenApi) or allowNonIdempotentRetry (a ServiceProfile route)',
};

/**
 * Which responses a response class applies to: by status range, or a combination.
 *
 * Both bounds of a status range are always written: the proxy drops a range with a missing bound, although the docs
 * say a single bound matches one code.
 */
export class ResponseCondition {
  /** Responses with a status from `min` to `max` inclusive (100–599). */
  public static status(min: number, max?: number): ResponseCondition {
    return new ResponseCondition({ status: { min, max: max ?? min } });
  }

  /** Responses that match every condition. */
  public static all(...conditions: ResponseCondition[]): ResponseCondition {
    return new ResponseCondition({ all: conditions.map(c => c.match) });
  }

  /** Responses that match at least one condition. */
  public static any(...conditions: ResponseCondition[]): ResponseCondition {
    return new ResponseCondition({ any: conditions.map(c => c.match) });
  }

  /** Responses that do not match the condition; a top-level `not` is rendered nested in `all` (Linkerd ≤ 2.14's CRD typed it as an array). */
  public static not(condition: ResponseCondition): ResponseCondition {
    return new ResponseCondition({ not: condition.match });
  }

  private constructor(private readonly match: ResponseMatchJson) {}

  /** The CRD form, with a top-level `not` nested in `all`. @internal */
  public _toJson(): ResponseMatchJson {
    return this.match.not === undefined ? this.match : { all: [{ not: this.match.not }] };
  }
}

/** Options for {@link ResponseClass}. */
export interface ResponseClassOptions {
  /**
   * Whether these responses are failures: they count against the success rate and are what retryable routes retry.
   *
   * @default false
   */
  readonly isFailure?: boolean;
}

/**
 * How a route's responses are classified. Without response classes, Linkerd counts 5xx responses as failures.
 *
 * @example
 * ResponseClass.status(500, 599, { isFailure: true })
 */
export class ResponseClass {
  /** Responses with a status from `min` to `max` (default: `min` only). */
  public static status(min: number, max?: number, options: ResponseClassOptions = {}): ResponseClass {
    return new ResponseClass(ResponseCondition.status(min, max), options.isFailure ?? false);
  }

  /** Responses that match a condition. */
  public static when(condition: ResponseCondition, options: ResponseClassOptions = {}): ResponseClass {
    return new ResponseClass(condition, options.isFailure ?? false);
  }

  private constructor(private readonly condition: ResponseCondition, private readonly isFailure: boolean) {}

  /** The CRD form; `isFailure: false` is omitted, as Linkerd writes it. @internal */
  public _toJson(): { condition: ResponseMatchJson; isFailure?: boolean } {
    return { condition: this.condition._toJson(), ...(this.isFailure ? { isFailure: true } : {}) };
  }
}
