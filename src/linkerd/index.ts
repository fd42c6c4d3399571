export * from './trust-anchor';
export * from './identity';
export * from './control-plane-namespace';
