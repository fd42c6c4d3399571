import { parseGoDuration } from '../_internal/duration';
import { isProxyLogLevel } from '../_internal/proxy-log-level';
import { parseQuantity } from '../_internal/quantity';
import { LinkerdFeature, LinkerdVersion } from '../linkerd/version';
import { DEFAULT_INBOUND_POLICY } from '../mesh/_annotations';
import { AccessLogFormat, ProxyLogFormat } from '../mesh/proxy-options';

const CONFIG = 'config.linkerd.io/';
const RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

/** What is wrong with the proxy configuration annotations of a pod (template) or namespace, as errors and warnings. */
export interface ProxyAnnotationProblems {
  /** Values the proxy injector ignores (it logs a warning nobody reads), or a pod Kubernetes would refuse. */
  readonly errors: string[];
  /** Values the injector passes through, but the linkerd CLI refuses (our lint: the proxy may not start). */
  readonly warnings: string[];
}

/**
 * The proxy configuration annotations the proxy injector reads, checked the way it reads them
 * (linkerd/linkerd2@version-2.20:pkg/inject/inject.go), with the parsers the {@link ProxyOptions} of the constructs use:
 *
 * - resources (`proxy-{cpu,memory,ephemeral-storage}-{request,limit}`): a value that is not a Kubernetes quantity is
 *   ignored with a log line (inject.go:449-528); a limit below its request on one object makes Kubernetes refuse the pod;
 * - `proxy-cpu-ratio-limit`: ignored unless a number strictly between 0 and 1 (inject.go:479-488);
 * - `proxy-await`, `proxy-admin-shutdown`: ignored unless `enabled` or `disabled` (inject.go:318-324, 584-590);
 * - `shutdown-grace-period`: ignored unless a Go duration (inject.go:403-410);
 * - `default-inbound-policy: audit` before 2.16, which has no such policy;
 * - `proxy-log-level`, `proxy-log-format`, `access-log`: passed to the proxy as they are (inject.go:326-336, 604-606);
 *   a value the linkerd CLI would refuse is a warning.
 *
 * @internal
 */
export function proxyAnnotationProblems(annotations: Record<string, string>, version: LinkerdVersion): ProxyAnnotationProblems {
  const errors: string[] = [];
  const warnings: string[] = [];
  const value = (key: string) => annotations[`${CONFIG}${key}`];
  const ignored = (key: string, allowed: string) => errors.push(`annotation ${CONFIG}${key}: ${JSON.stringify(value(key))} is ignored by the proxy injector: ${allowed}`);
  for (const resource of RESOURCES) {
    const request = value(`proxy-${resource}-request`);
    const limit = value(`proxy-${resource}-limit`);
    const r = request === undefined ? undefined : parseQuantity(request);
    const l = limit === undefined ? undefined : parseQuantity(limit);
    if (request !== undefined && r === undefined) ignored(`proxy-${resource}-request`, 'use a Kubernetes quantity such as 100m, 0.5 or 64Mi');
    if (limit !== undefined && l === undefined) ignored(`proxy-${resource}-limit`, 'use a Kubernetes quantity such as 100m, 0.5 or 64Mi');
    if (r !== undefined && l !== undefined && l < r) {
      errors.push(`proxy ${resource} limit ${limit} is below the ${resource} request ${request}: Kubernetes refuses a container whose limit is below its request`);
    }
  }
  const ratio = value('proxy-cpu-ratio-limit');
  if (ratio !== undefined && !(/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(ratio.trim()) && Number(ratio) > 0 && Number(ratio) < 1)) {
    ignored('proxy-cpu-ratio-limit', 'use a number strictly between 0.0 and 1.0');
  }
  for (const key of ['proxy-await', 'proxy-admin-shutdown']) {
    if (value(key) !== undefined && value(key) !== 'enabled' && value(key) !== 'disabled') ignored(key, 'use enabled or disabled');
  }
  const grace = value('shutdown-grace-period');
  if (grace !== undefined && parseGoDuration(grace) === undefined) ignored('shutdown-grace-period', 'use a Go duration such as 30s or 1m30s');
  if (annotations[DEFAULT_INBOUND_POLICY] === 'audit') {
    const problem = version.featureProblem(LinkerdFeature.AUDIT_POLICY, `annotation ${DEFAULT_INBOUND_POLICY}: audit`);
    if (problem) errors.push(problem);
  }
  const level = value('proxy-log-level');
  if (level !== undefined && !isProxyLogLevel(level)) {
    warnings.push(`annotation ${CONFIG}proxy-log-level: ${JSON.stringify(level)} is not a proxy log level the linkerd CLI accepts: use env_logger directives such as warn,linkerd=info`);
  }
  const formats: Array<[string, string[]]> = [['proxy-log-format', Object.values(ProxyLogFormat)], ['access-log', Object.values(AccessLogFormat)]];
  for (const [key, allowed] of formats) {
    if (value(key) !== undefined && !allowed.includes(value(key))) {
      warnings.push(`annotation ${CONFIG}${key}: ${JSON.stringify(value(key))} is not a format the proxy knows: use ${allowed.join(' or ')}`);
    }
  }
  return { errors, warnings };
}
