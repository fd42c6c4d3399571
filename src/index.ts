export * as certManager from './cert-manager';
export * as trustManager from './trust-manager';
export * as linkerd from './linkerd';
export * as argocd from './argocd';
export * as viz from './viz';
export * as mesh from './mesh';
export * as traffic from './traffic';
export * from './delivery';
export * from './synth';
// named, not `export *`: the file's internal helpers stay out of the package's runtime exports (test/exports.test.ts);
// no at-internal tag in this comment: stripInternal would drop the export statement below it from the .d.ts
export { LinkerdPlatform } from './platform';
export type { LinkerdPlatformProps, PlatformDashboardOptions } from './platform';
export { SchemaValidationPlugin } from './gate/cdk8s-plugin';
export type { Cdk8sValidationContext, SchemaValidationPluginProps } from './gate/cdk8s-plugin';
export { ValidationError } from './_internal/errors';
export type { Warning } from './_internal/warnings';
