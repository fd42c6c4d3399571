import { cidrContains, parseCidr } from '../_internal/cidr';
import { Problems } from '../_internal/problems';

/**
 * Linkerd's admission rules for a NetworkAuthentication, on the rendered object.
 *
 * @see linkerd/linkerd2@version-2.20:policy-controller/runtime/src/admission.rs:367-426
 * @internal
 */
export function networkAuthenticationRules(obj: any): string[] {
  const networks: any[] = obj.spec?.networks ?? [];
  const problems = new Problems();
  if (networks.length === 0) problems.add('networks must not be empty: give at least one network');
  for (const network of networks) {
    const cidr = parseCidr(String(network.cidr));
    if (!cidr) {
      problems.add(`network cidr ${JSON.stringify(network.cidr)} is not a CIDR or an IP address (e.g. 10.0.0.0/8, fd00::/8)`);
      continue;
    }
    for (const text of network.except ?? []) {
      const except = parseCidr(String(text));
      if (!except) {
        problems.add(`network ${network.cidr} except ${JSON.stringify(text)} is not a CIDR or an IP address`);
      } else if (cidrContains(except, cidr)) {
        problems.add(`network ${network.cidr} except ${JSON.stringify(text)} covers the whole cidr: an exception must leave part of its cidr`);
      } else if (!cidrContains(cidr, except)) {
        problems.add(`network ${network.cidr} except ${JSON.stringify(text)} is outside its cidr: an exception must lie inside ${network.cidr}`);
      }
    }
  }
  return [...problems.list];
}
