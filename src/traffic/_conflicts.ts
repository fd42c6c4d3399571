import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { perSynth } from '../_internal/per-synth';
import { Problems } from '../_internal/problems';
import { targetsKind } from '../_internal/target-kind';
import { isProfileShadowedAnnotation } from './_annotations';
import { attachedRouteProblem, duplicateProfileProblem, headlessServiceProblem, shadowedAnnotationsProblem } from './_profile-conflict-rules';
import { ResolvedService } from './service-reference';

const ROUTE_GROUPS = ['gateway.networking.k8s.io', 'policy.linkerd.io'];
const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute'];

/**
 * Whether the client proxy lets this rendered profile override client policy: only when it has routes or dstOverrides
 * (`linkerd2-proxy@release/v2.359.0:linkerd/app/outbound/src/sidecar.rs:192`, `should_override_policy` →
 * `linkerd/service-profiles/src/lib.rs:193 has_routes_or_targets`). A route-less profile leaves HTTPRoutes, failure
 * accrual and retry/timeout annotations in force.
 *
 * @internal
 */
export function profileShadowsPolicy(rendered: any): boolean {
  const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;
  return nonEmpty(rendered?.spec?.routes) || nonEmpty(rendered?.spec?.dstOverrides);
}

/**
 * What Linkerd silently ignores because a ServiceProfile with routes exists for the Service, and whether the Service
 * is headless: checked over every object in the app at synth, because the Service, its annotations and its routes may
 * be defined anywhere (and after the profile).
 *
 * @internal
 */
export function profileConflictProblems(profile: IConstruct, own: ApiObject, service: ResolvedService, profileName: string): string[] {
  const problems = new Problems();
  const target = `Service ${service.namespace}/${service.name}`;
  const shadows = profileShadowsPolicy(own.toJson());
  const remedy = 'remove the profile (ProfileMigration turns it into HTTPRoutes), its routes';
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
      if (shadows && shadowed.length > 0) problems.add(shadowedAnnotationsProblem(target, shadowed, profileName, remedy));
      if (rendered.spec?.clusterIP === 'None') {
        problems.add(headlessServiceProblem(target, profileName));
      }
    }
    // reported by the later of the two profiles only
    if ((index.position.get(obj) ?? 0) < position && obj.kind === 'ServiceProfile' && obj.name === own.name && namespaceOf(obj) === namespaceOf(own)) {
      problems.add(duplicateProfileProblem(`${namespaceOf(own)}/${profileName}`, obj.node.path));
    }
    const group = obj.apiVersion.split('/')[0];
    if (ROUTE_KINDS.includes(obj.kind) && ROUTE_GROUPS.includes(group)) {
      const rendered = obj.toJson();
      const routeNamespace = namespaceOf(obj);
      const parents: any[] = Array.isArray(rendered.spec?.parentRefs) ? rendered.spec.parentRefs : [];
      // the policy controller's is_service: kind Service, group unset, empty or core, both case-insensitive
      const attached = parents.some(ref => targetsKind(ref ?? {}, '', 'Service')
        && ref?.name === service.name && (ref?.namespace ?? routeNamespace) === service.namespace);
      if (shadows && attached) problems.add(attachedRouteProblem(`${obj.kind} ${routeNamespace}/${obj.name}`, obj.node.path, target, profileName, remedy));
    }
  }
  return [...problems.list];
}

/**
 * The Service object named `namespace/name` in the app, if it is defined there (indexed once per synthesis).
 *
 * @internal
 */
export function findServiceObject(scope: IConstruct, namespace: string, name: string): ApiObject | undefined {
  return appIndex(scope.node.root).byName.get(`${namespace}/${name}`)?.find(obj => obj.apiVersion === 'v1' && obj.kind === 'Service');
}

/**
 * The HTTPRoutes (Gateway API or Linkerd's) attached to a Service, and to the given port or to every port, that apply
 * to clients in `clientNamespace`: producer routes (in the Service's namespace) and that namespace's consumer routes
 * (`linkerd2@version-2.20:policy-controller/k8s/index/src/outbound/index.rs:1488-1552`), in construct-tree order.
 *
 * @internal
 */
export function httpRoutesAttachedTo(
  scope: IConstruct, service: { readonly namespace: string; readonly name: string }, port: number, clientNamespace: string,
): ApiObject[] {
  const root = scope.node.root;
  const parentsOf = perSynth(root, 'traffic-route-parents', () => new Map<ApiObject, any[]>(appIndex(root).routes.map(obj => {
    const refs = obj.toJson().spec?.parentRefs;
    return [obj, Array.isArray(refs) ? refs : []];
  })));
  return appIndex(root).routes.filter(obj => {
    if (obj.kind !== 'HTTPRoute') return false;
    const routeNamespace = namespaceOf(obj);
    if (routeNamespace !== service.namespace && routeNamespace !== clientNamespace) return false;
    const parents = parentsOf.get(obj) ?? [];
    return parents.some(ref => targetsKind(ref ?? {}, '', 'Service')
      && ref?.name === service.name && (ref?.namespace ?? routeNamespace) === service.namespace && (ref?.port === undefined || ref.port === port));
  });
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
