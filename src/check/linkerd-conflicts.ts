import { targetsKind } from '../_internal/target-kind';
import { isProfileShadowedAnnotation } from '../traffic/_annotations';
import { profileShadowsPolicy } from '../traffic/_conflicts';
import { attachedRouteProblem, duplicateProfileProblem, headlessServiceProblem, shadowedAnnotationsProblem } from '../traffic/_profile-conflict-rules';
import { Finding, SourceObject } from './_types';
import { findings, GATEWAY_GROUP, groupOf, POLICY_GROUP } from './linkerd-objects';

/** The Service a ServiceProfile's name (`<service>.<namespace>.svc.<cluster domain>`) names, if it names one. */
export function profiledService(name: unknown): { name: string; namespace: string } | undefined {
  if (typeof name !== 'string') return undefined;
  const labels = name.split('.');
  return labels.length >= 4 && labels[2] === 'svc' && labels[0] !== '' && labels[1] !== '' ? { name: labels[0], namespace: labels[1] } : undefined;
}

/**
 * What Linkerd silently ignores because a ServiceProfile with routes (or dstOverrides) exists for a Service: the
 * Service's balancer, retry and timeout annotations and the HTTPRoutes and GRPCRoutes attached to it; a profile for a
 * headless Service, which never applies; and two profiles of one name. The same rules {@link ServiceProfile} checks
 * at synth (src/traffic/_conflicts.ts, with the messages of src/traffic/_profile-conflict-rules.ts), over the parsed objects; a profile whose Service is not in the input is a note.
 *
 * @see linkerd/linkerd2-proxy@release/v2.359.0:linkerd/app/outbound/src/sidecar.rs:192 (a profile with routes or targets overrides client policy)
 */
export function conflictFindings(sources: readonly SourceObject[]): Finding[] {
  const services = new Map<string, SourceObject>();
  const routesByParent = new Map<string, SourceObject[]>();
  const profiles: SourceObject[] = [];
  for (const source of sources) {
    const obj = source.object;
    const group = groupOf(obj);
    const namespace = obj.metadata?.namespace ?? 'default';
    if (obj.kind === 'Service' && group === '') services.set(`${namespace}/${obj.metadata?.name}`, source);
    if (obj.kind === 'ServiceProfile' && group === 'linkerd.io') profiles.push(source);
    if ((obj.kind === 'HTTPRoute' || obj.kind === 'GRPCRoute') && (group === GATEWAY_GROUP || group === POLICY_GROUP)) {
      for (const parent of Array.isArray(obj.spec?.parentRefs) ? obj.spec.parentRefs : []) {
        // the policy controller's is_service: kind Service, group unset, empty or core, both case-insensitive
        if (!targetsKind(parent ?? {}, '', 'Service')) continue;
        const key = `${parent.namespace ?? namespace}/${parent.name}`;
        routesByParent.set(key, [...routesByParent.get(key) ?? [], source]);
      }
    }
  }
  const found: Finding[] = [];
  const seen = new Map<string, SourceObject>();
  for (const source of profiles) {
    const obj = source.object;
    const profileName = `${obj.metadata?.namespace ?? 'default'}/${obj.metadata?.name}`;
    const earlier = seen.get(profileName);
    if (earlier) {
      found.push(...findings('profile-conflict', 'error', source, [duplicateProfileProblem(profileName, `${earlier.file}:${earlier.line}`)]));
    } else {
      seen.set(profileName, source);
    }
    const service = profiledService(obj.metadata?.name);
    if (!service) continue;
    const target = `Service ${service.namespace}/${service.name}`;
    const serviceSource = services.get(`${service.namespace}/${service.name}`);
    if (!serviceSource) {
      found.push(...findings('missing-reference', 'note', source, [`${target}, the Service the profile's name names, is not in the input: not checked for conflicts`]));
    } else if (serviceSource.object.spec?.clusterIP === 'None') {
      found.push(...findings('profile-conflict', 'error', source, [headlessServiceProblem(target, profileName)]));
    }
    if (!profileShadowsPolicy(obj)) continue;
    const remedy = 'remove the profile, its routes';
    const shadowed = Object.keys(serviceSource?.object.metadata?.annotations ?? {}).filter(isProfileShadowedAnnotation).sort();
    if (shadowed.length > 0) found.push(...findings('profile-conflict', 'error', source, [shadowedAnnotationsProblem(target, shadowed, profileName, remedy)]));
    for (const route of routesByParent.get(`${service.namespace}/${service.name}`) ?? []) {
      const r = route.object;
      found.push(...findings('profile-conflict', 'error', source, [
        attachedRouteProblem(`${r.kind} ${r.metadata?.namespace ?? 'default'}/${r.metadata?.name}`, `${route.file}:${route.line}`, target, profileName, remedy),
      ]));
    }
  }
  return found;
}
