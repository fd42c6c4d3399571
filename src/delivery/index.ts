export * from './chart-release';
export * from './prerequisites';
