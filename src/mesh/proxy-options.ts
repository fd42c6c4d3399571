import { Duration } from 'cdk8s';
import { goDuration } from '../_internal/duration';
import { Problems } from '../_internal/problems';
import { DefaultInboundPolicy } from '../linkerd/control-plane';
import { ProxyResources } from '../linkerd/proxy-settings';
import { defaultInboundPolicyProblem, proxyLogLevelProblem, proxyResourcesProblems, renderProxyResources } from '../linkerd/proxy-settings-rules';
import { LinkerdFeature, LinkerdVersion } from '../linkerd/version';
import { DEFAULT_INBOUND_POLICY, nativeSidecarKey, OPAQUE_PORTS, SKIP_INBOUND_PORTS, SKIP_OUTBOUND_PORTS } from './_annotations';
import { PortRange, portRangeProblems } from './port-range';

/** The proxy's log format (`config.linkerd.io/proxy-log-format`). */
export enum ProxyLogFormat {
  /** Plain text lines (the default). */
  PLAIN = 'plain',
  /** One JSON object per line. */
  JSON = 'json',
}

/** The format of the proxy's HTTP access log (`config.linkerd.io/access-log`). */
export enum AccessLogFormat {
  /** Apache Common Log Format. */
  APACHE = 'apache',
  /** One JSON object per request. */
  JSON = 'json',
}

/**
 * Per-namespace or per-workload proxy settings: the typed `config.linkerd.io/*` annotations.
 *
 * On a Namespace they apply to every pod injected in it; on a pod template they win over the namespace's. The
 * requests and limits (`config.linkerd.io/proxy-{cpu,memory}-{request,limit}`) are the control plane's
 * {@link ProxyResources}; they, `logLevel` and `defaultInboundPolicy` are checked by the control plane's rules.
 *
 * @see https://linkerd.io/2-edge/reference/proxy-configuration/
 */
export interface ProxyOptions extends ProxyResources {
  /**
   * The proxy's log level, as Rust `env_logger` directives (`warn,linkerd=info`) (`config.linkerd.io/proxy-log-level`).
   *
   * @default - the control plane's `proxy.logLevel`
   */
  readonly logLevel?: string;
  /**
   * The proxy's log format (`config.linkerd.io/proxy-log-format`).
   *
   * @default - the control plane's `proxy.logFormat` (plain)
   */
  readonly logFormat?: ProxyLogFormat;
  /**
   * Turns on the proxy's HTTP access log in this format (`config.linkerd.io/access-log`).
   *
   * @default - no access log
   */
  readonly accessLog?: AccessLogFormat;
  /**
   * Ports whose traffic is proxied as opaque TCP, without protocol detection (`config.linkerd.io/opaque-ports`);
   * still mTLS between meshed pods. Replaces the cluster-wide list. Server-speaks-first protocols need this.
   *
   * @default - the control plane's `proxy.opaquePorts` (25, 587, 3306, 4444, 5432, 6379, 9300, 11211)
   */
  readonly opaquePorts?: PortRange[];
  /**
   * Inbound ports that bypass the proxy (`config.linkerd.io/skip-inbound-ports`): no mTLS and no policy on them.
   * Replaces the cluster-wide list.
   *
   * @default - the control plane's `proxyInit.ignoreInboundPorts` (4567, 4568)
   */
  readonly skipInboundPorts?: PortRange[];
  /**
   * Outbound ports that bypass the proxy (`config.linkerd.io/skip-outbound-ports`): calls to them are never mTLS.
   * Replaces the cluster-wide list.
   *
   * @default - the control plane's `proxyInit.ignoreOutboundPorts` (4567, 4568)
   */
  readonly skipOutboundPorts?: PortRange[];
  /**
   * Holds the application containers until the proxy is ready (`config.linkerd.io/proxy-await`).
   *
   * @default - the control plane's `proxy.await` (true)
   */
  readonly await?: boolean;
  /**
   * Injects the proxy as a Kubernetes native sidecar (an init container with `restartPolicy: Always`), so that Jobs
   * complete (Linkerd 2.15+; `config.alpha.linkerd.io/proxy-enable-native-sidecar` before 2.20,
   * `config.linkerd.io/proxy-enable-native-sidecar` from 2.20).
   *
   * @default - the control plane's `proxy.nativeSidecar` (true from 2.20); true for Jobs and CronJobs on 2.15+
   */
  readonly nativeSidecar?: boolean;
  /**
   * The inbound policy for traffic no Server covers (`config.linkerd.io/default-inbound-policy`); `audit` needs
   * Linkerd 2.16+. Fixed when the proxy starts.
   *
   * @default - the control plane's `proxy.defaultInboundPolicy` (all-unauthenticated)
   */
  readonly defaultInboundPolicy?: DefaultInboundPolicy;
  /**
   * How long the proxy waits for open connections to finish when it shuts down (`config.linkerd.io/shutdown-grace-period`).
   *
   * @default - the control plane's `proxy.shutdownGracePeriod` (the pod's termination grace period)
   */
  readonly shutdownGracePeriod?: Duration;
}

/**
 * The annotations for a set of proxy options on a version, and what is wrong with them.
 *
 * @internal
 */
export function proxyAnnotations(options: ProxyOptions, version: LinkerdVersion): { annotations: Record<string, string>; problems: string[] } {
  const problems = new Problems();
  const annotations: Record<string, string> = {};
  const set = (key: string, value: string | undefined) => { if (value !== undefined) annotations[key] = value; };

  const resources = renderProxyResources(options);
  set('config.linkerd.io/proxy-cpu-request', resources.cpu.request);
  set('config.linkerd.io/proxy-cpu-limit', resources.cpu.limit);
  set('config.linkerd.io/proxy-memory-request', resources.memory.request);
  set('config.linkerd.io/proxy-memory-limit', resources.memory.limit);
  problems.addAll(proxyResourcesProblems(resources));
  problems.add(proxyLogLevelProblem(options.logLevel));
  set('config.linkerd.io/proxy-log-level', options.logLevel);
  set('config.linkerd.io/proxy-log-format', options.logFormat);
  set('config.linkerd.io/access-log', options.accessLog);
  const lists = [
    [OPAQUE_PORTS, 'opaquePorts', options.opaquePorts],
    [SKIP_INBOUND_PORTS, 'skipInboundPorts', options.skipInboundPorts],
    [SKIP_OUTBOUND_PORTS, 'skipOutboundPorts', options.skipOutboundPorts],
  ] as const;
  for (const [key, what, ranges] of lists) {
    if (ranges === undefined) continue;
    problems.addAll(portRangeProblems(what, ranges));
    set(key, ranges.map(r => r.toString()).join(','));
  }
  set('config.linkerd.io/proxy-await', options.await === undefined ? undefined : options.await ? 'enabled' : 'disabled');
  if (options.nativeSidecar !== undefined) {
    problems.add(version.featureProblem(LinkerdFeature.NATIVE_SIDECAR, `proxy nativeSidecar ${options.nativeSidecar}`));
    set(nativeSidecarKey(version), String(options.nativeSidecar));
  }
  problems.add(defaultInboundPolicyProblem(options.defaultInboundPolicy, version));
  set(DEFAULT_INBOUND_POLICY, options.defaultInboundPolicy);
  if (options.shutdownGracePeriod !== undefined) {
    if (options.shutdownGracePeriod.toMilliseconds() <= 0) {
      problems.add(`proxy shutdownGracePeriod ${goDuration(options.shutdownGracePeriod)} is not allowed: use a positive duration`);
    }
    set('config.linkerd.io/shutdown-grace-period', goDuration(options.shutdownGracePeriod));
  }
  return { annotations, problems: [...problems.list] };
}
