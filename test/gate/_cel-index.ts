import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { CelRuleSpec, CelSchema } from '../../src/gate/cel';

/** The file `renderCelIndex` writes, committed so that the gate never parses a CRD to find its CEL rules. */
export const CEL_INDEX_FILE = path.resolve(__dirname, '..', '..', 'src', 'gate', 'cel-rules.generated.ts');

const CRDS = path.resolve(__dirname, '..', '..', 'crds');

/** One `x-kubernetes-validations` rule as it stands in a vendored CRD. */
export interface VendoredRule {
  /** e.g. 'gateway-api.yaml' */
  readonly file: string;
  /** 'group/version/Kind' */
  readonly gvk: string;
  /** the schema path, e.g. 'spec.rules[*].matches[*].path' ('' for the root) */
  readonly path: string;
  readonly rule: CelRuleSpec;
}

/** Every CRD version served by the vendored files, with the file it comes from. */
function vendoredVersions(): { file: string; gvk: string; schema: any }[] {
  const out: { file: string; gvk: string; schema: any }[] = [];
  for (const file of fs.readdirSync(CRDS).filter(f => f.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(CRDS, file), 'utf8'))) {
      const crd = doc.toJS();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const v of crd.spec.versions ?? []) {
        if (v.served === false) continue;
        out.push({ file, gvk: `${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, schema: v.schema?.openAPIV3Schema ?? {} });
      }
    }
  }
  return out;
}

function childPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/** Every rule of the vendored CRDs, in file and schema order. */
export function vendoredRules(): VendoredRule[] {
  const rules: VendoredRule[] = [];
  const walk = (file: string, gvk: string, s: any, at: string) => {
    if (!s || typeof s !== 'object') return;
    for (const rule of s['x-kubernetes-validations'] ?? []) rules.push({ file, gvk, path: at, rule: ruleSpec(rule) });
    for (const [k, c] of Object.entries(s.properties ?? {})) walk(file, gvk, c, childPath(at, k));
    if (s.items) walk(file, gvk, s.items, `${at}[*]`);
    if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(file, gvk, s.additionalProperties, `${at}[*]`);
    for (const branch of [...s.allOf ?? [], ...s.anyOf ?? [], ...s.oneOf ?? []]) walk(file, gvk, branch, at);
  };
  for (const v of vendoredVersions()) walk(v.file, v.gvk, v.schema, '');
  return rules;
}

function ruleSpec(r: any): CelRuleSpec {
  const spec: Record<string, unknown> = { rule: r.rule };
  for (const k of ['message', 'messageExpression', 'fieldPath', 'reason', 'optionalOldSelf']) {
    if (r[k] !== undefined) spec[k] = r[k];
  }
  return spec as unknown as CelRuleSpec;
}

function hasRules(s: any): boolean {
  if (!s || typeof s !== 'object') return false;
  return (s['x-kubernetes-validations'] ?? []).length > 0
    || Object.values(s.properties ?? {}).some(hasRules)
    || hasRules(s.items)
    || (typeof s.additionalProperties === 'object' && hasRules(s.additionalProperties));
}

/**
 * The part of a schema the CEL evaluator needs: the nodes on the way to a rule and everything below a rule (a rule
 * reads its whole subtree), with their types, defaults and rules; descriptions and other keywords dropped.
 */
function prune(s: any, inside: boolean): CelSchema | undefined {
  if (!s || typeof s !== 'object') return undefined;
  const ruled = (s['x-kubernetes-validations'] ?? []).length > 0;
  if (!inside && !ruled && !hasRules(s)) return undefined;
  const below = inside || ruled;
  const out: Record<string, unknown> = {};
  if (s.type !== undefined) out.type = s.type;
  if (s.default !== undefined) out.default = s.default;
  if (s.nullable === true) out.nullable = true;
  if (s['x-kubernetes-int-or-string'] === true) out.intOrString = true;
  if (ruled) out.rules = s['x-kubernetes-validations'].map(ruleSpec);
  const properties: Record<string, CelSchema> = {};
  for (const [k, c] of Object.entries<any>(s.properties ?? {})) {
    const p = prune(c, below);
    if (p) properties[k] = p;
  }
  if (Object.keys(properties).length > 0) out.properties = properties;
  // a rule's self exposes only declared properties, so an object with none still needs `properties: {}`
  else if (below && s.properties) out.properties = {};
  const items = prune(s.items, below);
  if (items) out.items = items;
  if (typeof s.additionalProperties === 'object') {
    const ap = prune(s.additionalProperties, below);
    if (ap) out.additionalProperties = ap;
  }
  return out as CelSchema;
}

/** The source text of src/gate/cel-rules.generated.ts for the vendored CRDs. */
export function renderCelIndex(): string {
  const shared = new Map<string, string>();
  const entries: string[] = [];
  const consts: string[] = [];
  for (const v of vendoredVersions()) {
    const pruned = prune(v.schema, false);
    if (!pruned) continue;
    const json = JSON.stringify(pruned);
    let name = shared.get(json);
    if (!name) {
      name = `S${shared.size}`;
      shared.set(json, name);
      consts.push(`const ${name}: CelSchema = ${json};`);
    }
    entries.push(`  '${v.gvk}': { file: '${v.file}', schema: ${name} },`);
  }
  return [
    '// Generated from crds/*.yaml by test/gate/cel-index.test.ts (UPDATE_CEL=1 npx jest test/gate/cel-index): do not edit.',
    '// Regenerate it also after any change to src/gate/cel.ts or to the CEL, protobuf or RE2 library versions.',
    '/* eslint-disable */',
    'import type { CelSchema } from \'./cel\';',
    '',
    ...consts,
    '',
    '/** The CEL-relevant part of each vendored CRD version that has `x-kubernetes-validations`, by \'group/version/Kind\'. */',
    'export const CEL_SCHEMAS: Readonly<Record<string, { readonly file: string; readonly schema: CelSchema }>> = {',
    ...entries,
    '};',
    '',
    '/**',
    ' * What decides a CEL verdict besides the object: sha256 of the rules above, src/gate/cel.ts and the versions of',
    ' * @bufbuild/cel, @bufbuild/protobuf and re2js in package-lock.json. The passes the schema gate keeps across',
    ' * processes (validation-passes.ts) belong to one digest (with the validators\' own).',
    ' */',
    `export const CEL_EVALUATOR_DIGEST = '${evaluatorDigest([...consts, ...entries].join('\n'))}';`,
    '',
  ].join('\n');
}

/** sha256 of the rules, the evaluator's source and its libraries' locked versions */
function evaluatorDigest(rules: string): string {
  const root = path.resolve(__dirname, '..', '..');
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  const hash = createHash('sha256').update(rules).update('\0').update(fs.readFileSync(path.join(root, 'src', 'gate', 'cel.ts')));
  for (const name of ['@bufbuild/cel', '@bufbuild/protobuf', 're2js']) {
    const version = lock.packages?.[`node_modules/${name}`]?.version;
    if (typeof version !== 'string') throw new Error(`package-lock.json does not lock ${name}`);
    hash.update(`\0${name}@${version}`);
  }
  return hash.digest('hex');
}
