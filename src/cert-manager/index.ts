export * from './issuer-type';
export * from './issuer';
export * from './cluster-issuer';
export * from './private-key';
export * from './certificate';
