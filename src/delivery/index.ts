export * from './chart-release';
