export * from './secret-guard';
export * from './synthesize';
// named, not `export *`: the file's internal helpers stay out of the package's runtime exports (test/exports.test.ts);
// no at-internal tag in this comment: stripInternal would drop the export statement below it from the .d.ts
export { OutputFile, OutputFileConflictError } from './output-file';
export type { OutputFileProps } from './output-file';
export * from './summary';
