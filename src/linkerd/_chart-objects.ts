/**
 * What the Linkerd charts this library delivers install, by name, for the constructs that wait for it (the sync gate,
 * the identity restarter) and the rollout check that reasons about a sync.
 *
 * @internal
 */

/** linkerd2@version-2.20:charts/linkerd-control-plane/templates/identity.yaml:109-120 */
export const IDENTITY_DEPLOYMENT = 'linkerd-identity';

/** The Deployment whose webhook meshes pods (linkerd2@version-2.20:charts/linkerd-control-plane/templates/proxy-injector.yaml:16-27). */
export const PROXY_INJECTOR_DEPLOYMENT = 'linkerd-proxy-injector';

/**
 * The control-plane chart's Deployments that later objects need: identity, destination
 * (linkerd2@version-2.20:charts/linkerd-control-plane/templates/destination.yaml:135-146) and the proxy injector.
 */
export const CONTROL_PLANE_DEPLOYMENTS: readonly string[] = [IDENTITY_DEPLOYMENT, 'linkerd-destination', PROXY_INJECTOR_DEPLOYMENT];

/** The API groups whose CRDs linkerd-crds installs (linkerd2@version-2.20:charts/linkerd-crds/templates/, `group:`). */
export const LINKERD_CRD_GROUPS: readonly string[] = ['linkerd.io', 'policy.linkerd.io', 'workload.linkerd.io'];
