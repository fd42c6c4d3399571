import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ValidationPasses } from './validation-passes';

/**
 * One reason why a synthesized object does not match its vendored schema.
 *
 * Render it as `${object}: ${message}`.
 */
export interface SchemaProblem {
  /** the object, as `Kind namespace/name` or `Kind name`, e.g. 'Certificate cert-manager/linkerd-trust-anchor' */
  readonly object: string;
  /** what is wrong, naming the offending field, e.g. 'spec.duratoin is not allowed (unknown field)' */
  readonly message: string;
}

let cel: typeof import('./cel') | undefined;

/** The CEL module (the rule index; the CEL library itself loads on the first rule it evaluates), on first use. */
function celModule(): typeof import('./cel') {
  cel ??= require('./cel') as typeof import('./cel');
  return cel;
}

const INT_OR_STRING = 'x-kubernetes-int-or-string';

/**
 * Where the gate gets its validators: compiled ahead of time at build (`lib/validators/`, see precompiled.ts), or
 * compiled from `crds/` when first asked for (schema-compiler.ts). Both answer alike; only the cost differs.
 *
 * @internal
 */
export interface ValidatorCatalogue {
  /** the vendored Kubernetes releases, oldest first, e.g. ['v1.25.0', 'v1.36.0'] */
  readonly releases: readonly string[];
  /** a folder where the gate may keep the passes it found for the next process (validation-passes.ts); none when absent */
  readonly cacheDir?: string;
  /** what decides the validators' verdicts (their compiler and schemas), naming the passes kept in `cacheDir` */
  readonly identity?: string;
  /** the validator of a built-in kind in one release; undefined when the release has no such kind */
  core(release: string, group: string, version: string, kind: string): ValidateFunction | undefined;
  /** the served versions of a kind's vendored CRD; undefined when there is none */
  crdVersions(group: string, kind: string): readonly string[] | undefined;
  /** the validator of one served version of a vendored CRD */
  crd(group: string, version: string, kind: string): ValidateFunction;
  /** keeps what this process compiled for the next one, if the catalogue can */
  saveCodeCache?(): void;
}

/** How objects of one (apiVersion, kind) pair are checked. */
type Check =
  | { readonly type: 'core'; readonly releases: ReadonlyArray<{ readonly version: string; readonly validate?: ValidateFunction }> }
  | { readonly type: 'crd'; readonly validate: ValidateFunction }
  | { readonly type: 'missing'; readonly message: string };

/**
 * The offline schema "output gate": validates synthesized Kubernetes objects
 * (plain objects, as parsed from YAML) against pinned, vendored schemas.
 *
 * - Built-in kinds (any group/version/kind in the vendored Kubernetes OpenAPI
 *   definitions, e.g. `v1`, `apps/v1`, `networking.k8s.io/v1`) are checked
 *   against `crds/kubernetes/<version>/_definitions.json` of EVERY vendored
 *   Kubernetes release; an object must pass all of them, and each message says
 *   which release failed.
 * - Custom kinds are checked against the vendored CustomResourceDefinitions in
 *   `crds/*.yaml`, using the schema of the exact apiVersion emitted; their
 *   `metadata` is checked against the Kubernetes `ObjectMeta` definition.
 * - Unknown fields fail wherever Kubernetes would reject or prune them: every
 *   object schema that declares `properties` and neither `additionalProperties`
 *   nor `x-kubernetes-preserve-unknown-fields: true` forbids other fields.
 * - An object whose (apiVersion, kind) has no vendored schema fails.
 *
 * - A custom kind's CEL rules (`x-kubernetes-validations`) are evaluated after
 *   its schema passes (`celProblems` in ./cel, see docs/cel.md).
 *
 * Not evaluated: list uniqueness (`x-kubernetes-list-type`), other
 * `x-kubernetes-*` annotations and unknown formats, which are ignored;
 * `x-kubernetes-int-or-string` is enforced.
 *
 * The validators of the (apiVersion, kind) pairs actually seen are loaded on
 * first use, and cached: modules compiled ahead of time by the build (ajv
 * standalone code, `lib/validators/`), or, without them, compiled from the
 * schemas (the Kubernetes definitions read when the gate is loaded, a CRD when
 * an object of its kind is first seen).
 */
export class SchemaGate {
  /**
   * Loads the vendored schemas: the validators compiled ahead of time by the build (`lib/validators/`, one module per
   * kind, required when an object of that kind is first seen) when they are there and were compiled from the
   * `crds/` at hand; else the schemas themselves, compiled with ajv on first use.
   *
   * @param root the folder holding `crds/` (the repo root); by default the
   * nearest folder above this module that contains `crds/kubernetes`.
   */
  public static load(root?: string): SchemaGate {
    const dir = root ?? findRoot(__dirname);
    if (!fs.existsSync(path.join(dir, 'crds', 'kubernetes'))) {
      throw new Error(`cannot find crds/kubernetes in ${dir}`);
    }
    // required, not imported: a gate with precompiled validators never loads ajv's compiler or parses a schema
    const precompiled = (require('./precompiled') as typeof import('./precompiled')).PrecompiledCatalogue.open(dir);
    return new SchemaGate(precompiled ?? SchemaGate.compiling(dir));
  }

  /**
   * A gate that compiles every validator from `crds/` on first use, never the ahead-of-time code: what the build
   * compiles from, and what the tests compare the precompiled gate with.
   *
   * @internal
   */
  public static loadCompiling(root?: string): SchemaGate {
    return new SchemaGate(SchemaGate.compiling(root ?? findRoot(__dirname)));
  }

  private static compiling(root: string): ValidatorCatalogue {
    return new (require('./schema-compiler') as typeof import('./schema-compiler')).CompilingCatalogue(root);
  }

  /** 'apiVersion\nkind' -> check */
  private readonly checks = new Map<string, Check>();
  /** the passes kept by earlier processes, opened on the first object validated; null when the catalogue keeps none */
  private passes: ValidationPasses | null | undefined;

  private constructor(
    /** @internal */
    public readonly catalogue: ValidatorCatalogue,
  ) {}

  /**
   * Validates one object.
   *
   * @param obj a Kubernetes object, as parsed from YAML
   * @param options `cel: false` checks the schema alone, without the CRD's CEL rules (default: both)
   * @returns the problems found; empty when the object is valid
   */
  public validate(obj: any, options: { readonly cel?: boolean } = {}): SchemaProblem[] {
    const object = describe(obj);
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      return [{ object, message: 'must be an object with apiVersion and kind' }];
    }
    const { apiVersion, kind } = obj;
    if (typeof apiVersion !== 'string' || apiVersion === '' || typeof kind !== 'string' || kind === '') {
      return [{ object, message: 'apiVersion and kind must be non-empty strings' }];
    }
    // an object that passed before, byte for byte, under the same validators, passes: nothing is loaded for it
    const passes = options.cel === false ? undefined : this.keptPasses();
    const key = passes?.keyOf(obj);
    if (passes && key && passes.passed(key)) return [];
    const problems = this.problems(obj, object, apiVersion, kind, options);
    if (passes && key && problems.length === 0) passes.pass(key);
    return problems;
  }

  /**
   * Validates many objects.
   *
   * @param objs Kubernetes objects, as parsed from YAML
   * @returns the problems of all objects, in order; empty when all are valid
   */
  public validateAll(objs: readonly any[]): SchemaProblem[] {
    return objs.flatMap((obj) => this.validate(obj));
  }

  /**
   * Whether this gate has a schema for a pair, i.e. whether `validate` can
   * check such objects (for built-in kinds: in every vendored release).
   *
   * @param apiVersion e.g. 'cert-manager.io/v1'
   * @param kind e.g. 'Certificate'
   */
  public hasSchema(apiVersion: string, kind: string): boolean {
    const check = this.check(apiVersion, kind);
    return check.type === 'crd' || (check.type === 'core' && check.releases.every((r) => r.validate !== undefined));
  }

  /**
   * Keeps what this process compiled for the next one, where the validators allow it (the precompiled ones' V8 code
   * cache). Call it after validating.
   *
   * @internal
   */
  public saveCodeCache(): void {
    this.catalogue.saveCodeCache?.();
    this.passes?.save();
  }

  /** The passes kept for this gate's validators, opened once; undefined when the catalogue keeps none. */
  private keptPasses(): ValidationPasses | undefined {
    if (this.passes === undefined) {
      const { cacheDir, identity } = this.catalogue;
      if (cacheDir === undefined || identity === undefined) {
        this.passes = null;
      } else {
        // required here: the CEL rule index is loaded only when a gate keeps passes
        const cel = (require('./cel-rules.generated') as typeof import('./cel-rules.generated')).CEL_EVALUATOR_DIGEST;
        this.passes = ValidationPasses.open(cacheDir, createHash('sha256').update(`${identity}\0${cel}`).digest('hex'));
      }
    }
    return this.passes ?? undefined;
  }

  /** What is wrong with an object of this pair, by its validators (and its CEL rules unless `cel: false`). */
  private problems(obj: any, object: string, apiVersion: string, kind: string, options: { readonly cel?: boolean }): SchemaProblem[] {
    const check = this.check(apiVersion, kind);
    switch (check.type) {
      case 'missing':
        return [{ object, message: check.message }];
      case 'crd': {
        const found = messages(check.validate, obj).map((message) => ({ object, message }));
        // the CRD's CEL rules (x-kubernetes-validations) run once the schema passes: the API server skips them after a
        // type, required, enum or size error (kubernetes/apiextensions-apiserver@v0.36.0:
        // pkg/registry/customresource/strategy.go:216-223, hasBlockingErr at :405-412); this gate keeps no error types and waits for a
        // clean schema, so a rule is never judged on an object of the wrong shape
        if (found.length > 0 || options.cel === false) return found;
        // a rule that cannot be evaluated fails the object: the gate never vouches for what it did not check
        const { problems, unevaluated } = celModule().celProblems(obj);
        return [...problems, ...unevaluated.map((rule) => `CEL rule not evaluated: ${rule}`)].map((message) => ({ object, message }));
      }
      case 'core': {
        // merge identical messages of several releases into one problem
        const byMessage = new Map<string, string[]>();
        for (const release of check.releases) {
          const found = release.validate ? messages(release.validate, obj) : [missingMessage(apiVersion, kind)];
          for (const message of found) {
            byMessage.set(message, [...(byMessage.get(message) ?? []), release.version]);
          }
        }
        return [...byMessage].map(([message, versions]) => ({ object, message: `kubernetes ${versions.join(', ')}: ${message}` }));
      }
    }
  }

  /** the cached check for one pair, compiled on first use */
  private check(apiVersion: string, kind: string): Check {
    const key = `${apiVersion}\n${kind}`;
    let check = this.checks.get(key);
    if (!check) {
      check = this.compile(apiVersion, kind);
      this.checks.set(key, check);
    }
    return check;
  }

  private compile(apiVersion: string, kind: string): Check {
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);

    const releases = this.catalogue.releases.map((release) => ({ version: release, validate: this.catalogue.core(release, group, version, kind) }));
    if (releases.some((r) => r.validate !== undefined)) {
      return { type: 'core', releases };
    }

    const versions = this.catalogue.crdVersions(group, kind);
    if (!versions) {
      return { type: 'missing', message: missingMessage(apiVersion, kind) };
    }
    if (!versions.includes(version)) {
      const served = versions.join(', ') || 'no version';
      return { type: 'missing', message: `${missingMessage(apiVersion, kind)} (the vendored crd serves ${served})` };
    }
    return { type: 'crd', validate: this.catalogue.crd(group, version, kind) };
  }
}

/** the nearest folder at or above `start` holding crds/kubernetes */
function findRoot(start: string): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'crds', 'kubernetes'))) {
      return dir;
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`cannot find crds/kubernetes in ${start} or any folder above it`);
    }
  }
}

function missingMessage(apiVersion: string, kind: string): string {
  return `no vendored schema exists for apiVersion ${apiVersion}, kind ${kind}`;
}

/** `Kind namespace/name`, `Kind name`, or what is known of it */
function describe(obj: any): string {
  if (obj === null || typeof obj !== 'object') {
    return '(not an object)';
  }
  const kind = typeof obj.kind === 'string' && obj.kind ? obj.kind : '(no kind)';
  const name = typeof obj.metadata?.name === 'string' ? obj.metadata.name : '(unnamed)';
  const namespace = obj.metadata?.namespace;
  return typeof namespace === 'string' && namespace ? `${kind} ${namespace}/${name}` : `${kind} ${name}`;
}

/** the readable messages of one validator's errors for an object; empty when it is valid */
function messages(validate: ValidateFunction, obj: any): string[] {
  return validate(obj) ? [] : formatErrors(obj, validate.errors ?? []);
}

/** readable, deduplicated messages for ajv errors */
function formatErrors(obj: any, errors: readonly ErrorObject[]): string[] {
  // an int-or-string failure explains the type/anyOf failures of the same field
  const intOrString = new Set(errors.filter((e) => e.keyword === INT_OR_STRING).map((e) => e.instancePath));
  let remaining = errors.filter((e) => e.keyword === INT_OR_STRING
    || !intOrString.has(e.instancePath)
    || !['type', 'anyOf', 'oneOf'].includes(e.keyword));

  const messages: string[] = [];
  // fold the branch errors of a failed anyOf/oneOf into one message
  for (const combinator of remaining.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')) {
    const prefix = combinator.schemaPath + '/';
    const under = combinator.instancePath + '/';
    const branches = remaining.filter((e) => e.schemaPath.startsWith(prefix)
      && (e.instancePath === combinator.instancePath || e.instancePath.startsWith(under)));
    remaining = remaining.filter((e) => e !== combinator && !branches.includes(e));
    const field = fieldName(obj, combinator.instancePath);
    if (branches.length > 0 && branches.every((e) => e.keyword === 'type' && e.instancePath === combinator.instancePath)) {
      messages.push(`${field} must be ${[...new Set(branches.map((e) => String(e.params.type)))].sort().join(' or ')}`);
    } else if (combinator.keyword === 'oneOf' && branches.length === 0) {
      messages.push(`${field} must match exactly one of the allowed forms, but matches several`);
    } else {
      const reasons = [...new Set(branches.map((e) => formatError(obj, e)))];
      messages.push(`${field} must match ${combinator.keyword === 'oneOf' ? 'exactly one' : 'one'} of the allowed forms (${reasons.join('; ')})`);
    }
  }
  for (const error of remaining) {
    messages.push(formatError(obj, error));
  }
  return [...new Set(messages)];
}

function formatError(obj: any, e: ErrorObject): string {
  const field = fieldName(obj, e.instancePath);
  const got = (): string => JSON.stringify(valueAt(obj, e.instancePath));
  switch (e.keyword) {
    case 'additionalProperties':
      return `${fieldName(obj, e.instancePath, e.params.additionalProperty)} is not allowed (unknown field)`;
    case 'required':
      return `${fieldName(obj, e.instancePath, e.params.missingProperty)} is required`;
    case 'type':
      return `${field} must be ${([] as string[]).concat(e.params.type).join(' or ')}`;
    case 'enum': {
      const allowed = e.params.allowedValues.map((v: unknown) => JSON.stringify(v)).join(', ');
      return `${field} must be one of ${allowed} (got ${got()})`;
    }
    case 'format':
      return `${field} must be a valid ${e.params.format} (got ${got()})`;
    case 'pattern':
      return `${field} must match the pattern ${e.params.pattern} (got ${got()})`;
    case INT_OR_STRING:
      return `${field} must be integer or string`;
    default:
      return `${field} ${e.message ?? 'is invalid'}`;
  }
}

/** the keys of a JSON pointer */
function pointerKeys(instancePath: string): string[] {
  return instancePath === '' ? [] : instancePath.slice(1).split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(obj: any, instancePath: string): unknown {
  return pointerKeys(instancePath).reduce((value, key) => value?.[key], obj);
}

/** ajv's instancePath '/spec/foo/0' (plus an optional child key) as 'spec.foo[0]' */
function fieldName(obj: any, instancePath: string, child?: string): string {
  const keys = pointerKeys(instancePath);
  if (child !== undefined) {
    keys.push(child);
  }
  let name = '';
  let value = obj;
  for (const key of keys) {
    if (Array.isArray(value)) {
      name += `[${key}]`;
    } else if (/^[A-Za-z_$][\w$-]*$/.test(key)) {
      name += name ? `.${key}` : key;
    } else {
      name += `[${JSON.stringify(key)}]`;
    }
    value = value?.[key];
  }
  return name || '(root)';
}
