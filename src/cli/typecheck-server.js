// @ts-check
'use strict';
/**
 * The app's type-check server: a long-lived process that keeps the parsed and bound declarations of the app-only type
 * check (lib/.app-check/tsconfig.app.json) in memory, so that `npm run synth` after an edit to src/main.ts does not
 * parse the ~97,000 lines of declarations (the library's, cdk8s-plus-25's k8s.d.ts, imports/) again.
 *
 * Plain JavaScript: the launcher (src/cli/build-and-synth.js) starts it before anything is compiled.
 *
 * A check is tsc's own: the config is parsed, and the program built, checked and emitted (lib/src/main.js, the build
 * info) by the same TypeScript functions `tsc -p lib/.app-check/tsconfig.app.json` runs for an incremental project
 * (typescript@5.9.3:lib/_tsc.js:131941 `executeCommandLineWorker`, :132253 `performIncrementalCompilation2`,
 * :129055 `performIncrementalCompilation`), writing to a buffer instead of stdout: the same diagnostics, pretty when
 * the client's stdout is a terminal and NO_COLOR is unset (:131558 `defaultIsPretty`), the same error summary
 * (:132209 `createReportErrorSummary`) and exit code. What it keeps between checks is
 * only the source files, each reused while its stat (size, mtime, ctime, inode) is what it was when it was read, and
 * read more than a second after it last changed (an edit within the file system's timestamp granularity would
 * otherwise look unchanged); everything else (the config, module resolution, the build info) is read again.
 *
 * One server per project, on the unix socket lib/.app-check/server/tsc.sock, in a folder only its owner can enter
 * (0700). A request names nothing: it is one line of JSON with two booleans (the client's stdout a terminal,
 * NO_COLOR set); the server only ever checks its own project's app config, so a client cannot make it read or write
 * anywhere else. It answers with tsc's output and exit code, or with a reason to fall back to a cold tsc.
 *
 * It exits after 15 minutes without a request (SYNTH_TYPECHECK_SERVER_IDLE_MS), when its TypeScript, its own code or
 * the app's tsconfigs change, when its socket is removed or replaced (`rm -rf lib`, a deleted project), and on SIGTERM;
 * it looks for those changes every 2 seconds (SYNTH_TYPECHECK_SERVER_POLL_MS, which the tests set low).
 * The launcher never starts one when `CI` is set or SYNTH_TYPECHECK_SERVER=0.
 */
const { spawn } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const PROTOCOL = 1;
const IDLE_MS = 15 * 60 * 1000;
/** How often the server looks whether its socket, code or TypeScript changed (SYNTH_TYPECHECK_SERVER_POLL_MS). */
const POLL_MS = 2000;
/** A request is two booleans: anything longer is not a client. */
const MAX_REQUEST = 1024;

/** The server's files, for the project at `root`. */
function serverPaths(root) {
  const dir = path.join(root, 'lib', '.app-check', 'server');
  return {
    dir,
    socket: path.join(dir, 'tsc.sock'),
    pid: path.join(dir, 'server.pid'),
    config: path.join(root, 'lib', '.app-check', 'tsconfig.app.json'),
  };
}

/** Whether the launcher may use or start a server: never in CI, nor with SYNTH_TYPECHECK_SERVER=0. */
function serverAllowed(env) {
  return !env.CI && env.SYNTH_TYPECHECK_SERVER !== '0';
}

/** A unix socket path is limited to ~107 bytes: a path relative to the working directory is used when shorter. */
function socketAddress(socket) {
  const relative = path.relative(process.cwd(), socket);
  return relative.length < socket.length ? relative : socket;
}

/**
 * Asks the project's server for a check. Resolves to `{ output, exitCode }`, or to undefined when no server answers
 * (none running, a stale socket, a server that must be replaced or that closed without an answer, or no answer within
 * `timeoutMs`): the caller then runs the cold check. The connection is opened synchronously, before this returns.
 */
function askServer(root, request, timeoutMs = 60_000) {
  const { dir, socket } = serverPaths(root);
  // a socket in a folder someone else could write to may not be ours: its answer would vouch for the app
  if (!isPrivateDir(dir)) return Promise.resolve(undefined);
  return new Promise(resolve => {
    let answer = '';
    let settled = false;
    const done = value => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      connection.destroy();
      resolve(value);
    };
    const connection = net.createConnection(socketAddress(socket));
    const timer = setTimeout(() => done(undefined), timeoutMs);
    connection.setEncoding('utf8');
    connection.on('connect', () => connection.write(`${JSON.stringify({ protocol: PROTOCOL, ...request })}\n`));
    connection.on('data', chunk => { answer += chunk; });
    connection.on('error', () => done(undefined));
    connection.on('close', () => {
      let parsed;
      try {
        parsed = JSON.parse(answer);
      } catch {
        parsed = undefined;
      }
      done(parsed && typeof parsed.output === 'string' && Number.isInteger(parsed.exitCode) ? { output: parsed.output, exitCode: parsed.exitCode } : undefined);
    });
  });
}

/** Starts the project's server, detached: it outlives the launcher, which does not wait for it. */
function startServer(root, env = process.env) {
  try {
    const child = spawn(process.execPath, [__filename, root], { cwd: root, detached: true, stdio: 'ignore', env });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // the server only saves time
  }
}

/** What identifies a file's version without reading it: size, mtime, ctime and inode (the launcher's input hashes too). */
function statStamp(st) {
  return `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
}

/** The stat of a file as a string, or 'missing'. */
function statKey(file) {
  try {
    return statStamp(fs.statSync(file));
  } catch {
    return 'missing';
  }
}

/**
 * What the server must not outlive: its own code, the TypeScript it loaded and the app's tsconfigs (the config it
 * checks, the library's declarations config it references, the project's tsconfig both extend).
 */
function identity(root, typescript) {
  const files = [__filename, typescript, path.join(path.dirname(typescript), '..', 'package.json'), path.join(root, 'tsconfig.json'),
    path.join(root, 'lib', '.app-check', 'tsconfig.app.json'), path.join(root, 'lib', '.app-check', 'tsconfig.types.json')];
  return createHash('sha256').update(files.map(f => `${f}\0${statKey(f)}`).join('\0')).digest('hex');
}

/**
 * A checker of the project's app config with TypeScript's own functions; each call is one `tsc -p <config>` run.
 * `tty` and `noColor` stand for the client's stdout and NO_COLOR.
 */
function createChecker(root, ts) {
  const { config: configFile } = serverPaths(root);
  /** @type {Map<string, { key: string, file: any }>} */
  const sourceFiles = new Map();
  /** tsc's incremental compiler host, whose source files are kept while their stat does not change. */
  const cachingHost = (options, sys) => {
    const host = ts.createIncrementalCompilerHost(options, sys);
    // tsc parses JSDoc only for type errors (typescript@5.9.3:lib/_tsc.js:132137 `defaultJSDocParsingMode`)
    host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors;
    const getSourceFile = host.getSourceFile;
    host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile) => {
      let st;
      try {
        st = fs.statSync(fileName);
      } catch {
        st = undefined;
      }
      const parse = typeof languageVersionOrOptions === 'object'
        ? [languageVersionOrOptions.languageVersion, languageVersionOrOptions.impliedNodeFormat, languageVersionOrOptions.jsDocParsingMode].join(':')
        : String(languageVersionOrOptions);
      const key = st === undefined ? undefined : `${parse}\0${statStamp(st)}`;
      const known = sourceFiles.get(fileName);
      if (key !== undefined && !shouldCreateNewSourceFile && known?.key === key) return known.file;
      const readAt = Date.now();
      const file = getSourceFile.call(host, fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile);
      // a file changed within the last second is read again next time: a second edit might keep its stat
      if (file !== undefined && key !== undefined && st.ctimeMs < readAt - 1000) sourceFiles.set(fileName, { key, file });
      else sourceFiles.delete(fileName);
      return file;
    };
    return host;
  };
  /** Parses and binds the program's files without checking or writing anything (a cold tsc may be writing). */
  const warm = () => {
    const parseHost = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined };
    const config = ts.getParsedCommandLineOfConfigFile(configFile, { project: configFile }, parseHost);
    if (config === undefined) return;
    const { fileNames: rootNames, options, projectReferences } = config;
    const program = ts.createProgram({ rootNames, options, projectReferences, host: cachingHost(options, ts.sys) });
    program.getTypeChecker();
  };
  return function check({ tty, noColor }) {
    let output = '';
    let exitCode;
    const sys = {
      ...ts.sys,
      write: text => { output += text; },
      writeOutputIsTTY: () => tty,
      getEnvironmentVariable: name => (name === 'NO_COLOR' ? (noColor ? '1' : '') : ts.sys.getEnvironmentVariable(name)),
      getCurrentDirectory: () => root,
      exit: code => { exitCode ??= code ?? 0; },
    };
    if (!sys.fileExists(configFile)) return undefined;
    // as tsc's executeCommandLineWorker: a reporter, the config parsed with `project` among the options, then pretty
    // when the config or the terminal says so
    let reportDiagnostic = ts.createDiagnosticReporter(sys);
    const config = ts.parseConfigFileWithSystem(configFile, { project: configFile }, new Map(), undefined, sys, reportDiagnostic);
    if (exitCode !== undefined || config === undefined) return { output, exitCode: exitCode ?? 1 };
    const { options } = config;
    // only the incremental, non-watch compile is modelled here
    if (!(options.incremental || options.composite) || options.watch || options.build) return undefined;
    const pretty = options.pretty ?? (tty && !noColor);
    if (pretty) reportDiagnostic = ts.createDiagnosticReporter(sys, true);
    const host = cachingHost(options, sys);
    const status = ts.performIncrementalCompilation({
      host,
      system: sys,
      rootNames: config.fileNames,
      options,
      configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(config),
      projectReferences: config.projectReferences,
      reportDiagnostic,
      reportErrorSummary: pretty
        ? (errorCount, filesInError) => sys.write(ts.getErrorSummaryText(errorCount, filesInError, sys.newLine, sys))
        : undefined,
    });
    return { output, exitCode: exitCode ?? status };
  };
  return Object.assign(check, { warm });
}

/** Takes the project's server lock (its pid file); false when another live server holds it. */
function lock(pidFile) {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(pidFile, String(process.pid), { flag: 'wx', mode: 0o600 });
      return true;
    } catch (e) {
      if (/** @type {NodeJS.ErrnoException} */ (e).code !== 'EEXIST') return false;
      const other = Number(fs.readFileSync(pidFile, 'utf8'));
      try {
        if (Number.isInteger(other) && other > 0) {
          process.kill(other, 0);
          return false;
        }
      } catch {
        // a server that died without cleaning up
      }
      fs.rmSync(pidFile, { force: true });
    }
  }
  return false;
}

/** Whether `dir` is a folder (not a link) of this user that no one else can enter. */
function isPrivateDir(dir) {
  try {
    const st = fs.lstatSync(dir);
    return st.isDirectory() && (typeof process.getuid !== 'function' || st.uid === process.getuid()) && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** The folder of the socket: created for the owner only, refused when it is a link or someone else's. */
function privateDir(dir) {
  // not recursive: a project whose lib/.app-check/ is gone (removed, or a deleted test project) gets no server
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if (/** @type {NodeJS.ErrnoException} */ (e).code !== 'EEXIST') throw e;
  }
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || (typeof process.getuid === 'function' && st.uid !== process.getuid())) throw new Error(`${dir} is not a folder of this user`);
  if ((st.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
}

function serve(root) {
  process.chdir(root);
  const paths = serverPaths(root);
  privateDir(paths.dir);
  if (!lock(paths.pid)) return;
  const typescript = require.resolve('typescript', { paths: [root] });
  const ts = require(typescript);
  const started = identity(root, typescript);
  const check = createChecker(root, ts);
  let socketIno;
  const ownsPid = () => {
    try {
      return fs.readFileSync(paths.pid, 'utf8') === String(process.pid);
    } catch {
      return false;
    }
  };
  const stop = () => {
    try {
      if (socketIno !== undefined && fs.lstatSync(paths.socket).ino === socketIno) fs.rmSync(paths.socket, { force: true });
    } catch {
      // already gone
    }
    if (ownsPid()) fs.rmSync(paths.pid, { force: true });
    process.exit(0);
  };
  const idleMs = Number(process.env.SYNTH_TYPECHECK_SERVER_IDLE_MS) || IDLE_MS;
  let idle = setTimeout(stop, idleMs);
  const server = net.createServer(connection => {
    clearTimeout(idle);
    idle = setTimeout(stop, idleMs);
    let request = '';
    let answered = false;
    connection.setEncoding('utf8');
    connection.on('error', () => undefined);
    connection.on('data', chunk => {
      // one request per connection
      if (answered) return;
      request += chunk;
      if (request.length > MAX_REQUEST) return connection.destroy();
      const end = request.indexOf('\n');
      if (end < 0) return;
      answered = true;
      let parsed;
      try {
        parsed = JSON.parse(request.slice(0, end));
      } catch {
        return connection.destroy();
      }
      if (parsed?.protocol !== PROTOCOL || typeof parsed.tty !== 'boolean' || typeof parsed.noColor !== 'boolean') {
        return connection.end(`${JSON.stringify({ fallback: 'a client of another protocol' })}\n`);
      }
      if (identity(root, typescript) !== started) {
        connection.end(`${JSON.stringify({ fallback: 'TypeScript, the server or the app config changed' })}\n`);
        return stop();
      }
      let answer;
      try {
        answer = check({ tty: parsed.tty, noColor: parsed.noColor });
      } catch (e) {
        answer = undefined;
      }
      connection.end(`${JSON.stringify(answer ?? { fallback: 'the server could not check this config' })}\n`);
    });
  });
  server.on('error', () => stop());
  fs.rmSync(paths.socket, { force: true });
  const previousUmask = process.umask(0o077);
  server.listen(socketAddress(paths.socket), () => {
    process.umask(previousUmask);
    socketIno = fs.lstatSync(paths.socket).ino;
  });
  setInterval(() => {
    let current;
    try {
      current = fs.lstatSync(paths.socket).ino;
    } catch {
      current = undefined;
    }
    if ((socketIno !== undefined && current !== socketIno) || !ownsPid() || identity(root, typescript) !== started) stop();
  }, Number(process.env.SYNTH_TYPECHECK_SERVER_POLL_MS) || POLL_MS).unref();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // after the launcher that started it has exited, so as not to slow its synth down
  setTimeout(() => {
    try {
      check.warm();
    } catch {
      // the first check reads what it needs
    }
  }, 0);
}

module.exports = { askServer, serverAllowed, serverPaths, startServer, createChecker, statStamp };

if (require.main === module) serve(path.resolve(process.argv[2] ?? '.'));
