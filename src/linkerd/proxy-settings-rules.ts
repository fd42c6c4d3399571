import { Problems } from '../_internal/problems';
import { isProxyLogLevel } from '../_internal/proxy-log-level';
import { parseQuantity, sizeQuantity } from '../_internal/quantity';
import { DefaultInboundPolicy } from './control-plane';
import { ProxyResources } from './proxy-settings';
import { LinkerdFeature, LinkerdVersion } from './version';

// The proxy settings the control plane (chart values) and ProxyOptions (annotations) share, and their rules: one
// message per rule, whichever of the two set the value. The linkerd CLI applies the same rules to the chart values
// (linkerd/linkerd2@version-2.20:cli/cmd/options.go:477 `validateValues`, its proxy checks at :564-617, and
// `validatePolicy` at :622-630).

/**
 * Proxy requests and limits as rendered: the chart's `proxy.resources` shape, the values as given (strings, or
 * anything `values` put there).
 *
 * @internal
 */
export interface RenderedProxyResources {
  readonly cpu?: { readonly request?: unknown; readonly limit?: unknown };
  readonly memory?: { readonly request?: unknown; readonly limit?: unknown };
}

/** A request and a limit as quantities. @internal */
export interface QuantityPair {
  readonly request?: string;
  readonly limit?: string;
}

/**
 * Typed resources in the rendered shape (quantity strings).
 *
 * @internal
 */
export function renderProxyResources(resources: ProxyResources): { cpu: QuantityPair; memory: QuantityPair } {
  return {
    cpu: { request: resources.cpuRequest?.amount, limit: resources.cpuLimit?.amount },
    memory: { request: sizeQuantity(resources.memoryRequest), limit: sizeQuantity(resources.memoryLimit) },
  };
}

/**
 * Each request and limit is a Kubernetes quantity, and no limit is below its request (the CLI compares CPU in
 * millicores and memory in bytes: cli/cmd/options.go:564-596).
 *
 * @internal
 */
export function proxyResourcesProblems(resources: RenderedProxyResources | undefined): string[] {
  const problems = new Problems();
  for (const resource of ['cpu', 'memory'] as const) {
    const { request, limit } = resources?.[resource] ?? {};
    const parsed: Record<string, number | undefined> = {};
    for (const [what, q] of [['request', request], ['limit', limit]] as const) {
      if (q === undefined || q === null || q === '') continue;
      parsed[what] = parseQuantity(String(q));
      problems.when(parsed[what] === undefined, () => `proxy ${resource} ${what} ${JSON.stringify(q)} is not a Kubernetes quantity (e.g. 100m or 1 for cpu, 64Mi for memory)`);
    }
    problems.when(parsed.request !== undefined && parsed.limit !== undefined && parsed.limit < parsed.request,
      () => `proxy ${resource} limit ${limit} is below the ${resource} request ${request}: the limit must be at least the request`);
  }
  return [...problems.list];
}

/**
 * The log level is what the CLI accepts: Rust `env_logger` directives (cli/cmd/options.go:598-601, the pattern at
 * cli/cmd/root.go:60); an empty one is not.
 *
 * @internal
 */
export function proxyLogLevelProblem(level: unknown): string | undefined {
  if (level === undefined) return undefined;
  return typeof level === 'string' && isProxyLogLevel(level) ? undefined
    : `proxy logLevel ${JSON.stringify(level)} is not a proxy log level: use env_logger directives such as warn,linkerd=info`;
}

/**
 * The default inbound policy is one the policy controller knows (cli/cmd/options.go:620-628), and `audit` only on
 * a version that has it.
 *
 * @internal
 */
export function defaultInboundPolicyProblem(policy: unknown, version: LinkerdVersion | undefined): string | undefined {
  if (policy === undefined) return undefined;
  const policies = Object.values(DefaultInboundPolicy) as unknown[];
  if (!policies.includes(policy)) return `proxy defaultInboundPolicy ${JSON.stringify(policy)} is not allowed: use one of ${policies.join(', ')}`;
  return policy === DefaultInboundPolicy.AUDIT ? version?.featureProblem(LinkerdFeature.AUDIT_POLICY, 'proxy defaultInboundPolicy "audit"') : undefined;
}
