export * from './version';
export * from './trust-anchor';
export * from './identity';
export * from './control-plane-namespace';
export * from './webhook-issuer';
export * from './crds';
export * from './control-plane';
export * from './context';
