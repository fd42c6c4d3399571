#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * `npm run synth`, in one Node process: builds only when the inputs changed, synthesizes only when something the last
 * synth read changed, and otherwise prints what the last synth printed.
 *
 * Plain JavaScript because it runs before anything is compiled.
 *
 * Build. The build inputs (src/, imports/, crds/, tsconfig.json, package.json, package-lock.json) are hashed file by file,
 * ~10 ms; lib/.synth-inputs keeps the hashes of the last successful build. When they match, nothing is built. When
 * only src/main.ts changed, the app alone is type-checked against the library's declarations
 * (lib/.app-check/tsconfig.app.json, a project reference to lib/.app-check/tsconfig.types.json, whose declarations
 * keep the `@internal` names main.ts uses), which also emits lib/src/main.js. That check is asked of the project's
 * type-check server (src/cli/typecheck-server.js: tsc's own compile with the ~97,000 lines of declarations kept
 * parsed; answers with tsc's output and exit code) and, when none answers, run cold by tsc, a server being started
 * as this process exits for the next one; no server when `CI` is set or SYNTH_TYPECHECK_SERVER=0. Otherwise
 * `tsc --incremental` builds the whole project (lib/ for `cdk8s synth` and the package), and, when only src/main.ts
 * changed but those declarations are not there yet (the first such edit after an edit to the library), builds them
 * beside it (and then starts a server). Either way esbuild bundles meanwhile: src/main.ts alone into
 * lib/synth/main.js, whose imports come from the library's bundle lib/synth/library.js, bundled again only when the
 * library or the set of what src/main.ts imports changed, so that its V8 code cache outlives an edit to the app.
 *
 * Synth after a build. The synth runs from the new bundle while the type check is still running, its output held
 * back and dist/ (`CDK8S_OUTDIR`, and every path the last synth wrote) kept as hard links: when the type check fails,
 * tsc's own message and exit code are all that is printed and dist/ is put back as it was; no stamp then vouches for
 * the failed build, so the next synth builds again.
 *
 * Synth without a build. Skipped when lib/.synth-record.json shows that the last successful synth ran this build,
 * on this Node version, platform, working directory and arguments, with stdout and stderr the same kind (terminal or
 * not), and that nothing it read or wrote has changed
 * since: the environment variables it read (one salted digest of their values), the files, folders and existence
 * checks outside node_modules/ and lib/ (crds/, the previous dist/ it reuses bcrypt lines from, a file a
 * DASHBOARD_HTPASSWD_FILE names, anything main.ts reads), and the whole tree of what it wrote (dist/). A skipped synth
 * prints what the last one printed, in order. What cannot be tracked (the clock when its value is used, child
 * processes, the network, stdin) makes a synth that is never skipped: src/cli/synth-record.js lists it all.
 * `--force` (or SYNTH_FORCE=1) synthesizes anyway. `--build-only` (`npm run build`) stops after the build.
 */
const { spawn, spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { replay, staleReason, startRecording } = require('./synth-record');
const { askServer, serverAllowed, startServer, statStamp } = require('./typecheck-server');

/** stdout's own write: the app-only check's answer is tsc's output, not the synth's, which the recording may hold. */
const writeStdout = process.stdout.write.bind(process.stdout);

/** The app: an edit to it alone is type-checked against the library's declarations. */
const APP = 'src/main.ts';
/** The first line of an app bundle whose imports are in the library's bundle beside it (src/cli/synth.ts). */
const APP_BANNER = '// app bundle: its imports are in ./library.js';

/** The paths the launcher reads and writes, for the project at `root`. */
function layout(root) {
  const lib = path.join(root, 'lib');
  return {
    root,
    lib,
    stamp: path.join(lib, '.synth-inputs'),
    hashCache: path.join(lib, '.synth-input-hashes.json'),
    record: path.join(lib, '.synth-record.json'),
    bundle: path.join(lib, 'synth', 'main.js'),
    // what the app's bundle imports (see bundle())
    library: path.join(lib, 'synth', 'library.js'),
    libraryStamp: path.join(lib, 'synth', 'library.json'),
    // bundled with the app, so that the synth can run before tsc has written lib/src/cli/synth.js
    runner: path.join(lib, 'synth', 'runner.js'),
    appCheck: path.join(lib, '.app-check'),
    appTypes: path.join(lib, '.app-types'),
    // what tsc writes: `cdk8s synth` runs lib/src/main.js
    outputs: [path.join(lib, 'synth', 'main.js'), path.join(lib, 'synth', 'library.js'), path.join(lib, 'synth', 'runner.js'), path.join(lib, 'src', 'cli', 'synth.js'), path.join(lib, 'src', 'main.js'), path.join(lib, '.tsbuildinfo')],
  };
}

/** Every file under `dir`, relative to the repository, sorted (so the hash does not depend on readdir order). */
function files(root, dir) {
  // a folder the project does not have (crds/ without the schema gate) is no input
  if (!fs.existsSync(path.join(root, dir))) return [];
  return fs.readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter(e => e.isFile())
    .map(e => path.relative(root, path.join(e.parentPath ?? e.path, e.name)).split(path.sep).join('/'))
    .sort();
}

/**
 * The hash of every file the build reads from the repository, by path. A file is read again only when its stat
 * (size, mtime, ctime, inode) differs from the one cached with its hash in `cacheFile`, or when it changed less than a
 * second before that hash was taken (a later edit within the file system's timestamp granularity would otherwise
 * look unchanged).
 */
function inputHashes(root, cacheFile) {
  const cache = cacheFile === undefined ? undefined : readJson(cacheFile);
  const previous = new Map(cache?.files ?? []);
  const hashedAt = Date.now();
  const hashes = new Map();
  const entries = [];
  let reused = 0;
  for (const file of [...files(root, 'src'), ...files(root, 'imports'), ...files(root, 'crds'), 'tsconfig.json', 'package.json', 'package-lock.json']) {
    const full = path.join(root, file);
    const st = fs.statSync(full);
    const stat = statStamp(st);
    const known = previous.get(file);
    let hash;
    if (known !== undefined && known[0] === stat && st.ctimeMs < cache.hashedAt - 1000) {
      hash = known[1];
      reused++;
    } else {
      hash = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
    }
    hashes.set(file, hash);
    entries.push([file, [stat, hash]]);
  }
  if (cacheFile !== undefined && (reused !== entries.length || previous.size !== entries.length)) {
    try {
      writeAtomically(cacheFile, JSON.stringify({ hashedAt, files: entries }));
    } catch {
      // the cache only saves time
    }
  }
  return hashes;
}

/** One hash of the inputs (names and contents), leaving out `except`. */
function combine(hashes, except) {
  const hash = createHash('sha256');
  for (const [file, h] of hashes) if (file !== except) hash.update(`${file}\0${h}\0`);
  return hash.digest('hex');
}

/** A hash of every file the build reads from the repository (names and contents). */
function inputsHash(root) {
  return combine(inputHashes(root));
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Writes through a temporary file renamed into place (two synths may run at once), readable by the owner only. */
function writeAtomically(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}`;
  fs.writeFileSync(temporary, text, { mode: 0o600 });
  fs.renameSync(temporary, file);
}

/**
 * The two tsconfigs of the app-only type check, generated into lib/.app-check/: the library's declarations, with
 * the `@internal` names the package's own declarations strip, and the app against them.
 */
function writeAppCheckConfigs(project, globals = []) {
  const rel = to => path.relative(project.appCheck, path.join(project.root, to)).split(path.sep).join('/');
  const configs = {
    'tsconfig.types.json': {
      extends: rel('tsconfig.json'),
      compilerOptions: {
        composite: true, declaration: true, emitDeclarationOnly: true, stripInternal: false, incremental: true,
        rootDir: rel('.'), outDir: rel('lib/.app-types'), tsBuildInfoFile: rel('lib/.app-types/.tsbuildinfo'),
      },
      include: [rel('src/**/*.ts'), rel('imports/**/*.ts')],
      exclude: [rel(APP)],
    },
    'tsconfig.app.json': {
      extends: rel('tsconfig.json'),
      compilerOptions: { rootDir: rel('.'), outDir: rel('lib'), incremental: true, tsBuildInfoFile: './app.tsbuildinfo' },
      // the library's declarations that apply beyond an import (scripts, `declare global`, module augmentations,
      // reference directives), as the whole project's program has them
      files: [rel(APP), ...globals.map(f => path.relative(project.appCheck, f).split(path.sep).join('/'))],
      include: [],
      references: [{ path: './tsconfig.types.json' }],
    },
  };
  fs.mkdirSync(project.appCheck, { recursive: true });
  for (const [name, config] of Object.entries(configs)) {
    const file = path.join(project.appCheck, name);
    const text = `${JSON.stringify(config, undefined, 2)}\n`;
    if (readJson(file) === undefined || fs.readFileSync(file, 'utf8') !== text) fs.writeFileSync(file, text);
  }
  return appCheckConfigs(project);
}

function appCheckConfigs(project) {
  return { types: path.join(project.appCheck, 'tsconfig.types.json'), app: path.join(project.appCheck, 'tsconfig.app.json') };
}

/** The library's declaration files that declare something beyond their exports. */
function globalDeclarations(project) {
  return files(project.lib, '.app-types')
    .filter(f => f.endsWith('.d.ts'))
    .map(f => path.join(project.lib, f))
    .filter(f => {
      const text = fs.readFileSync(f, 'utf8');
      return /\bdeclare\s+(global|module)\b|^\s*\/\/\/\s*<reference/m.test(text) || !/^\s*(import|export)\b/m.test(text);
    })
    .sort();
}

/**
 * Runs the project's tsc on a tsconfig in a child process, through a V8 code cache in lib/.app-check/
 * (src/cli/tsc-cached.js); resolves to its exit code, its output passed through as it came.
 */
function tsc(root, config) {
  const args = [path.join(__dirname, 'tsc-cached.js'), path.join(root, 'lib', '.app-check'), '-p', config];
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
  const code = new Promise(resolve => {
    child.on('error', () => resolve(1));
    child.on('close', status => resolve(status ?? 1));
  });
  return Object.assign(code, {
    /** The same check, to the end, in this thread: for an app that ends the process before the check did. */
    again() {
      child.kill();
      return spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
    },
  });
}

/** Starts the project's type-check server when this process exits (not to slow this synth down), once. */
function startServerAtExit(root, env) {
  if (!serverAllowed(env) || startServerAtExit.pending) return;
  startServerAtExit.pending = true;
  process.on('exit', () => startServer(root));
}

/**
 * The app-only type check: asked of the project's type-check server (src/cli/typecheck-server.js), which keeps the
 * declarations parsed; when none answers, tsc in a child process as `tsc()`, and a server is started for the next
 * check. Never a server when `CI` is set or SYNTH_TYPECHECK_SERVER=0.
 */
function checkApp(root, config, env) {
  if (!serverAllowed(env)) return tsc(root, config);
  let cold;
  const code = askServer(root, { tty: Boolean(process.stdout.isTTY), noColor: Boolean(env.NO_COLOR) }).then(answer => {
    if (answer !== undefined) {
      writeStdout(answer.output);
      return answer.exitCode;
    }
    startServerAtExit(root, env);
    cold = tsc(root, config);
    return cold;
  });
  return Object.assign(code, {
    again() {
      if (cold === undefined) cold = tsc(root, config);
      return cold.again();
    },
  });
}

/**
 * Bundles the app and, when the library or what the app imports from it changed, the library, and the runner.
 *
 * The app's bundle (lib/synth/main.js) holds src/main.ts alone: each of its imports other than Node's own is read from
 * the library's bundle beside it (lib/synth/library.js, one object of every module src/main.ts imports, by its
 * specifier, in import order). An edit to src/main.ts then bundles one file, and the library's bundle, unchanged
 * byte for byte, keeps its V8 code cache (src/cli/synth.ts): the cost of compiling the library again was most of
 * the synth after an edit. lib/synth/library.json names the library inputs and the specifiers it was bundled for.
 */
async function bundle(project, libraryKey) {
  const esbuild = require(require.resolve('esbuild', { paths: [project.root] }));
  const { isBuiltin } = require('node:module');
  const common = { bundle: true, platform: 'node', target: 'node20', tsconfig: path.join(project.root, 'tsconfig.json'), logLevel: 'warning' };
  const fromLibrary = {
    name: 'from-library',
    setup(build) {
      build.onResolve({ filter: /.*/ }, args => {
        if (args.kind === 'entry-point') return undefined;
        if (args.namespace === 'library' || isBuiltin(args.path)) return { path: args.path, external: true };
        return { path: args.path, namespace: 'library' };
      });
      build.onLoad({ filter: /.*/, namespace: 'library' }, args => ({
        contents: `module.exports = require(${JSON.stringify(`./${path.basename(project.library)}`)})[${JSON.stringify(args.path)}];\n`,
        loader: 'js',
      }));
    },
  };
  const app = await esbuild.build({
    ...common, entryPoints: [path.join(project.root, APP)], outfile: project.bundle, banner: { js: APP_BANNER }, metafile: true,
    plugins: [fromLibrary],
  });
  const specifiers = [...new Set(Object.values(app.metafile.inputs).flatMap(input => input.imports)
    .filter(i => i.path.startsWith('library:')).map(i => i.path.slice('library:'.length)))];
  const key = createHash('sha256').update(JSON.stringify([libraryKey, specifiers])).digest('hex');
  if (readJson(project.libraryStamp)?.key === key && fs.existsSync(project.library) && fs.existsSync(project.runner)) return;
  fs.rmSync(project.libraryStamp, { force: true });
  await Promise.all([
    esbuild.build({
      ...common,
      stdin: {
        contents: `module.exports = {\n${specifiers.map(s => `  ${JSON.stringify(s)}: require(${JSON.stringify(s)}),\n`).join('')}};\n`,
        resolveDir: path.dirname(path.join(project.root, APP)), sourcefile: 'library-of-the-app.js', loader: 'js',
      },
      outfile: project.library,
    }),
    esbuild.build({ ...common, entryPoints: [path.join(project.root, 'src', 'cli', 'synth.ts')], outfile: project.runner }),
  ]);
  writeAtomically(project.libraryStamp, JSON.stringify({ key, specifiers }));
}

/** Copies a tree as hard links (a synth replaces files, never rewrites them in place), else as copies. */
function linkTree(from, to) {
  const stat = fs.lstatSync(from);
  if (stat.isDirectory()) {
    fs.mkdirSync(to);
    for (const name of fs.readdirSync(from)) linkTree(path.join(from, name), path.join(to, name));
  } else if (stat.isSymbolicLink()) {
    fs.symlinkSync(fs.readlinkSync(from), to);
  } else {
    try {
      fs.linkSync(from, to);
    } catch {
      fs.copyFileSync(from, to);
    }
  }
}

/**
 * Keeps the given outputs as they are now; `restore()` puts them back exactly (and removes one that did not exist),
 * `drop()` forgets them.
 */
function keepOutputs(targets) {
  const kept = [...new Set(targets)].map((target, i) => {
    const copy = path.join(path.dirname(target), `.${path.basename(target)}-kept-${process.pid}-${i}`);
    fs.rmSync(copy, { recursive: true, force: true });
    const existed = fs.existsSync(target);
    if (existed) linkTree(target, copy);
    return { target, copy, existed };
  });
  return {
    copies: kept.map(k => k.copy),
    restore() {
      for (const { target, copy, existed } of kept) {
        const failed = `${copy}-failed`;
        if (fs.existsSync(target)) fs.renameSync(target, failed);
        if (existed) fs.renameSync(copy, target);
        fs.rmSync(failed, { recursive: true, force: true });
      }
    },
    drop() {
      for (const { copy } of kept) fs.rmSync(copy, { recursive: true, force: true });
    },
  };
}

/** What must be the same for a synth to be skipped, besides what it read: the build, the platform, the command. */
function recordKey(build, args) {
  return {
    build, node: process.version, arch: process.arch, platform: process.platform, cwd: process.cwd(), args: args.filter(a => a !== '--force'),
    // an app may print differently to a terminal
    tty: [Boolean(process.stdout.isTTY), Boolean(process.stderr.isTTY)],
  };
}

/**
 * Runs the synth from the bundle in this process, recording what it reads; at exit, a successful synth's record is
 * written. With `held` (a type check still running), its output is held and its outputs kept until `held` settles:
 * on a type check's failure its exit code is the process's, and the outputs are put back.
 */
function runSynth(project, key, held) {
  const previous = readJson(project.record);
  fs.rmSync(project.record, { force: true });
  const outdir = path.resolve(process.env.CDK8S_OUTDIR ?? 'dist');
  const kept = held ? keepOutputs([outdir, ...(previous?.outputs ?? []).map(([file]) => file).filter(f => !ignored(project, f))]) : undefined;
  const ignore = file => ignored(project, file) || (kept?.copies ?? []).some(c => file === c || file.startsWith(`${c}-`) || file.startsWith(`${c}${path.sep}`));
  const recording = startRecording({ ignore, passThrough: !held });
  let typeCheck;
  held?.then(code => { typeCheck = code; });
  let crash;
  process.on('exit', code => {
    recording.stop();
    // the app ended the process (process.exit) before the type check did: finish it here
    if (held && typeCheck === undefined) typeCheck = held.again();
    if (held && typeCheck !== 0) {
      kept?.restore();
      process.exitCode = typeCheck;
      return;
    }
    kept?.drop();
    if (held) {
      recording.flush();
      if (crash !== undefined) {
        console.error(crash instanceof Error ? crash.stack : crash);
        process.exitCode = 1;
        return;
      }
    }
    if ((process.exitCode ?? code) === 0 && recording.untracked === undefined) writeAtomically(project.record, JSON.stringify(recording.record(key)));
  });
  const run = () => require(project.runner).runBundledSynth(project.bundle);
  if (!held) {
    // outside any promise, so an error the app throws reaches Node as before (stack trace, exit code 1)
    setImmediate(run);
    return;
  }
  try {
    run();
  } catch (e) {
    crash = e;
  }
}

function ignored(project, file) {
  return file === project.lib || file.startsWith(`${project.lib}${path.sep}`) || file.split(path.sep).includes('node_modules');
}

/**
 * Builds when the inputs changed, then synthesizes unless nothing the last synth read changed (or `buildOnly`).
 * Resolves to the exit code: 0, else tsc's.
 */
async function launch(root, args, env = process.env) {
  const project = layout(root);
  const buildOnly = args.includes('--build-only');
  const force = args.includes('--force') || env.SYNTH_FORCE === '1';
  const hashes = inputHashes(root, project.hashCache);
  const full = combine(hashes);
  const library = combine(hashes, APP);
  const stamp = readJson(project.stamp) ?? {};
  const outputsThere = project.outputs.every(f => fs.existsSync(f));
  const key = recordKey(full, args);
  if (stamp.full === full && outputsThere) {
    if (buildOnly) return 0;
    const record = force ? undefined : readJson(project.record);
    if (!force && staleReason(record, key) === undefined) {
      replay(record);
      return 0;
    }
    runSynth(project, key, undefined);
    return 0;
  }
  // tsc --incremental trusts its build info and does not write again an output that went missing
  if (!outputsThere) fs.rmSync(path.join(project.lib, '.tsbuildinfo'), { force: true });
  const appOnly = stamp.library === library && stamp.appTypes === library && outputsThere && fs.existsSync(path.join(project.appTypes, '.tsbuildinfo'));
  // the app's config, with the library's global declarations, is written once they are built (below)
  const configs = appOnly ? appCheckConfigs(project) : writeAppCheckConfigs(project);
  // a failed build still writes lib/ (tsc emits despite type errors): no stamp may then vouch for it, or going back to
  // the last good sources would run what the failed build wrote. The app-only check writes only lib/src/main.*.
  writeAtomically(project.stamp, JSON.stringify(appOnly ? { library, appTypes: library } : {}));
  // the declarations the app-only check needs are built beside the whole project's build only when src/main.ts alone
  // changed since the last one (the next such edit then takes the app-only check): an edit to the library does not
  // pay for them
  const buildTypes = !appOnly && !buildOnly && stamp.library === library;
  const checks = appOnly ? [checkApp(root, configs.app, env)] : [tsc(root, path.join(root, 'tsconfig.json')), ...(buildTypes ? [tsc(root, configs.types)] : [])];
  const passed = code => {
    if (code === 0) {
      if (buildTypes) {
        writeAppCheckConfigs(project, globalDeclarations(project));
        // the next edit to src/main.ts alone takes the app-only check: a server has it ready
        startServerAtExit(root, env);
      }
      // the schema gate's validators, compiled ahead of time from crds/ (a library input): without them a synth still
      // validates, compiling the kinds it emits from crds/ itself, only slower
      const precompile = path.join(project.lib, 'src', 'gate', 'precompile.js');
      if (!appOnly && fs.existsSync(precompile)) require(precompile).precompileValidators(root);
      writeAtomically(project.stamp, JSON.stringify({ full, library, appTypes: appOnly || buildTypes ? library : undefined }));
    }
    return code;
  };
  const checked = Object.assign(Promise.all(checks).then(codes => passed(codes.find(c => c !== 0) ?? 0)), {
    again: () => passed(checks.map(c => c.again()).find(c => c !== 0) ?? 0),
  });
  try {
    await bundle(project, library);
  } catch (e) {
    const code = await checked;
    if (code !== 0) return code;
    throw e;
  }
  if (buildOnly) return checked;
  runSynth(project, key, checked);
  return 0;
}

module.exports = { launch, inputsHash };

if (require.main === module) {
  launch(path.resolve(__dirname, '..', '..'), process.argv.slice(2)).then(code => {
    if (code !== 0) process.exitCode = code;
  }, e => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
