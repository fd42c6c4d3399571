/**
 * The findings about a ServiceProfile that Linkerd silently lets win over other configuration, worded once for the
 * {@link ServiceProfile} construct (src/traffic/_conflicts.ts, over the app) and `cdk8s-linkerd check` (over parsed
 * objects). While a profile with routes or dstOverrides exists for a Service, the client proxy routes by the profile
 * and ignores the Service's client policy (linkerd/linkerd2-proxy@release/v2.359.0:linkerd/app/outbound/src/sidecar.rs:192).
 *
 * @internal
 */

/** `<target>` is `Service <namespace>/<name>`; `profileName` as the message should name the profile. */
function wins(profileName: string, remedy: string): string {
  return `the ServiceProfile ${profileName} silently wins: while a profile with routes exists for a Service, Linkerd ignores the Service's `
    + 'balancer annotations (failure accrual, load biaser), retry.linkerd.io and timeout.linkerd.io annotations and its HTTPRoutes and GRPCRoutes; '
    + `${remedy}, or`;
}

/**
 * The Service has annotations the profile shadows ({@link isProfileShadowedAnnotation}).
 *
 * @param remedy how to remove the profile, e.g. `remove the profile, its routes`
 * @internal
 */
export function shadowedAnnotationsProblem(target: string, keys: readonly string[], profileName: string, remedy: string): string {
  return `${target} has the annotations ${keys.join(', ')}, but ${wins(profileName, remedy)} the annotations`;
}

/**
 * A route attaches to the Service (`where` says where the route is defined).
 *
 * @internal
 */
export function attachedRouteProblem(route: string, where: string, target: string, profileName: string, remedy: string): string {
  return `${route} (${where}) attaches to ${target}, but ${wins(profileName, remedy)} the route`;
}

/**
 * The Service is headless: the destination controller serves no profile for it.
 *
 * @internal
 */
export function headlessServiceProblem(target: string, profileName: string): string {
  return `${target} is headless (clusterIP: None): Linkerd cannot retrieve a ServiceProfile for a headless Service, so `
    + `${profileName} would never apply; profile a Service with a cluster IP`;
}

/**
 * Two profiles of one name and namespace (`where` says where the other one is defined).
 *
 * @internal
 */
export function duplicateProfileProblem(qualifiedName: string, where: string): string {
  return `ServiceProfile ${qualifiedName} is also defined at ${where}: Kubernetes keeps only one object per name and namespace; put all routes in one profile`;
}
