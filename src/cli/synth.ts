import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire, wrap } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

/**
 * `npm run synth`: runs the default synth (`src/main.ts`) from its esbuild bundle, `lib/synth/main.js`, through a V8
 * code cache kept beside it.
 *
 * One file instead of ~210 modules spares Node's module resolution, and the code cache (written after a run, so it
 * holds every function the synth compiled) spares most of the compiling on the next run: what Node 22's
 * `module.enableCompileCache()` does for CLIs, which Node 20 lacks. The cache is keyed by the bundle's content and
 * the Node version and architecture; V8 rejects a cache it cannot use, and then it is written again.
 */
export function runBundledSynth(bundle: string): void {
  const source = fs.readFileSync(bundle, 'utf8');
  const key = createHash('sha256').update(source).update(`\0${process.version}\0${process.arch}`).digest('hex').slice(0, 16);
  const cacheFile = `${bundle}.${key}.v8cache`;
  const cachedData = readIfPresent(cacheFile);
  const script = new vm.Script(wrap(source), { filename: bundle, cachedData });
  const bundleModule = { exports: {} };
  script.runInThisContext()(bundleModule.exports, createRequire(bundle), bundleModule, bundle, path.dirname(bundle));
  if (cachedData === undefined || script.cachedDataRejected) {
    try {
      writeCache(bundle, cacheFile, script.createCachedData());
    } catch {
      // the cache only saves time: a folder that cannot be written to leaves the next synth as fast as this one
    }
  }
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
