import { Duration } from 'cdk8s';
import { Problems } from '../_internal/problems';
import { RETRY_GRPC, RETRY_HTTP, RETRY_LIMIT, RETRY_TIMEOUT, TIMEOUT_PREFIX } from './_annotations';
import { formatPolicyDuration, millisText, wholeMillis } from './_policy-grammar';
import type { RetryOptions, TimeoutOptions } from './retries-and-timeouts';

/**
 * The annotations for retries and timeouts, and what is wrong with the options.
 *
 * @internal
 */
export interface RetryTimeoutAnnotations {
  /** The annotations. */
  readonly annotations: Record<string, string>;
  /** What is wrong, one sentence each. */
  readonly problems: string[];
  /** What is valid but probably not meant, one sentence each. */
  readonly warnings: string[];
}

/**
 * Renders retry and timeout options as Linkerd's annotations, in the policy controller's grammar.
 *
 * @param kind where they go: `retry.linkerd.io/grpc` is invalid on an HTTPRoute
 * @internal
 */
export function retryTimeoutAnnotations(retry: RetryOptions | undefined, timeouts: TimeoutOptions | undefined, kind: 'Service' | 'HTTPRoute'): RetryTimeoutAnnotations {
  const annotations: Record<string, string> = {};
  const problems = new Problems();
  const warnings: string[] = [];
  const duration = (what: string, key: string, value: Duration | undefined) => {
    if (value === undefined) return;
    const ms = wholeMillis(value);
    if (ms === undefined || ms <= 0n) {
      problems.add(`${what} ${millisText(value)} must be a whole number of milliseconds greater than zero: Linkerd's annotations `
        + 'take <integer><ms|s|m|h|d>, and zero means no timeout (omit it instead)');
    } else {
      annotations[key] = formatPolicyDuration(ms);
    }
  };
  if (retry !== undefined) {
    const http = retry.http ?? [];
    const grpc = retry.grpc ?? [];
    if (http.length === 0 && grpc.length === 0 && retry.timeout === undefined) {
      warnings.push(`retry sets neither conditions (http or grpc) nor a timeout: Linkerd accepts ${RETRY_LIMIT} alone, but then retries no `
        + 'response status and no slow try, only tries that failed before any response (fail-fast, HTTP/2 REFUSED_STREAM); '
        + 'add conditions such as HttpRetryCondition.SERVER_ERROR, or a per-try timeout');
    }
    if (kind === 'HTTPRoute' && grpc.length > 0) problems.add(`retry.grpc (${RETRY_GRPC}) is not valid on an HTTPRoute: Linkerd reads it from Services and GRPCRoutes`);
    http.forEach(c => { const p = c._problem(); problems.add(p); });
    if (http.length > 0) annotations[RETRY_HTTP] = http.map(c => c.value).join(',');
    if (grpc.length > 0) annotations[RETRY_GRPC] = grpc.join(',');
    const limit = retry.limit ?? 1;
    if (!Number.isInteger(limit) || limit < 1 || limit > 65535) problems.add(`retry.limit ${limit} must be a whole number from 1 to 65535`);
    annotations[RETRY_LIMIT] = String(limit);
    duration('retry.timeout', RETRY_TIMEOUT, retry.timeout);
  }
  duration('timeouts.request', `${TIMEOUT_PREFIX}request`, timeouts?.request);
  duration('timeouts.response', `${TIMEOUT_PREFIX}response`, timeouts?.response);
  duration('timeouts.idle', `${TIMEOUT_PREFIX}idle`, timeouts?.idle);
  return { annotations, problems: [...problems.list], warnings };
}
