// named, not `export *`: the port-list parsing and proxy annotation helpers stay out of the package's runtime exports
export { PortRange } from './port-range';
export { AccessLogFormat, ProxyLogFormat } from './proxy-options';
export type { ProxyOptions } from './proxy-options';
export * from './mesh';
export * from './identity';
export * from './meshtls-authentication';
export * from './network-authentication';
export * from './authorization-policy';
export * from './server-port';
export * from './server';
export * from './allow';
export { MeshCoverage } from './coverage';
export type { CoverageCaller, CoveragePort, CoverageSummary, CoverageWorkload, MeshCoverageData, MeshCoverageOptions } from './coverage';
export * from './coverage-report';
export * from './demo-workloads';
