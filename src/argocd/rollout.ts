import { caSecretOf } from '../_internal/cert-manager-secrets';
import { Problems } from '../_internal/problems';
import { CONTROL_PLANE_DEPLOYMENTS, LINKERD_CRD_GROUPS, PROXY_INJECTOR_DEPLOYMENT } from '../linkerd/_chart-objects';
import { namespaceExclusion, podLabelExclusion } from '../mesh/_annotations';
import type { OutputReport } from '../synth/synthesize';
import { gateWaits } from './sync-gate';
import { HOOK, SYNC_WAVE as WAVE } from './sync-waves';
import { installWithoutArgoCd } from './without-argocd';

/** One sync wave of the simulated rollout. */
export interface RolloutWave {
  /** The wave number (`argocd.argoproj.io/sync-wave`). */
  readonly wave: number;
  /** The objects Argo CD applies in this wave, as `Kind namespace/name`. */
  readonly applies: string[];
  /** The `Sync` hooks of this wave, with what each waits for. */
  readonly hooks: string[];
  /** What exists and is ready once this wave is healthy, beyond the previous waves. */
  readonly ready: {
    readonly crds: string[];
    readonly secrets: string[];
    readonly deployments: string[];
  };
}

/** The simulated rollout of a folder of manifests synced by one Argo CD directory Application. */
export interface RolloutPlan {
  /** The waves, in order. */
  readonly waves: RolloutWave[];
  /**
   * What the sync starts but does not wait for (no health check in Argo CD): it appears at some later time, and
   * nothing in a later wave may rely on it without a gate.
   */
  readonly eventually: string[];
  /** What the cluster must provide before the sync: API groups of CRDs nothing here installs, Secrets nothing here makes. */
  readonly prerequisites: { readonly crdGroups: string[]; readonly secrets: string[] };
  /** Races: each one fails or stalls a real sync. */
  readonly problems: string[];
}

/** API groups every cluster serves (or, for argoproj.io, that the Argo CD running the sync serves). */
const BUILT_IN_GROUPS = new Set([
  '', 'apps', 'batch', 'policy', 'autoscaling', 'rbac.authorization.k8s.io', 'networking.k8s.io', 'apiextensions.k8s.io',
  'admissionregistration.k8s.io', 'storage.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io', 'scheduling.k8s.io',
  'node.k8s.io', 'certificates.k8s.io', 'argoproj.io',
]);

/**
 * What a chart installs and which CRDs its own objects need, read from the charts at the versions this library delivers: the CRD groups (linkerd2
 * `charts/linkerd-crds/templates/`, cert-manager `deploy/charts/cert-manager/templates/crd-*.yaml`, trust-manager's
 * Bundle CRD) and the Deployments later objects need (linkerd2 `charts/linkerd-control-plane/templates/{identity,
 * destination,proxy-injector}.yaml`).
 */
const CHARTS: Record<string, { crdGroups?: readonly string[]; deployments?: readonly string[]; needsCrds?: readonly string[] }> = {
  'cert-manager': { crdGroups: ['cert-manager.io', 'acme.cert-manager.io'], deployments: ['cert-manager', 'cert-manager-cainjector', 'cert-manager-webhook'] },
  'trust-manager': { crdGroups: ['trust.cert-manager.io'], deployments: ['trust-manager'] },
  'linkerd-crds': { crdGroups: LINKERD_CRD_GROUPS },
  'linkerd-control-plane': { deployments: CONTROL_PLANE_DEPLOYMENTS },
  // the chart's own policy objects (linkerd2@version-2.20:viz/charts/linkerd-viz/templates/*-policy.yaml, and at stable-2.12.6)
  'linkerd-viz': {
    needsCrds: ['authorizationpolicies.policy.linkerd.io', 'meshtlsauthentications.policy.linkerd.io', 'networkauthentications.policy.linkerd.io',
      'servers.policy.linkerd.io', 'serviceprofiles.linkerd.io'],
  },
};

const POD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);

/**
 * Simulates how Argo CD syncs a folder of manifests (one directory Application), wave by wave, with Argo CD's rules:
 *
 * - A wave starts only when every resource and hook of the previous waves is synced and healthy
 *   (argo-cd@v3.5.1:docs/user-guide/sync-waves.md:130-132), so what a healthy object makes exists by the next wave: a
 *   Certificate is healthy when Ready, i.e. its Secret is written
 *   (argo-cd@v3.5.1:resource_customizations/cert-manager.io/Certificate/health.lua:14-23), a Deployment when
 *   available, a hook Job when it completed: a `kubectl wait` Job ({@link SyncGate}) makes the CRDs and Deployments it
 *   waits for exist by the next wave.
 * - An Application is not assessed (argo-cd@v3.5.1:docs/operator-manual/health.md:31): what a child Application
 *   installs exists "eventually", never by a given wave. So does a trust-manager Bundle's ConfigMap (no built-in health
 *   check for `trust.cert-manager.io`).
 *
 * Races found:
 * - an object before its CRD, when an Application of the plan installs that CRD (`SkipDryRunOnMissingResource` skips
 *   only the dry run; the apply fails: argo-cd@v3.5.1:docs/user-guide/sync-options.md);
 * - a CA Issuer/ClusterIssuer in the wave of, or before, the Certificate that writes its Secret: cert-manager sets it
 *   Ready=False (cert-manager@v1.21.1:pkg/issuer/ca/setup.go:49-62) and Argo CD reads that as Degraded
 *   (argo-cd@v3.5.1:resource_customizations/cert-manager.io/Issuer/health.lua:5-9);
 * - a Certificate before its issuer: `Issuing=True` is Progressing (…/Certificate/health.lua:6-10), the wave never ends;
 * - a meshed workload (its own or its namespace's `linkerd.io/inject: enabled|ingress`), or an Application into a
 *   meshed namespace, before the proxy injector is available: the injector's webhook fails open
 *   (linkerd2@version-2.20:charts/linkerd-control-plane/values.yaml:416 `webhookFailurePolicy: Ignore`), so its pods
 *   start unmeshed and stay so until restarted.
 *
 * Objects whose CRD group no Application here installs are taken as provided by the cluster, as are Secrets no object
 * here makes, and a proxy injector when no `linkerd-control-plane` Application is in the plan: they are listed in
 * `prerequisites`. PreSync/PostSync hooks and pruning are not modelled.
 */
export function planRollout(documents: readonly any[]): RolloutPlan {
  const objects = documents.filter(d => d && typeof d.kind === 'string' && d.metadata?.name).map(d => ({
    doc: d,
    kind: d.kind as string,
    id: objectId(d),
    group: String(d.apiVersion ?? '').includes('/') ? String(d.apiVersion).split('/')[0] : '',
    wave: Number.parseInt(d.metadata.annotations?.[WAVE] ?? '0', 10) || 0,
    hook: d.metadata.annotations?.[HOOK] as string | undefined,
  }));
  const problems = new Problems();
  const eventually: string[] = [];
  const externalSecrets = new Set<string>();
  const externalGroups = new Set<string>();

  // what the plan's Applications install, and when it is guaranteed to exist (never, unless a gate waits for it)
  const installedGroups = new Map<string, string>();
  let controlPlaneApplication: string | undefined;
  for (const o of objects.filter(x => x.kind === 'Application' && x.group === 'argoproj.io')) {
    const chart = CHARTS[o.doc.spec?.source?.chart ?? ''];
    if (!chart) continue;
    for (const g of chart.crdGroups ?? []) installedGroups.set(g, o.id);
    if ((chart.deployments ?? []).includes(PROXY_INJECTOR_DEPLOYMENT)) controlPlaneApplication = o.id;
    const ns = o.doc.spec?.destination?.namespace ?? '';
    eventually.push(`${o.id} (wave ${o.wave}): ${[
      ...(chart.crdGroups ?? []).map(g => `CRDs of ${g}`),
      ...(chart.deployments ?? []).map(d => `Deployment ${ns}/${d}`),
    ].join(', ')}: Argo CD does not assess an Application's health`);
  }

  // when each CRD, Secret and Deployment is ready: the last wave it may not be relied on
  const crdReadyAfter = new Map<string, number>();
  const secretReadyAfter = new Map<string, number>();
  const deploymentReadyAfter = new Map<string, number>();
  const secretMadeBy = new Map<string, string>();
  const earliest = (map: Map<string, number>, key: string, wave: number) => map.set(key, Math.min(map.get(key) ?? Infinity, wave));
  const hooksOf = new Map<string, string[]>();
  for (const o of objects) {
    const d = o.doc;
    if (o.kind === 'CustomResourceDefinition') earliest(crdReadyAfter, d.metadata.name, o.wave - 1); // same wave: CRDs apply first
    if (o.kind === 'Secret' && o.group === '') earliest(secretReadyAfter, `${d.metadata.namespace ?? ''}/${d.metadata.name}`, o.wave - 1);
    if (o.kind === 'Certificate' && o.group === 'cert-manager.io' && typeof d.spec?.secretName === 'string') {
      const key = `${d.metadata.namespace ?? ''}/${d.spec.secretName}`;
      earliest(secretReadyAfter, key, o.wave);
      secretMadeBy.set(key, o.id);
    }
    if (o.kind === 'Deployment' && o.group === 'apps' && !o.hook) earliest(deploymentReadyAfter, `${d.metadata.namespace ?? ''}/${d.metadata.name}`, o.wave);
    if (o.kind === 'Job' && o.group === 'batch' && o.hook?.split(',').includes('Sync')) {
      const waits = gateWaits(d);
      for (const crd of waits.crds) earliest(crdReadyAfter, crd, o.wave);
      for (const dep of waits.deployments) earliest(deploymentReadyAfter, dep, o.wave);
      hooksOf.set(o.id, [...waits.crds.map(c => `crd/${c}`), ...waits.deployments.map(x => `deployment ${x}`)]);
    }
    if (o.kind === 'Bundle' && o.group === 'trust.cert-manager.io' && d.spec?.target?.configMap) {
      eventually.push(`${o.id} (wave ${o.wave}): ConfigMap ${d.metadata.name} (key ${d.spec.target.configMap.key}) in the namespaces it selects: Argo CD has no health check for Bundle`);
    }
  }

  const injectorReadyAfter = [...deploymentReadyAfter].filter(([k]) => k.endsWith(`/${PROXY_INJECTOR_DEPLOYMENT}`)).reduce((m, [, w]) => Math.min(m, w), Infinity);
  const namespaces = new Map(objects.filter(o => o.kind === 'Namespace' && o.group === '').map(o => [o.doc.metadata.name as string, o.doc]));
  // the injector skips excluded namespaces and labelled pods, whatever they ask: the webhook's selectors
  // (linkerd/linkerd2@version-2.20:charts/linkerd-control-plane/templates/proxy-injector-rbac.yaml:99-102,
  // values.yaml:523-536)
  const excluded = (ns: string | undefined) => ns === undefined || namespaceExclusion(ns, namespaces.get(ns)?.metadata?.labels) !== undefined;
  const inMeshedNamespace = (ns: string | undefined) => !excluded(ns) && isMeshed(namespaces.get(ns!)?.metadata?.annotations?.['linkerd.io/inject']);
  const meantMeshed = (d: any) => !excluded(d.metadata.namespace) && podLabelExclusion(podTemplate(d)?.metadata?.labels) === undefined
    && isMeshed(podTemplate(d)?.metadata?.annotations?.['linkerd.io/inject'] ?? (inMeshedNamespace(d.metadata.namespace) ? 'enabled' : undefined));
  const objectsById = new Map(objects.map(o => [`${o.kind} ${o.doc.metadata.namespace ?? ''}/${o.doc.metadata.name}`, o]));

  for (const o of objects) {
    const d = o.doc;
    const where = `${o.id} (wave ${o.wave})`;
    // CRDs: the object's own, and those of the objects a chart Application applies
    const chartNeeds = o.kind === 'Application' && o.group === 'argoproj.io' ? CHARTS[d.spec?.source?.chart ?? '']?.needsCrds ?? [] : [];
    const crds = !BUILT_IN_GROUPS.has(o.group) && o.kind !== 'CustomResourceDefinition' ? [`${plural(o.kind)}.${o.group}`] : chartNeeds;
    for (const crd of crds) {
      const group = crd.slice(crd.indexOf('.') + 1);
      const installer = installedGroups.get(group);
      const ready = crdReadyAfter.get(crd);
      if (installer === undefined && ready === undefined) externalGroups.add(group);
      else if (ready === undefined || ready >= o.wave) {
        problems.add(`${where} needs CRD ${crd}, which ${installer ?? 'a later wave'} installs, but nothing makes sure it exists by this wave `
          + '(Argo CD does not assess an Application\'s health; SkipDryRunOnMissingResource skips only the dry run): '
          + 'put it after a SyncGate that waits for the CRD');
      }
    }
    // CA issuers
    const key = caSecretOf(d);
    if (key !== undefined) {
      const ready = secretReadyAfter.get(key);
      if (ready === undefined) externalSecrets.add(`${key} (CA of ${o.id})`);
      else if (ready >= o.wave) {
        problems.add(`${where} reads CA Secret ${key}, which ${secretMadeBy.get(key) ?? 'a Secret of the same wave'} writes no earlier than this wave: `
          + 'cert-manager marks the issuer not Ready until the Secret exists and Argo CD reads that as Degraded; the issuer must sync in a later wave');
      }
    }
    // Certificates and their issuers
    const ref = o.kind === 'Certificate' && o.group === 'cert-manager.io' ? d.spec?.issuerRef : undefined;
    if (ref && (ref.group ?? 'cert-manager.io') === 'cert-manager.io') {
      const kind = ref.kind ?? 'Issuer';
      const issuer = objectsById.get(`${kind} ${kind === 'Issuer' ? d.metadata.namespace ?? '' : ''}/${ref.name}`);
      if (issuer && issuer.wave > o.wave) {
        problems.add(`${where} is issued by ${issuer.id} of the later wave ${issuer.wave}: the Certificate stays Progressing and its wave never ends`);
      }
    }
    // meshed workloads
    const meshed = o.kind === 'Application' && o.group === 'argoproj.io'
      ? inMeshedNamespace(d.spec?.destination?.namespace)
      : POD_KINDS.has(o.kind) && !o.hook && meantMeshed(d);
    if (meshed && controlPlaneApplication !== undefined && !(injectorReadyAfter < o.wave)) {
      problems.add(`${where} is meant to be meshed, but nothing makes sure the proxy injector (${controlPlaneApplication}) is available by this wave: `
        + 'its webhook fails open (webhookFailurePolicy: Ignore), so the pods would start and stay unmeshed; put it after a SyncGate that waits for Deployment linkerd-proxy-injector');
    }
  }

  const waveNumbers = [...new Set(objects.map(o => o.wave))].sort((a, b) => a - b);
  const inWave = (map: Map<string, number>, w: number, previous: number | undefined) =>
    [...map].filter(([, r]) => r <= w && (previous === undefined || r > previous)).map(([k]) => k).sort();
  const waves = waveNumbers.map((wave, i): RolloutWave => {
    const previous = i > 0 ? waveNumbers[i - 1] : undefined;
    const here = objects.filter(o => o.wave === wave);
    return {
      wave,
      applies: here.filter(o => !o.hook).map(o => o.id).sort(),
      hooks: here.filter(o => o.hook).map(o => `${o.id} (${o.hook}${hooksOf.has(o.id) ? `: waits for ${hooksOf.get(o.id)!.join(', ')}` : ''})`).sort(),
      ready: {
        crds: inWave(crdReadyAfter, wave, previous), secrets: inWave(secretReadyAfter, wave, previous),
        deployments: inWave(deploymentReadyAfter, wave, previous),
      },
    };
  });
  if (controlPlaneApplication === undefined && objects.some(o => POD_KINDS.has(o.kind) && meantMeshed(o.doc))) {
    externalGroups.add('(a running Linkerd proxy injector)');
  }
  return {
    waves,
    eventually: eventually.sort(),
    prerequisites: { crdGroups: [...externalGroups].sort(), secrets: [...externalSecrets].sort() },
    problems: [...problems.list],
  };
}

/** The path of the rollout report inside the output folder: a subfolder, which the root directory app does not read. */
export const ROLLOUT_REPORT_PATH = 'reports/rollout.json';

/**
 * The rollout check for `synthesize`: simulates the sync of the manifests it wrote (the top-level files, the ones the
 * root directory app reads), writes the plan to `reports/rollout.json` and fails the synthesis on a race.
 */
export function rolloutReport(): OutputReport {
  return {
    path: ROLLOUT_REPORT_PATH,
    compute: files => {
      const plan = planRollout(files.flatMap(f => f.documents));
      // the report also carries the same rollout without Argo CD, for README and for clusters without it
      return { data: { ...plan, withoutArgoCd: installWithoutArgoCd(files) }, problems: plan.problems.map(p => `rollout: ${p}`) };
    },
  };
}

/** The plan as lines for the synth summary. */
export function formatRolloutPlan(plan: RolloutPlan): string[] {
  const lines = ['rollout plan (Argo CD sync waves of dist/; each wave starts when the previous one is healthy):'];
  for (const w of plan.waves) {
    lines.push(`  wave ${w.wave}: ${summarizeIds(w.applies)}`);
    for (const h of w.hooks) lines.push(`    hook ${h}`);
    const ready = [...w.ready.crds.map(c => `crd/${c}`), ...w.ready.secrets.map(s => `Secret ${s}`), ...w.ready.deployments.map(d => `Deployment ${d}`)];
    if (ready.length > 0) lines.push(`    then ready: ${ready.join(', ')}`);
  }
  if (plan.waves.some(w => w.hooks.length > 0)) {
    lines.push('  between Applications: Argo CD does not assess an Application\'s health, so the hook Jobs above (kubectl wait) hold the '
      + 'next wave until their CRDs and Deployments are ready; nothing in argocd-cm is needed or changed');
  }
  if (plan.eventually.length > 0) lines.push('  started but not waited for (Argo CD has no health check for them):', ...plan.eventually.map(e => `    ${e}`));
  const pre = [...plan.prerequisites.crdGroups.map(g => g.startsWith('(') ? g : `CRDs of ${g}`), ...plan.prerequisites.secrets.map(s => `Secret ${s}`)];
  if (pre.length > 0) lines.push(`  the cluster must already have: ${pre.join('; ')}`);
  return lines;
}

function summarizeIds(ids: string[]): string {
  const byKind = new Map<string, string[]>();
  for (const id of ids) {
    const [kind, name] = id.split(' ');
    byKind.set(kind, [...byKind.get(kind) ?? [], name]);
  }
  return [...byKind].map(([kind, names]) => `${kind} ${names.join(', ')}`).join('; ') || '(hooks only)';
}

function objectId(d: any): string {
  return `${d.kind} ${d.metadata.namespace ? `${d.metadata.namespace}/` : ''}${d.metadata.name}`;
}

function isMeshed(inject: string | undefined): boolean {
  return inject === 'enabled' || inject === 'ingress';
}

function podTemplate(d: any): any {
  return d.kind === 'Pod' ? d : d.kind === 'CronJob' ? d.spec?.jobTemplate?.spec?.template : d.spec?.template;
}

/** The plural Kubernetes derives for these kinds (lower case, `y` → `ies`, else `s`). */
function plural(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  if (lower.endsWith('s')) return `${lower}es`;
  return `${lower}s`;
}
