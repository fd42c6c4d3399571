import * as fs from 'node:fs';
import * as path from 'node:path';
import * as pkg from '../src';

// What the package exposes at runtime (src/index.ts, the `main` of lib/) against what its sources declare public:
// `stripInternal` drops @internal symbols from the .d.ts only, so an `export *` barrel still hands them to every
// JavaScript caller, and a consumer can come to depend on them. Reading the sources keeps this test cheap (no pack).

const SRC = path.resolve(__dirname, '..', 'src');

/** An exported value (class, function, const, enum) as written in a source file. */
interface Declaration {
  readonly file: string;
  readonly name: string;
  readonly internal: boolean;
}

/** Files that are internal by their name: `_internal/`, a leading underscore, or a rule set beside its construct. */
const INTERNAL_FILE = /(^|\/)_|-rules\.ts$/;

/** The one public symbol of src/_internal: the library's error class. */
const PUBLIC_FROM_INTERNAL = ['ValidationError'];

function sourceFiles(): string[] {
  return (fs.readdirSync(SRC, { recursive: true, encoding: 'utf8' }) as string[])
    .map(f => f.split(path.sep).join('/'))
    .filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts'));
}

/** Every exported value declaration of every source file, with whether its own doc comment says `@internal`. */
function declarations(): Declaration[] {
  const found: Declaration[] = [];
  // declarations, and the re-exports that rename a generated L1 enum (`export { CertificateSpecUsages as KeyUsage };`)
  const exported = /^export (?:(?:declare )?(?:abstract )?(?:class|function|const|let|enum) (\w+)|\{ \w+ as (\w+) \})/gm;
  for (const file of sourceFiles()) {
    const text = fs.readFileSync(path.join(SRC, file), 'utf8');
    for (const m of text.matchAll(exported)) {
      const before = text.slice(0, m.index);
      const doc = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*$/.exec(before);
      found.push({ file, name: m[1] ?? m[2], internal: doc !== null && /@internal\b/.test(doc[1]) });
    }
  }
  return found;
}

/** Every value the package exports at runtime, as `name` or `namespace.name`. */
function runtimeExports(): Map<string, unknown> {
  const namespaces = [...fs.readFileSync(path.join(SRC, 'index.ts'), 'utf8').matchAll(/^export \* as (\w+) from/gm)].map(m => m[1]);
  const all = new Map<string, unknown>();
  for (const [key, value] of Object.entries(pkg)) {
    if (namespaces.includes(key)) for (const [name, v] of Object.entries(value as object)) all.set(`${key}.${name}`, v);
    else all.set(key, value);
  }
  return all;
}

/** The declaration a runtime export is: same name, and the module that declares it holds the very same value. */
function declarationOf(name: string, value: unknown, all: Declaration[]): Declaration | undefined {
  return all.find(d => d.name === name && require(path.join(SRC, d.file))[name] === value);
}

describe('the package\'s runtime exports are its public API', () => {
  const all = declarations();
  const runtime = runtimeExports();

  test('finds the declarations it checks (the scan itself works)', () => {
    expect(all.find(d => d.file === 'linkerd/control-plane.ts' && d.name === 'LinkerdControlPlane')?.internal).toBe(false);
    expect(all.find(d => d.file === 'linkerd/identity.ts' && d.name === 'IDENTITY_ISSUER_SECRET')?.internal).toBe(true);
    expect(runtime.get('linkerd.LinkerdControlPlane')).toBeDefined();
    expect(runtime.size).toBeGreaterThan(80);
  });

  test('nothing @internal and nothing from an internal file is reachable through the package\'s exports', () => {
    const leaks: string[] = [];
    for (const [key, value] of runtime) {
      const name = key.split('.').pop()!;
      const declaration = declarationOf(name, value, all);
      if (declaration === undefined) {
        leaks.push(`${key}: no exported declaration in src holds this value`);
      } else if (declaration.internal) {
        leaks.push(`${key}: @internal in src/${declaration.file}`);
      } else if (INTERNAL_FILE.test(declaration.file) && !(key === name && PUBLIC_FROM_INTERNAL.includes(name))) {
        leaks.push(`${key}: declared in the internal file src/${declaration.file}`);
      }
    }
    expect(leaks).toStrictEqual([]);
  });

  test('no barrel mentions the internal tag: stripInternal drops the export after any comment holding it from the .d.ts', () => {
    const barrels = sourceFiles().filter(f => f === 'index.ts' || f.endsWith('/index.ts'));
    expect(barrels.filter(f => fs.readFileSync(path.join(SRC, f), 'utf8').includes('@internal'))).toStrictEqual([]);
  });

  test('every public value of a public source file is reachable (a named barrel forgets nothing)', () => {
    const barrels = new Set(['cert-manager', 'trust-manager', 'linkerd', 'argocd', 'viz', 'mesh', 'traffic', 'delivery', 'synth']);
    const reachable = new Set(runtime.values());
    const missing = all
      .filter(d => !d.internal && !INTERNAL_FILE.test(d.file) && !d.file.endsWith('/index.ts'))
      .filter(d => barrels.has(d.file.split('/')[0]) ? d.file.split('/').length === 2 : d.file === 'platform.ts')
      .filter(d => !reachable.has(require(path.join(SRC, d.file))[d.name]))
      .map(d => `src/${d.file}: ${d.name}`);
    expect(missing).toStrictEqual([]);
  });
});
