import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';

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

const INT_OR_STRING = 'x-kubernetes-int-or-string';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const DEFINITIONS_FILE = '_definitions.json';

/** One vendored Kubernetes release. */
interface Release {
  /** e.g. 'v1.36.0' */
  readonly version: string;
  /** 'group/version/Kind' -> definition name */
  readonly gvks: Map<string, string>;
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
 * Not evaluated: CEL rules (`x-kubernetes-validations`), list uniqueness
 * (`x-kubernetes-list-type`), other `x-kubernetes-*` annotations and unknown
 * formats, which are ignored; `x-kubernetes-int-or-string` is enforced.
 *
 * The Kubernetes definitions are read when the gate is loaded, a CRD when an
 * object of its kind is first seen; validators are
 * compiled for the (apiVersion, kind) pairs actually seen, and cached.
 */
export class SchemaGate {
  /**
   * Loads the vendored schemas.
   *
   * @param root the folder holding `crds/` (the repo root); by default the
   * nearest folder above this module that contains `crds/kubernetes`.
   */
  public static load(root?: string): SchemaGate {
    return new SchemaGate(root ?? findRoot(__dirname));
  }

  private readonly ajv = createAjv();
  private readonly releases: Release[];
  private readonly crds: CrdIndex;
  /** 'apiVersion\nkind' -> check */
  private readonly checks = new Map<string, Check>();

  private constructor(root: string) {
    this.releases = loadReleases(this.ajv, path.join(root, 'crds', 'kubernetes'));
    this.crds = loadCrds(path.join(root, 'crds'));
  }

  /**
   * Validates one object.
   *
   * @param obj a Kubernetes object, as parsed from YAML
   * @returns the problems found; empty when the object is valid
   */
  public validate(obj: any): SchemaProblem[] {
    const object = describe(obj);
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      return [{ object, message: 'must be an object with apiVersion and kind' }];
    }
    const { apiVersion, kind } = obj;
    if (typeof apiVersion !== 'string' || apiVersion === '' || typeof kind !== 'string' || kind === '') {
      return [{ object, message: 'apiVersion and kind must be non-empty strings' }];
    }
    const check = this.check(apiVersion, kind);
    switch (check.type) {
      case 'missing':
        return [{ object, message: check.message }];
      case 'crd':
        return messages(check.validate, obj).map((message) => ({ object, message }));
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

    const releases = this.releases.map((release) => {
      const name = release.gvks.get(`${group}/${version}/${kind}`);
      const validate = name === undefined ? undefined : this.ajv.compile({ $ref: definitionRef(release.version, name) });
      return { version: release.version, validate };
    });
    if (releases.some((r) => r.validate !== undefined)) {
      return { type: 'core', releases };
    }

    const versions = this.crds.versions(group, kind);
    if (!versions) {
      return { type: 'missing', message: missingMessage(apiVersion, kind) };
    }
    const schema = versions.get(version);
    if (!schema) {
      const served = [...versions.keys()].join(', ') || 'no version';
      return { type: 'missing', message: `${missingMessage(apiVersion, kind)} (the vendored crd serves ${served})` };
    }
    return { type: 'crd', validate: this.ajv.compile(this.crdSchema(schema)) };
  }

  /** the top-level schema of one CRD version: strict, with ObjectMeta for metadata */
  private crdSchema(schema: any): any {
    strictify(schema, true);
    return {
      ...schema,
      properties: {
        // every object has these, but CRD schemas need not declare them
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        ...schema.properties,
        // CRD schemas only say `metadata: {type: object}`; the API server applies ObjectMeta
        metadata: { allOf: this.releases.map((r) => ({ $ref: definitionRef(r.version, OBJECT_META) })) },
      },
    };
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

function createAjv(): Ajv {
  // The vendored schemas were accepted by Kubernetes, which ignores OpenAPI and
  // x-kubernetes-* annotations and unknown formats; so does ajv here, silently.
  // inlineRefs and code.optimize off: compiling a Deployment against both releases takes ~0.25 s instead of ~0.9 s
  const ajv = new Ajv({ allErrors: true, strictSchema: false, logger: false, inlineRefs: false, code: { optimize: false } });
  addFormats(ajv);
  // Kubernetes durations are Go durations ('48h0m0s'), not ISO 8601 ones ('PT48H')
  ajv.addFormat('duration', { type: 'string', validate: isDuration });
  ajv.addKeyword({
    keyword: INT_OR_STRING,
    schemaType: 'boolean',
    errors: false,
    validate: (enabled: boolean, data: unknown) => !enabled || typeof data === 'string' || Number.isInteger(data),
  });
  return ajv;
}

/** the vendored releases under crds/kubernetes, oldest first, with their definitions added to ajv */
function loadReleases(ajv: Ajv, dir: string): Release[] {
  const versions = fs.readdirSync(dir)
    .filter((v) => fs.existsSync(path.join(dir, v, DEFINITIONS_FILE)))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (versions.length === 0) {
    throw new Error(`no ${DEFINITIONS_FILE} found in ${dir}`);
  }
  return versions.map((version) => {
    const file = path.join(dir, version, DEFINITIONS_FILE);
    const definitions = JSON.parse(fs.readFileSync(file, 'utf8')).definitions;
    if (!definitions || typeof definitions !== 'object') {
      throw new Error(`${file}: no definitions`);
    }
    const gvks = new Map<string, string>();
    for (const [name, definition] of Object.entries<any>(definitions)) {
      strictify(definition, true);
      for (const gvk of definition['x-kubernetes-group-version-kind'] ?? []) {
        gvks.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, name);
      }
    }
    // vendored, trusted data: skip meta-schema validation of the large document
    ajv.addSchema({ $id: definitionsId(version), definitions }, undefined, undefined, false);
    return { version, gvks };
  });
}

function definitionsId(version: string): string {
  return `https://kubernetes.invalid/${version}/definitions.json`;
}

/** a $ref to one definition of a release */
function definitionRef(version: string, name: string): string {
  return `${definitionsId(version)}#/definitions/${name}`;
}

/** the served versions of the CRDs in `dir`/*.yaml, as 'group/Kind' -> version -> openAPIV3Schema */
function loadCrds(dir: string): CrdIndex {
  const pending = new Map<string, { file: string; text: string }[]>();
  for (const file of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(dir, f))) {
    // a document separator is always at column 0; a block scalar's text is indented
    for (const text of fs.readFileSync(file, 'utf8').split(/^---[ \t]*$/m)) {
      // group and kind are read from the text so that only the CRDs in use are parsed (the YAML is ~2 MB)
      const group = /^ {2}group: *["']?([^"'\s#]+)/m.exec(text)?.[1];
      const kind = /^ {2}names:\n(?: {4}.*\n)*? {4}kind: *["']?(\w+)/m.exec(text)?.[1];
      const key = group !== undefined && kind !== undefined ? `${group}/${kind}` : '';
      pending.set(key, [...(pending.get(key) ?? []), { file, text }]);
    }
  }
  return new CrdIndex(pending);
}

/** The vendored CRDs, each parsed on first use. */
class CrdIndex {
  /** 'group/Kind' -> served version -> openAPIV3Schema */
  private readonly crds = new Map<string, Map<string, any>>();

  constructor(private readonly pending: Map<string, { file: string; text: string }[]>) {
    // documents whose group or kind the scan could not read are parsed now, so that none is missed
    this.parse('');
  }

  /** the served versions of a kind's CRD (version -> openAPIV3Schema), or undefined without one */
  public versions(group: string, kind: string): Map<string, any> | undefined {
    this.parse(`${group}/${kind}`);
    return this.crds.get(`${group}/${kind}`);
  }

  /** every vendored CRD, all groups parsed: 'group/Kind' -> served version -> openAPIV3Schema */
  public all(): ReadonlyMap<string, Map<string, any>> {
    [...this.pending.keys()].forEach((key) => this.parse(key));
    return this.crds;
  }

  /** parses the documents of one 'group/Kind' (or '', those not recognised) */
  private parse(key: string): void {
    const docs = this.pending.get(key);
    if (!docs) {
      return;
    }
    this.pending.delete(key);
    for (const { file, text } of docs) {
      const added = addCrds(this.crds, file, text);
      if (key !== '' && added.join() !== key) {
        throw new Error(`${file}: a document read as ${key} holds ${added.join(', ') || 'no crd'}`);
      }
    }
  }
}

/** adds the CRDs of one document's text; returns their 'group/Kind' keys */
function addCrds(crds: Map<string, Map<string, any>>, file: string, text: string): string[] {
  const added: string[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      throw new Error(`${file}: ${doc.errors[0].message}`);
    }
    const crd = doc.toJS();
    if (crd == null) {
      continue;
    }
    const group = crd.spec?.group;
    const kind = crd.spec?.names?.kind;
    if (crd.kind !== 'CustomResourceDefinition' || typeof group !== 'string' || typeof kind !== 'string') {
      throw new Error(`${file}: document ${crd.metadata?.name ?? '(unnamed)'} is not a CustomResourceDefinition with spec.group and spec.names.kind`);
    }
    if (crds.has(`${group}/${kind}`)) {
      throw new Error(`${file}: duplicate crd for ${group} ${kind}`);
    }
    const served = (crd.spec.versions ?? []).filter((v: any) => v.served !== false);
    crds.set(`${group}/${kind}`, new Map(served.map((v: any) => [v.name, v.schema?.openAPIV3Schema])));
    added.push(`${group}/${kind}`);
  }
  return added;
}

/**
 * Makes a schema reject unknown fields, in place: every object schema with
 * `properties` and neither `additionalProperties` nor
 * `x-kubernetes-preserve-unknown-fields: true` gets `additionalProperties: false`.
 *
 * Only the structural skeleton (properties, additionalProperties, items) is
 * changed: allOf/anyOf/oneOf/not branches list subsets of fields (structural
 * schemas declare every field in the skeleton), so they must stay open.
 * Idempotent, so schemas shared through YAML aliases are safe.
 */
function strictify(schema: any, structural: boolean): void {
  if (!isPlainObject(schema)) {
    return;
  }
  if (isPlainObject(schema.properties)) {
    if (structural && schema.additionalProperties === undefined && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
      if (schema['x-kubernetes-embedded-resource'] === true) {
        schema.properties.apiVersion ??= { type: 'string' };
        schema.properties.kind ??= { type: 'string' };
        schema.properties.metadata ??= { type: 'object' };
      }
      schema.additionalProperties = false;
    }
    for (const sub of Object.values(schema.properties)) {
      strictify(sub, structural);
    }
  }
  strictify(schema.additionalProperties, structural);
  for (const sub of Array.isArray(schema.items) ? schema.items : [schema.items]) {
    strictify(sub, structural);
  }
  for (const combinator of ['allOf', 'anyOf', 'oneOf']) {
    for (const sub of schema[combinator] ?? []) {
      strictify(sub, false);
    }
  }
  strictify(schema.not, false);
}

/**
 * Whether a string is a Kubernetes duration: a Go duration ('48h0m0s') or,
 * like the API server's `duration` format, a number-and-unit form ('5 min').
 */
function isDuration(value: string): boolean {
  if (/^[-+]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.test(value)) {
    return true;
  }
  const units = [
    ['ns', 'nano'], ['us', 'µs', 'micro'], ['ms', 'milli'], ['s', 'sec'],
    ['m', 'min'], ['h', 'hr', 'hour'], ['d', 'day'], ['w', 'wk', 'week'],
  ];
  for (const m of value.matchAll(/(\d+)\s*([A-Za-zµ]+)/g)) {
    const unit = m[2].toLowerCase();
    if (units.some((variants) => variants.some((v, i) => unit === v || (i === variants.length - 1 && unit.startsWith(v))))) {
      return true;
    }
  }
  return false;
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

function isPlainObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
