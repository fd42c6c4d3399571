import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { INDEX_FILE, INDEX_FORMAT, schemaFiles, ValidatorIndex, VALIDATORS_DIR } from './precompiled';

const POD_SPEC = 'io.k8s.api.core.v1.PodSpec';

/**
 * What {@link precompileValidators} did.
 *
 * @internal
 */
export interface PrecompileResult {
  /** the folder holding the modules and their index */
  readonly dir: string;
  /** false when the validators there were already compiled from the same schemas with the same compiler */
  readonly written: boolean;
  /** how many modules the folder holds */
  readonly modules: number;
}

/**
 * Compiles the validator of every (apiVersion, kind) the vendored schemas define, ahead of time, as ajv standalone
 * code: one CommonJS module per pair (built-in kinds once per Kubernetes release, those with a pod template in one
 * module per release; identical code is written once) and an index, in `<root>/lib/validators/`. The build runs it after tsc; a synth then requires only the modules of
 * the kinds it emits. Does nothing when the index says the modules were compiled from the same schema files (sha256)
 * by the same compiler.
 *
 * @param root the folder holding `crds/`
 * @internal
 */
export function precompileValidators(root: string): PrecompileResult {
  const dir = path.join(root, VALIDATORS_DIR);
  const sources = schemaFiles(root).map((file) => {
    const data = fs.readFileSync(path.join(root, file));
    return { file, size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
  });
  const compiler = compilerHash();
  const previous = readIndex(dir);
  if (previous && previous.format === INDEX_FORMAT && previous.compiler === compiler && JSON.stringify(previous.sources) === JSON.stringify(sources)
    && modulesOf(previous).every((file) => fs.existsSync(path.join(dir, file)))) {
    return { dir, written: false, modules: fs.readdirSync(dir).filter((f) => f.endsWith('.js')).length };
  }
  // required only when there is something to compile: the check above must stay cheap for a launcher that runs it
  // before every synth
  const standaloneCode = (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default;
  const { CompilingCatalogue } = require('./schema-compiler') as typeof import('./schema-compiler');

  // written beside the final folder and renamed over it, so that no synth sees half a set
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  // the generated code requires the formats module relative to the final folder; tmp is its sibling, the same depth
  const catalogue = new CompilingCatalogue(root, { outDir: dir });
  const written = new Set<string>();
  const minify = minifier();
  const write = (kind: string, standalone: string): string => {
    const code = minify(standalone);
    const file = `${kind}.${createHash('sha256').update(code).digest('hex').slice(0, 12)}.js`;
    if (!written.has(file)) {
      fs.writeFileSync(path.join(tmp, file), code);
      written.add(file);
    }
    return file;
  };

  const inventory = catalogue.inventory();
  const releases = catalogue.releases.map((version) => {
    const kinds: Record<string, string> = {};
    // the kinds with a pod template share one module per release, so that a synth with a Deployment, a Job and a
    // CronJob loads and compiles the PodSpec's validators once
    const gvks = inventory.core.get(version) ?? [];
    const withPods = gvks.filter((gvk) => catalogue.closure(version, gvk).has(POD_SPEC));
    const ids = Object.fromEntries(withPods.map((gvk) => {
      const id = `https://kubernetes.invalid/${version}/kinds/${gvk}`;
      catalogue.ajv.addSchema(catalogue.coreSchema(version, gvk, id)!, undefined, undefined, false);
      return [gvk, id];
    }));
    const shared = write('workloads', standaloneCode(catalogue.ajv, ids));
    for (const gvk of gvks) {
      const [group, apiVersion, kind] = gvk.split('/');
      kinds[gvk] = gvk in ids ? `${shared}#${gvk}` : write(kind, standaloneCode(catalogue.ajv, catalogue.core(version, group, apiVersion, kind) as any));
    }
    return { version, kinds };
  });
  const crds: Record<string, Record<string, string>> = {};
  for (const [groupKind, versions] of inventory.crds) {
    const slash = groupKind.lastIndexOf('/');
    const [group, kind] = [groupKind.slice(0, slash), groupKind.slice(slash + 1)];
    crds[groupKind] = {};
    for (const version of versions) {
      crds[groupKind][version] = write(kind, standaloneCode(catalogue.ajv, catalogue.crd(group, version, kind) as any));
    }
  }
  const index: ValidatorIndex = { format: INDEX_FORMAT, sources, compiler, releases, crds };
  fs.writeFileSync(path.join(tmp, INDEX_FILE), JSON.stringify(index, undefined, 1) + '\n');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return { dir, written: true, modules: written.size };
}

/**
 * esbuild's minifier when it is installed (a devDependency: the build of this repository and of a git install, whose
 * `prepare` runs with devDependencies): a third less code for a synth to read. The messages are string literals,
 * which it keeps. Without it the code is written as ajv generates it.
 */
function minifier(): (code: string) => string {
  let esbuild: { transformSync(code: string, options: object): { code: string } };
  try {
    esbuild = require('esbuild');
  } catch {
    return (code) => code;
  }
  return (code) => esbuild.transformSync(code, { minify: true, format: 'cjs', target: 'node20', legalComments: 'none' }).code;
}

/** the module files an index names */
function modulesOf(index: ValidatorIndex): string[] {
  const entries = [
    ...index.releases.flatMap((r) => Object.values(r.kinds)),
    ...Object.values(index.crds).flatMap((versions) => Object.values(versions)),
  ];
  return [...new Set(entries.map((entry) => entry.split('#')[0]))];
}

function readIndex(dir: string): ValidatorIndex | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, INDEX_FILE), 'utf8'));
  } catch {
    return undefined;
  }
}

/** ajv's and ajv-formats' versions and this generator's code: what else decides the generated modules */
function compilerHash(): string {
  const hash = createHash('sha256');
  for (const pkg of ['ajv/package.json', 'ajv-formats/package.json']) {
    hash.update(`${pkg}\0${(require(pkg) as { version: string }).version}\0`);
  }
  for (const module of ['./schema-compiler', './formats', './precompiled', __filename]) {
    hash.update(fs.readFileSync(require.resolve(module.startsWith('.') ? path.join(__dirname, module) : module)));
  }
  return hash.digest('hex');
}

if (require.main === module) {
  // `node lib/src/gate/precompile.js [root]`: the build step (package.json `prepare`, `npm run build`)
  const start = process.hrtime.bigint();
  const result = precompileValidators(path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..', '..')));
  const ms = Math.round(Number(process.hrtime.bigint() - start) / 1e6);
  process.stdout.write(result.written
    ? `precompiled ${result.modules} schema validators into ${path.relative(process.cwd(), result.dir) || '.'} (${ms} ms)\n`
    : `schema validators up to date (${result.modules} modules, ${ms} ms)\n`);
}
