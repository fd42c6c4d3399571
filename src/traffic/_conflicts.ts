import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { perSynth } from '../_internal/per-synth';
import { isProfileShadowedAnnotation } from './_annotations';
import { ResolvedService } from './service-reference';

const ROUTE_GROUPS = ['gateway.networking.k8s.io', 'policy.linkerd.io'];
const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute'];

/**
 * What Linkerd silently ignores because a ServiceProfile exists for the Service, and whether the Service is headless:
 * checked over every object in the app at synth, because the Service, its annotations and its routes may be defined
 * anywhere (and after the profile).
 *
 * @internal
 */
export function profileConflictProblems(profile: IConstruct, own: ApiObject, service: ResolvedService, profileName: string): string[] {
  const problems: string[] = [];
  const target = `Service ${service.namespace}/${service.name}`;
  const wins = `the ServiceProfile ${profileName} silently wins: while a profile exists for a Service, Linkerd ignores the Service's `
    + 'failure-accrual (circuit breaking), retry.linkerd.io and timeout.linkerd.io annotations and its HTTPRoutes and GRPCRoutes; '
    + 'remove the profile (ProfileMigration turns it into HTTPRoutes) or remove';
  const index = appIndex(profile.node.root);
  const position = index.position.get(own) ?? 0;
  const candidates = [
    ...index.byName.get(`${service.namespace}/${service.name}`) ?? [],
    ...index.byName.get(`${namespaceOf(own)}/${own.name}`) ?? [],
    ...index.routes,
  ];
  for (const obj of new Set(candidates)) {
    if (obj.apiVersion === 'v1' && obj.kind === 'Service' && obj.name === service.name && namespaceOf(obj) === service.namespace) {
      const rendered = obj.toJson();
      const shadowed = Object.keys(rendered.metadata?.annotations ?? {}).filter(isProfileShadowedAnnotation).sort();
      if (shadowed.length > 0) problems.push(`${target} has the annotations ${shadowed.join(', ')}, but ${wins} the annotations`);
      if (rendered.spec?.clusterIP === 'None') {
        problems.push(`${target} is headless (clusterIP: None): Linkerd cannot retrieve a ServiceProfile for a headless Service, so `
          + `${profileName} would never apply; profile a Service with a cluster IP`);
      }
    }
    // reported by the later of the two profiles only
    if ((index.position.get(obj) ?? 0) < position && obj.kind === 'ServiceProfile' && obj.name === own.name && namespaceOf(obj) === namespaceOf(own)) {
      problems.push(`ServiceProfile ${namespaceOf(own)}/${profileName} is also defined at ${obj.node.path}: Kubernetes keeps only one object per `
        + 'name and namespace; put all routes in one profile');
    }
    const group = obj.apiVersion.split('/')[0];
    if (ROUTE_KINDS.includes(obj.kind) && ROUTE_GROUPS.includes(group)) {
      const rendered = obj.toJson();
      const routeNamespace = namespaceOf(obj);
      const parents: any[] = Array.isArray(rendered.spec?.parentRefs) ? rendered.spec.parentRefs : [];
      // the policy controller's is_service: kind Service, group unset, empty or core, both case-insensitive
      const attached = parents.some(ref => String(ref?.kind).toLowerCase() === 'service' && ['', 'core'].includes(String(ref?.group ?? '').toLowerCase())
        && ref?.name === service.name && (ref?.namespace ?? routeNamespace) === service.namespace);
      if (attached) problems.push(`${obj.kind} ${routeNamespace}/${obj.name} (${obj.node.path}) attaches to ${target}, but ${wins} the route`);
    }
  }
  return problems;
}

interface AppIndex {
  /** Each object's position in construct-tree order. */
  readonly position: Map<ApiObject, number>;
  /** Objects by `namespace/name`. */
  readonly byName: Map<string, ApiObject[]>;
  /** HTTPRoutes and GRPCRoutes. */
  readonly routes: ApiObject[];
}

/** The app's objects indexed once per synthesis: each profile's check then looks only at the objects it concerns. */
function appIndex(root: IConstruct): AppIndex {
  return perSynth(root, 'traffic-index', () => {
    const objects = root.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c));
    const byName = new Map<string, ApiObject[]>();
    for (const obj of objects) {
      const key = `${namespaceOf(obj)}/${obj.name}`;
      byName.set(key, [...byName.get(key) ?? [], obj]);
    }
    const routes = objects.filter(obj => ROUTE_KINDS.includes(obj.kind) && ROUTE_GROUPS.includes(obj.apiVersion.split('/')[0]));
    return { position: new Map(objects.map((obj, i) => [obj, i])), byName, routes };
  });
}

/** An object's namespace, `default` when none is set (where kubectl and Argo CD would typically put it). */
function namespaceOf(obj: ApiObject): string {
  return obj.metadata.namespace ?? 'default';
}
