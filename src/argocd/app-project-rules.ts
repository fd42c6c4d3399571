import { dns1123LabelProblem, dns1123SubdomainProblem } from '../_internal/names';
import { Problems } from '../_internal/problems';

/**
 * What makes an AppProject no restriction at all, on the rendered object.
 *
 * @internal
 */
export function appProjectProblems(obj: any): string[] {
  const problems = new Problems();
  const spec = obj?.spec ?? {};
  if (typeof obj?.metadata?.name === 'string') problems.add(dns1123SubdomainProblem('name', obj.metadata.name));
  if (obj?.metadata?.name === 'default') problems.add('name "default" is not allowed: that is Argo CD\'s unrestricted built-in project');
  const repos: string[] = spec.sourceRepos ?? [];
  if (repos.length === 0) problems.add('sourceRepos must name at least one repository');
  repos.filter(r => r.includes('*')).forEach(r => problems.add(`sourceRepos ${JSON.stringify(r)} is not allowed: name the repository, without wildcards`));
  const destinations: any[] = spec.destinations ?? [];
  if (destinations.length === 0) problems.add('destinationNamespaces must name at least one namespace');
  for (const d of destinations) {
    if (typeof d.namespace === 'string' && d.namespace.includes('*')) problems.add(`destination namespace ${JSON.stringify(d.namespace)} is not allowed: name the namespace, without wildcards`);
    else problems.add(dns1123LabelProblem('destination namespace', d.namespace ?? ''));
    if (typeof d.server === 'string' && d.server.includes('*')) problems.add(`destination server ${JSON.stringify(d.server)} is not allowed: name the cluster, without wildcards`);
  }
  for (const k of spec.clusterResourceWhitelist ?? []) {
    if (k.group === '*' || k.kind === '*') problems.add(`clusterResources ${JSON.stringify(`${k.group}/${k.kind}`)} is not allowed: name each cluster-scoped kind`);
  }
  return [...problems.list];
}
