import { createHash } from 'crypto';
import * as fs from 'fs';
import { createRequire, wrap } from 'module';
import * as path from 'path';
import * as vm from 'vm';
import type { ValidateFunction } from 'ajv';
import type { ValidatorCatalogue } from './schema-gate';

/** Where the build writes the validators, relative to the folder holding `crds/`. @internal */
export const VALIDATORS_DIR = path.join('lib', 'validators');
/** The index of the validators in {@link VALIDATORS_DIR}. @internal */
export const INDEX_FILE = 'index.json';
/** The layout of {@link INDEX_FILE}; a gate ignores an index of another format. @internal */
export const INDEX_FORMAT = 1;

/**
 * The index of the ahead-of-time compiled validators (written by precompile.ts).
 *
 * @internal
 */
export interface ValidatorIndex {
  readonly format: number;
  /** what the validators were compiled from and with: each schema file (relative to the root), its size and sha256 */
  readonly sources: ReadonlyArray<{ readonly file: string; readonly size: number; readonly sha256: string }>;
  /** ajv and the generator, hashed: a build with another compiler writes the modules again */
  readonly compiler: string;
  /** the vendored releases, oldest first: built-in 'group/version/Kind' -> module file, or 'file#export' */
  readonly releases: ReadonlyArray<{ readonly version: string; readonly kinds: Readonly<Record<string, string>> }>;
  /** 'group/Kind' -> served version -> module file */
  readonly crds: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/**
 * The validators the build compiled ahead of time: one CommonJS module of ajv standalone code per (apiVersion, kind),
 * required when the gate first meets the pair. Opening reads only the small index; no schema is parsed and ajv's
 * compiler is never loaded.
 *
 * @internal
 */
export class PrecompiledCatalogue implements ValidatorCatalogue {
  /**
   * The precompiled validators of the schemas under `root`, or undefined when there are none, or when the schema files
   * are not the ones they were compiled from (compared by name and size: a stat each, no read), e.g. `crds/` edited
   * since the last build.
   */
  public static open(root: string): PrecompiledCatalogue | undefined {
    const dir = path.join(root, VALIDATORS_DIR);
    let index: ValidatorIndex;
    try {
      index = JSON.parse(fs.readFileSync(path.join(dir, INDEX_FILE), 'utf8'));
    } catch {
      return undefined;
    }
    if (index.format !== INDEX_FORMAT) {
      return undefined;
    }
    const current = schemaFiles(root);
    if (current.length !== index.sources.length
      || index.sources.some((s, i) => s.file !== current[i] || fs.statSync(path.join(root, s.file), { throwIfNoEntry: false })?.size !== s.size)) {
      return undefined;
    }
    return new PrecompiledCatalogue(dir, index);
  }

  public readonly releases: readonly string[];
  /** the validators' own folder: the gate keeps its passes there, beside the code caches */
  public readonly cacheDir: string;
  /** sha256 of the validators' compiler and of every schema file they were compiled from (the index says both) */
  public readonly identity: string;
  private readonly loaded = new Map<string, ValidateFunction>();
  /** entry -> a validator that loads its module on its first call */
  private readonly lazy = new Map<string, ValidateFunction>();
  /** module file -> its exports */
  private readonly modules = new Map<string, any>();
  /** the scripts compiled without a usable code cache, whose cache {@link saveCodeCache} writes */
  private readonly uncached: { script: vm.Script; cacheFile: string }[] = [];

  private constructor(private readonly dir: string, private readonly index: ValidatorIndex) {
    this.releases = index.releases.map((r) => r.version);
    this.cacheDir = dir;
    this.identity = createHash('sha256').update(JSON.stringify([index.format, index.compiler, index.sources])).digest('hex');
  }

  public core(release: string, group: string, version: string, kind: string): ValidateFunction | undefined {
    const file = this.index.releases.find((r) => r.version === release)?.kinds[`${group}/${version}/${kind}`];
    return file === undefined ? undefined : this.module(file);
  }

  public crdVersions(group: string, kind: string): readonly string[] | undefined {
    const versions = own(this.index.crds, `${group}/${kind}`);
    return versions && Object.keys(versions);
  }

  public crd(group: string, version: string, kind: string): ValidateFunction {
    const file = own(own(this.index.crds, `${group}/${kind}`) ?? {}, version);
    if (file === undefined) {
      throw new Error(`no vendored crd serves ${group}/${version} ${kind}`);
    }
    return this.module(file);
  }

  /**
   * Writes a V8 code cache for each validator module this process compiled without one, beside it
   * (`.<node version>-<arch>.v8cache`): the functions a synth ran are then not compiled again by the next, as
   * src/cli/synth.ts does for the app's bundle. Call it after validating, so that the cache holds them. A folder that
   * cannot be written to (a read-only node_modules) only leaves the next synth as fast as this one.
   */
  public saveCodeCache(): void {
    for (const { script, cacheFile } of this.uncached.splice(0)) {
      try {
        const temporary = `${cacheFile}.${process.pid}`;
        fs.writeFileSync(temporary, script.createCachedData());
        fs.renameSync(temporary, cacheFile);
      } catch {
        // the cache only saves time
      }
    }
  }

  /**
   * The validator in 'file' (a module exporting one) or 'file#name' (one of a module's exports), its module loaded on
   * its first call: a gate can then say which kinds it has a schema for, and skip an object that passed before,
   * without loading a module.
   */
  private module(entry: string): ValidateFunction {
    let validate = this.lazy.get(entry);
    if (!validate) {
      const lazy = ((data: unknown) => {
        const loaded = this.loadedValidator(entry);
        const valid = loaded(data);
        lazy.errors = loaded.errors;
        return valid;
      }) as ValidateFunction;
      validate = lazy;
      this.lazy.set(entry, validate);
    }
    return validate;
  }

  /** the validator of an entry, its module loaded now */
  private loadedValidator(entry: string): ValidateFunction {
    let validate = this.loaded.get(entry);
    if (!validate) {
      const hash = entry.indexOf('#');
      const exports = this.load(hash < 0 ? entry : entry.slice(0, hash));
      validate = (hash < 0 ? exports : exports[entry.slice(hash + 1)]) as ValidateFunction;
      this.loaded.set(entry, validate);
    }
    return validate;
  }

  /** a module's exports: its code run as CommonJS, through its code cache when there is a usable one */
  private load(file: string): any {
    let exports = this.modules.get(file);
    if (exports === undefined) {
      const filename = path.join(this.dir, file);
      // the module's name holds a hash of its code; V8 also rejects a cache of other code or another V8
      const cacheFile = `${filename}.${process.version}-${process.arch}.v8cache`;
      let cachedData: Buffer | undefined;
      try {
        cachedData = fs.readFileSync(cacheFile);
      } catch {
        cachedData = undefined;
      }
      const script = new vm.Script(wrap(fs.readFileSync(filename, 'utf8')), { filename, cachedData });
      if (cachedData === undefined || script.cachedDataRejected) {
        this.uncached.push({ script, cacheFile });
      }
      const module = { exports: {} as any };
      script.runInThisContext()(module.exports, createRequire(filename), module, filename, this.dir);
      exports = module.exports;
      this.modules.set(file, exports);
    }
    return exports;
  }
}

/**
 * The schema files the gate reads under `root`, relative to it, sorted: `crds/*.yaml` and every release's
 * `crds/kubernetes/<version>/_definitions.json`.
 *
 * @internal
 */
export function schemaFiles(root: string): string[] {
  const crds = path.join(root, 'crds');
  const kubernetes = path.join(crds, 'kubernetes');
  return [
    ...fs.readdirSync(crds).filter((f) => /\.ya?ml$/.test(f)).map((f) => `crds/${f}`),
    ...fs.readdirSync(kubernetes).filter((v) => fs.existsSync(path.join(kubernetes, v, '_definitions.json'))).map((v) => `crds/kubernetes/${v}/_definitions.json`),
  ].sort();
}

/** an own property of a record (a kind named `constructor` is no kind) */
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}
