export * from './secret-guard';
export * from './synthesize';
export * from './output-file';
export * from './summary';
