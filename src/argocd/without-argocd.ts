import { compareStrings } from '../_internal/order';
import { gateWaits } from './sync-gate';
import { HOOK, SYNC_WAVE as WAVE } from './sync-waves';

/**
 * The same rollout without Argo CD, as shell commands, from the objects of one folder that a directory Application
 * syncs: wave by wave, `kubectl apply` of the wave's objects (selected from their file with yq by kind, namespace and
 * name), `helm upgrade --install --wait` for each chart Application (its values file is `helm/<name>.values.yaml`),
 * and, for each sync-gate hook Job, the `kubectl wait` commands it runs (read with {@link gateWaits}). Argo CD's own objects are left out: the
 * Applications of directories (the root app), AppProjects, and the hook Jobs with the ServiceAccount, ClusterRole and
 * ClusterRoleBinding of the same name that let them run.
 *
 * @param files each manifest file's name and objects, as written (the top-level files of the output folder)
 */
export function installWithoutArgoCd(files: readonly { readonly file: string; readonly documents: readonly any[] }[]): string[] {
  const entries = files.flatMap(f => f.documents.filter(d => d && typeof d.kind === 'string' && d.metadata?.name).map(d => ({ file: f.file, d })));
  const hooks = entries.filter(e => e.d.metadata.annotations?.[HOOK] !== undefined);
  const hookNames = new Set(hooks.map(h => h.d.metadata.name));
  const isArgoCdOwn = (d: any) => d.kind === 'AppProject' || (d.kind === 'Application' && d.spec?.source?.chart === undefined)
    || (['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding'].includes(d.kind) && hookNames.has(d.metadata.name));
  const waveOf = (d: any) => Number.parseInt(d.metadata.annotations?.[WAVE] ?? '0', 10) || 0;
  const waves = [...new Set(entries.map(e => waveOf(e.d)))].sort((a, b) => a - b);
  const lines = ['cd dist'];
  for (const wave of waves) {
    const here = entries.filter(e => waveOf(e.d) === wave);
    const plain = here.filter(e => e.d.metadata.annotations?.[HOOK] === undefined && e.d.kind !== 'Application' && !isArgoCdOwn(e.d));
    const charts = here.filter(e => e.d.kind === 'Application' && e.d.spec?.source?.chart !== undefined);
    const gates = here.filter(e => e.d.metadata.annotations?.[HOOK] !== undefined && e.d.kind === 'Job');
    if (plain.length + charts.length + gates.length === 0) continue;
    lines.push(`# wave ${wave}`);
    const byFile = new Map<string, any[]>();
    for (const e of plain) byFile.set(e.file, [...byFile.get(e.file) ?? [], e.d]);
    for (const [file, docs] of [...byFile].sort(([a], [b]) => compareStrings(a, b))) {
      const selectors = docs.map(selectorOf).sort(compareStrings);
      lines.push(`yq 'select(${selectors.join(' or ')})' ${file} | kubectl apply -f -`);
    }
    for (const { d } of [...charts].sort((a, b) => compareStrings(a.d.metadata.name, b.d.metadata.name))) {
      const s = d.spec.source;
      lines.push(`helm upgrade --install ${d.metadata.name} ${s.chart} --repo ${s.repoURL} --version ${s.targetRevision} `
        + `--namespace ${d.spec.destination?.namespace} --create-namespace --wait -f helm/${d.metadata.name}.values.yaml`);
    }
    for (const { d } of gates) {
      // a hook Job that is not a gate (no kubectl wait) has nothing to stand in for it here
      const { crds, deployments, timeout } = gateWaits(d);
      const flags = timeout ? [timeout] : [];
      if (crds.length > 0) lines.push(['kubectl wait --for=condition=Established', ...flags, ...crds.map(c => `crd/${c}`)].join(' '));
      const byNamespace = new Map<string, string[]>();
      for (const dep of deployments) {
        const [ns, name] = dep.split('/');
        byNamespace.set(ns, [...byNamespace.get(ns) ?? [], `deployment/${name}`]);
      }
      for (const [ns, names] of [...byNamespace].sort(([a], [b]) => compareStrings(a, b))) {
        lines.push(['kubectl wait --for=condition=Available', ...flags, '-n', ns, ...names].join(' '));
      }
    }
  }
  return lines;
}

function selectorOf(d: any): string {
  const ns = d.metadata.namespace === undefined ? '' : ` and .metadata.namespace == "${d.metadata.namespace}"`;
  return `(.kind == "${d.kind}"${ns} and .metadata.name == "${d.metadata.name}")`;
}
