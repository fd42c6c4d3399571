import { RE2JS } from 're2js';
import { quoteMeta } from '../_internal/go-regexp';
import { isDns1123Subdomain } from '../_internal/names';
import { hasTopLevelAlternation } from '../traffic/_regex';

const UNRELATED_HOSTS = ['dns-rebinding.attacker.invalid', '203.0.113.7'];

/**
 * The web server's `-enforced-host` regex: the chart's own hosts, then the external hosts; anchored, escaped as Go's
 * QuoteMeta would, any port.
 *
 * Setting `dashboard.enforcedHostRegexp` replaces the chart's default, which admits `localhost`, `127.0.0.1`, `[::1]`
 * and the web Service's names (linkerd/linkerd2@version-2.20:viz/charts/linkerd-viz/templates/web.yaml:108-113, the
 * same at stable-2.12.6:…/web.yaml:96-100), so those come first: `linkerd viz dashboard` port-forwards to
 * localhost:50750 and must keep working next to the Ingress.
 *
 * @param namespace the viz namespace
 * @param clusterDomain the cluster domain
 */
export function enforcedHostRegexp(hosts: readonly string[], namespace: string, clusterDomain: string): string {
  const chartHosts = ['localhost', '127.0.0.1', `web.${namespace}.svc.${clusterDomain}`, `web.${namespace}.svc`].map(quoteMeta);
  return `^(${[...chartHosts, '\\[::1\\]', ...hosts.map(quoteMeta)].join('|')})(:\\d+)?$`;
}

/** Problems with dashboard host names. */
export function enforcedHostProblems(hosts: readonly string[]): string[] {
  return hosts.filter(h => !isDns1123Subdomain(h))
    .map(h => `dashboard host ${JSON.stringify(h)} is not a DNS name (lowercase labels separated by dots, no wildcard or port)`);
}

/**
 * Checks the enforced-host regex the way the dashboard's Go web server reads it (RE2, unanchored `MatchString`):
 * it must compile, be anchored (`^…$`, no top-level `|`), match every external host (or the web server answers
 * HTTP 400), and, unless allowed, refuse hosts
 * that are not the dashboard's (a catch-all re-opens the DNS-rebinding hole the check exists for).
 */
export function hostRegexProblems(regex: string, hosts: readonly string[], allowAnyHost: boolean): string[] {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(regex);
  } catch (e) {
    return [`dashboard.enforcedHostRegexp ${JSON.stringify(regex)} is not a valid Go regexp: ${(e as Error).message}`];
  }
  const problems = hosts.filter(h => !compiled.matcher(h).find())
    .map(h => `dashboard.enforcedHostRegexp ${JSON.stringify(regex)} does not match the dashboard host ${JSON.stringify(h)}: the dashboard would answer HTTP 400`);
  const unrelated = UNRELATED_HOSTS.find(h => compiled.matcher(h).find());
  if (!allowAnyHost && unrelated !== undefined) {
    problems.push(`dashboard.enforcedHostRegexp ${JSON.stringify(regex)} also matches ${JSON.stringify(unrelated)}: a catch-all host check lets DNS rebinding reach the dashboard; list the hosts, or set allowAnyDashboardHost`);
  } else if (!allowAnyHost && !isAnchored(regex)) {
    // MatchString is unanchored (linkerd2@version-2.20 web/srv/server.go:67): `example\.com` also accepts `example.com.attacker.invalid`
    problems.push(`dashboard.enforcedHostRegexp ${JSON.stringify(regex)} is not anchored: the web server matches it anywhere in the Host header, `
      + 'so write it as ^(host1|host2)(:\\d+)?$ (one ^ at the start, one $ at the end, alternatives inside a group)');
  }
  return problems;
}

/** Whether a regex starts with `^`, ends with an unescaped `$` and has no `|` outside a group (which would split the anchors). */
function isAnchored(regex: string): boolean {
  return regex.startsWith('^') && /(^|[^\\])(\\\\)*\$$/.test(regex) && !hasTopLevelAlternation(regex);
}
