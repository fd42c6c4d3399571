import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { caSecretOf, trustNamespaceOf } from '../_internal/cert-manager-secrets';
import { ValidationError } from '../_internal/errors';

/** Argo CD's sync-wave annotation. @internal */
export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
/** Argo CD's hook annotation. @internal */
export const HOOK = 'argocd.argoproj.io/hook';

/**
 * Numbers Argo CD sync waves from the dependencies declared between constructs (`node.addDependency`), instead of by
 * hand: an object's wave is one more than the highest wave of the objects it depends on, so prerequisites, identity,
 * CRDs, control plane and workloads apply in that order and each wave waits for the previous one to be healthy.
 *
 * A dependency on a construct means a dependency on every ApiObject under it; dependencies declared on an ancestor
 * apply to everything under it. Wave 0 (Argo CD's default) is not written.
 *
 * One dependency is also read from the objects themselves, so no construct can forget it: a cert-manager CA
 * Issuer/ClusterIssuer depends on the Certificate that writes its CA Secret (same namespace for an Issuer, cert-manager's
 * cluster-resource namespace `cert-manager` for a ClusterIssuer). cert-manager sets the issuer `Ready=False` while the
 * Secret is missing (cert-manager@v1.21.1:pkg/issuer/ca/setup.go:49-62), Argo CD's built-in health check turns that into
 * `Degraded` (argo-cd@v3.5.1:resource_customizations/cert-manager.io/Issuer/health.lua:5-9, ClusterIssuer likewise),
 * and a wave only ends when everything in it is healthy (argo-cd@v3.5.1:docs/user-guide/sync-waves.md:130-132).
 * And a Certificate depends on the Issuer/ClusterIssuer it names, when that is emitted too: a Certificate waiting for
 * its issuer stays `Issuing=True`, which Argo CD reads as `Progressing`
 * (argo-cd@v3.5.1:resource_customizations/cert-manager.io/Certificate/health.lua:6-10), so a Certificate in a wave
 * before its issuer would hold that wave forever. A trust-manager Bundle comes after the Certificates writing its source
 * Secrets (read from the trust namespace: the one the identity chain records, else `cert-manager`), so its ConfigMap is
 * complete from its first write.
 *
 * @returns the wave of every ApiObject under `scope`, by construct path
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 */
export function applySyncWaves(scope: IConstruct): Map<string, number> {
  const objects = scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  const waves = new Map<ApiObject, number>();
  const visiting = new Set<ApiObject>();
  const implied = impliedDependencies(objects);

  const waveOf = (obj: ApiObject): number => {
    const known = waves.get(obj);
    if (known !== undefined) return known;
    if (visiting.has(obj)) throw new ValidationError('sync waves: dependency cycle through this object', obj);
    visiting.add(obj);
    let wave = 0;
    for (const dependency of dependenciesOf(obj, implied)) wave = Math.max(wave, waveOf(dependency) + 1);
    visiting.delete(obj);
    waves.set(obj, wave);
    return wave;
  };

  for (const obj of objects) {
    const wave = waveOf(obj);
    if (wave > 0) obj.metadata.addAnnotation(SYNC_WAVE, String(wave));
  }
  return new Map(objects.map(o => [o.node.path, waves.get(o)!]));
}

/**
 * Dependencies that the rendered objects imply: CA issuer → Certificate writing its Secret; Certificate → its issuer;
 * Bundle → Certificates writing its source Secrets.
 */
function impliedDependencies(objects: ApiObject[]): Map<ApiObject, ApiObject[]> {
  const certificateBySecret = new Map<string, ApiObject[]>();
  const rendered = new Map(objects.filter(o => o.apiGroup === 'cert-manager.io' || o.apiGroup === 'trust.cert-manager.io').map(o => [o, o.toJson()]));
  for (const [obj, json] of rendered) {
    if (obj.kind !== 'Certificate' || typeof json.spec?.secretName !== 'string') continue;
    const key = `${json.metadata?.namespace ?? ''}/${json.spec.secretName}`;
    certificateBySecret.set(key, [...certificateBySecret.get(key) ?? [], obj]);
  }
  const issuers = new Map<string, ApiObject>();
  for (const [obj, json] of rendered) {
    if (obj.kind === 'Issuer') issuers.set(`Issuer ${json.metadata?.namespace ?? ''}/${json.metadata?.name}`, obj);
    if (obj.kind === 'ClusterIssuer') issuers.set(`ClusterIssuer /${json.metadata?.name}`, obj);
  }
  const result = new Map<ApiObject, ApiObject[]>();
  // trust-manager reads a Bundle's sources from its trust namespace: the one the identity chain recorded, else its default
  const trustNamespace = objects.length > 0 ? trustNamespaceOf(objects[0].node.root) : undefined;
  for (const [obj, json] of rendered) {
    const ref = json.spec?.issuerRef;
    if (obj.kind === 'Certificate' && ref && (ref.group ?? 'cert-manager.io') === 'cert-manager.io') {
      const kind = ref.kind ?? 'Issuer';
      const issuer = issuers.get(`${kind} ${kind === 'Issuer' ? json.metadata?.namespace ?? '' : ''}/${ref.name}`);
      if (issuer) result.set(obj, [issuer]);
    }
    if (obj.kind === 'Bundle') {
      const producers = (json.spec?.sources ?? []).flatMap((source: any) => certificateBySecret.get(`${trustNamespace}/${source.secret?.name}`) ?? []);
      if (producers.length > 0) result.set(obj, producers);
      continue;
    }
    const caSecret = caSecretOf(json);
    if (caSecret === undefined) continue;
    const producers = certificateBySecret.get(caSecret);
    if (producers) result.set(obj, producers);
  }
  return result;
}

function dependenciesOf(obj: ApiObject, implied: Map<ApiObject, ApiObject[]>): ApiObject[] {
  const result = new Set<ApiObject>(implied.get(obj) ?? []);
  for (const ancestor of obj.node.scopes) {
    for (const dependency of ancestor.node.dependencies) {
      for (const c of dependency.node.findAll()) {
        if (c instanceof ApiObject && c !== obj) result.add(c);
      }
    }
  }
  return [...result];
}
