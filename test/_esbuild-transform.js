// @ts-check
'use strict';
/**
 * Jest transformer: TypeScript to CommonJS with esbuild, transpile only.
 *
 * `npm test` type-checks src/ and test/ once with `tsc -p test/tsconfig.json` before jest starts, so a transform that
 * type-checks again (ts-jest's language service) or loads the TypeScript compiler in every worker only costs time.
 * test/tsconfig.json sets `isolatedModules`, which makes tsc refuse what a per-file transpiler cannot compile.
 * esbuild is already a dev dependency (the synth bundle); no other package is needed.
 */
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const esbuild = require('esbuild');

const SELF = createHash('sha256').update(fs.readFileSync(__filename)).update(esbuild.version).digest('hex');

/** The compiler options esbuild honours, as tsconfig.json sets them (ES2022 class fields use define semantics). */
const TSCONFIG_RAW = { compilerOptions: { target: 'es2022', useDefineForClassFields: true, verbatimModuleSyntax: false } };

module.exports = {
  /** @param {string} source @param {string} filename */
  process(source, filename) {
    const { code, map } = esbuild.transformSync(source, {
      loader: filename.endsWith('.tsx') ? 'tsx' : 'ts',
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      sourcemap: 'external',
      sourcefile: filename,
      sourcesContent: false,
      tsconfigRaw: TSCONFIG_RAW,
    });
    return { code, map };
  },
  /** @param {string} source @param {string} filename */
  getCacheKey(source, filename) {
    return createHash('sha256').update(SELF).update('\0').update(filename).update('\0').update(source).digest('hex');
  },
};
