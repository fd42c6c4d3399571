// @ts-check
'use strict';
/**
 * `node src/cli/tsc-cached.js <cache folder> <tsc arguments…>`: runs TypeScript's own tsc (the project's
 * node_modules/typescript) through a V8 code cache kept in the cache folder, so that the 6 MB compiler is not compiled
 * again on every type check: what TypeScript's bin/tsc gets from `module.enableCompileCache()` on Node 22, which
 * Node 20 lacks (typescript@5.9.3:lib/tsc.js). Everything else (arguments, output, exit code) is tsc's.
 *
 * The cache is keyed by the compiler file's path, size and mtime and the Node version and architecture; V8 rejects a
 * cache it cannot use, and then it is written again (at exit, so it holds the functions the check compiled).
 */
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const { createRequire, wrap } = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const [cacheDir, ...args] = process.argv.slice(2);
const shim = require.resolve('typescript/lib/tsc.js', { paths: [process.cwd(), __dirname] });
// since 5.7, lib/tsc.js only enables the compile cache and loads lib/_tsc.js
const compiler = fs.existsSync(path.join(path.dirname(shim), '_tsc.js')) ? path.join(path.dirname(shim), '_tsc.js') : shim;
const stat = fs.statSync(compiler);
const key = createHash('sha256').update(`${compiler}\0${stat.size}\0${stat.mtimeMs}\0${process.version}\0${process.arch}`).digest('hex').slice(0, 16);
const cacheFile = path.join(cacheDir, `tsc.${key}.v8cache`);
let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {
  // no cache yet: written at exit
}
const script = new vm.Script(wrap(fs.readFileSync(compiler, 'utf8')), { filename: compiler, cachedData });
if (cachedData === undefined || script.cachedDataRejected) {
  process.on('exit', () => {
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      for (const f of fs.readdirSync(cacheDir)) if (/^tsc\.[0-9a-f]{16}\.v8cache$/.test(f) && f !== path.basename(cacheFile)) fs.rmSync(path.join(cacheDir, f), { force: true });
      const temporary = `${cacheFile}.${process.pid}`;
      fs.writeFileSync(temporary, script.createCachedData());
      fs.renameSync(temporary, cacheFile);
    } catch {
      // the cache only saves time
    }
  });
}
process.argv = [process.argv[0], compiler, ...args];
const compilerModule = { exports: {} };
script.runInThisContext()(compilerModule.exports, createRequire(compiler), compilerModule, compiler, path.dirname(compiler));
