import * as path from 'node:path';
import { appProjectProblems } from '../argocd/app-project-rules';
import { applicationProblems } from '../argocd/application-rules';
import { planRollout } from '../argocd/rollout';
import { isKind } from './_object';
import type { Finding, RuleFamily, SourceObject } from './_types';

/**
 * Argo CD: the rules the {@link Application} and {@link AppProject} constructs apply to their rendered objects, and, when
 * the input has an Application, the rollout check `synthesize()` runs on this library's output ({@link planRollout}).
 *
 * - Application rules are errors: Argo CD refuses such an Application
 *   (argoproj/argo-cd@v3.5.1:util/argo/argo.go:594-610 for the sources, :1091 for the destination) or silently does
 *   something else (`values` beside `valuesObject`, a versioned `ignoreDifferences` group). A multi-source Application
 *   (`spec.sources`) has each source checked; a source with `ref` needs no path (argo.go:594).
 * - AppProject rules are warnings, except an invalid name: a wildcard or the `default` project is allowed by Argo CD but
 *   is no restriction at all (this library's lint; an error with `--strict`).
 * - The rollout check simulates each folder as one directory Application syncs it, wave by wave: a race (an object
 *   before its CRD, a Certificate before its issuer, a CA issuer in the wave of its Secret's Certificate, a meshed
 *   workload before the proxy injector) fails or stalls a real sync, so it is an error; what the cluster must already
 *   provide (CRD groups, CA Secrets nothing in the folder makes) is a note.
 *
 * @internal
 */
export const argocdRules: RuleFamily = {
  name: 'argocd',
  run(objects: readonly SourceObject[]): Finding[] {
    const findings: Finding[] = [];
    for (const source of objects) {
      if (isKind(source, 'argoproj.io', 'Application')) {
        for (const message of multiSourceApplicationProblems(source.object)) findings.push({ severity: 'error', rule: 'argocd/application', source, message });
      } else if (isKind(source, 'argoproj.io', 'AppProject')) {
        for (const message of appProjectProblems(source.object)) {
          const invalidName = message.startsWith('name ') && message.includes('must be a DNS-1123');
          findings.push({ severity: invalidName ? 'error' : 'warning', rule: 'argocd/app-project', source, message });
        }
      }
    }
    if (objects.some(o => isKind(o, 'argoproj.io', 'Application'))) findings.push(...rolloutFindings(objects));
    return findings;
  },
};

/** {@link applicationProblems}, once per source of a multi-source Application, its messages naming `sources[i]`. */
function multiSourceApplicationProblems(obj: any): string[] {
  const spec = obj?.spec ?? {};
  if (spec.source !== undefined || !Array.isArray(spec.sources)) {
    // a source hydrator replaces spec.source (argo.go:615-636): only the rest is checked here
    const hydrated = spec.source === undefined && spec.sourceHydrator !== undefined;
    return applicationProblems(obj).filter(m => !(hydrated && m.startsWith('source.')));
  }
  const problems = new Set<string>();
  spec.sources.forEach((source: any, i: number) => {
    for (const message of applicationProblems({ ...obj, spec: { ...spec, sources: undefined, source } })) {
      if (!message.startsWith('source.')) problems.add(message);
      else if (!(message.startsWith('source.path ') && typeof source?.ref === 'string' && source.ref !== '')) problems.add(`sources[${i}]${message.slice('source'.length)}`);
    }
  });
  return [...problems];
}

/** The rollout check per folder: each folder is what one directory Application syncs. */
function rolloutFindings(objects: readonly SourceObject[]): Finding[] {
  const findings: Finding[] = [];
  const folders = new Map<string, SourceObject[]>();
  for (const o of objects) {
    const folder = path.dirname(o.file);
    const group = folders.get(folder);
    if (group) group.push(o); else folders.set(folder, [o]);
  }
  for (const [folder, sources] of [...folders].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const plan = planRollout(sources.map(s => s.object));
    const byId = new Map(sources.filter(s => typeof s.object.metadata?.name === 'string').map(s => [objectId(s.object), s]));
    for (const problem of plan.problems) {
      // a problem starts with the object's id and its wave: "Certificate linkerd/linkerd-identity-issuer (wave 1) …"
      const id = problem.slice(0, problem.indexOf(' (wave '));
      const source = byId.get(id);
      findings.push({ severity: 'error', rule: 'argocd/rollout', message: source ? problem.slice(id.length + 1).replace(/^\(wave (-?\d+)\) /, 'in wave $1, ') : problem, source });
    }
    const where = folder === '.' ? 'the input' : folder;
    for (const group of plan.prerequisites.crdGroups) {
      const what = group.startsWith('(') ? `${group.slice(1, -1)}, which nothing in ${where} installs` : `the CRDs of ${group}, which nothing in ${where} installs`;
      findings.push({ severity: 'note', rule: 'argocd/rollout-prerequisite', message: `a sync of ${where} needs ${what}, already in the cluster` });
    }
    for (const secret of plan.prerequisites.secrets) {
      findings.push({ severity: 'note', rule: 'argocd/rollout-prerequisite', message: `a sync of ${where} needs Secret ${secret}, which nothing in ${where} makes, already in the cluster` });
    }
  }
  return findings;
}

/** The id planRollout gives an object: `Kind namespace/name`, or `Kind name` without a namespace. */
function objectId(d: any): string {
  return `${d.kind} ${d.metadata.namespace ? `${d.metadata.namespace}/` : ''}${d.metadata.name}`;
}
