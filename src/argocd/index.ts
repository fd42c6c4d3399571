export * from './application';
export * from './app-project';
export * from './sync-waves';
export * from './sync-gate';
export * from './rollout';
export * from './without-argocd';
