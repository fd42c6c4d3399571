// @ts-check
'use strict';
/**
 * What a synth read, recorded while it runs, so that `npm run synth` can skip the next one when none of it changed
 * (src/cli/build-and-synth.js). Plain JavaScript: it runs before anything is compiled.
 *
 * Tracked, by patching the process while the synth runs:
 * - environment variables: every name read through `process.env` (a Proxy), with its value; enumerating the
 *   environment (`{ ...process.env }`) makes the whole environment an input;
 * - files and folders outside node_modules/ and the build folder lib/ (which the build-input hash covers): contents
 *   read (`readFileSync`, `openSync`, streams, `fs.promises`), listings (`readdirSync`, recursive too), existence and
 *   stat results; a read that follows the synth's own write of that path (its staging folder) is its own output, not an
 *   input;
 * - what it wrote: every path it wrote that still exists at exit (dist/), as a fingerprint of the whole tree, so an
 *   edited, added or removed output file makes the next synth run again;
 * - what it printed (stdout and stderr, in order), replayed when the synth is skipped.
 * Not trackable, so such a synth is never skipped: a consumed reading of the clock (`Date.now()`, `Date()`, or using
 * the value of a `new Date()`: a PEM trust anchor's expiry check), child processes, worker threads, network
 * connections, DNS, stdin or an fd it did not open through a tracked call, and the machine's varying state (`os.cpus()`,
 * `os.loadavg()`, free memory, uptime, network interfaces). Randomness (bcrypt salts) is not an input: a skip keeps
 * one valid outcome, the one on disk.
 *
 * Environment values are stored only as one salted SHA-256 digest, in a file readable by its owner only.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const FORMAT = 1;

/** The originals, captured before any patching: the fingerprints must not record themselves. */
const real = {
  readFileSync: fs.readFileSync, readdirSync: fs.readdirSync, lstatSync: fs.lstatSync, statSync: fs.statSync, readlinkSync: fs.readlinkSync,
};

function sha256(data) {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/**
 * A path's fingerprint for one kind of access, computed the same way when recording and when checking:
 * `content` (bytes), `listing` (names and types), `tree` (every descendant's name, type and content), `stat` (type,
 * size, mtime), `exists`, `link` (a symbolic link's target).
 */
function fingerprint(kind, file) {
  let stat;
  try {
    stat = real.lstatSync(file);
  } catch {
    return 'missing';
  }
  switch (kind) {
    case 'exists': return 'exists';
    case 'link': return stat.isSymbolicLink() ? `link:${real.readlinkSync(file)}` : 'not-a-link';
    case 'stat': {
      let target = stat;
      try {
        target = real.statSync(file);
      } catch {
        // a dangling link: its own stat
      }
      return `${typeOf(target)}:${target.size}:${target.mtimeMs}`;
    }
    case 'content': {
      try {
        return `file:${sha256(real.readFileSync(file))}`;
      } catch {
        return typeOf(stat);
      }
    }
    case 'listing': {
      try {
        return `dir:${sha256(real.readdirSync(file, { withFileTypes: true }).map(e => `${e.name}\0${typeOf(e)}`).sort().join('\0'))}`;
      } catch {
        return typeOf(stat);
      }
    }
    case 'tree': return `tree:${sha256(tree(file, stat))}`;
    default: throw new Error(`unknown fingerprint kind ${kind}`);
  }
}

function typeOf(entry) {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'dir';
  if (entry.isSymbolicLink()) return 'link';
  return 'other';
}

/** Every name under `file` with its type and content, sorted. */
function tree(file, stat = real.lstatSync(file)) {
  if (stat.isSymbolicLink()) return `link:${real.readlinkSync(file)}`;
  if (!stat.isDirectory()) return stat.isFile() ? `file:${sha256(real.readFileSync(file))}` : typeOf(stat);
  return real.readdirSync(file).sort().map(name => `${name}\0${tree(path.join(file, name))}\0`).join('');
}

/**
 * Starts recording what the process reads. `ignore(absolutePath)` names paths that are not inputs (the build folder);
 * `passThrough` false holds what the synth prints instead of writing it (it is printed by `flush()`).
 */
function startRecording({ ignore, passThrough = true }) {
  const restores = [];
  const patch = (object, name, wrap) => {
    const original = object[name];
    if (typeof original !== 'function') return;
    object[name] = wrap(original);
    restores.push(() => { object[name] = original; });
  };
  const state = {
    untracked: /** @type {string | undefined} */ (undefined),
    envNames: new Map(), // name → value at first read
    envWritten: new Set(),
    envAll: false,
    reads: new Map(), // `${kind}\0${path}` → fingerprint
    written: new Set(),
    openFds: new Set(),
    output: /** @type {[number, string][]} */ ([]),
  };
  const untracked = reason => { state.untracked ??= reason; };

  const toPath = p => {
    if (typeof p === 'string') return path.resolve(p);
    if (Buffer.isBuffer(p)) return path.resolve(p.toString());
    if (p instanceof URL) return p.protocol === 'file:' ? path.resolve(require('node:url').fileURLToPath(p)) : undefined;
    return undefined;
  };
  const isOwn = file => {
    for (let p = file; ; p = path.dirname(p)) {
      if (state.written.has(p)) return true;
      if (path.dirname(p) === p) return false;
    }
  };
  // a fingerprint's own reads go through the patched fs too (Node's readFileSync opens through fs.openSync): they are
  // not the synth's, and taking them for its reads would fingerprint the file again, once per stack frame
  let fingerprinting = false;
  const read = (kind, p) => {
    if (fingerprinting) return;
    if (typeof p === 'number') {
      if (!state.openFds.has(p)) untracked(`a read of fd ${p}, which the synth did not open by a path`);
      return;
    }
    const file = toPath(p);
    if (file === undefined || ignore(file) || isOwn(file)) return;
    if (file.startsWith('/dev/') || file.startsWith('/proc/')) return untracked(`a read of ${file}`);
    const key = `${kind}\0${file}`;
    if (state.reads.has(key)) return;
    fingerprinting = true;
    try {
      state.reads.set(key, fingerprint(kind, file));
    } finally {
      fingerprinting = false;
    }
  };
  const wrote = p => {
    const file = toPath(p);
    if (file !== undefined) state.written.add(file);
  };
  const readFirst = kind => original => function (p, ...rest) {
    read(kind === 'listing' && rest[0]?.recursive ? 'tree' : kind, p);
    return original.call(this, p, ...rest);
  };
  const writeFirst = original => function (p, ...rest) {
    wrote(p);
    return original.call(this, p, ...rest);
  };
  const isWriteFlag = flags => flags !== undefined && !(flags === 'r' || flags === 'rs' || flags === 'sr' || flags === 0);
  const open = original => function (p, flags, ...rest) {
    if (isWriteFlag(flags)) {
      if (/\+/.test(String(flags))) read('content', p);
      wrote(p);
    } else read('content', p);
    const result = original.call(this, p, flags, ...rest);
    if (typeof result === 'number') state.openFds.add(result);
    return result;
  };

  const READS = {
    readFile: 'content', readdir: 'listing', opendir: 'listing', exists: 'exists', access: 'exists', stat: 'stat', lstat: 'stat',
    realpath: 'stat', readlink: 'link', createReadStream: 'content', statfs: 'exists',
  };
  const WRITES = ['writeFile', 'appendFile', 'mkdir', 'rm', 'rmdir', 'unlink', 'truncate', 'utimes', 'lutimes', 'chmod', 'lchmod', 'chown', 'lchown', 'createWriteStream'];
  const patchFs = (object, sync) => {
    for (const [name, kind] of Object.entries(READS)) {
      const native = name === 'realpath' ? object[`realpath${sync}`]?.native : undefined;
      patch(object, `${name}${sync}`, readFirst(kind));
      // fs.realpathSync.native and fs.realpath.native hang off the function just replaced
      if (typeof native === 'function') object[`realpath${sync}`].native = readFirst(kind)(native);
    }
    for (const name of WRITES) patch(object, `${name}${sync}`, writeFirst);
    patch(object, `open${sync}`, open);
    for (const name of ['rename', 'symlink', 'link', 'copyFile', 'cp']) {
      patch(object, `${name}${sync}`, original => function (from, to, ...rest) {
        if (name === 'rename') wrote(from);
        else if (name === 'copyFile' || name === 'cp' || name === 'link') read(name === 'cp' ? 'tree' : 'content', from);
        wrote(to);
        return original.call(this, from, to, ...rest);
      });
    }
    patch(object, `mkdtemp${sync}`, original => function (...args) {
      const result = original.apply(this, args);
      if (typeof result === 'string') wrote(result);
      else if (result && typeof result.then === 'function') result.then(wrote, () => undefined);
      return result;
    });
  };
  patchFs(fs, 'Sync');
  patchFs(fs, '');
  patchFs(fs.promises, '');
  // the synchronous fd readers: an fd from a tracked open is fine, any other (stdin) is not
  for (const name of ['readSync', 'read', 'readvSync', 'readv', 'fstatSync', 'fstat']) {
    patch(fs, name, original => function (fd, ...rest) {
      read('content', fd);
      return original.call(this, fd, ...rest);
    });
  }

  const env = process.env;
  process.env = new Proxy(env, {
    get(target, name) {
      if (typeof name === 'string' && !state.envWritten.has(name) && !state.envNames.has(name)) state.envNames.set(name, target[name]);
      return target[name];
    },
    has(target, name) {
      if (typeof name === 'string' && !state.envWritten.has(name) && !state.envNames.has(name)) state.envNames.set(name, target[name]);
      return name in target;
    },
    getOwnPropertyDescriptor(target, name) {
      if (typeof name === 'string' && !state.envWritten.has(name) && !state.envNames.has(name)) state.envNames.set(name, target[name]);
      return Reflect.getOwnPropertyDescriptor(target, name);
    },
    ownKeys(target) {
      state.envAll = true;
      return Reflect.ownKeys(target);
    },
    set(target, name, value) {
      if (typeof name === 'string') state.envWritten.add(name);
      target[name] = value;
      return true;
    },
    deleteProperty(target, name) {
      if (typeof name === 'string') state.envWritten.add(name);
      delete target[name];
      return true;
    },
  });
  restores.push(() => { process.env = env; });

  const RealDate = Date;
  const nowDates = new WeakSet();
  const clock = () => untracked('a reading of the clock');
  /** @type {any} */
  const TrackedDate = function (...args) {
    if (!new.target) {
      clock();
      return RealDate();
    }
    const date = Reflect.construct(RealDate, args, new.target);
    if (args.length === 0 || args.some(a => typeof a === 'object' && a !== null && nowDates.has(a))) nowDates.add(date);
    return date;
  };
  TrackedDate.prototype = Object.create(RealDate.prototype);
  for (const key of Reflect.ownKeys(RealDate.prototype)) {
    const method = RealDate.prototype[key];
    if (key === 'constructor' || typeof method !== 'function') continue;
    Object.defineProperty(TrackedDate.prototype, key, {
      configurable: true, writable: true,
      value: { [key]: function (...args) { if (nowDates.has(this)) clock(); return method.apply(this, args); } }[key],
    });
  }
  Object.defineProperty(TrackedDate.prototype, 'constructor', { value: TrackedDate, configurable: true, writable: true });
  Object.setPrototypeOf(TrackedDate, RealDate);
  TrackedDate.now = () => { clock(); return RealDate.now(); };
  Object.defineProperty(TrackedDate, Symbol.hasInstance, { value: x => x instanceof RealDate });
  globalThis.Date = TrackedDate;
  restores.push(() => { globalThis.Date = RealDate; });

  const childProcess = require('node:child_process');
  for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
    patch(childProcess, name, original => function (...args) { untracked(`child_process.${name}`); return original.apply(this, args); });
  }
  const workerThreads = require('node:worker_threads');
  patch(workerThreads, 'Worker', Original => new Proxy(Original, { construct(target, args, newTarget) { untracked('a worker thread'); return Reflect.construct(target, args, newTarget); } }));
  const net = require('node:net');
  patch(net.Socket.prototype, 'connect', original => function (...args) { untracked('a network connection'); return original.apply(this, args); });
  const dns = require('node:dns');
  for (const name of ['lookup', 'resolve', 'resolve4', 'resolve6']) patch(dns, name, original => function (...args) { untracked('a DNS lookup'); return original.apply(this, args); });
  patch(globalThis, 'fetch', original => function (...args) { untracked('fetch'); return original.apply(this, args); });
  for (const name of ['cpus', 'loadavg', 'freemem', 'totalmem', 'uptime', 'networkInterfaces', 'availableParallelism']) {
    patch(os, name, original => function (...args) { untracked(`os.${name}()`); return original.apply(this, args); });
  }
  const stdin = Object.getOwnPropertyDescriptor(process, 'stdin');
  if (stdin?.get && stdin.configurable) {
    Object.defineProperty(process, 'stdin', { ...stdin, get() { untracked('process.stdin'); return stdin.get.call(this); } });
    restores.push(() => Object.defineProperty(process, 'stdin', stdin));
  }
  // the machine's stable identity is an input by value
  const osValues = new Map();
  for (const name of ['hostname', 'homedir', 'tmpdir', 'userInfo', 'release', 'version', 'type', 'machine', 'platform', 'arch']) {
    patch(os, name, original => function (...args) {
      const result = original.apply(this, args);
      if (!osValues.has(name)) osValues.set(name, JSON.stringify(result));
      return result;
    });
  }

  for (const [fd, stream] of [[1, process.stdout], [2, process.stderr]]) {
    patch(stream, 'write', original => function (chunk, encoding, callback) {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8');
      state.output.push([fd, text]);
      if (passThrough) return original.call(this, chunk, encoding, callback);
      if (typeof encoding === 'function') encoding();
      else if (typeof callback === 'function') callback();
      return true;
    });
  }

  return {
    /** Undoes every patch (the launcher's own work after the synth is not the synth's). */
    stop() {
      while (restores.length > 0) restores.pop()();
    },
    /** Why the synth cannot be skipped next time, or undefined. */
    get untracked() {
      return state.untracked;
    },
    /** Writes what was held back (with `passThrough` false). */
    flush() {
      for (const [fd, text] of state.output) (fd === 1 ? process.stdout : process.stderr).write(text);
    },
    /** The record of this synth, to be written after it succeeded; `key` identifies the build and the platform. */
    record(key) {
      const salt = crypto.randomBytes(16).toString('hex');
      const names = [...state.envNames.keys()].sort();
      const outputs = [...state.written]
        .filter(file => !ignore(file) && ![...state.written].some(other => other !== file && file.startsWith(`${other}${path.sep}`)))
        .sort()
        .map(file => [file, fingerprint('tree', file)]);
      return {
        format: FORMAT,
        key,
        env: { all: state.envAll, names, salt, digest: envDigest(salt, state.envAll ? undefined : names, name => state.envNames.get(name)) },
        os: Object.fromEntries([...osValues].sort()),
        reads: [...state.reads].sort().map(([k, fp]) => [...k.split('\0'), fp]),
        outputs,
        output: state.output,
      };
    },
  };
}

/** One digest of the environment variables' names and values (all of them when `names` is undefined). */
function envDigest(salt, names, value) {
  const hash = crypto.createHash('sha256').update(salt);
  for (const name of names ?? Object.keys(process.env).sort()) {
    const v = names === undefined ? process.env[name] : value(name);
    hash.update(`${name}\0${v === undefined ? '\u0001' : `=${v}`}\0`);
  }
  return hash.digest('hex');
}

/** Why the recorded synth must run again (a sentence), or undefined when nothing it read or wrote changed. */
function staleReason(record, key) {
  if (record?.format !== FORMAT) return 'no record of a successful synth';
  if (JSON.stringify(record.key) !== JSON.stringify(key)) return 'the build, Node version or command changed';
  const { env } = record;
  if (envDigest(env.salt, env.all ? undefined : env.names, name => process.env[name]) !== env.digest) return 'an environment variable it read changed';
  for (const [name, value] of Object.entries(record.os)) {
    if (JSON.stringify(os[name]()) !== value) return `os.${name}() changed`;
  }
  for (const [kind, file, fp] of record.reads) {
    if (fingerprint(kind, file) !== fp) return `${file} changed`;
  }
  for (const [file, fp] of record.outputs) {
    if (fingerprint('tree', file) !== fp) return `${file} is not what the last synth wrote`;
  }
  return undefined;
}

/** Prints what the recorded synth printed, in its order. */
function replay(record) {
  for (const [fd, text] of record.output) (fd === 1 ? process.stdout : process.stderr).write(text);
}

module.exports = { startRecording, staleReason, replay, fingerprint };
