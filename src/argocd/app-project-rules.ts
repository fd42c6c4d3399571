import { dns1123LabelProblem, dns1123SubdomainProblem } from '../_internal/names';

/**
 * What makes an AppProject no restriction at all, on the rendered object.
 *
 * @internal
 */
export function appProjectProblems(obj: any): string[] {
  const problems: string[] = [];
  const add = (p: string | undefined) => { if (p) problems.push(p); };
  const spec = obj?.spec ?? {};
  if (typeof obj?.metadata?.name === 'string') add(dns1123SubdomainProblem('name', obj.metadata.name));
  if (obj?.metadata?.name === 'default') add('name "default" is not allowed: that is Argo CD\'s unrestricted built-in project');
  const repos: string[] = spec.sourceRepos ?? [];
  if (repos.length === 0) add('sourceRepos must name at least one repository');
  repos.filter(r => r.includes('*')).forEach(r => add(`sourceRepos ${JSON.stringify(r)} is not allowed: name the repository, without wildcards`));
  const destinations: any[] = spec.destinations ?? [];
  if (destinations.length === 0) add('destinationNamespaces must name at least one namespace');
  for (const d of destinations) {
    if (typeof d.namespace === 'string' && d.namespace.includes('*')) add(`destination namespace ${JSON.stringify(d.namespace)} is not allowed: name the namespace, without wildcards`);
    else add(dns1123LabelProblem('destination namespace', d.namespace ?? ''));
    if (typeof d.server === 'string' && d.server.includes('*')) add(`destination server ${JSON.stringify(d.server)} is not allowed: name the cluster, without wildcards`);
  }
  for (const k of spec.clusterResourceWhitelist ?? []) {
    if (k.group === '*' || k.kind === '*') add(`clusterResources ${JSON.stringify(`${k.group}/${k.kind}`)} is not allowed: name each cluster-scoped kind`);
  }
  return problems;
}
