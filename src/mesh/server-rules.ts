import { isProbePolicy, MeshModel, Rendered, requiresIdentity } from './_model';
import { HttpProbe, resolveServerPorts, WorkloadFacts } from './_workload';

/**
 * Whether an AuthorizationPolicy targeting a route admits clients without a mesh identity.
 *
 * @internal
 */
export function routeAdmitsUnauthenticated(model: MeshModel, route: Rendered): boolean {
  const namespace = route.json.metadata?.namespace ?? 'default';
  return model.policiesOf('AuthorizationPolicy', namespace).some(policy => {
    const ref = policy.json.spec?.targetRef ?? {};
    const refs: any[] = policy.json.spec?.requiredAuthenticationRefs ?? [];
    return ref.kind === route.json.kind && ref.name === route.json.metadata?.name && !isProbePolicy(policy)
      && !refs.some(requiresIdentity);
  });
}

/**
 * Whether an HTTPRoute matches the kubelet's `GET <path>`: no hostnames, and a rule with no matches or a match whose
 * path (unset: prefix `/`) is `Exact` or an element-wise `PathPrefix` of it, with no method but GET and no headers or
 * query parameters. Regular expressions are not evaluated (treated as no match).
 *
 * @internal
 */
export function routeMatchesProbe(route: any, path: string): boolean {
  if ((route.spec?.hostnames ?? []).length > 0) return false;
  const matches = (m: any) => {
    if ((m.headers ?? []).length > 0 || (m.queryParams ?? []).length > 0 || (m.method !== undefined && m.method !== 'GET')) return false;
    const type = m.path?.type ?? 'PathPrefix';
    const value: string = m.path?.value ?? '/';
    if (type === 'Exact') return value === path;
    if (type !== 'PathPrefix') return false;
    const prefix = value.replace(/\/+$/, '');
    return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
  };
  return (route.spec?.rules ?? [{}]).some((rule: any) => (rule.matches ?? []).length === 0 || rule.matches.some(matches));
}

/**
 * The HTTP probes of a workload on the pod ports a Server port selects, by port and path.
 *
 * @internal
 */
export function httpProbesOn(facts: WorkloadFacts, port: number | string | undefined): HttpProbe[] {
  const ports = resolveServerPorts(facts, port);
  const seen = new Set<string>();
  return facts.httpProbes.filter(p => ports.includes(p.port))
    .filter(p => !seen.has(`${p.port} ${p.path} ${p.scheme}`) && seen.add(`${p.port} ${p.path} ${p.scheme}`))
    .sort((a, b) => a.port - b.port || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
