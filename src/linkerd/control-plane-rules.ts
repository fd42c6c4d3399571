import { parseCidr } from '../_internal/cidr';
import { isPlainObject } from '../_internal/merge';
import { dns1123SubdomainProblem } from '../_internal/names';
import { Problems } from '../_internal/problems';
import { defaultInboundPolicyProblem, proxyLogLevelProblem, proxyResourcesProblems } from './proxy-settings-rules';
import { LinkerdVersion } from './version';
import { webhookValuesProblems } from './webhook-issuer-rules';

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const WEBHOOK_BLOCKS = ['proxyInjector', 'profileValidator', 'policyValidator'];

/**
 * The linkerd CLI's checks on control-plane values (`cli/cmd/options.go validateValues`), the HA rule, and the chart's
 * webhook `fail` rules, applied to the complete values (chart defaults included). The proxy's settings are checked by
 * the rules `ProxyOptions` shares (`proxy-settings-rules.ts`); `audit` only when the version is given.
 *
 * @internal
 */
export function controlPlaneValuesProblems(values: Record<string, any>, ha: boolean, version?: LinkerdVersion): string[] {
  const problems = new Problems();
  const networks = String(values.clusterNetworks ?? '').split(',').map(s => s.trim()).filter(s => s !== '');
  for (const cidr of networks) {
    if (!cidr.includes('/') || parseCidr(cidr) === undefined) problems.add(`clusterNetworks entry ${JSON.stringify(cidr)} is not a CIDR (e.g. 10.0.0.0/8 or fd00::/8)`);
  }
  if (values.imagePullPolicy !== undefined && !PULL_POLICIES.includes(values.imagePullPolicy)) {
    problems.add(`imagePullPolicy ${JSON.stringify(values.imagePullPolicy)} is not allowed: use one of ${PULL_POLICIES.join(', ')}`);
  }
  const proxy = isPlainObject(values.proxy) ? values.proxy : {};
  problems.addAll(proxyResourcesProblems(isPlainObject(proxy.resources) ? proxy.resources : undefined));
  problems.add(proxyLogLevelProblem(proxy.logLevel));
  problems.add(defaultInboundPolicyProblem(proxy.defaultInboundPolicy, version));
  if (values.identityTrustDomain) problems.add(dns1123SubdomainProblem('identityTrustDomain', values.identityTrustDomain));
  if (ha && Number(values.controllerReplicas ?? 1) < 3) {
    problems.add(`controllerReplicas ${values.controllerReplicas} is too few for ha: the HA profile needs at least 3 replicas (on at least 3 nodes)`);
  }
  for (const block of WEBHOOK_BLOCKS) problems.addAll(webhookValuesProblems(block, values[block]));
  return [...problems.list];
}
