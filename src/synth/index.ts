export * from './secret-guard';
export * from './synthesize';
export * from './summary';
