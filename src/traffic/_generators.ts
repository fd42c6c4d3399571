import * as path from 'node:path';
import type * as Protobuf from 'protobufjs';
import type * as Yaml from 'yaml';
import { pathToRegex, quoteMeta } from './_regex';
import { RouteSpec } from './conditions';

/** Routes generated from a document, with what `linkerd profile` would silently drop or misread. */
export interface Generated {
  readonly routes: RouteSpec[];
  /** Things in the document that produce no route, or not the route the author probably meant. */
  readonly warnings: string[];
}

/** A document `linkerd profile` cannot read. */
export class GeneratorError extends Error {}

/** The methods `linkerd profile --open-api` reads, in its order; OpenAPI 3's `trace` has no field in the Swagger 2 model. */
const OPENAPI_METHODS = ['delete', 'get', 'head', 'options', 'patch', 'post', 'put'];
const RETRYABLE = 'x-linkerd-retryable';
const TIMEOUT = 'x-linkerd-timeout';
const INT64_MAX = 9_223_372_036_854_775_807n;

/** Whether a value decodes as a Go struct (a JSON object or null). */
function isObjectOrNull(value: unknown): value is Record<string, unknown> | null {
  return value === null || (typeof value === 'object' && !Array.isArray(value));
}

/** `yaml` (72 modules), loaded only when an OpenAPI document is given as text. */
function yamlLibrary(): typeof Yaml {
  return require('yaml');
}

/**
 * The largest OpenAPI or .proto text read, in characters (8 MiB): far above real documents (the 500-path benchmark
 * document is about 0.3 MB), far below what exhausts memory (a 2 MB document of nested brackets took 63 s and 1.1 GB
 * before failing, and aborted Node with a 512 MB heap).
 */
export const MAX_SPEC_CHARS = 8 * 1024 * 1024;

/**
 * The deepest nesting read in an OpenAPI document (block and flow collections together). The YAML parser recurses
 * per level and overflows the stack at about 270 flow or 500–1,000 block levels; OpenAPI documents nest a few dozen.
 */
export const MAX_SPEC_NESTING = 100;

/**
 * Parses an OpenAPI document given as YAML or JSON text, with YAML 1.1 scalars as `linkerd profile`'s Go YAML
 * library reads them (`yes`/`on` are booleans), or returns an already-parsed document as is. Text longer than
 * {@link MAX_SPEC_CHARS} or nested deeper than {@link MAX_SPEC_NESTING} fails before it is parsed.
 */
export function readOpenApi(spec: string | Record<string, unknown>): unknown {
  if (typeof spec !== 'string') {
    const depth = objectNesting(spec, MAX_SPEC_NESTING);
    if (depth > MAX_SPEC_NESTING) throw new GeneratorError(`the OpenAPI document nests more than ${MAX_SPEC_NESTING} levels deep; at most ${MAX_SPEC_NESTING} are read`);
    return spec;
  }
  checkSize('the OpenAPI document', spec);
  const nesting = yamlNesting(spec, MAX_SPEC_NESTING);
  if (nesting.depth > MAX_SPEC_NESTING) {
    throw new GeneratorError(`the OpenAPI document nests more than ${MAX_SPEC_NESTING} levels deep (at line ${nesting.line}); at most ${MAX_SPEC_NESTING} are read`);
  }
  try {
    return yamlLibrary().parse(spec, { version: '1.1' });
  } catch (err) {
    throw new GeneratorError(`the OpenAPI document is not valid YAML or JSON: ${messageOf(err).split('\n')[0]}`);
  }
}

function checkSize(what: string, text: string): void {
  if (text.length > MAX_SPEC_CHARS) {
    throw new GeneratorError(`${what} has ${text.length} characters; at most ${MAX_SPEC_CHARS} (8 MiB) are read`);
  }
}

/**
 * How deep YAML text nests, from the lexer's tokens (linear, no recursion): flow collections by their brackets, block
 * collections by the stack of indentation columns at which lines (and each `- ` or `? ` indicator) start a node.
 * Stops counting past `limit`.
 */
function yamlNesting(text: string, limit: number): { depth: number; line: number } {
  let flow = 0;
  let line = 1;
  let column = 0;
  let lineStart = true;
  const indents: number[] = [];
  for (const token of new (yamlLibrary().Lexer)().lex(text)) {
    // control tokens (document, scalar, flow error markers) have no source text
    if (token.length === 1 && token < ' ' && token !== '\n' && token !== '\t') continue;
    if (token === '\n' || token === '\r\n') {
      line++;
      column = 0;
      lineStart = true;
      continue;
    }
    if (lineStart && flow === 0 && !token.startsWith('#')) {
      if (/^[ \t]*$/.test(token)) {
        column += token.length;
        continue;
      }
      while (indents.length > 0 && indents[indents.length - 1] >= column) indents.pop();
      indents.push(column);
      if (token !== '-' && token !== '?') lineStart = false;
    }
    if (token === '{' || token === '[') flow++;
    else if ((token === '}' || token === ']') && flow > 0) flow--;
    if (indents.length + flow > limit) return { depth: indents.length + flow, line };
    const newline = token.lastIndexOf('\n');
    if (newline >= 0) {
      line += token.split('\n').length - 1;
      column = token.length - newline - 1;
    } else {
      column += token.length;
    }
  }
  return { depth: 0, line };
}

/** How deep a parsed value nests, counted without recursion and stopping past `limit`. */
function objectNesting(value: unknown, limit: number): number {
  const stack: [unknown, number][] = [[value, 0]];
  const seen = new Set<unknown>();
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    if (depth + 1 > limit) return depth + 1;
    seen.add(v);
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return 0;
}

/**
 * The routes `linkerd profile --open-api` generates (`pkg/profiles/openapi.go`, go-openapi's Swagger 2.0 model, which
 * also reads OpenAPI 3.x `paths` and `responses`):
 *
 * 1. path keys starting with `/`, sorted byte-wise;
 * 2. joined to `basePath` (`TrimRight(basePath, "/") + "/" + TrimLeft(path, "/")`; Linkerd ≤ 2.14 used `path.Join`,
 *    which also strips trailing slashes);
 * 3. per path, operations in the order DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT;
 * 4. name `METHOD /path`, condition `{ method, pathRegex: QuoteMeta(path) with {param} → [^/]* }`;
 * 5. `isRetryable` from the operation's boolean `x-linkerd-retryable`, `timeout` from its string `x-linkerd-timeout`;
 * 6. one response class per integer status key, ascending, `isFailure` for ≥ 500.
 *
 * @param doc the parsed document
 * @param pathJoin `concat` for Linkerd ≥ 2.15, `clean` for the `path.Join` of ≤ 2.14
 */
export function openApiRoutes(doc: unknown, pathJoin: 'concat' | 'clean' = 'concat'): Generated {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new GeneratorError(`the OpenAPI document must be an object, got ${describe(doc)}`);
  }
  const d = doc as Record<string, unknown>;
  const warnings: string[] = [];
  if (d.basePath !== undefined && d.basePath !== null && typeof d.basePath !== 'string') {
    throw new GeneratorError(`basePath must be a string, got ${describe(d.basePath)}`);
  }
  const basePath = typeof d.basePath === 'string' ? d.basePath : '';
  if (!isObjectOrNull(d.paths ?? null)) throw new GeneratorError(`paths must be an object, got ${describe(d.paths)}`);
  const paths = (d.paths ?? {}) as Record<string, unknown>;

  for (const key of Object.keys(paths).filter(k => !k.startsWith('/') && !k.toLowerCase().startsWith('x-'))) {
    warnings.push(`path ${JSON.stringify(key)} does not start with '/': linkerd profile ignores it, so it gets no route; write ${JSON.stringify(`/${key}`)}`);
  }
  const keys = Object.keys(paths).filter(k => k.startsWith('/')).sort(compareBytes);
  const base = basePath.replace(/\/+$/, '');
  const routes: RouteSpec[] = [];
  for (const key of keys) {
    const item = paths[key];
    if (!isObjectOrNull(item)) throw new GeneratorError(`paths[${JSON.stringify(key)}] must be an object, got ${describe(item)}`);
    const full = pathJoin === 'concat' ? `${base}/${key.replace(/^\/+/, '')}` : goPathJoin(basePath, key);
    const pathRegex = pathToRegex(full);
    for (const ext of Object.keys(item ?? {}).filter(k => k === RETRYABLE || k === TIMEOUT)) {
      warnings.push(`paths[${JSON.stringify(key)}] has ${ext} on the path item: linkerd profile reads it from each operation only`);
    }
    if (item?.trace !== undefined && item.trace !== null) {
      warnings.push(`TRACE ${full}: linkerd profile has no field for trace operations, so it gets no route`);
    }
    for (const method of OPENAPI_METHODS) {
      const op = item?.[method];
      if (op === undefined || op === null) continue;
      const name = `${method.toUpperCase()} ${full}`;
      if (!isObjectOrNull(op)) throw new GeneratorError(`operation ${name} must be an object, got ${describe(op)}`);
      routes.push(operationRoute(name, method.toUpperCase(), pathRegex, op as Record<string, unknown>, warnings));
    }
  }
  return { routes, warnings };
}

function operationRoute(name: string, method: string, pathRegex: string, op: Record<string, unknown>, warnings: string[]): RouteSpec {
  for (const key of Object.keys(op)) {
    if (key !== RETRYABLE && key !== TIMEOUT && [RETRYABLE, TIMEOUT].includes(key.toLowerCase())) {
      warnings.push(`operation ${name} spells ${key} with capitals: linkerd profile only finds ${key.toLowerCase()}`);
    }
  }
  if (op[RETRYABLE] !== undefined && typeof op[RETRYABLE] !== 'boolean') {
    warnings.push(`operation ${name} has ${RETRYABLE}: ${JSON.stringify(op[RETRYABLE])}, which linkerd profile reads only as a boolean: the route is not retryable`);
  }
  if (op[TIMEOUT] !== undefined && typeof op[TIMEOUT] !== 'string') {
    warnings.push(`operation ${name} has ${TIMEOUT}: ${JSON.stringify(op[TIMEOUT])}, which linkerd profile reads only as a string such as "10s": the route gets no timeout`);
  }
  const responseClasses = op.responses === undefined || op.responses === null ? undefined : responseClassesOf(name, op.responses, warnings);
  return {
    name,
    condition: { method, pathRegex },
    ...(responseClasses && responseClasses.length > 0 ? { responseClasses } : {}),
    ...(op[RETRYABLE] === true ? { isRetryable: true } : {}),
    ...(typeof op[TIMEOUT] === 'string' && op[TIMEOUT] !== '' ? { timeout: op[TIMEOUT] as string } : {}),
  };
}

/** go-openapi's `ResponsesProps.UnmarshalJSON`: `default` and `x-` keys aside, keys that `strconv.Atoi` reads. */
function responseClassesOf(name: string, responses: unknown, warnings: string[]): any[] {
  if (!isObjectOrNull(responses)) throw new GeneratorError(`operation ${name} responses must be an object, got ${describe(responses)}`);
  const codes = new Set<number>();
  for (const [key, value] of Object.entries(responses ?? {})) {
    if (key === 'default' || key.startsWith('x-')) continue;
    if (!isObjectOrNull(value)) throw new GeneratorError(`operation ${name} response ${JSON.stringify(key)} must be an object, got ${describe(value)}`);
    if (/^[+-]?[0-9]+$/.test(key) && BigInt(key) <= INT64_MAX && BigInt(key) >= -INT64_MAX - 1n) {
      codes.add(Number(key));
    } else {
      warnings.push(`operation ${name} response ${JSON.stringify(key)} is not an integer status: linkerd profile gives it no response class`);
    }
  }
  return [...codes].sort((a, b) => a - b).map(code => ({
    condition: { status: { min: code, max: code } },
    ...(code >= 500 ? { isFailure: true } : {}),
  }));
}

/**
 * The routes `linkerd profile --proto` generates (`pkg/profiles/proto.go`): one per rpc of every service, in file
 * order, named after the rpc, matching `POST /<package>.<Service>/<Method>` (QuoteMeta'd), retryable when the rpc's
 * first `idempotency_level` option is `IDEMPOTENT` or `NO_SIDE_EFFECTS`.
 */
export function protoRoutes(text: string): Generated {
  // protobufjs (46 modules) is loaded only when a .proto file is read
  checkSize('the .proto file', text);
  const protobuf = require('protobufjs') as typeof Protobuf;
  let root: Protobuf.Root;
  try {
    root = protobuf.parse(text, { keepCase: true }).root;
  } catch (err) {
    throw new GeneratorError(`the .proto file does not parse: ${messageOf(err)}`);
  }
  const routes: RouteSpec[] = [];
  const visit = (ns: Protobuf.NamespaceBase) => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Service) {
        for (const method of nested.methodsArray) {
          const pathRegex = quoteMeta(`/${nested.fullName.replace(/^\./, '')}/${method.name}`);
          routes.push({ name: method.name, condition: { method: 'POST', pathRegex }, ...(isIdempotent(method) ? { isRetryable: true } : {}) });
        }
      }
      if (nested instanceof protobuf.Namespace) visit(nested);
    }
  };
  visit(root);
  const warnings = routes.length === 0 ? ['the .proto file declares no service with an rpc: the profile has no routes'] : [];
  return { routes, warnings };
}

function isIdempotent(method: Protobuf.Method): boolean {
  for (const option of method.parsedOptions ?? []) {
    const [name, value] = Object.entries(option)[0] ?? [];
    if (name?.replace(/^\(+|\)+$/g, '') === 'idempotency_level') return value === 'IDEMPOTENT' || value === 'NO_SIDE_EFFECTS';
  }
  return false;
}

/** Go's `path.Join(base, rel)`: join the non-empty parts with `/`, then `path.Clean` (which also drops a trailing `/`). */
function goPathJoin(base: string, rel: string): string {
  const joined = [base, rel].filter(p => p !== '').join('/');
  if (joined === '') return '';
  const clean = path.posix.normalize(joined);
  return clean.length > 1 && clean.endsWith('/') ? clean.slice(0, -1) : clean;
}

/** Go's `sort.Strings`: byte-wise (UTF-8) order, which differs from UTF-16 order above U+FFFF. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** An error's message, without relying on `instanceof Error` (parsers' errors may come from another realm). */
function messageOf(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(err);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value} (${JSON.stringify(value)?.slice(0, 40)})`;
}
