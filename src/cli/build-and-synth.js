#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * `npm run synth`, in one Node process: builds only when the inputs changed, then runs the bundled app.
 *
 * Plain JavaScript because it runs before anything is compiled. The inputs (src/, imports/, tsconfig.json,
 * package.json, package-lock.json) are hashed, ~10 ms; the hash of the last successful build is kept in
 * lib/.synth-inputs. When it matches, the synth runs straight from lib/synth/main.js (src/cli/synth.ts: one bundle
 * through a V8 code cache). When it does not, `tsc` (incremental: lib/ for `cdk8s synth`, the package, and the type
 * check) runs in a child process while esbuild bundles src/main.ts in this one; a type error fails the synth with
 * tsc's own message and exit code, and leaves no recorded hash, so the next synth builds again.
 * `--build-only` (`npm run build`) stops after the build.
 */
const { spawn } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

/** The paths the launcher reads and writes, for the project at `root`. */
function layout(root) {
  const lib = path.join(root, 'lib');
  return {
    root,
    stamp: path.join(lib, '.synth-inputs'),
    bundle: path.join(lib, 'synth', 'main.js'),
    runner: path.join(lib, 'src', 'cli', 'synth.js'),
    // what tsc writes: `cdk8s synth` runs lib/src/main.js
    outputs: [path.join(lib, 'synth', 'main.js'), path.join(lib, 'src', 'cli', 'synth.js'), path.join(lib, 'src', 'main.js'), path.join(lib, '.tsbuildinfo')],
  };
}

/** Every file under `dir`, relative to the repository, sorted (so the hash does not depend on readdir order). */
function files(root, dir) {
  return fs.readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter(e => e.isFile())
    .map(e => path.relative(root, path.join(e.parentPath ?? e.path, e.name)))
    .sort();
}

/** A hash of every file the build reads from the repository (names and contents). */
function inputsHash(root) {
  const hash = createHash('sha256');
  for (const file of [...files(root, 'src'), ...files(root, 'imports'), 'tsconfig.json', 'package.json', 'package-lock.json']) {
    hash.update(`${file}\0`).update(fs.readFileSync(path.join(root, file))).update('\0');
  }
  return hash.digest('hex');
}

function readIfPresent(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Runs tsc in a child process; resolves to its exit code, its output passed through as it came. */
function typeCheckAndEmit(root) {
  return new Promise(resolve => {
    const tsc = spawn(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', path.join(root, 'tsconfig.json')], { cwd: root, stdio: 'inherit' });
    tsc.on('error', () => resolve(1));
    tsc.on('close', code => resolve(code ?? 1));
  });
}

/** Bundles the app from its TypeScript sources, the same settings as `npm run bundle`. */
function bundle(project) {
  const esbuild = require(require.resolve('esbuild', { paths: [project.root] }));
  return esbuild.build({
    entryPoints: [path.join(project.root, 'src', 'main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile: project.bundle,
    tsconfig: path.join(project.root, 'tsconfig.json'),
    logLevel: 'warning',
  });
}

/**
 * Builds the project at `root` unless the last successful build had the same inputs and its outputs are all there.
 * Resolves to the exit code: 0 built or already fresh, else tsc's.
 */
async function buildIfStale(root) {
  const project = layout(root);
  const hash = inputsHash(root);
  if (hash === readIfPresent(project.stamp) && project.outputs.every(f => fs.existsSync(f))) return 0;
  // tsc --incremental trusts its build info and does not write again an output that went missing
  if (!project.outputs.every(f => fs.existsSync(f))) fs.rmSync(path.join(root, 'lib', '.tsbuildinfo'), { force: true });
  // a failed build still writes lib/ (tsc emits despite type errors): no stamp may then vouch for it, or going back to
  // the last good sources would run what the failed build wrote
  fs.rmSync(project.stamp, { force: true });
  const [code] = await Promise.all([typeCheckAndEmit(root), bundle(project)]);
  if (code === 0) fs.writeFileSync(project.stamp, hash);
  return code;
}

module.exports = { buildIfStale, inputsHash };

if (require.main === module) {
  const project = layout(path.resolve(__dirname, '..', '..'));
  const buildOnly = process.argv.includes('--build-only');
  buildIfStale(project.root).then(code => {
    if (code !== 0) process.exitCode = code;
    // The app runs outside the promise, so an error it throws reaches Node as before (stack trace, exit code 1).
    else if (!buildOnly) setImmediate(() => require(project.runner).runBundledSynth(project.bundle));
  }, e => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
