import type * as Cel from '@bufbuild/cel';
import type { RE2JS } from 're2js';
import { CEL_SCHEMAS } from './cel-rules.generated';

/**
 * One `x-kubernetes-validations` rule of a CRD schema, as vendored.
 *
 * @see https://kubernetes.io/docs/reference/using-api/cel/
 */
export interface CelRuleSpec {
  /** the CEL expression; `self` is the value of the node that carries the rule */
  readonly rule: string;
  /** @default - 'failed rule: <rule>' */
  readonly message?: string;
  /** @default - the message */
  readonly messageExpression?: string;
  /** @default - the node's own path */
  readonly fieldPath?: string;
  /** @default 'FieldValueInvalid' */
  readonly reason?: string;
  /** @default false */
  readonly optionalOldSelf?: boolean;
}

/**
 * The part of a CRD's structural schema that CEL evaluation reads (generated into `cel-rules.generated.ts`).
 */
export interface CelSchema {
  /** @default - any type */
  readonly type?: string;
  /** @default - none */
  readonly default?: unknown;
  /** @default false */
  readonly nullable?: boolean;
  /** `x-kubernetes-int-or-string` @default false */
  readonly intOrString?: boolean;
  /** @default - no declared properties */
  readonly properties?: Readonly<Record<string, CelSchema>>;
  /** @default - not a list, or a list without rules below */
  readonly items?: CelSchema;
  /** @default - not a map, or a map without rules below */
  readonly additionalProperties?: CelSchema;
  /** `x-kubernetes-validations` @default - none */
  readonly rules?: readonly CelRuleSpec[];
}

/** What `celProblems` found in one object. */
export interface CelResult {
  /** rules that failed or could not finish, as `field.path: message` */
  readonly problems: string[];
  /** rules that apply to the object but were not evaluated, once per rule, with why */
  readonly unevaluated: string[];
}

/** How one rule is run, prepared once per rule. */
type Compiled =
  | { readonly ok: true; readonly run: (self: unknown) => unknown; readonly message?: (self: unknown) => unknown }
  | { readonly ok: false; readonly why: string };

let lib: { readonly cel: typeof Cel; readonly env: Cel.CelEnv } | undefined;

/**
 * The CEL library, loaded on first use (0.2-0.5 s on this machine: docs/cel.md), so that kinds without CEL rules never
 * pay for it. Standard CEL only: the vendored rules call no Kubernetes extension library.
 */
function cel(): { readonly cel: typeof Cel; readonly env: Cel.CelEnv } {
  if (!lib) {

    const loaded = require('@bufbuild/cel') as typeof Cel;
    const { RE2JS: re2js } = require('re2js') as typeof import('re2js');
    // `matches` with RE2 semantics as in cel-go, each pattern compiled once (the library's own compiles on every call)
    const patterns = new Map<string, RE2JS>();
    const re2 = { compile: (p: string) => patterns.get(p) ?? patterns.set(p, re2js.compile(p)).get(p)! };
    lib = { cel: loaded, env: loaded.celEnv({ re2 }) };
  }
  return lib;
}

const compiled = new WeakMap<CelRuleSpec, Compiled>();

/**
 * Evaluates the CEL rules (`x-kubernetes-validations`) of the vendored CRDs on one object, as the API server does when
 * the object is created:
 *
 * - schema defaults are applied first (kubernetes/apiextensions-apiserver@v0.36.0:pkg/apiserver/schema/defaulting/algorithm.go:34-69);
 * - each rule runs at every node of its schema that is present and not null, once per list item and map value, with
 *   `self` the node's value (kubernetes/apiextensions-apiserver@v0.36.0:pkg/apiserver/schema/cel/validation.go:304-367);
 *   integers are CEL `int`, declared properties only, with names escaped
 *   (kubernetes/apiserver@v0.36.0:pkg/cel/escaping.go:100-136);
 * - a rule that is false yields its `messageExpression`, else its `message`, else `failed rule: <rule>`, at its
 *   `fieldPath` below the node; an evaluation error (e.g. `no such key`) is a problem too
 *   (kubernetes/apiextensions-apiserver@v0.36.0:pkg/apiserver/schema/cel/validation.go:437-501, 753-759);
 * - a transition rule (one that reads `oldSelf`) is skipped on create unless it sets `optionalOldSelf`
 *   (kubernetes/apiextensions-apiserver@v0.36.0:pkg/apiserver/schema/cel/validation.go:399-412): it is listed in
 *   `unevaluated`, as is any rule this evaluator cannot parse or whose function it does not implement.
 *
 * The API server's cost budget is not enforced. Kinds without vendored CEL rules yield nothing.
 *
 * @param object a Kubernetes object, as parsed from YAML
 */
export function celProblems(object: any): CelResult {
  const result: CelResult = { problems: [], unevaluated: [] };
  if (object === null || typeof object !== 'object' || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
    return result;
  }
  const entry = CEL_SCHEMAS[gvk(object.apiVersion, object.kind)];
  return entry ? celProblemsUnder(object, entry.schema) : result;
}

/**
 * `celProblems` under a given schema (for tests of rule features the vendored CRDs do not use).
 *
 * @internal
 */
export function celProblemsUnder(object: unknown, schema: CelSchema): CelResult {
  const result: CelResult = { problems: [], unevaluated: [] };
  visit(defaulted(object, schema), schema, '', '', true, { out: result, skipped: new Set(), values: new WeakMap() });
  return result;
}

/** The rules of the vendored CRDs, each with whether `celProblems` evaluates it. */
export interface CelRuleStatus {
  /** 'group/version/Kind' */
  readonly gvk: string;
  /** the vendored file, e.g. 'gateway-api.yaml' */
  readonly file: string;
  /** the schema path of the node carrying the rule, '[*]' for each list item or map value ('' for the root) */
  readonly path: string;
  readonly rule: CelRuleSpec;
  /** why the rule is not evaluated; absent when it is */
  readonly unevaluated?: string;
}

/** Every vendored rule and whether it is evaluated on create, in file and schema order. */
export function celRuleStatus(): CelRuleStatus[] {
  const out: CelRuleStatus[] = [];
  const walk = (gvkKey: string, file: string, s: CelSchema, at: string) => {
    for (const rule of s.rules ?? []) {
      const c = compile(rule);
      out.push({ gvk: gvkKey, file, path: at, rule, ...(c.ok ? {} : { unevaluated: c.why }) });
    }
    for (const [k, p] of Object.entries(s.properties ?? {})) walk(gvkKey, file, p, at === '' ? k : `${at}.${k}`);
    if (s.items) walk(gvkKey, file, s.items, `${at}[*]`);
    if (s.additionalProperties) walk(gvkKey, file, s.additionalProperties, `${at}[*]`);
  };
  for (const [key, { file, schema }] of Object.entries(CEL_SCHEMAS)) walk(key, file, schema, '');
  return out;
}

function gvk(apiVersion: string, kind: string): string {
  return `${apiVersion.includes('/') ? apiVersion : `/${apiVersion}`}/${kind}`;
}

/**
 * Walks one node: runs its rules, then its children's.
 *
 * @param at the field path for messages, e.g. 'spec.rules[0]'
 * @param schemaAt the schema path, e.g. 'spec.rules[*]' (to name a skipped rule once)
 */
function visit(value: unknown, s: CelSchema, at: string, schemaAt: string, isRoot: boolean, walk: Walk): void {
  if (value === null || value === undefined) return;
  if (s.rules) {
    const self = toCel(value, s, walk.values, isRoot);
    for (const rule of s.rules) evaluate(rule, self, value, s, at, schemaAt, walk);
  }
  if (Array.isArray(value)) {
    if (s.items) value.forEach((v, i) => visit(v, s.items!, `${at}[${i}]`, `${schemaAt}[*]`, false, walk));
  } else if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (s.properties) {
      for (const [k, p] of Object.entries(s.properties)) {
        if (k in obj) visit(obj[k], p, join(at, k), join(schemaAt, k), false, walk);
      }
    } else if (s.additionalProperties) {
      for (const [k, v] of Object.entries(obj)) visit(v, s.additionalProperties, `${at}[${k}]`, `${schemaAt}[*]`, false, walk);
    }
  }
}

/** The state of one `celProblems` call. */
interface Walk {
  readonly out: CelResult;
  /** schema path + rule of the rules already listed as unevaluated */
  readonly skipped: Set<string>;
  /** each object or list of the (defaulted) input, as a CEL value: nested rules reuse their parent's conversion */
  readonly values: WeakMap<object, unknown>;
}

function join(at: string, key: string): string {
  return at === '' ? key : `${at}.${key}`;
}

function evaluate(rule: CelRuleSpec, self: unknown, raw: unknown, s: CelSchema, at: string, schemaAt: string, walk: Walk): void {
  const { out, skipped } = walk;
  const c = compile(rule);
  const skip = (why: string) => {
    const key = `${schemaAt}\n${rule.rule}`;
    if (skipped.has(key)) return;
    skipped.add(key);
    out.unevaluated.push(`${schemaAt || '(root)'}: rule ${JSON.stringify(rule.rule)} not evaluated: ${why}`);
  };
  if (!c.ok) {
    skip(c.why);
    return;
  }
  const where = at || '<root>';
  const result = c.run(self);
  if (result === true) return;
  if (cel().cel.isCelError(result)) {
    if (/^unbound function/.test(result.message)) {
      skip(`${result.message} (this evaluator implements standard CEL only)`);
      return;
    }
    // as the API server words it: '<error> evaluating rule: <message or rule>'
    out.problems.push(`${where}: ${reasonBody(undefined, raw, s, `${result.message} evaluating rule: ${(rule.message ?? rule.rule).trim()}`)}`);
    return;
  }
  if (result !== false) {
    out.problems.push(`${where}: ${reasonBody(undefined, raw, s, `rule did not evaluate to a bool: ${rule.rule.trim()}`)}`);
    return;
  }
  let detail = rule.message?.trim() || `failed rule: ${rule.rule.trim()}`;
  if (c.message) {
    const m = c.message(self);
    // an unusable messageExpression falls back to the message (validation.go:476-490, 716-745)
    if (typeof m === 'string' && m.trim() !== '' && !/\n/.test(m)) detail = m.trim();
  }
  const fieldAt = rule.fieldPath ? `${at}${rule.fieldPath.startsWith('[') ? '' : '.'}${rule.fieldPath.replace(/^\./, '')}` : where;
  out.problems.push(`${fieldAt}: ${reasonBody(rule.reason, raw, s, detail)}`);
}

/**
 * The body of the field.Error for the rule's reason (validation.go:678-692), worded as
 * kubernetes/apimachinery@v0.36.0:pkg/util/validation/field/errors.go:109-153 does: a Duplicate carries no detail.
 */
function reasonBody(reason: string | undefined, raw: unknown, s: CelSchema, detail: string): string {
  const bad = value(raw, s);
  switch (reason) {
    case 'FieldValueRequired': return `Required value: ${detail}`;
    case 'FieldValueForbidden': return `Forbidden: ${detail}`;
    case 'FieldValueDuplicate': return bad === undefined ? 'Duplicate value' : `Duplicate value: ${bad}`;
    default: return bad === undefined ? `Invalid value: ${detail}` : `Invalid value: ${bad}: ${detail}`;
  }
}

/** the bad value as field.Error shows it: quoted strings, plain numbers, none for an object or a list (validation.go:496-499) */
function value(raw: unknown, s: CelSchema): string | undefined {
  if (raw !== null && typeof raw === 'object') return undefined;
  return s.type === 'string' || typeof raw === 'string' ? JSON.stringify(raw) : String(raw);
}

function compile(rule: CelRuleSpec): Compiled {
  let c = compiled.get(rule);
  if (!c) {
    c = compileRule(rule);
    compiled.set(rule, c);
  }
  return c;
}

function compileRule(rule: CelRuleSpec): Compiled {
  const { cel: { parse, plan }, env } = cel();
  let program: ReturnType<typeof plan>;
  let usesOldSelf: boolean;
  try {
    const parsed = parse(rule.rule);
    usesOldSelf = identifiers(parsed.expr).has('oldSelf');
    program = plan(env, parsed);
  } catch (e) {
    return { ok: false, why: `this evaluator cannot parse it (${(e as Error).message})` };
  }
  if (usesOldSelf) {
    return rule.optionalOldSelf
      ? { ok: false, why: 'optionalOldSelf rules (oldSelf as an optional) are not supported by this evaluator' }
      : { ok: false, why: 'transition rule: it reads oldSelf, and Kubernetes evaluates it only on update, never on create' };
  }
  let message: ((self: unknown) => unknown) | undefined;
  if (rule.messageExpression) {
    try {
      const m = plan(env, parse(rule.messageExpression));
      message = (self) => m({ self } as any);
    } catch {
      // the API server rejects such a CRD; the message is used instead
    }
  }
  return { ok: true, run: (self) => program({ self } as any), message };
}

/** the identifiers an expression reads (to find `oldSelf`), walking the parsed AST */
function identifiers(expr: any, found = new Set<string>()): Set<string> {
  if (!expr || typeof expr !== 'object') return found;
  const kind = expr.exprKind;
  if (kind?.case === 'identExpr') found.add(kind.value.name);
  for (const v of Object.values(kind?.value ?? {})) {
    if (Array.isArray(v)) v.forEach((x) => identifiers(x, found));
    else if (v && typeof v === 'object') identifiers(v, found);
  }
  if (kind?.case === undefined) {
    for (const v of Object.values(expr)) {
      if (v && typeof v === 'object') identifiers(v, found);
    }
  }
  return found;
}

/** a deep copy of `value` with the schema's defaults applied (algorithm.go:34-69) */
function defaulted(value: unknown, s: CelSchema | undefined): unknown {
  if (!s) return value;
  if (Array.isArray(value)) {
    return value.map((v) => defaulted(v === null && s.items?.default !== undefined && !s.items.nullable ? clone(s.items.default) : v, s.items));
  }
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    if (p.default !== undefined && (!(k in out) || (out[k] === null && !p.nullable))) out[k] = clone(p.default);
  }
  for (const k of Object.keys(out)) {
    const p = s.properties ? own(s.properties, k) : s.additionalProperties;
    if (p) out[k] = defaulted(out[k], p);
  }
  return out;
}

/** a declared property's schema (never one of Object.prototype's members) */
function own(properties: Readonly<Record<string, CelSchema>>, key: string): CelSchema | undefined {
  return Object.prototype.hasOwnProperty.call(properties, key) ? properties[key] : undefined;
}

function clone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

/**
 * A JSON value as CEL sees it under its schema (kubernetes/apiserver@v0.36.0:pkg/cel/common/values.go): integers of
 * `integer` (and int-or-string, untyped) nodes as `int`, objects with declared properties exposing only those, under
 * escaped names; at the root, metadata exposes only name and generateName
 * (kubernetes/apiserver@v0.36.0:pkg/cel/common/schemas.go:74).
 */
function toCel(value: unknown, s: CelSchema | undefined, values: WeakMap<object, unknown>, isRoot = false): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    if (s?.type === 'number') return value;
    return Number.isInteger(value) ? BigInt(value) : value;
  }
  if (typeof value !== 'object') return value;
  const cached = values.get(value);
  if (cached !== undefined) return cached;
  // CelMap and CelList values, built once: the library converts plain objects again on every access
  const { celList, celMap } = cel().cel;
  let converted: unknown;
  if (Array.isArray(value)) {
    converted = celList(value.map((v) => toCel(v, s?.items, values) as Cel.CelValue));
  } else {
    const obj = value as Record<string, unknown>;
    const out = new Map<string, Cel.CelValue>();
    if (s?.properties) {
      for (const k of Object.keys(obj)) {
        const p = own(s.properties, k);
        const name = p && obj[k] !== null ? escape(k) : undefined;
        if (name !== undefined) out.set(name, toCel(obj[k], p, values) as Cel.CelValue);
      }
      if (isRoot) {
        for (const k of ['apiVersion', 'kind']) if (typeof obj[k] === 'string') out.set(k, obj[k] as string);
        const meta = obj.metadata as Record<string, unknown> | undefined;
        if (meta && typeof meta === 'object') {
          out.set('metadata', celMap(new Map(['name', 'generateName'].filter((k) => typeof meta[k] === 'string').map((k) => [k, meta[k] as string]))));
        }
      }
    } else {
      for (const [k, v] of Object.entries(obj)) out.set(k, toCel(v, s?.additionalProperties, values) as Cel.CelValue);
    }
    converted = celMap(out);
  }
  values.set(value, converted);
  return converted;
}

const RESERVED = new Set([
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let',
  'loop', 'package', 'namespace', 'return', 'var', 'void', 'while',
]);

const escaped = new Map<string, string | undefined>();

/** a property name as a CEL identifier, or undefined when it has none (escaping.go:100-136) */
function escape(name: string): string | undefined {
  if (escaped.has(name)) return escaped.get(name);
  const e = escapeName(name);
  escaped.set(name, e);
  return e;
}

function escapeName(name: string): string | undefined {
  if (name === '' || /^[0-9]/.test(name)) return undefined;
  if (RESERVED.has(name)) return `__${name}__`;
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name)) return undefined;
  return name.replace(/__|[-./]/g, (m) => ({ '__': '__underscores__', '.': '__dot__', '-': '__dash__', '/': '__slash__' } as Record<string, string>)[m]);
}
