import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { throwIfProblems } from '../_internal/errors';
import { Problems } from '../_internal/problems';
import { LinkerdContext } from '../linkerd/context';
import { LinkerdFeature, LinkerdVersion } from '../linkerd/version';
import { annotateService } from './_annotate';
import { CONSECUTIVE, FAILURE_ACCRUAL, SUCCESS_RATE } from './_annotations';
import { formatPolicyDuration, millisText, wholeMillis } from './_policy-grammar';
import { ResolvedService, ServiceReference } from './service-reference';
import { resolveService } from './service-resolution';

/** Options of the consecutive-failures breaker, which both modes use. */
export interface ConsecutiveFailureOptions {
  /**
   * Consecutive failures (5xx, or gRPC DATA_LOSS, DEADLINE_EXCEEDED, INTERNAL, PERMISSION_DENIED, UNAVAILABLE) after
   * which an endpoint is taken out of the balancer. In unified mode, 0 turns this dimension off.
   *
   * @default 7
   */
  readonly maxFailures?: number;
  /**
   * The shortest time a tripped endpoint stays out before a probe request.
   *
   * @default Duration.seconds(1)
   */
  readonly minPenalty?: Duration;
  /**
   * The longest time between probe requests; greater than zero and at least `minPenalty`.
   *
   * @default Duration.minutes(1)
   */
  readonly maxPenalty?: Duration;
  /**
   * Jitter of the probation backoff, 0–100.
   *
   * @default 0.5
   */
  readonly jitterRatio?: number;
}

/** Options of the unified breaker (Linkerd 2.20): consecutive failures plus a success-rate window. */
export interface UnifiedFailureOptions extends ConsecutiveFailureOptions {
  /**
   * Trip an endpoint whose success rate in the window falls below this, 0.0–1.0 (0 turns this dimension off). HTTP 429
   * and gRPC RESOURCE_EXHAUSTED count as failures here.
   *
   * @default 0.8
   */
  readonly successRateThreshold?: number;
  /**
   * The window the success rate is computed over; at least 10ms (in practice ≥ 1s: it is split into ~10 buckets).
   *
   * @default Duration.seconds(10)
   */
  readonly successRateWindow?: Duration;
  /**
   * Responses needed in the window before the success rate can trip the breaker, at most 1,000,000.
   *
   * @default 5
   */
  readonly successRateMinRequests?: number;
}

/** The failure-accrual mode. */
export enum FailureAccrualMode {
  /** Consecutive failures (Linkerd 2.13+). */
  CONSECUTIVE = 'consecutive',
  /** Consecutive failures plus a success-rate window (Linkerd 2.20+). */
  UNIFIED = 'unified',
}

/**
 * How a {@link CircuitBreaker} decides that an endpoint is failing. Every parameter is written explicitly, defaults
 * included, so the output shows what the proxies do.
 *
 * @see https://linkerd.io/2-edge/reference/circuit-breaking/
 */
export class FailureAccrual {
  /** Trip an endpoint after a number of consecutive failures (Linkerd 2.13+). */
  public static consecutive(options: ConsecutiveFailureOptions = {}): FailureAccrual {
    return new FailureAccrual(FailureAccrualMode.CONSECUTIVE, options);
  }

  /** Trip on consecutive failures or on a low success rate (Linkerd 2.20+). */
  public static unified(options: UnifiedFailureOptions = {}): FailureAccrual {
    return new FailureAccrual(FailureAccrualMode.UNIFIED, options);
  }

  private constructor(
    /** The mode. */
    public readonly mode: FailureAccrualMode,
    private readonly options: UnifiedFailureOptions,
  ) {}

  /** The Service annotations and the policy controller's objections to them. @internal */
  public _annotations(): { annotations: Record<string, string>; problems: string[] } {
    const o = this.options;
    const unified = this.mode === FailureAccrualMode.UNIFIED;
    const problems = new Problems();
    const ms = (what: string, value: Duration) => {
      const millis = wholeMillis(value);
      if (millis === undefined || millis < 0n) problems.add(`${what} ${millisText(value)} must be a whole, non-negative number of milliseconds`);
      return millis ?? 0n;
    };
    const maxFailures = o.maxFailures ?? 7;
    const minPenalty = ms('minPenalty', o.minPenalty ?? Duration.seconds(1));
    const maxPenalty = ms('maxPenalty', o.maxPenalty ?? Duration.minutes(1));
    const jitter = o.jitterRatio ?? 0.5;
    if (!Number.isInteger(maxFailures) || maxFailures < (unified ? 0 : 1) || maxFailures > 4_294_967_295) {
      problems.add(`maxFailures ${maxFailures} must be a whole number from ${unified ? 0 : 1} to 4294967295`);
    }
    if (minPenalty > maxPenalty) {
      problems.add(`minPenalty ${formatPolicyDuration(minPenalty)} cannot exceed maxPenalty ${formatPolicyDuration(maxPenalty)}`);
    }
    if (maxPenalty === 0n) problems.add('maxPenalty cannot be zero: it bounds the time between probes of a tripped endpoint');
    if (!Number.isFinite(jitter) || jitter < 0 || jitter > 100) problems.add(`jitterRatio ${jitter} must be a number from 0 to 100`);
    const annotations: Record<string, string> = {
      [FAILURE_ACCRUAL]: this.mode,
      [`${CONSECUTIVE}max-failures`]: String(maxFailures),
      [`${CONSECUTIVE}min-penalty`]: formatPolicyDuration(minPenalty),
      [`${CONSECUTIVE}max-penalty`]: formatPolicyDuration(maxPenalty),
      [`${CONSECUTIVE}jitter-ratio`]: String(jitter),
    };
    if (unified) {
      const threshold = o.successRateThreshold ?? 0.8;
      const window = ms('successRateWindow', o.successRateWindow ?? Duration.seconds(10));
      const minRequests = o.successRateMinRequests ?? 5;
      if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) problems.add(`successRateThreshold ${threshold} must be a number from 0.0 to 1.0`);
      if (window === 0n) problems.add('successRateWindow must be greater than zero');
      else if (threshold !== 0 && window < 10n) problems.add(`successRateWindow ${formatPolicyDuration(window)} must be at least 10ms`);
      if (!Number.isInteger(minRequests) || minRequests < 0 || minRequests > (threshold !== 0 ? 1_000_000 : 4_294_967_295)) {
        problems.add(`successRateMinRequests ${minRequests} must be a whole number from 0 to 1000000`);
      }
      if (maxFailures === 0 && threshold === 0) problems.add('maxFailures 0 and successRateThreshold 0 turn both dimensions off: no breaker would run');
      annotations[`${SUCCESS_RATE}threshold`] = String(threshold);
      annotations[`${SUCCESS_RATE}window`] = formatPolicyDuration(window);
      annotations[`${SUCCESS_RATE}min-requests`] = String(minRequests);
    }
    return { annotations, problems: [...problems.list] };
  }
}

/** Props for {@link CircuitBreaker}. */
export interface CircuitBreakerProps {
  /** The Service whose endpoints are taken out of the balancer while failing: a cdk8s-plus Service or an ApiObject. */
  readonly service: ServiceReference;
  /**
   * How failures are counted.
   *
   * @default FailureAccrual.consecutive()
   */
  readonly accrual?: FailureAccrual;
  /**
   * The Linkerd version (failure accrual needs 2.13, unified accrual 2.20); when given, it must be the tree's.
   *
   * @default - the version of the control plane in the construct tree ({@link LinkerdContext}), else LinkerdVersion.LATEST
   */
  readonly version?: LinkerdVersion;
}

/**
 * Circuit breaking for a Service: client proxies stop sending requests to an endpoint that keeps failing and probe it
 * with backoff until it recovers (`balancer.linkerd.io/failure-accrual` annotations on the Service). When every
 * endpoint is tripped, requests fail with 503.
 *
 * Linkerd ignores failure accrual while a ServiceProfile with routes exists for the Service; that combination is a synth
 * error (a route-less profile does not shadow it).
 *
 * @see https://linkerd.io/2-edge/reference/circuit-breaking/
 */
export class CircuitBreaker extends Construct {
  /** The Service. */
  public readonly service: ResolvedService;
  /** The failure-accrual settings. */
  public readonly accrual: FailureAccrual;
  /** The annotations written on the Service. */
  public readonly annotations: Record<string, string>;

  constructor(scope: Construct, id: string, props: CircuitBreakerProps) {
    super(scope, id);
    const version = LinkerdContext.resolve(this, { version: props.version }).version;
    this.accrual = props.accrual ?? FailureAccrual.consecutive();
    version.requireFeature(this, LinkerdFeature.FAILURE_ACCRUAL, 'balancer.linkerd.io/failure-accrual');
    if (this.accrual.mode === FailureAccrualMode.UNIFIED) {
      version.requireFeature(this, LinkerdFeature.UNIFIED_FAILURE_ACCRUAL, 'balancer.linkerd.io/failure-accrual: unified');
    }
    this.service = resolveService(this, props.service);
    const { annotations, problems: found } = this.accrual._annotations();
    throwIfProblems(found, this);
    this.annotations = annotations;
    annotateService(this, this.service, annotations, 'failure accrual');
  }
}
