import { parseGoBool } from '../_internal/go-bool';
import { Problems } from '../_internal/problems';
import { parseFloatValue, parsePolicyDuration, parseU16, parseU32 } from './_policy-grammar';

/** `balancer.linkerd.io/failure-accrual`: the circuit-breaking mode. */
export const FAILURE_ACCRUAL = 'balancer.linkerd.io/failure-accrual';
/** The prefix of the consecutive-failures parameters (read by both modes). */
export const CONSECUTIVE = 'balancer.linkerd.io/failure-accrual-consecutive-';
/** The prefix of the unified mode's success-rate parameters. */
export const SUCCESS_RATE = 'balancer.alpha.linkerd.io/failure-accrual-success-rate-';
/** The prefix of Linkerd 2.20's alpha balancer annotations (success rate, load biaser, Retry-After), all read from the Service. */
export const BALANCER_ALPHA = 'balancer.alpha.linkerd.io/';
/**
 * `balancer.alpha.linkerd.io/failure-accrual-honor-retry-after` (2.20): a boolean; no effect without a failure-accrual mode
 * (`linkerd2@version-2.20:policy-controller/k8s/index/src/outbound/index.rs:236`).
 */
export const HONOR_RETRY_AFTER = `${BALANCER_ALPHA}failure-accrual-honor-retry-after`;
/** `balancer.alpha.linkerd.io/penalize-failures` (2.20): a boolean that turns the load biaser on (`…/outbound/index.rs:2262`). */
export const PENALIZE_FAILURES = `${BALANCER_ALPHA}penalize-failures`;
/** `balancer.alpha.linkerd.io/load-biaser-penalty` (2.20): a duration, read only with penalize-failures (`…/outbound/index.rs:2268`). */
export const LOAD_BIASER_PENALTY = `${BALANCER_ALPHA}load-biaser-penalty`;
/** `balancer.alpha.linkerd.io/load-biaser-max-retry-after` (2.20): a duration, read only with penalize-failures (`…/outbound/index.rs:2279`). */
export const LOAD_BIASER_MAX_RETRY_AFTER = `${BALANCER_ALPHA}load-biaser-max-retry-after`;
/** `retry.linkerd.io/http`. */
export const RETRY_HTTP = 'retry.linkerd.io/http';
/** `retry.linkerd.io/grpc`. */
export const RETRY_GRPC = 'retry.linkerd.io/grpc';
/** `retry.linkerd.io/limit`. */
export const RETRY_LIMIT = 'retry.linkerd.io/limit';
/** `retry.linkerd.io/timeout`. */
export const RETRY_TIMEOUT = 'retry.linkerd.io/timeout';
/** `timeout.linkerd.io/request|response|idle`. */
export const TIMEOUT_PREFIX = 'timeout.linkerd.io/';

/** The prefix of the load biaser's durations, read when penalize-failures is on (2.20). */
export const LOAD_BIASER = `${BALANCER_ALPHA}load-biaser-`;

/** The gRPC status codes `retry.linkerd.io/grpc` accepts (case-insensitive). */
export const GRPC_RETRY_CODES = ['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'];

/** Where a traffic annotation sits. */
export type AnnotatedKind = 'Service' | 'HTTPRoute' | 'GRPCRoute';

/** Whether a key configures the balancer (failure accrual, load biaser), which Linkerd reads from the Service only. */
function isBalancerAnnotation(key: string): boolean {
  return key === FAILURE_ACCRUAL || key.startsWith(CONSECUTIVE) || key.startsWith(BALANCER_ALPHA);
}

/**
 * Whether an annotation key is one Linkerd ignores for a Service whose ServiceProfile has routes (or dstOverrides):
 * the client proxy then routes by the profile instead of the client policy these annotations configure, and the
 * profile's backends use the default load estimator (`linkerd2-proxy@release/v2.359.0:linkerd/app/outbound/src/sidecar.rs:192`,
 * `…/http/logical/profile.rs:56`).
 */
export function isProfileShadowedAnnotation(key: string): boolean {
  return isBalancerAnnotation(key) || key.startsWith('retry.linkerd.io/') || key.startsWith(TIMEOUT_PREFIX);
}

const U32_MAX_MS = 4_294_967_295n;

/**
 * The policy controller's checks on the failure-accrual, retry and timeout annotations of a Service or route
 * (`parse_accrual_config`, `parse_http_retry`, `parse_grpc_retry`, `parse_timeouts`): any value it would reject makes
 * it drop the whole configuration, so each one is a problem here.
 */
export function trafficAnnotationProblems(annotations: Record<string, string> | undefined, kind: AnnotatedKind): string[] {
  const a = annotations ?? {};
  const problems = new Problems();
  const bad = (key: string, reason: string, allowed: string) => problems.add(`annotation ${key}: ${JSON.stringify(a[key])} is rejected by the policy controller (${reason}); ${allowed}`);
  const duration = (key: string, zeroReason?: string): bigint | undefined => {
    if (a[key] === undefined) return undefined;
    const parsed = parsePolicyDuration(a[key]);
    if (parsed.error !== undefined) bad(key, parsed.error, 'use <integer><ms|s|m|h|d>, e.g. 500ms or 10s');
    else if (zeroReason && parsed.value === 0n) bad(key, zeroReason, 'use a duration greater than zero');
    return parsed.value;
  };

  if (kind !== 'Service') {
    for (const key of Object.keys(a).filter(isBalancerAnnotation)) {
      problems.add(`annotation ${key} has no effect on ${kind === 'HTTPRoute' ? 'an' : 'a'} ${kind}: failure accrual and load balancing are read from the Service only`);
    }
  }
  if (kind === 'HTTPRoute' && a[RETRY_GRPC] !== undefined) problems.add(`annotation ${RETRY_GRPC} is not valid on an HTTPRoute: use ${RETRY_HTTP}`);
  if (kind === 'GRPCRoute' && a[RETRY_HTTP] !== undefined) problems.add(`annotation ${RETRY_HTTP} is not valid on a GRPCRoute: use ${RETRY_GRPC}`);

  const mode = a[FAILURE_ACCRUAL];
  if (mode !== undefined && mode !== 'consecutive' && mode !== 'unified') {
    bad(FAILURE_ACCRUAL, `unsupported failure accrual mode: ${mode}`, 'use consecutive or unified');
  }
  if (mode === 'consecutive' || mode === 'unified') {
    const maxFailures = `${CONSECUTIVE}max-failures`;
    if (a[maxFailures] !== undefined) {
      const parsed = parseU32(a[maxFailures]);
      if (parsed.error !== undefined) bad(maxFailures, parsed.error, 'use a whole number');
    }
    const min = duration(`${CONSECUTIVE}min-penalty`) ?? 1_000n;
    const max = duration(`${CONSECUTIVE}max-penalty`, 'max_penalty cannot be zero') ?? 60_000n;
    if (min > max) problems.add(`annotations ${CONSECUTIVE}min-penalty (${min}ms) cannot exceed max-penalty (${max}ms)`);
    const jitterKey = `${CONSECUTIVE}jitter-ratio`;
    if (a[jitterKey] !== undefined) {
      const jitter = parseFloatValue(a[jitterKey]);
      if (jitter.error !== undefined) bad(jitterKey, jitter.error, 'use a number from 0 to 100');
      else if (!(jitter.value >= 0)) bad(jitterKey, 'jitter cannot be negative', 'use a number from 0 to 100');
      else if (jitter.value > 100) bad(jitterKey, 'jitter cannot be greater than 100', 'use a number from 0 to 100');
    }
  }
  if (mode === 'unified') {
    const thresholdKey = `${SUCCESS_RATE}threshold`;
    let threshold = 0.8;
    if (a[thresholdKey] !== undefined) {
      const parsed = parseFloatValue(a[thresholdKey]);
      if (parsed.error !== undefined) bad(thresholdKey, parsed.error, 'use a number from 0.0 to 1.0');
      else if (!(parsed.value >= 0 && parsed.value <= 1)) bad(thresholdKey, `success-rate threshold must be between 0.0 and 1.0, got ${parsed.value}`, 'use a number from 0.0 to 1.0');
      else threshold = parsed.value;
    }
    const windowKey = `${SUCCESS_RATE}window`;
    const window = duration(windowKey, 'success-rate-window must be greater than zero') ?? 10_000n;
    if (threshold !== 0 && window > 0n && window < 10n) bad(windowKey, `success-rate-window must be at least 10ms, got ${window}ms`, 'use at least 10ms');
    const minRequestsKey = `${SUCCESS_RATE}min-requests`;
    if (a[minRequestsKey] !== undefined) {
      const parsed = parseU32(a[minRequestsKey]);
      if (parsed.error !== undefined) bad(minRequestsKey, parsed.error, 'use a whole number');
      else if (threshold !== 0 && parsed.value > 1_000_000n) bad(minRequestsKey, `success-rate-min-requests cannot exceed 1000000, got ${parsed.value}`, 'use at most 1000000');
    }
  }

  const bool = (key: string): boolean => {
    if (a[key] === undefined) return false;
    // `parse_bool_annotation` trims, then takes Go ParseBool's spellings (`…/outbound/index.rs:2294`)
    const value = parseGoBool(a[key].trim());
    if (value === undefined) bad(key, `unsupported ${key} value: '${a[key].trim()}' (expected a boolean such as 'true' or 'false')`, 'use true or false');
    return value ?? false;
  };
  bool(HONOR_RETRY_AFTER);
  if (bool(PENALIZE_FAILURES)) {
    const penalty = duration(LOAD_BIASER_PENALTY);
    if (penalty !== undefined && penalty > U32_MAX_MS) {
      bad(LOAD_BIASER_PENALTY, 'load-biaser-penalty exceeds the maximum supported value (~49.7 days)', `use at most ${U32_MAX_MS}ms`);
    }
    duration(LOAD_BIASER_MAX_RETRY_AFTER);
  }

  if (a[RETRY_LIMIT] !== undefined) {
    const parsed = parseU16(a[RETRY_LIMIT]);
    if (parsed.error !== undefined) bad(RETRY_LIMIT, parsed.error, 'use a whole number from 1 to 65535');
  }
  duration(RETRY_TIMEOUT);
  if (a[RETRY_HTTP] !== undefined) {
    for (const cond of a[RETRY_HTTP].split(',')) {
      if (!isHttpRetryCondition(cond)) bad(RETRY_HTTP, `invalid retry condition: ${cond}`, 'use a comma-separated list (no spaces) of 5xx, gateway-error, NNN or NNN-MMM with codes 100-599');
    }
  }
  if (a[RETRY_GRPC] !== undefined) {
    for (const cond of a[RETRY_GRPC].split(',')) {
      if (!GRPC_RETRY_CODES.includes(cond.toLowerCase())) bad(RETRY_GRPC, `invalid retry condition: ${cond}`, `use a comma-separated list (no spaces) of ${GRPC_RETRY_CODES.join(', ')}`);
    }
  }
  for (const key of ['request', 'response', 'idle']) duration(`${TIMEOUT_PREFIX}${key}`);
  for (const key of Object.keys(a).filter(k => k.startsWith(TIMEOUT_PREFIX) && !['request', 'response', 'idle'].includes(k.slice(TIMEOUT_PREFIX.length)))) {
    problems.add(`annotation ${key} is not one Linkerd reads: use ${TIMEOUT_PREFIX}request, response or idle`);
  }
  return [...problems.list];
}

/** `parse_http_retry`'s condition grammar: `5xx`, `gateway-error` (any case), `NNN` or `NNN-MMM` with 100 ≤ NNN ≤ MMM ≤ 599. */
export function isHttpRetryCondition(cond: string): boolean {
  const code = (s: string) => /^\+?[0-9]+$/.test(s) && Number(s) >= 100 && Number(s) < 600 ? Number(s) : undefined;
  if (/^(5xx|gateway-error)$/i.test(cond) || code(cond) !== undefined) return true;
  const dash = cond.indexOf('-');
  if (dash < 0) return false;
  const lo = code(cond.slice(0, dash));
  const hi = code(cond.slice(dash + 1));
  return lo !== undefined && hi !== undefined && lo <= hi;
}
