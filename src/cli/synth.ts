import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire, Module, wrap } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

/** The first line of an app bundle whose imports are in the library's bundle beside it (src/cli/build-and-synth.js). */
const APP_BANNER = '// app bundle: its imports are in ./library.js';
const LIBRARY = 'library.js';

/**
 * `npm run synth`: runs the default synth (`src/main.ts`) from its esbuild bundle, `lib/synth/main.js`, through a V8
 * code cache kept beside it.
 *
 * One file instead of ~210 modules spares Node's module resolution, and the code cache (written after a run, so it
 * holds every function the synth compiled) spares most of the compiling on the next run: what Node 22's
 * `module.enableCompileCache()` does for CLIs, which Node 20 lacks. The cache is keyed by the bundle's content and
 * the Node version and architecture; V8 rejects a cache it cannot use, and then it is written again.
 *
 * `npm run synth` bundles the app apart from the library (src/cli/build-and-synth.js): an app bundle that starts with
 * its banner reads its imports from `library.js` beside it, which is loaded first, through its own code cache, into
 * Node's module cache, where the app's `require('./library.js')` finds it. The library's bundle does not change when
 * only the app does, so neither does its cache.
 */
export function runBundledSynth(bundle: string): void {
  const bytes = fs.readFileSync(bundle);
  const library = bytes.subarray(0, APP_BANNER.length).toString() === APP_BANNER ? preload(path.join(path.dirname(bundle), LIBRARY)) : undefined;
  const app = compile(bundle, bytes);
  const bundleModule = { exports: {} };
  app.script.runInThisContext()(bundleModule.exports, createRequire(bundle), bundleModule, bundle, path.dirname(bundle));
  // after the run, so that each cache holds every function the synth compiled
  for (const compiled of [library, app]) compiled?.writeCacheIfNeeded();
}

interface Compiled {
  readonly script: vm.Script;
  /** Writes the code cache when there was none or V8 rejected it. */
  writeCacheIfNeeded(): void;
}

/**
 * Compiles a CommonJS file through its code cache, keyed by its content and the Node version and architecture. The
 * key hashes the file's bytes (the same digest as of its text, which hashing would encode to those bytes again).
 */
function compile(file: string, bytes: Buffer): Compiled {
  const key = createHash('sha256').update(bytes).update(`\0${process.version}\0${process.arch}`).digest('hex').slice(0, 16);
  const cacheFile = `${file}.${key}.v8cache`;
  const cachedData = readIfPresent(cacheFile);
  const script = new vm.Script(wrap(bytes.toString('utf8')), { filename: file, cachedData });
  return {
    script,
    writeCacheIfNeeded() {
      if (cachedData !== undefined && !script.cachedDataRejected) return;
      try {
        writeCache(file, cacheFile, script.createCachedData());
      } catch {
        // the cache only saves time: a folder that cannot be written to leaves the next synth as fast as this one
      }
    },
  };
}

/** Runs the library's bundle through its code cache and puts it in Node's module cache, as `require` would have. */
function preload(file: string): Compiled {
  const filename = fs.realpathSync(file);
  const compiled = compile(filename, fs.readFileSync(filename));
  const libraryModule = new Module(filename);
  libraryModule.filename = filename;
  require.cache[filename] = libraryModule;
  try {
    compiled.script.runInThisContext()(libraryModule.exports, createRequire(filename), libraryModule, filename, path.dirname(filename));
  } catch (e) {
    delete require.cache[filename];
    throw e;
  }
  libraryModule.loaded = true;
  return compiled;
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Writes the cache atomically (two synths may run at once) and removes the caches of earlier bundles. */
function writeCache(bundle: string, cacheFile: string, data: Buffer): void {
  const dir = path.dirname(bundle);
  const prefix = `${path.basename(bundle)}.`;
  for (const f of fs.readdirSync(dir)) {
    if (f.startsWith(prefix) && f.endsWith('.v8cache') && path.join(dir, f) !== cacheFile) fs.rmSync(path.join(dir, f), { force: true });
  }
  const temporary = `${cacheFile}.${process.pid}`;
  fs.writeFileSync(temporary, data);
  fs.renameSync(temporary, cacheFile);
}

if (require.main === module) runBundledSynth(path.resolve(__dirname, '../../synth/main.js'));
