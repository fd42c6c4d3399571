import { dns1123LabelProblem, dns1123SubdomainProblem } from '../_internal/names';
import { Problems } from '../_internal/problems';

/**
 * Rules Argo CD applies to an Application (`util/argo/argo.go`, the CRD, `diffing.md`), on the rendered object.
 *
 * @internal
 */
export function applicationProblems(obj: any): string[] {
  const problems = new Problems();
  const spec = obj?.spec ?? {};
  if (typeof obj?.metadata?.name === 'string') problems.add(dns1123SubdomainProblem('name', obj.metadata.name));
  if (!spec.project) problems.add('project must be specified');
  const destination = spec.destination ?? {};
  if (destination.server && destination.name) problems.add(`destination can't have both name and server defined: ${destination.name} ${destination.server}`);
  if (!destination.server && !destination.name) problems.add('destination server missing: set a server URL or a cluster name');
  if (destination.namespace) problems.add(dns1123LabelProblem('destination.namespace', destination.namespace));
  const source = spec.source ?? {};
  if (!source.repoURL) problems.add('source.repoURL must be specified');
  if (source.chart !== undefined && !source.targetRevision) problems.add(`source.targetRevision must be the version of chart ${source.chart}`);
  if (source.chart === undefined && !source.path) problems.add('source.path must be specified for a Git source');
  if (source.helm?.values !== undefined && source.helm?.valuesObject !== undefined) {
    problems.add('source.helm has both values and valuesObject: Argo CD uses valuesObject alone, set only one');
  }
  (spec.ignoreDifferences ?? []).forEach((d: any, i: number) => {
    if (!d.kind) problems.add(`ignoreDifferences[${i}].kind must be specified`);
    if (typeof d.group === 'string' && d.group.includes('/')) {
      problems.add(`ignoreDifferences[${i}].group ${JSON.stringify(d.group)} must be an API group without its version (${JSON.stringify(d.group.split('/')[0])})`);
    }
    (d.jsonPointers ?? []).forEach((p: string, j: number) => {
      if (!p.startsWith('/')) problems.add(`ignoreDifferences[${i}].jsonPointers[${j}] ${JSON.stringify(p)} must start with "/"`);
    });
  });
  return [...problems.list];
}
