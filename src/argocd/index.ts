export * from './application';
export * from './sync-waves';
export * from './sync-gate';
export * from './rollout';
