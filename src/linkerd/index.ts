export * from './version';
export * from './trust-anchor';
// named, not `export *`: the file's internal helpers stay out of the package's runtime exports (test/exports.test.ts);
// no at-internal tag in this comment: stripInternal would drop the export statement below it from the .d.ts
export { AnchorIssuerScope, LinkerdIdentity } from './identity';
export type { IdentityHelmValues, LinkerdIdentityProps } from './identity';
export * from './identity-restarter';
export * from './control-plane-namespace';
export * from './webhook-issuer';
export * from './crds';
export { DefaultInboundPolicy, LinkerdControlPlane, WebhookFailurePolicy } from './control-plane';
export type { ControlPlaneReleaseOptions, LinkerdControlPlaneOptions, LinkerdControlPlaneProps } from './control-plane';
export * from './proxy-settings';
export { LinkerdContext } from './context';
export type { LinkerdContextOverrides } from './context';
