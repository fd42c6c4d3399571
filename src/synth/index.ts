export * from './secret-guard';
export * from './synthesize';
// named, not `export *`: the file's @internal helpers stay out of the package's runtime exports (test/exports.test.ts)
export { OutputFile, OutputFileConflictError } from './output-file';
export type { OutputFileProps } from './output-file';
export * from './summary';
