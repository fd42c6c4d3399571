import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ValidationError } from '../_internal/errors';

const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

/**
 * Numbers Argo CD sync waves from the dependencies declared between constructs (`node.addDependency`), instead of by
 * hand: an object's wave is one more than the highest wave of the objects it depends on, so prerequisites, identity,
 * CRDs, control plane and workloads apply in that order and each wave waits for the previous one to be healthy.
 *
 * A dependency on a construct means a dependency on every ApiObject under it; dependencies declared on an ancestor
 * apply to everything under it. Wave 0 (Argo CD's default) is not written.
 *
 * @returns the wave of every ApiObject under `scope`, by construct path
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 */
export function applySyncWaves(scope: IConstruct): Map<string, number> {
  const objects = scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  const waves = new Map<ApiObject, number>();
  const visiting = new Set<ApiObject>();

  const waveOf = (obj: ApiObject): number => {
    const known = waves.get(obj);
    if (known !== undefined) return known;
    if (visiting.has(obj)) throw new ValidationError('sync waves: dependency cycle through this object', obj);
    visiting.add(obj);
    let wave = 0;
    for (const dependency of dependenciesOf(obj)) wave = Math.max(wave, waveOf(dependency) + 1);
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

function dependenciesOf(obj: ApiObject): ApiObject[] {
  const result = new Set<ApiObject>();
  for (const ancestor of obj.node.scopes) {
    for (const dependency of ancestor.node.dependencies) {
      for (const c of dependency.node.findAll()) {
        if (c instanceof ApiObject && c !== obj) result.add(c);
      }
    }
  }
  return [...result];
}
