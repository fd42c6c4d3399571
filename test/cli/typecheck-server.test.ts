import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeLauncherProject } from './_launcher-project';

// the launcher's type-check server (src/cli/typecheck-server.js) and the app's bundle apart from the library's
// (src/cli/build-and-synth.js), in a throwaway project laid out like this one; every server started is killed.
// Tests share the running server unless they need none (a server's start is most of a test's time); each leaves the
// project as it found it.
jest.setTimeout(240_000);

const REPO = path.resolve(__dirname, '../..');
const TSC = path.join(REPO, 'node_modules/typescript/bin/tsc');
const server = require(path.join(REPO, 'src/cli/typecheck-server.js')) as {
  askServer(root: string, request: { tty: boolean; noColor: boolean }, timeoutMs?: number): Promise<{ output: string; exitCode: number } | undefined>;
  startServer(root: string, env?: NodeJS.ProcessEnv): void;
};

const APP = [
  'import { shout } from \'./lib\';',
  'const fs = require(\'node:fs\');',
  'const outdir: string = process.env.CDK8S_OUTDIR ?? \'dist\';',
  'fs.rmSync(outdir, { recursive: true, force: true });',
  'fs.mkdirSync(outdir);',
  'fs.writeFileSync(`${outdir}/out.txt`, shout(\'hello\'));',
  'console.log(`synthesized ${fs.readFileSync(`${outdir}/out.txt`, \'utf8\')}`);',
  '',
].join('\n');
const LIBRARY = 'export function shout(text: string): string {\n  return text.toUpperCase();\n}\n';

let project: string;
const file = (name: string) => path.join(project, name);
const write = (name: string, text: string) => fs.writeFileSync(file(name), text);
const pidFile = () => file('lib/.app-check/server/server.pid');
const socket = () => file('lib/.app-check/server/tsc.sock');

function makeProject(): string {
  return makeLauncherProject('typecheck-server-test-', { app: APP, library: LIBRARY });
}

const cleanEnv = (env: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['CI', 'SYNTH_TYPECHECK_SERVER', 'SYNTH_TYPECHECK_SERVER_IDLE_MS', 'CDK8S_OUTDIR', 'SYNTH_FORCE', 'NO_COLOR']) delete base[name];
  // every server, started here or by a launcher, looks for a removed socket or a changed config every 100 ms, not 2 s
  return { ...base, SYNTH_TYPECHECK_SERVER_POLL_MS: '100', ...env };
};
const launch = (env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [file('src/cli/build-and-synth.js')], { cwd: project, encoding: 'utf8', env: cleanEnv(env) });
/** `tsc -p lib/.app-check/tsconfig.app.json`, cold, as the launcher ran it before the server. */
const coldTsc = (...args: string[]) => spawnSync(process.execPath, [TSC, '-p', 'lib/.app-check/tsconfig.app.json', ...args], { cwd: project, encoding: 'utf8', env: cleanEnv() });

function serverPid(): number | undefined {
  try {
    return Number(fs.readFileSync(pidFile(), 'utf8'));
  } catch {
    return undefined;
  }
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

/** Waits for the project's server to answer (its first check, after it read the program). */
async function ready(): Promise<number> {
  await until(async () => (await server.askServer(project, { tty: false, noColor: false })) !== undefined, 'the server to answer');
  return serverPid()!;
}

/** The project's server, answering: the one running, or a new one. */
async function serverUp(): Promise<number> {
  if (!alive(serverPid())) server.startServer(project, cleanEnv());
  return ready();
}

const killed: number[] = [];
function killServer(): void {
  const pid = serverPid();
  if (alive(pid)) {
    process.kill(pid!, 'SIGKILL');
    killed.push(pid!);
  }
  fs.rmSync(file('lib/.app-check/server'), { recursive: true, force: true });
}

/** Sends raw bytes to the server; resolves to what it answered before closing. */
function raw(text: string): Promise<string> {
  return new Promise(resolve => {
    let answer = '';
    const connection = net.createConnection(socket());
    connection.setEncoding('utf8');
    connection.on('connect', () => connection.write(text));
    connection.on('data', chunk => { answer += chunk; });
    connection.on('error', () => resolve(answer));
    connection.on('close', () => resolve(answer));
  });
}

/**
 * An environment in which the cold type check (src/cli/tsc-cached.js, in a child process) fails loudly, the rest
 * unchanged: a synth that passes in it had its check from the server.
 */
function coldCheckFails(): string {
  const preload = path.join(project, 'cold-check-fails.js');
  fs.writeFileSync(preload, 'if (process.argv[1] && process.argv[1].endsWith(\'tsc-cached.js\')) {\n  process.stdout.write(\'cold check\\n\');\n  process.exit(99);\n}\n');
  return preload;
}

/**
 * A preload that records, in the launcher itself, each server it starts (typecheck-server.js takes `spawn` from
 * node:child_process when it is loaded, after this): written before the launcher exits, so that "none was started"
 * needs no wait for a server that would have written its pid file later.
 */
const starts = () => file('server-starts.txt');
function recordStarts(): string {
  const preload = path.join(project, 'record-starts.js');
  fs.writeFileSync(preload, [
    'const childProcess = require(\'node:child_process\');',
    'const spawn = childProcess.spawn;',
    `childProcess.spawn = (command, args, ...rest) => {`,
    `  if ((args ?? []).some(arg => String(arg).endsWith('typecheck-server.js'))) require('node:fs').appendFileSync(${JSON.stringify(starts())}, 'started\\n');`,
    '  return spawn(command, args, ...rest);',
    '};',
    '',
  ].join('\n'));
  fs.rmSync(starts(), { force: true });
  return preload;
}

/** NODE_OPTIONS that load the given preloads in the launcher and its children. */
const preloads = (...files: string[]) => ({ NODE_OPTIONS: files.map(f => `--require ${f}`).join(' ') });

beforeAll(() => {
  project = makeProject();
  // the first synth builds everything; the first edit to src/main.ts alone builds the library's declarations beside
  // the whole project, and starts a server for the next
  expect(launch().status).toBe(0);
  write('src/main.ts', `${APP}// first edit\n`);
  expect(launch().status).toBe(0);
});

afterAll(async () => {
  killServer();
  fs.rmSync(project, { recursive: true, force: true });
  await until(() => killed.every(pid => !alive(pid)), 'the killed servers to be gone', 10_000);
});

describe('the type-check server answers as tsc -p lib/.app-check/tsconfig.app.json does', () => {
  test('the synth that built the library\'s declarations started it, detached, in a folder only its owner can enter', async () => {
    const pid = await ready();
    expect(alive(pid)).toBe(true);
    expect(fs.statSync(file('lib/.app-check/server')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(socket()).isSocket()).toBe(true);
    expect(fs.statSync(pidFile()).mode & 0o077).toBe(0);
  });

  test('the same output and exit code as a cold tsc: no error, a type error, and pretty for a terminal', async () => {
    await serverUp();
    const same = async (pretty: boolean) => {
      const cold = coldTsc(...(pretty ? ['--pretty'] : []));
      const warm = await server.askServer(project, { tty: pretty, noColor: false });
      expect(warm).toStrictEqual({ output: cold.stdout, exitCode: cold.status });
      return warm!;
    };
    expect(await same(false)).toStrictEqual({ output: '', exitCode: 0 });
    write('src/main.ts', APP.replace('const outdir: string', 'const outdir: number'));
    const failed = await same(false);
    expect(failed.exitCode).toBe(2);
    expect(failed.output).toContain('src/main.ts(3,7): error TS2322: Type \'string\' is not assignable to type \'number\'.');
    const pretty = await same(true);
    expect(pretty.output).toContain('\u001b[');
    expect(pretty.output).toContain('Found 1 error in src/main.ts');
    // NO_COLOR turns a terminal's pretty output off, as in tsc
    expect(await server.askServer(project, { tty: true, noColor: true })).toStrictEqual(failed);
    write('src/main.ts', APP);
    expect(await same(false)).toStrictEqual({ output: '', exitCode: 0 });
  });

  test('a changed declaration is read again: the kept source files are keyed by their stat', async () => {
    await serverUp();
    const declaration = file('lib/.app-types/src/lib.d.ts');
    const original = fs.readFileSync(declaration, 'utf8');
    try {
      fs.writeFileSync(declaration, original.replace('(text: string)', '(text: number)'));
      const answer = await server.askServer(project, { tty: false, noColor: false });
      expect(answer?.exitCode).toBe(2);
      expect(answer?.output).toContain('error TS2345: Argument of type \'string\' is not assignable to parameter of type \'number\'.');
      const cold = coldTsc();
      expect(answer).toStrictEqual({ output: cold.stdout, exitCode: cold.status });
    } finally {
      fs.writeFileSync(declaration, original);
    }
    expect(await server.askServer(project, { tty: false, noColor: false })).toStrictEqual({ output: '', exitCode: 0 });
  });

  test('emits lib/src/main.js as the app-only tsc does', async () => {
    await serverUp();
    write('src/main.ts', APP.replace('\'hello\'', '\'emitted\''));
    expect(await server.askServer(project, { tty: false, noColor: false })).toStrictEqual({ output: '', exitCode: 0 });
    expect(fs.readFileSync(file('lib/src/main.js'), 'utf8')).toContain('\'emitted\'');
    write('src/main.ts', APP);
  });
});

describe('npm run synth asks the server', () => {
  test('after an edit to src/main.ts, the check is the server\'s: the synth passes with the cold check broken', async () => {
    await serverUp();
    write('src/main.ts', APP.replace('\'hello\'', '\'warm\''));
    const synth = launch(preloads(coldCheckFails()));
    expect({ status: synth.status, stdout: synth.stdout }).toStrictEqual({ status: 0, stdout: 'synthesized WARM\n' });
    write('src/main.ts', APP);
  });

  test('a type error fails the synth with tsc\'s message and exit code, prints nothing of the synth, leaves dist/ as it was', async () => {
    write('src/main.ts', APP);
    expect(launch().status).toBe(0);
    await serverUp();
    const before = fs.readFileSync(file('dist/out.txt'), 'utf8');
    try {
      write('src/main.ts', APP.replace('const outdir: string', 'const outdir: number').replace('\'hello\'', '\'broken\''));
      const failed = launch(preloads(coldCheckFails()));
      expect(failed.status).toBe(2);
      expect(failed.stdout).toBe('src/main.ts(3,7): error TS2322: Type \'string\' is not assignable to type \'number\'.\n');
      expect(failed.stderr).toBe('');
      expect(fs.readFileSync(file('dist/out.txt'), 'utf8')).toBe(before);
    } finally {
      write('src/main.ts', APP);
    }
  });

  test('with no server, the cold check runs and a server is started for the next synth', async () => {
    killServer();
    expect(serverPid()).toBeUndefined();
    write('src/main.ts', APP.replace('\'hello\'', '\'cold\''));
    expect(launch(preloads(recordStarts())).stdout).toBe('synthesized COLD\n');
    // what the next test relies on to see that none was started
    expect(fs.readFileSync(starts(), 'utf8')).toBe('started\n');
    await ready();
    write('src/main.ts', APP);
  });

  test('never a server when CI is set or SYNTH_TYPECHECK_SERVER=0: the cold check runs and none is started', async () => {
    const envs = [{ CI: 'true' }, { SYNTH_TYPECHECK_SERVER: '0' }] as Record<string, string>[];
    // a server that would answer is not asked
    const pid = await serverUp();
    for (const env of envs) {
      write('src/main.ts', APP.replace('\'hello\'', `'${Object.keys(env)[0]}'`));
      const synth = launch({ ...env, ...preloads(coldCheckFails()) });
      expect({ status: synth.status, stdout: synth.stdout }).toStrictEqual({ status: 99, stdout: 'cold check\n' });
    }
    expect(serverPid()).toBe(pid);
    // with none running, none is started
    killServer();
    for (const env of envs) {
      write('src/main.ts', APP.replace('\'hello\'', `'${Object.keys(env)[0]} again'`));
      expect(launch({ ...env, ...preloads(recordStarts()) }).status).toBe(0);
      expect(fs.existsSync(starts())).toBe(false);
      expect(serverPid()).toBeUndefined();
    }
    write('src/main.ts', APP);
  });
});

describe('the server\'s life', () => {
  test('one per project: a second one leaves the first in place', async () => {
    const first = await serverUp();
    const second = spawnSync(process.execPath, [file('src/cli/typecheck-server.js'), project], { cwd: project, encoding: 'utf8', timeout: 30_000 });
    expect(second.status).toBe(0);
    expect(serverPid()).toBe(first);
    expect(alive(first)).toBe(true);
  });

  test('a request is two booleans: anything else is refused, and no request names a file', async () => {
    await serverUp();
    expect(JSON.parse(await raw('{"protocol":1,"tty":"yes","noColor":false}\n'))).toStrictEqual({ fallback: 'a client of another protocol' });
    expect(await raw('not json\n')).toBe('');
    expect(await raw(`${'x'.repeat(4096)}`)).toBe('');
    // fields the protocol does not have are ignored: the server checks its own project's app config only
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'typecheck-server-elsewhere-'));
    try {
      const answer = JSON.parse(await raw(`${JSON.stringify({ protocol: 1, tty: false, noColor: false, project: elsewhere, config: '/etc/passwd' })}\n`));
      expect(answer).toStrictEqual({ output: '', exitCode: 0 });
      expect(fs.readdirSync(elsewhere)).toStrictEqual([]);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  test('a client does not ask a socket in a folder others can enter: its answer could be anyone\'s', async () => {
    await serverUp();
    fs.chmodSync(file('lib/.app-check/server'), 0o755);
    expect(await server.askServer(project, { tty: false, noColor: false })).toBeUndefined();
    fs.chmodSync(file('lib/.app-check/server'), 0o700);
    expect(await server.askServer(project, { tty: false, noColor: false })).toStrictEqual({ output: '', exitCode: 0 });
  });

  test('exits when its config changes, answering that request with a fall-back', async () => {
    const pid = await serverUp();
    const config = file('lib/.app-check/tsconfig.app.json');
    fs.utimesSync(config, new Date(), new Date(Date.now() + 5000));
    expect(await server.askServer(project, { tty: false, noColor: false })).toBeUndefined();
    await until(() => !alive(pid), 'the server to exit');
    expect(fs.existsSync(socket())).toBe(false);
    expect(fs.existsSync(pidFile())).toBe(false);
  });

  test('exits when its socket is removed (rm -rf lib), and after being idle', async () => {
    let pid = await serverUp();
    fs.rmSync(socket());
    await until(() => !alive(pid), 'the server to exit');
    killServer();
    server.startServer(project, cleanEnv({ SYNTH_TYPECHECK_SERVER_IDLE_MS: '1500' }));
    pid = await ready();
    await until(() => !alive(pid), 'the idle server to exit', 20_000);
    expect(fs.existsSync(pidFile())).toBe(false);
  });
});

describe('the app\'s bundle apart from the library\'s', () => {
  test('an edit to src/main.ts rebundles the app alone: the library\'s bundle and its stamp stay as they were', () => {
    write('src/main.ts', APP);
    expect(launch({ SYNTH_TYPECHECK_SERVER: '0' }).status).toBe(0);
    const library = fs.statSync(file('lib/synth/library.js'));
    expect(fs.readFileSync(file('lib/synth/main.js'), 'utf8')).toMatch(/^\/\/ app bundle: its imports are in \.\/library\.js\n/);
    expect(JSON.parse(fs.readFileSync(file('lib/synth/library.json'), 'utf8')).specifiers).toStrictEqual(['./lib']);
    write('src/main.ts', APP.replace('\'hello\'', '\'split\''));
    expect(launch({ SYNTH_TYPECHECK_SERVER: '0' }).stdout).toBe('synthesized SPLIT\n');
    const after = fs.statSync(file('lib/synth/library.js'));
    expect({ ino: after.ino, mtimeMs: after.mtimeMs }).toStrictEqual({ ino: library.ino, mtimeMs: library.mtimeMs });
    // an edit to the library rebundles it
    write('src/lib.ts', LIBRARY.replace('toUpperCase()', 'toUpperCase() + \'!\''));
    expect(launch({ SYNTH_TYPECHECK_SERVER: '0' }).stdout).toBe('synthesized SPLIT!\n');
    expect(fs.readFileSync(file('lib/synth/library.js'), 'utf8')).toContain('!');
    write('src/lib.ts', LIBRARY);
    write('src/main.ts', APP);
    expect(launch({ SYNTH_TYPECHECK_SERVER: '0' }).stdout).toBe('synthesized HELLO\n');
  });
});
