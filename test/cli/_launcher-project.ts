import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '../..');

/**
 * A throwaway project laid out like this one, small enough that tsc is quick: the launcher's files
 * (src/cli/build-and-synth.js and what it requires), a runner that just loads the bundle, a library, an app, and no
 * @types/node (the app declares the globals it uses). node_modules is the repository's, linked.
 */
export function makeLauncherProject(prefix: string, sources: { readonly app: string; readonly library: string }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const put = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
  for (const sub of ['src/cli', 'imports']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  for (const name of ['build-and-synth.js', 'synth-record.js', 'tsc-cached.js', 'typecheck-server.js']) fs.copyFileSync(path.join(REPO, 'src/cli', name), path.join(dir, 'src/cli', name));
  put('src/cli/synth.ts', 'export function runBundledSynth(bundle: string): void {\n  require(bundle);\n}\n');
  put('imports/globals.ts', 'declare global {\n  const console: { log(line: string): void; error(line: string): void };\n  const process: { env: Record<string, string | undefined>; execPath: string; exit(code: number): never };\n  function require(id: string): any;\n}\nexport {};\n');
  put('src/lib.ts', sources.library);
  put('src/main.ts', sources.app);
  put('tsconfig.json', JSON.stringify({
    compilerOptions: { target: 'ES2022', lib: ['es2022'], module: 'commonjs', rootDir: '.', outDir: 'lib', strict: true, declaration: true, stripInternal: true, incremental: true, tsBuildInfoFile: 'lib/.tsbuildinfo', types: [], skipLibCheck: true },
    include: ['src/**/*.ts', 'imports/**/*.ts'],
  }));
  put('package.json', '{ "name": "launcher-test", "private": true }\n');
  put('package-lock.json', '{}\n');
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}
