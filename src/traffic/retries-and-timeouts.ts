import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { Problems } from '../_internal/problems';
import { addWarning } from '../_internal/warnings';
import { LinkerdContext } from '../linkerd/context';
import { LinkerdFeature, LinkerdVersion } from '../linkerd/version';
import { annotateService } from './_annotate';
import { nonIdempotentRetryLintNote } from './retry-lint';
import { retryTimeoutAnnotations } from './retry-timeout-annotations';
import { ResolvedService, ServiceReference } from './service-reference';
import { resolveService } from './service-resolution';

/**
 * An HTTP response that `retry.linkerd.io/http` retries.
 *
 * @see https://linkerd.io/2-edge/reference/retries/
 */
export class HttpRetryCondition {
  /** Any 5xx response (500–599). */
  public static readonly SERVER_ERROR = new HttpRetryCondition('5xx');
  /** 502, 503 and 504. */
  public static readonly GATEWAY_ERROR = new HttpRetryCondition('gateway-error');

  /** One status code (100–599), e.g. 429. */
  public static status(code: number): HttpRetryCondition {
    return new HttpRetryCondition(String(code), code, code);
  }

  /** The status codes from `min` to `max` inclusive (100–599). */
  public static range(min: number, max: number): HttpRetryCondition {
    return new HttpRetryCondition(`${min}-${max}`, min, max);
  }

  private constructor(
    /** The annotation's spelling, e.g. `5xx` or `500-504`. */
    public readonly value: string,
    private readonly min?: number,
    private readonly max?: number,
  ) {}

  /** What is wrong with the codes, if anything. @internal */
  public _problem(): string | undefined {
    if (this.min === undefined || this.max === undefined) return undefined;
    const isCode = (v: number) => Number.isInteger(v) && v >= 100 && v <= 599;
    if (!isCode(this.min) || !isCode(this.max)) return `retry condition ${this.value} must use HTTP status codes from 100 to 599`;
    return this.min > this.max ? `retry condition ${this.value} must have its lower code first` : undefined;
  }
}

/** A gRPC status that `retry.linkerd.io/grpc` retries. */
export enum GrpcRetryCondition {
  /** CANCELLED. */
  CANCELLED = 'cancelled',
  /** DEADLINE_EXCEEDED. */
  DEADLINE_EXCEEDED = 'deadline-exceeded',
  /** INTERNAL. */
  INTERNAL = 'internal',
  /** RESOURCE_EXHAUSTED. */
  RESOURCE_EXHAUSTED = 'resource-exhausted',
  /** UNAVAILABLE. */
  UNAVAILABLE = 'unavailable',
}

/**
 * Retries by annotation (Linkerd 2.16+): counted per request, not budgeted like a ServiceProfile's. Bodies over 64 KiB
 * are never retried, and each retry may go to a different endpoint.
 *
 * What is retried: a response whose status or gRPC code is in `http`/`grpc`; a try that gets no response headers
 * within `timeout`; and a try that failed before any response (a fail-fast backend, an HTTP/2 REFUSED_STREAM)
 * (`linkerd2-proxy@release/v2.359.0:linkerd/app/outbound/src/http/logical/policy/route/retry.rs:45,127`, the per-try
 * timeout at `…/route/extensions.rs:73`). So a retry with a `timeout` and no conditions is valid: it retries slow tries.
 * One with neither (only a `limit`) is accepted by Linkerd (`linkerd2@version-2.20:policy-controller/k8s/index/src/outbound/index/http.rs:436`)
 * but retries no response at all, only those early failures: synth warns.
 *
 * @see https://linkerd.io/2-edge/reference/retries/
 */
export interface RetryOptions {
  /**
   * HTTP responses to retry (`retry.linkerd.io/http`); not valid on a GRPCRoute.
   *
   * @default - none
   */
  readonly http?: HttpRetryCondition[];
  /**
   * gRPC statuses to retry (`retry.linkerd.io/grpc`); not valid on an HTTPRoute.
   *
   * @default - none
   */
  readonly grpc?: GrpcRetryCondition[];
  /**
   * The most retries per request (`retry.linkerd.io/limit`), 1–65535. Keep it low: retries multiply load on a failing
   * service.
   *
   * @default 1 (Linkerd's default), written explicitly
   */
  readonly limit?: number;
  /**
   * How long each try may take to get response headers before it is retried (`retry.linkerd.io/timeout`); enough on
   * its own, without `http` or `grpc` conditions, to retry slow tries.
   *
   * @default - none
   */
  readonly timeout?: Duration;
}

/**
 * Timeouts by annotation (Linkerd 2.16+, `timeout.linkerd.io/*`).
 *
 * @see https://linkerd.io/2-edge/reference/timeouts/
 */
export interface TimeoutOptions {
  /**
   * The most time a full request-response stream may be in flight (`timeout.linkerd.io/request`).
   *
   * @default - none
   */
  readonly request?: Duration;
  /**
   * The most time a backend response may be in flight (`timeout.linkerd.io/response`).
   *
   * @default - none
   */
  readonly response?: Duration;
  /**
   * The most time a stream may be idle (`timeout.linkerd.io/idle`).
   *
   * @default - none
   */
  readonly idle?: Duration;
}

/** Props for {@link RetriesAndTimeouts}. */
export interface RetriesAndTimeoutsProps {
  /** The Service to annotate: `ServiceReference.fromService` or `fromApiObject` (a `fromName` reference cannot be annotated). */
  readonly service: ServiceReference;
  /**
   * Retries for every request to the Service.
   *
   * @default - no retries
   */
  readonly retry?: RetryOptions;
  /**
   * Timeouts for every request to the Service.
   *
   * @default - no timeouts
   */
  readonly timeouts?: TimeoutOptions;
  /**
   * Allows retries although they apply to every method of the Service, including POST and PATCH: a retried
   * non-idempotent request may be applied twice. Set it only when every handler is idempotent. Turns off
   * {@link NON_IDEMPOTENT_RETRY_LINT}, our lint, which is stricter than Linkerd (Linkerd retries any method).
   *
   * @default false
   */
  readonly allowNonIdempotentRetries?: boolean;
  /**
   * The Linkerd version (retry and timeout annotations need 2.16); when given, it must be the tree's.
   *
   * @default - the version of the control plane in the construct tree ({@link LinkerdContext}), else LinkerdVersion.LATEST
   */
  readonly version?: LinkerdVersion;
}

/**
 * Retries and timeouts for every request to a Service, as `retry.linkerd.io/*` and `timeout.linkerd.io/*` annotations
 * on the Service (Linkerd 2.16+). An HTTPRoute overrides them per category, as a whole
 * (`linkerd2@version-2.20:policy-controller/grpc/src/outbound/http.rs:248-253`): a rule with any timeout of its own
 * (a rule timeout or a route `timeout.linkerd.io/*` annotation) gets none of these timeouts, and a route with any
 * retry annotation gets none of these retry settings. {@link HttpRoute} warns at synth when that drops a value set here.
 *
 * Linkerd ignores these annotations while a ServiceProfile with routes exists for the Service; that combination is a
 * synth error (a route-less profile does not shadow them).
 *
 * @see https://linkerd.io/2-edge/reference/retries/
 * @see https://linkerd.io/2-edge/reference/timeouts/
 */
export class RetriesAndTimeouts extends Construct {
  /** The annotated Service. */
  public readonly service: ResolvedService;
  /** The annotations written on it. */
  public readonly annotations: Record<string, string>;

  constructor(scope: Construct, id: string, props: RetriesAndTimeoutsProps) {
    super(scope, id);
    const version = LinkerdContext.resolve(this, { version: props.version }).version;
    version.requireFeature(this, LinkerdFeature.RETRY_TIMEOUT_ANNOTATIONS, 'configuring retries or timeouts by annotation');
    this.service = resolveService(this, props.service);
    const { annotations, problems: found, warnings } = retryTimeoutAnnotations(props.retry, props.timeouts, 'Service');
    const problems = new Problems().addAll(found);
    if (props.retry === undefined && props.timeouts === undefined) problems.add('set retry, timeouts or both: there is nothing to configure');
    if (props.retry !== undefined && !(props.allowNonIdempotentRetries ?? false)) {
      problems.add('retries on a Service apply to every method, including POST and PATCH, which are not idempotent: a retried request may be '
        + `applied twice; set allowNonIdempotentRetries: true if every handler is idempotent, or retry per route with an HttpRoute for GET${nonIdempotentRetryLintNote()}`);
    }
    problems.throwIfAny(this);
    warnings.forEach(w => addWarning(this, w));
    this.annotations = annotations;
    annotateService(this, this.service, annotations, 'retries and timeouts');
  }
}
