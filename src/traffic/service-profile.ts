import { ApiObject, ApiObjectMetadata, Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { ServiceProfileV1Alpha2 as ServiceProfileL1 } from '../../imports/linkerd.io';
import { goDuration } from '../_internal/duration';
import { ValidationError } from '../_internal/errors';
import { dns1123SubdomainProblem } from '../_internal/names';
import { keepNamespace } from '../_internal/namespaced';
import { Problems } from '../_internal/problems';
import { validateWritten } from '../_internal/validated';
import { addWarning } from '../_internal/warnings';
import { LinkerdContext } from '../linkerd/context';
import { LinkerdFeature, LinkerdVersion } from '../linkerd/version';
import { profileConflictProblems } from './_conflicts';
import { GeneratorError, Generated, openApiRoutes, protoRoutes, readOpenApi } from './_generators';
import { millisText, wholeMillis } from './_policy-grammar';
import { RouteLinter } from './_route-lints';
import { ResponseClass, RouteCondition, RouteSpec } from './conditions';
import { nonIdempotentMethods, nonIdempotentRetryLintNote } from './retry-lint';
import { routeProblems, serviceProfileProblems } from './service-profile-rules';
import { ResolvedService, ServiceReference } from './service-reference';
import { resolveService } from './service-resolution';

/**
 * How many retries a Service may receive on top of its regular traffic, shared by all retryable routes.
 *
 * @see https://linkerd.io/2-edge/reference/service-profiles/#retry-budget
 */
export interface RetryBudget {
  /**
   * The ratio of retries to original requests, e.g. 0.2 for at most 20% extra load.
   *
   * @default 0.2
   */
  readonly retryRatio?: number;
  /**
   * Retries allowed per second regardless of the ratio, so low-traffic services can still retry.
   *
   * @default 10
   */
  readonly minRetriesPerSecond?: number;
  /**
   * The window over which the ratio is computed.
   *
   * @default Duration.seconds(10)
   */
  readonly ttl?: Duration;
}

/** One route of a {@link ServiceProfile}. */
export interface ServiceProfileRoute {
  /** The route's name, used as the `rt_route` metrics label (e.g. `GET /books/{id}`). */
  readonly name: string;
  /** Which requests the route matches. */
  readonly condition: RouteCondition;
  /**
   * How responses are classified, first match wins.
   *
   * @default - none: 5xx responses are failures
   */
  readonly responseClasses?: ResponseClass[];
  /**
   * Whether failed requests are retried, within the profile's retry budget. Retries are client-side: the caller must
   * be meshed.
   *
   * @default false
   */
  readonly isRetryable?: boolean;
  /**
   * How long a request may take before the proxy answers 504.
   *
   * @default - the profile's `defaultTimeout`, else none (Linkerd has no default route timeout)
   */
  readonly timeout?: Duration;
  /**
   * Allows `isRetryable` on a route that matches a method that is not idempotent (POST, PATCH, or any method when the
   * condition has none): a retried request may then be applied twice. Set it only when the handler is idempotent.
   * Turns off {@link NON_IDEMPOTENT_RETRY_LINT}, our lint, which is stricter than Linkerd (Linkerd retries any method).
   *
   * @default false
   */
  readonly allowNonIdempotentRetry?: boolean;
}

/** Props shared by every way of building a {@link ServiceProfile}. */
export interface ServiceProfileBaseProps {
  /** The Service the profile describes. */
  readonly service: ServiceReference;
  /**
   * The cluster's DNS domain, part of the profile's name; when given, it must be the tree's.
   *
   * @default - the cluster domain of the control plane in the construct tree ({@link LinkerdContext}), else 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * Labels and annotations, and the namespace: a profile in a client's namespace overrides the Service's own profile
   * for that client's requests. The name is always `<service>.<namespace>.svc.<clusterDomain>`.
   *
   * @default - the Service's namespace, no labels or annotations
   */
  readonly metadata?: ApiObjectMetadata;
  /**
   * The retry budget.
   *
   * @default - none written: Linkerd applies retryRatio 0.2, minRetriesPerSecond 10, ttl 10s
   */
  readonly retryBudget?: RetryBudget;
  /**
   * A timeout for every route that has none.
   *
   * @default - routes without a timeout have none
   */
  readonly defaultTimeout?: Duration;
  /**
   * The Linkerd version the profile is for. The generators follow that version's `linkerd profile`: up to 2.14 it
   * joined `basePath` and paths with `path.Join`, which strips trailing slashes. When given, it must be the tree's.
   *
   * @default - the version of the control plane in the construct tree ({@link LinkerdContext}), else LinkerdVersion.LATEST
   */
  readonly version?: LinkerdVersion;
}

/** Props for {@link ServiceProfile}. */
export interface ServiceProfileProps extends ServiceProfileBaseProps {
  /**
   * The routes, in match order (first match wins); more can be added with `addRoute`.
   *
   * @default - none
   */
  readonly routes?: ServiceProfileRoute[];
}

/** Props for {@link ServiceProfile.fromOpenApi}. */
export interface ServiceProfileFromOpenApiProps extends ServiceProfileBaseProps {
  /** The OpenAPI 3.x or Swagger 2.0 document: YAML or JSON text, or the parsed object. */
  readonly spec: string | Record<string, unknown>;
  /**
   * Allows `x-linkerd-retryable: true` on operations that are not idempotent (POST, PATCH). Turns off
   * {@link NON_IDEMPOTENT_RETRY_LINT}, our lint, which is stricter than Linkerd (`linkerd profile --open-api` accepts it).
   *
   * @default false
   */
  readonly allowNonIdempotentRetries?: boolean;
}

/** Props for {@link ServiceProfile.fromProto}. */
export interface ServiceProfileFromProtoProps extends ServiceProfileBaseProps {
  /** The `.proto` file's text. */
  readonly proto: string;
}

interface RouteOrigin {
  readonly allowNonIdempotentRetry: boolean;
  /** How to allow a non-idempotent retry, for the error message. */
  readonly optIn: string;
}

/**
 * A Linkerd ServiceProfile (`linkerd.io/v1alpha2`): per-route metrics, retries and timeouts for one Service.
 *
 * At synth this applies the sp-validator webhook's rules and the proxy's runtime behaviour that Linkerd otherwise
 * only shows as silence: regexes are checked with an RE2 parser (the proxy drops a match whose regex does not compile),
 * status ranges always carry both bounds (the proxy drops a single-bound range), and a profile that would silently
 * disable the Service's circuit breaking and load biasing (`balancer.*` annotations), retry/timeout annotations or
 * HTTPRoutes, or one for a headless Service, is an error. Only a profile with routes (or dstOverrides) overrides
 * client policy (`linkerd2-proxy@release/v2.359.0:linkerd/app/outbound/src/sidecar.rs:192`): a route-less profile
 * next to those is valid and changes nothing. `opaquePorts` and `dstOverrides` are controller-internal and never
 * written.
 *
 * Since Linkerd 2.16 ServiceProfiles are superseded by HTTPRoutes with retry and timeout annotations
 * ({@link HttpRoute}, {@link ProfileMigration}).
 *
 * @see https://linkerd.io/2-edge/reference/service-profiles/
 */
export class ServiceProfile extends Construct {
  /**
   * A profile generated from an OpenAPI 3.x or Swagger 2.0 document exactly as `linkerd profile --open-api` does:
   * one route per operation, named `METHOD /path`, retryable and timed out per the operation's
   * `x-linkerd-retryable` and `x-linkerd-timeout`, with a response class per integer status code (failure if ≥ 500).
   */
  public static fromOpenApi(scope: Construct, id: string, props: ServiceProfileFromOpenApiProps): ServiceProfile {
    const { spec, allowNonIdempotentRetries, ...base } = props;
    const profile = new ServiceProfile(scope, id, base);
    profile.addGenerated(() => openApiRoutes(readOpenApi(spec), profile.version.supports(LinkerdFeature.OPENAPI_PROFILE_PATH_CONCAT) ? 'concat' : 'clean'), {
      allowNonIdempotentRetry: allowNonIdempotentRetries ?? false,
      optIn: 'set allowNonIdempotentRetries: true if the operation is idempotent, or drop x-linkerd-retryable',
    });
    return profile;
  }

  /**
   * A profile generated from a `.proto` file exactly as `linkerd profile --proto` does: one `POST` route per rpc,
   * named after the rpc, retryable when its `idempotency_level` is `IDEMPOTENT` or `NO_SIDE_EFFECTS` (which declares
   * the rpc idempotent, so no opt-in is needed).
   */
  public static fromProto(scope: Construct, id: string, props: ServiceProfileFromProtoProps): ServiceProfile {
    const { proto, ...base } = props;
    const profile = new ServiceProfile(scope, id, base);
    profile.addGenerated(() => protoRoutes(proto), { allowNonIdempotentRetry: true, optIn: '' });
    return profile;
  }

  /** The generated L1, the escape hatch (`ApiObject.of(profile)`). */
  public readonly apiObject: ApiObject;
  /** The Service the profile is for. */
  public readonly service: ResolvedService;
  /** The cluster DNS domain. */
  public readonly clusterDomain: string;
  /** The Linkerd version. */
  public readonly version: LinkerdVersion;
  /** The retry budget, when one is written. */
  public readonly retryBudget?: RetryBudget;
  /** The timeout given to routes without one. */
  public readonly defaultTimeout?: Duration;
  /** The profile's namespace: `metadata.namespace`, else the Service's. */
  public readonly namespace: string;
  private readonly _routes: RouteSpec[] = [];
  private readonly linter = new RouteLinter();

  constructor(scope: Construct, id: string, props: ServiceProfileProps) {
    super(scope, id);
    const context = LinkerdContext.resolve(this, { version: props.version, clusterDomain: props.clusterDomain });
    this.version = context.version;
    this.clusterDomain = context.clusterDomain;
    this.retryBudget = props.retryBudget;
    this.defaultTimeout = props.defaultTimeout;
    this.service = resolveService(this, props.service);
    this.namespace = props.metadata?.namespace ?? this.service.namespace;
    const name = `${this.service.name}.${this.service.namespace}.svc.${this.clusterDomain}`;

    const problems = new Problems().add(dns1123SubdomainProblem('clusterDomain', this.clusterDomain));
    if (props.metadata?.name !== undefined && props.metadata.name !== name) {
      problems.add(`metadata.name ${JSON.stringify(props.metadata.name)} cannot be set: Linkerd finds a profile by the name ${JSON.stringify(name)} (<service>.<namespace>.svc.<clusterDomain>)`);
    }
    if (this.defaultTimeout !== undefined && !((wholeMillis(this.defaultTimeout) ?? 0n) > 0n)) {
      problems.add(`defaultTimeout ${millisText(this.defaultTimeout)} must be a positive whole number of milliseconds`);
    }
    if (this.retryBudget?.ttl !== undefined && wholeMillis(this.retryBudget.ttl) === undefined) {
      problems.add(`retryBudget.ttl ${millisText(this.retryBudget.ttl)} must be a whole number of milliseconds`);
    }
    problems.throwIfAny(this);
    if ((this.retryBudget?.retryRatio ?? 0.2) > 0.2) {
      addWarning(this, `retryBudget.retryRatio ${this.retryBudget!.retryRatio} lets retries add more than 20% load: excessive client retries `
        + 'overload a failing service; Linkerd\'s default is 0.2');
    }

    const metadata = { ...props.metadata, name, namespace: this.namespace };
    const retryBudget = this.retryBudget && {
      retryRatio: this.retryBudget.retryRatio ?? 0.2,
      minRetriesPerSecond: this.retryBudget.minRetriesPerSecond ?? 10,
      ttl: goDuration(this.retryBudget.ttl ?? Duration.seconds(10)),
    };
    this.apiObject = new ServiceProfileL1(this, 'Resource', {
      metadata,
      spec: {
        // rendered late so addRoute() after construction counts; omitted when empty, as linkerd profile writes it
        routes: Lazy.any({ produce: () => (this._routes.length > 0 ? [...this._routes] : undefined) }) as any,
        retryBudget,
      },
    });
    for (const route of props.routes ?? []) this.addRoute(route);
    keepNamespace(this, this.apiObject, 'ServiceProfile');
    // checked as written, without rendering: the rules read the name, the spec's fields and the routes, and each route
    // already passed routeProblems as written in addRouteSpec (rendering only drops null values and fields the rules
    // reject, so it cannot add a route problem); at synth the rendered object is checked in full
    validateWritten(this, this.apiObject, { metadata, spec: retryBudget ? { retryBudget } : {} }, serviceProfileProblems, this._routes);
    this.node.addValidation({ validate: () => profileConflictProblems(this, this.apiObject, this.service, name) });
  }

  /** The profile's name, `<service>.<namespace>.svc.<clusterDomain>`. */
  public get name(): string {
    return this.apiObject.name;
  }

  /** The routes as written, in match order. */
  public get routes(): readonly RouteSpec[] {
    return [...this._routes];
  }

  /**
   * Adds a route after the existing ones (the proxy uses the first route that matches).
   *
   * Throws when the route breaks an sp-validator rule, or is retryable on a non-idempotent method without
   * `allowNonIdempotentRetry`; warns about duplicate and shadowed routes, retryable routes without a timeout, and
   * regexes that probably do not mean what they say.
   */
  public addRoute(route: ServiceProfileRoute): void {
    if (route.timeout !== undefined && wholeMillis(route.timeout) === undefined) {
      throw new ValidationError(`route ${JSON.stringify(route.name)} timeout ${millisText(route.timeout)} must be a whole number of milliseconds`, this);
    }
    const json: RouteSpec = {
      name: route.name,
      condition: route.condition._toJson(),
      ...(route.responseClasses && route.responseClasses.length > 0 ? { responseClasses: route.responseClasses.map(c => c._toJson()) } : {}),
      ...(route.isRetryable ? { isRetryable: true } : {}),
      ...(route.timeout ? { timeout: goDuration(route.timeout) } : {}),
    };
    this.addRouteSpec(json, {
      allowNonIdempotentRetry: route.allowNonIdempotentRetry ?? false,
      optIn: 'set allowNonIdempotentRetry: true on the route if the handler is idempotent',
    });
  }

  private addGenerated(generate: () => Generated, origin: RouteOrigin): void {
    let generated: Generated;
    try {
      generated = generate();
    } catch (err) {
      // Only the generators' own errors describe the document; anything else is a bug and propagates as is.
      if (err instanceof GeneratorError) throw new ValidationError(err.message, this);
      throw err;
    }
    generated.warnings.forEach(w => addWarning(this, w));
    for (const route of generated.routes) this.addRouteSpec(route, origin);
  }

  private addRouteSpec(route: RouteSpec, origin: RouteOrigin): void {
    const json: RouteSpec = route.timeout === undefined && this.defaultTimeout !== undefined
      ? { ...route, timeout: goDuration(this.defaultTimeout) } : route;
    const label = `route ${JSON.stringify(json.name)}`;
    const problems = new Problems().addAll(routeProblems(json, label));
    if (json.isRetryable && !origin.allowNonIdempotentRetry) {
      const unsafe = nonIdempotentMethods(json.condition);
      if (unsafe.length > 0) {
        problems.add(`${label} is retryable but matches ${unsafe.join(', ')}, which is not idempotent: a retried request may be applied twice; `
          + `${origin.optIn}${nonIdempotentRetryLintNote()}`);
      }
    }
    problems.throwIfAny(this);
    if (json.isRetryable && json.timeout === undefined) {
      addWarning(this, `${label} is retryable but has no timeout: a hung request is never retried; set a timeout or defaultTimeout`);
    }
    this.linter.add(json).forEach(w => addWarning(this, w));
    this._routes.push(json);
  }
}
