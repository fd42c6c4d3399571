export * from './application';
export * from './app-project';
// named, not `export *`: the file's internal helpers stay out of the package's runtime exports (test/exports.test.ts);
// no at-internal tag in this comment: stripInternal would drop the export statement below it from the .d.ts
export { applySyncWaves } from './sync-waves';
export { SyncGate } from './sync-gate';
export type { GateDeployment, SyncGateProps } from './sync-gate';
export * from './rollout';
export * from './without-argocd';
