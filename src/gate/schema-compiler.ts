import * as fs from 'fs';
import * as path from 'path';
import Ajv, { _, KeywordCxt, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import { formats } from './formats';
import type { ValidatorCatalogue } from './schema-gate';

/** @internal */
export const INT_OR_STRING = 'x-kubernetes-int-or-string';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const DEFINITIONS_FILE = '_definitions.json';

/** One vendored Kubernetes release. */
interface Release {
  /** e.g. 'v1.36.0' */
  readonly version: string;
  /** 'group/version/Kind' -> definition name */
  readonly gvks: Map<string, string>;
  /** definition name -> schema */
  readonly definitions: Record<string, any>;
}

/**
 * Where the validators of ahead-of-time compiled code find the formats: a `require` expression, relative to the
 * folder the code is written to.
 *
 * @internal
 */
export interface StandaloneOptions {
  /** the folder the generated modules are written to */
  readonly outDir: string;
}

/**
 * The vendored schemas, read from `crds/` and compiled with ajv when a pair is first asked for: what the gate uses
 * when no validators were compiled ahead of time, and what the build compiles them from.
 *
 * @internal
 */
export class CompilingCatalogue implements ValidatorCatalogue {
  public readonly releases: readonly string[];
  public readonly ajv: Ajv;
  private readonly byRelease: ReadonlyMap<string, Release>;
  private readonly crds: CrdIndex;

  /**
   * @param root the folder holding `crds/`
   * @param standalone compile for ahead-of-time code (ajv's `code.source`), written to this folder
   */
  constructor(root: string, standalone?: StandaloneOptions) {
    this.ajv = createAjv(standalone);
    const releases = loadReleases(this.ajv, path.join(root, 'crds', 'kubernetes'));
    this.releases = releases.map((r) => r.version);
    this.byRelease = new Map(releases.map((r) => [r.version, r]));
    this.crds = loadCrds(path.join(root, 'crds'));
  }

  public core(release: string, group: string, version: string, kind: string): ValidateFunction | undefined {
    const name = this.byRelease.get(release)?.gvks.get(`${group}/${version}/${kind}`);
    return name === undefined ? undefined : this.ajv.compile({ $ref: definitionRef(release, name) });
  }

  /**
   * The schema of a built-in kind as one to add to ajv under an id of its own (for ajv standalone code that exports
   * several kinds from one module); undefined when the release has no such kind.
   */
  public coreSchema(release: string, gvk: string, id: string): object | undefined {
    const name = this.byRelease.get(release)?.gvks.get(gvk);
    return name === undefined ? undefined : { $id: id, $ref: definitionRef(release, name) };
  }

  /** the names of the definitions a built-in kind's schema refers to, itself included, transitively */
  public closure(release: string, gvk: string): ReadonlySet<string> {
    const definitions = this.byRelease.get(release)?.definitions ?? {};
    const found = new Set<string>();
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) {
        value.forEach(visit);
      } else if (isPlainObject(value)) {
        for (const [key, child] of Object.entries(value)) {
          if (key === '$ref' && typeof child === 'string') {
            const name = child.slice(child.lastIndexOf('/') + 1);
            if (!found.has(name)) {
              found.add(name);
              visit(definitions[name]);
            }
          } else {
            visit(child);
          }
        }
      }
    };
    const name = this.byRelease.get(release)?.gvks.get(gvk);
    if (name !== undefined) {
      found.add(name);
      visit(definitions[name]);
    }
    return found;
  }

  public crdVersions(group: string, kind: string): readonly string[] | undefined {
    const versions = this.crds.versions(group, kind);
    return versions && [...versions.keys()];
  }

  public crd(group: string, version: string, kind: string): ValidateFunction {
    const schema = this.crds.versions(group, kind)?.get(version);
    if (schema === undefined) {
      throw new Error(`no vendored crd serves ${group}/${version} ${kind}`);
    }
    return this.ajv.compile(this.crdSchema(schema));
  }

  /** every built-in kind of each release ('group/version/Kind'), and every served version of every vendored crd */
  public inventory(): { core: ReadonlyMap<string, readonly string[]>; crds: ReadonlyMap<string, readonly string[]> } {
    return {
      core: new Map([...this.byRelease].map(([release, r]) => [release, [...r.gvks.keys()].sort()])),
      crds: new Map([...this.crds.all()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, versions]) => [key, [...versions.keys()]])),
    };
  }

  /** the top-level schema of one CRD version: strict, with ObjectMeta for metadata */
  private crdSchema(schema: any): any {
    strictify(schema, true);
    const definitions: Record<string, any> = {};
    const hoisted = hoist(schema, definitions, new Map());
    return {
      ...hoisted,
      definitions,
      properties: {
        // every object has these, but CRD schemas need not declare them
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        ...hoisted.properties,
        // CRD schemas only say `metadata: {type: object}`; the API server applies ObjectMeta
        metadata: { allOf: this.releases.map((r) => ({ $ref: definitionRef(r, OBJECT_META) })) },
      },
    };
  }
}

function createAjv(standalone?: StandaloneOptions): Ajv {
  // The vendored schemas were accepted by Kubernetes, which ignores OpenAPI and
  // x-kubernetes-* annotations and unknown formats; so does ajv here, silently.
  // inlineRefs and code.optimize off: compiling a Deployment against both releases takes ~0.25 s instead of ~0.9 s
  const code: Record<string, unknown> = { optimize: false };
  if (standalone) {
    // generated modules require the formats module that sits beside this one, wherever the package is installed
    const formatsModule = path.relative(standalone.outDir, path.join(__dirname, 'formats')).split(path.sep).join('/');
    code.source = true;
    code.formats = _`require(${formatsModule.startsWith('.') ? formatsModule : `./${formatsModule}`}).formats`;
  }
  const ajv = new Ajv({ allErrors: true, strictSchema: false, logger: false, inlineRefs: false, code });
  // formats: formats.ts replaces ajv-formats' ISO 8601 duration with Kubernetes' (Go) durations
  addFormats(ajv, { keywords: true, formats: [] });
  for (const [name, format] of Object.entries(formats)) {
    ajv.addFormat(name, format as any);
  }
  ajv.addKeyword({
    keyword: INT_OR_STRING,
    schemaType: 'boolean',
    // generated code rather than a function, so that ahead-of-time compiled validators carry it
    code(cxt: KeywordCxt) {
      if (cxt.schema === true) {
        cxt.fail(_`typeof ${cxt.data} != "string" && !(typeof ${cxt.data} == "number" && Number.isInteger(${cxt.data}))`);
      }
    },
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
    return { version, gvks, definitions };
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

/** a subschema whose JSON is longer than this is compiled into a function of its own */
const HOIST_ABOVE = 1500;

/**
 * A copy of a CRD schema whose large subschemas in its structural skeleton (the schemas of properties, items and
 * additionalProperties) are moved to `definitions` and referenced, each identical one once. ajv compiles a `$ref`
 * (with inlineRefs off) into a function of its own: a CRD is otherwise one function (Argo CD's Application ~1.5 MB of
 * code), which V8 compiles whole on the first call, while the functions of fields an object does not have (an
 * Application's `status`, an Issuer's ACME solvers) are never compiled; repeated subtrees (an Application's `source`
 * appears 10 times) are compiled once. The checks and their messages are the same: errors name the object's field
 * (`instancePath`), and a combinator (allOf/anyOf/oneOf/not) is never split, so that its branches' errors stay
 * beside it for the messages that fold them.
 */
function hoist(schema: any, definitions: Record<string, any>, names: Map<string, string>): any {
  if (!isPlainObject(schema)) {
    return schema;
  }
  const copy: any = { ...schema };
  const sub = (child: any): any => {
    const inner = hoist(child, definitions, names);
    if (!isPlainObject(inner)) {
      return inner;
    }
    const text = JSON.stringify(inner);
    if (text.length <= HOIST_ABOVE) {
      return inner;
    }
    let name = names.get(text);
    if (name === undefined) {
      name = `s${names.size}`;
      names.set(text, name);
      definitions[name] = inner;
    }
    return { $ref: `#/definitions/${name}` };
  };
  if (isPlainObject(schema.properties)) {
    copy.properties = Object.fromEntries(Object.entries(schema.properties).map(([key, value]) => [key, sub(value)]));
  }
  if (isPlainObject(schema.additionalProperties)) {
    copy.additionalProperties = sub(schema.additionalProperties);
  }
  if (isPlainObject(schema.items)) {
    copy.items = sub(schema.items);
  }
  return copy;
}

/**
 * Makes a schema reject unknown fields, in place: every object schema with
 * `properties` and neither `additionalProperties` nor
 * `x-kubernetes-preserve-unknown-fields: true` gets `additionalProperties: false`.
 *
 * Only the structural skeleton (properties, additionalProperties, items) is
 * changed: allOf/anyOf/oneOf/not branches list subsets of fields (structural
 * schemas declare every field in the skeleton), so they must stay open.
 * Idempotent, so schemas shared through YAML aliases are safe. Also drops
 * `description`s, which no check reads.
 */
function strictify(schema: any, structural: boolean): void {
  if (!isPlainObject(schema)) {
    return;
  }
  // prose only; dropped so that the compiled validators, which embed their schemas, are a third of the size
  delete schema.description;
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

function isPlainObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
