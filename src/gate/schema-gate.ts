import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject, SchemaValidateFunction, ValidateFunction } from 'ajv';
import type { DataValidationCxt } from 'ajv/dist/types';
import addFormats from 'ajv-formats';
import { parse as parseYaml, parseAllDocuments } from 'yaml';

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

/** OpenAPI extension keywords that are tolerated but not evaluated. */
const NO_OP_KEYWORDS = [
  'x-kubernetes-embedded-resource',
  'x-kubernetes-group-version-kind',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-patch-merge-key',
  'x-kubernetes-patch-strategy',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-unions',
  'x-kubernetes-validations',
  'example',
  'externalDocs',
];

const INT_OR_STRING = 'x-kubernetes-int-or-string';
/** internal keyword standing for a CRD subschema that is compiled on first use */
const LAZY = 'x-gate-lazy';
/** where a lazily compiled subschema's errors keep their own schemaPath (ajv overwrites it) */
const UNIT_SCHEMA_PATH = 'gateSchemaPath';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const DEFINITIONS_FILE = '_definitions.json';

/** One vendored Kubernetes release: its OpenAPI definitions, indexed by group/version/kind. */
interface Release {
  readonly version: string;
  readonly id: string;
  readonly definitions: Record<string, any>;
  /** 'group/version/Kind' -> definition name */
  readonly gvks: Map<string, string>;
  added: boolean;
}

/** One CustomResourceDefinition document, parsed on first use. */
interface CrdDocument {
  readonly file: string;
  readonly group: string;
  readonly kind: string;
  text?: string;
  crd?: any;
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
 * - Built-in kinds (any group that appears in the vendored Kubernetes OpenAPI
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
 * (`x-kubernetes-list-type`), and other `x-kubernetes-*` annotations, which
 * are accepted as no-op keywords; `x-kubernetes-int-or-string` is enforced.
 *
 * Schemas are read once per gate and CRD documents parsed on first use;
 * validators are compiled lazily for the (apiVersion, kind) pairs actually
 * seen and cached. Large CRD subtrees (e.g. cert-manager's ACME solvers, Argo
 * CD's `status`) are compiled only when an object actually has them.
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

  private readonly ajv: Ajv;
  private readonly releases: Release[];
  private readonly coreGroups = new Set<string>();
  /** 'group/Kind' -> CRD document */
  private readonly crds = new Map<string, CrdDocument>();
  private readonly checks = new Map<string, Check>();
  private readonly keywords = new Set<string>([...NO_OP_KEYWORDS, INT_OR_STRING, LAZY]);
  /** CRD subschemas compiled on first use, and their validators */
  private readonly units: any[] = [];
  private readonly unitValidators: ValidateFunction[] = [];

  private constructor(root: string) {
    const crdDir = path.join(root, 'crds');
    this.releases = loadReleases(path.join(crdDir, 'kubernetes'));
    for (const release of this.releases) {
      for (const gvk of release.gvks.keys()) {
        this.coreGroups.add(gvk.slice(0, gvk.indexOf('/')));
      }
    }
    for (const file of fs.readdirSync(crdDir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      for (const doc of splitCrdFile(path.join(crdDir, file))) {
        const key = `${doc.group}/${doc.kind}`;
        if (this.crds.has(key)) {
          throw new Error(`${doc.file}: duplicate crd for ${doc.group} ${doc.kind}`);
        }
        this.crds.set(key, doc);
      }
    }
    this.ajv = createAjv();
    const lazy: SchemaValidateFunction = (unit: number, data: unknown, _parent?: unknown, cxt?: DataValidationCxt): boolean => {
      const validate = this.unit(unit);
      const valid = validate(data, cxt) as boolean;
      // ajv overwrites the schemaPath of errors reported by a keyword; keep it for formatErrors
      lazy.errors = valid ? undefined : (validate.errors ?? []).map((e) => ({
        ...e, params: { ...e.params, [UNIT_SCHEMA_PATH]: e.params[UNIT_SCHEMA_PATH] ?? `${unit}${e.schemaPath}` },
      }));
      return valid;
    };
    this.ajv.addKeyword({ keyword: LAZY, schemaType: 'number', validate: lazy });
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
        return check.validate(obj)
          ? []
          : formatErrors(obj, check.validate.errors ?? []).map((message) => ({ object, message }));
      case 'core': {
        // merge identical messages of several releases into one problem
        const byMessage = new Map<string, string[]>();
        for (const release of check.releases) {
          const messages = release.validate
            ? (release.validate(obj) ? [] : formatErrors(obj, release.validate.errors ?? []))
            : [`no vendored schema exists for apiVersion ${apiVersion}, kind ${kind}`];
          for (const message of messages) {
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
    const missing = `no vendored schema exists for apiVersion ${apiVersion}, kind ${kind}`;

    if (this.coreGroups.has(group)) {
      const releases = this.releases.map((release) => {
        const name = release.gvks.get(`${group}/${version}/${kind}`);
        const validate = name === undefined ? undefined : this.compileSchema({ $ref: this.definitionRef(release, name) });
        return { version: release.version, validate };
      });
      if (releases.every((r) => r.validate === undefined)) {
        return { type: 'missing', message: missing };
      }
      return { type: 'core', releases };
    }

    const doc = this.crds.get(`${group}/${kind}`);
    if (!doc) {
      return { type: 'missing', message: missing };
    }
    const crd = parseCrd(doc);
    const versions: any[] = crd.spec.versions ?? [];
    const served = versions.filter((v) => v.served !== false).map((v) => v.name);
    const match = versions.find((v) => v.name === version && v.served !== false);
    const schema = match?.schema?.openAPIV3Schema;
    if (!schema) {
      return { type: 'missing', message: `${missing} (the vendored crd serves ${served.join(', ') || 'no version'})` };
    }
    return { type: 'crd', validate: this.compileSchema(this.crdSchema(schema)) };
  }

  /** the top-level schema of one CRD version: strict, with ObjectMeta for metadata */
  private crdSchema(schema: any): any {
    strictify(schema, true);
    const root = this.lazify(schema);
    root.properties = { ...root.properties };
    root.properties.apiVersion ??= { type: 'string' };
    root.properties.kind ??= { type: 'string' };
    // CRD schemas only say `metadata: {type: object}`; the API server applies ObjectMeta
    root.properties.metadata = { allOf: this.releases.map((r) => ({ $ref: this.definitionRef(r, OBJECT_META) })) };
    return root;
  }

  /** a $ref to one definition of a release, adding the release's definitions to ajv on first use */
  private definitionRef(release: Release, name: string): string {
    if (!release.added) {
      registerVocabulary(this.ajv, this.keywords, { definitions: release.definitions });
      // vendored, trusted data: skip meta-schema validation of the large document
      this.ajv.addSchema({ $id: release.id, definitions: release.definitions }, undefined, undefined, false);
      release.added = true;
    }
    return `${release.id}#/definitions/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  }

  /**
   * A shallow copy of a schema whose large property, item and map-value
   * subschemas are replaced by lazy units.
   */
  private lazify(schema: any): any {
    const unit = (sub: any): any => {
      if (!isComposite(sub)) {
        return sub;
      }
      this.units.push(sub);
      return { [LAZY]: this.units.length - 1 };
    };
    const copy = { ...schema };
    if (isPlainObject(schema.properties)) {
      copy.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, unit(v)]));
    }
    if (isPlainObject(schema.additionalProperties)) {
      copy.additionalProperties = unit(schema.additionalProperties);
    }
    if (isPlainObject(schema.items)) {
      copy.items = unit(schema.items);
    }
    return copy;
  }

  /** the validator of one lazy unit, compiled on first use */
  private unit(index: number): ValidateFunction {
    return this.unitValidators[index] ??= this.compileSchema(this.lazify(this.units[index]));
  }

  private compileSchema(schema: any): ValidateFunction {
    registerVocabulary(this.ajv, this.keywords, schema);
    return this.ajv.compile(schema);
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
  const ajv = new Ajv({ strict: true, strictTypes: false, strictRequired: false, allErrors: true });
  addFormats(ajv);
  // Kubernetes durations are Go durations ('48h0m0s'), not ISO 8601 ones ('PT48H')
  ajv.addFormat('duration', { type: 'string', validate: isDuration });
  ajv.addVocabulary(NO_OP_KEYWORDS);
  ajv.addKeyword({
    keyword: INT_OR_STRING,
    schemaType: 'boolean',
    errors: false,
    validate: (enabled: boolean, data: unknown) => !enabled || typeof data === 'string' || Number.isInteger(data),
  });
  return ajv;
}

/** the vendored releases under crds/kubernetes, oldest first */
function loadReleases(dir: string): Release[] {
  const versions = fs.readdirSync(dir)
    .filter((v) => fs.existsSync(path.join(dir, v, DEFINITIONS_FILE)))
    .sort(compareVersions);
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
    return { version, id: `https://kubernetes.invalid/${version}/definitions.json`, definitions, gvks, added: false };
  });
}

function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split('.').map((n) => parseInt(n, 10) || 0);
  const pb = b.replace(/^v/, '').split('.').map((n) => parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) {
      return d;
    }
  }
  return a.localeCompare(b);
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

/** Adds no-op keywords and formats for any `x-*` keyword or format ajv does not know, so nothing warns. */
function registerVocabulary(ajv: Ajv, keywords: Set<string>, schema: any): void {
  const seen = new Set<any>();
  const walk = (s: any): void => {
    if (!isPlainObject(s) || seen.has(s)) {
      return;
    }
    seen.add(s);
    for (const key of Object.keys(s)) {
      if (key.startsWith('x-') && !keywords.has(key)) {
        ajv.addKeyword(key);
        keywords.add(key);
      }
    }
    if (typeof s.format === 'string' && !(s.format in ajv.formats)) {
      ajv.addFormat(s.format, true);
    }
    for (const key of ['properties', 'patternProperties', 'definitions']) {
      if (isPlainObject(s[key])) {
        Object.values(s[key]).forEach(walk);
      }
    }
    for (const key of ['items', 'allOf', 'anyOf', 'oneOf']) {
      (Array.isArray(s[key]) ? s[key] : [s[key]]).forEach(walk);
    }
    walk(s.additionalProperties);
    walk(s.not);
  };
  walk(schema);
}

/**
 * Splits a multi-document CRD file into documents and indexes each by
 * `spec.group` and `spec.names.kind`, read from the text so that the (large)
 * documents are only parsed when an object of their kind is validated.
 * Documents whose text cannot be indexed are parsed right away.
 */
function splitCrdFile(file: string): CrdDocument[] {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split(/\r?\n/);
  const texts: string[] = [];
  let start = 0;
  for (let i = 0; i <= lines.length; i++) {
    if (i === lines.length || /^---(?:[ \t]+#.*)?[ \t]*$/.test(lines[i])) {
      texts.push(lines.slice(start, i).join('\n'));
      start = i + 1;
    } else if (/^(?:---|\.\.\.|%)/.test(lines[i])) {
      // unusual document markers or directives: parse everything the slow, safe way
      return parseAllDocuments(text).map((d) => d.toJS()).filter((crd) => crd != null).map((crd) => crdDocument(file, crd));
    }
  }
  const docs: CrdDocument[] = [];
  for (const docText of texts) {
    const index = indexCrd(docText);
    if (index) {
      docs.push({ file, ...index, text: docText });
    } else {
      const crd = parseYaml(docText);
      if (crd != null) {
        docs.push(crdDocument(file, crd));
      }
    }
  }
  return docs;
}

function crdDocument(file: string, crd: any): CrdDocument {
  if (crd?.kind !== 'CustomResourceDefinition' || typeof crd.spec?.group !== 'string'
    || typeof crd.spec?.names?.kind !== 'string') {
    const name = crd?.metadata?.name ?? '(unnamed)';
    throw new Error(`${file}: document ${name} is not a CustomResourceDefinition with spec.group and spec.names.kind`);
  }
  return { file, group: crd.spec.group, kind: crd.spec.names.kind, crd };
}

/** the parsed CRD of a document, checked against its index */
function parseCrd(doc: CrdDocument): any {
  if (!doc.crd) {
    const parsed = crdDocument(doc.file, parseYaml(doc.text!));
    if (parsed.group !== doc.group || parsed.kind !== doc.kind) {
      throw new Error(`${doc.file}: crd indexed as ${doc.group} ${doc.kind} declares ${parsed.group} ${parsed.kind}`);
    }
    doc.crd = parsed.crd;
    doc.text = undefined;
  }
  return doc.crd;
}

/** `spec.group` and `spec.names.kind` of a CRD document, read line by line; undefined when unsure */
function indexCrd(text: string): { group: string; kind: string } | undefined {
  const lines = text.split('\n');
  const isCrd = lines.some((l) => /^kind:[ \t]*["']?CustomResourceDefinition["']?[ \t]*$/.test(l));
  const spec = children(lines, lines.findIndex((l) => /^spec:[ \t]*$/.test(l)));
  const group = spec.get('group');
  const names = spec.get('names');
  const kind = names && children(lines, names.line).get('kind');
  if (!isCrd || !group?.value || !kind?.value) {
    return undefined;
  }
  return { group: group.value, kind: kind.value };
}

/** the direct `key: value` children of the block mapping opened at line `parent` */
function children(lines: string[], parent: number): Map<string, { line: number; value: string }> {
  const result = new Map<string, { line: number; value: string }>();
  if (parent < 0) {
    return result;
  }
  const parentIndent = indentOf(lines[parent]);
  let childIndent = -1;
  for (let i = parent + 1; i < lines.length; i++) {
    if (/^\s*(?:#.*)?$/.test(lines[i])) {
      continue;
    }
    const indent = indentOf(lines[i]);
    if (indent <= parentIndent) {
      break;
    }
    if (childIndent < 0) {
      childIndent = indent;
    }
    const m = indent === childIndent ? /^\s*([A-Za-z0-9_.-]+):(?:[ \t]+(.*?))?[ \t]*$/.exec(lines[i]) : null;
    if (m) {
      const value = (m[2] ?? '').replace(/[ \t]+#.*$/, '').replace(/^(["'])(.*)\1$/, '$2');
      result.set(m[1], { line: i, value });
    }
  }
  return result;
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
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
    const prefix = schemaPath(combinator) + '/';
    const under = combinator.instancePath + '/';
    const branches = remaining.filter((e) => schemaPath(e).startsWith(prefix)
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

function schemaPath(e: ErrorObject): string {
  return e.params[UNIT_SCHEMA_PATH] ?? e.schemaPath;
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

/** whether a subschema has nested fields (worth compiling separately) */
function isComposite(schema: any): boolean {
  return isPlainObject(schema)
    && (isPlainObject(schema.properties) || isComposite(schema.items) || isComposite(schema.additionalProperties));
}

function isPlainObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
