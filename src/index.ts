export * as certManager from './cert-manager';
export * as trustManager from './trust-manager';
export * as linkerd from './linkerd';
export * as argocd from './argocd';
export * from './delivery';
export * from './synth';
export * from './platform';
export { ValidationError } from './_internal/errors';
export type { Warning } from './_internal/warnings';
