import { RE2JS } from 're2js';
import { quoteMeta } from '../_internal/go-regexp';

export { quoteMeta };

const META = '\\.+*?()|[]{}^$';
const QUANTIFIERS = '*+?{';

/**
 * `linkerd profile`'s `PathToRegex`: QuoteMeta, then every escaped `\{…\}` path parameter becomes `[^/]*`
 * (linkerd/linkerd2@version-2.20:pkg/profiles/profiles.go:23 and :271-274, `\\{[^\}]*\\}` replaced leftmost-first
 * by Go's linear-time RE2).
 *
 * `/books/{id}.json` → `/books/[^/]*\.json`.
 *
 * A scan, not the same regex in JavaScript: a backtracking engine retries `[^}]*` from every `\{`, so a path of n
 * `{` without a `}` took quadratic time (10^5: 27 s). Each match runs from a `\{` to the first `}` after it, which
 * QuoteMeta always escapes, so one `indexOf` per match (and none once no `}` is left) gives the same result.
 */
export function pathToRegex(path: string): string {
  const quoted = quoteMeta(path);
  let out = '';
  let copied = 0;
  let from = 0;
  for (;;) {
    const open = quoted.indexOf('\\{', from);
    if (open < 0) break;
    const close = quoted.indexOf('}', open + 2);
    if (close < 0) break;
    if (close - 1 < open + 2 || quoted[close - 1] !== '\\') {
      from = open + 1;
      continue;
    }
    out += `${quoted.slice(copied, open)}[^/]*`;
    copied = from = close + 1;
  }
  return out + quoted.slice(copied);
}

/**
 * The regex the proxy compiles for a `pathRegex` (`linkerd2-proxy: linkerd/service-profiles/src/proto.rs`): trimmed,
 * then `^` and `$` added where missing.
 */
export function anchorLikeProxy(regex: string): string {
  const trimmed = regex.trim();
  return `${trimmed.startsWith('^') ? '' : '^'}${trimmed}${trimmed.endsWith('$') ? '' : '$'}`;
}

/**
 * Why the proxy (Rust `regex`) would reject a regex, checked with an RE2 implementation (Go's RE2 syntax, which
 * Rust's `regex` crate shares): lookaround, backreferences and other backtracking-only syntax that JavaScript accepts
 * are rejected. Both the regex as written and the form the proxy compiles are checked.
 *
 * @returns the parser's message, or undefined when the regex compiles
 */
export function re2Problem(regex: string): string | undefined {
  if (CHECKED.has(regex)) return CHECKED.get(regex);
  let problem: string | undefined;
  for (const candidate of [regex, anchorLikeProxy(regex)]) {
    try {
      RE2JS.compile(candidate);
    } catch (err) {
      problem = (err as { message?: string } | null)?.message ?? String(err);
      break;
    }
  }
  if (CHECKED.size >= 10_000) CHECKED.clear();
  CHECKED.set(regex, problem);
  return problem;
}

/** Regexes already checked (each is checked when a route is added and again at synth). */
const CHECKED = new Map<string, string | undefined>();

/** A regex split into tokens: literal characters (with escapes resolved) and syntax. */
interface Token {
  readonly literal?: string;
  readonly syntax?: string;
  /** Nesting depth of groups the token sits in (0 = top level), outside character classes. */
  readonly depth: number;
}

/** Splits a regex into tokens: `\.` is the literal `.`, `[…]` one syntax token, `\d` a syntax token. */
function tokenize(regex: string): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  for (let i = 0; i < regex.length; i++) {
    const c = regex[i];
    if (c === '\\') {
      const next = regex[i + 1] ?? '';
      i++;
      tokens.push(/[A-Za-z0-9]/.test(next) || next === '' ? { syntax: `\\${next}`, depth } : { literal: next, depth });
    } else if (c === '[') {
      let j = i + 1;
      if (regex[j] === '^') j++;
      if (regex[j] === ']') j++;
      while (j < regex.length && regex[j] !== ']') j += regex[j] === '\\' ? 2 : 1;
      tokens.push({ syntax: regex.slice(i, j + 1), depth });
      i = j;
    } else if (c === '(') {
      tokens.push({ syntax: c, depth });
      depth++;
    } else if (c === ')') {
      depth = Math.max(0, depth - 1);
      tokens.push({ syntax: c, depth });
    } else {
      tokens.push(META.includes(c) ? { syntax: c, depth } : { literal: c, depth });
    }
  }
  return tokens;
}

/** Whether a regex has an alternation `|` outside any group, which the proxy's `^…$` anchoring splits. */
export function hasTopLevelAlternation(regex: string): boolean {
  return tokenize(regex).some(t => t.syntax === '|' && t.depth === 0);
}

/** The string a regex matches when it is a plain literal (only literal characters and escaped punctuation), else undefined. */
export function literalOf(regex: string): string | undefined {
  const tokens = tokenize(regex);
  return tokens.every(t => t.literal !== undefined) ? tokens.map(t => t.literal).join('') : undefined;
}

/**
 * A prefix every path the regex matches (as the proxy anchors it) starts with: its leading literal characters,
 * less the last one when a quantifier follows it. Empty when the regex has a top-level alternation.
 */
export function literalPrefix(regex: string): string {
  const trimmed = regex.trim().replace(/^\^/, '');
  if (hasTopLevelAlternation(trimmed)) return '';
  let prefix = '';
  for (const token of tokenize(trimmed)) {
    if (token.literal === undefined) {
      if (token.syntax !== undefined && QUANTIFIERS.includes(token.syntax)) prefix = prefix.slice(0, -1);
      break;
    }
    prefix += token.literal;
  }
  return prefix;
}

/** `L` when the regex is a literal `L` followed by `.*` (every path starting with `L`), else undefined. */
export function prefixWildcardOf(regex: string): string | undefined {
  if (!regex.endsWith('.*') || regex.endsWith('\\.*')) return undefined;
  return literalOf(regex.slice(0, -2));
}

/** Whether the proxy would match `path` with this regex (it anchors it and looks for a match). */
export function proxyMatches(regex: string, path: string): boolean {
  let compiled = COMPILED.get(regex);
  if (compiled === undefined) {
    if (COMPILED.size >= 10_000) COMPILED.clear();
    compiled = RE2JS.compile(anchorLikeProxy(regex));
    COMPILED.set(regex, compiled);
  }
  return compiled.test(path);
}

const COMPILED = new Map<string, RE2JS>();

/**
 * Lint findings for a pathRegex that compiles: things the proxy accepts but that rarely mean what was written.
 *
 * @returns one sentence per finding, each naming the regex
 */
export function regexLints(regex: string): string[] {
  const lints: string[] = [];
  const r = JSON.stringify(regex);
  if (regex !== regex.trim()) lints.push(`pathRegex ${r} has leading or trailing whitespace, which the proxy trims`);
  const trimmed = regex.trim();
  if (trimmed.startsWith('^') || (trimmed.endsWith('$') && !trimmed.endsWith('\\$'))) {
    lints.push(`pathRegex ${r} carries its own anchors: the proxy anchors every pathRegex as ^…$ itself; drop the ^ and $`);
  }
  if (trimmed.length > 2 && trimmed.startsWith('.*') && trimmed.endsWith('.*') && !trimmed.endsWith('\\.*')) {
    lints.push(`pathRegex ${r} has .* on both ends: anchored as ^${trimmed}$ it matches any path that merely contains `
      + `${JSON.stringify(trimmed.slice(2, -2))}; match from the start of the path instead`);
  }
  if (hasTopLevelAlternation(trimmed)) {
    lints.push(`pathRegex ${r} has a top-level |: the proxy anchors it as ${anchorLikeProxy(trimmed)}, which only anchors the `
      + `first alternative at the start and the last at the end; group it as (?:${trimmed})`);
  }
  const tokens = tokenize(trimmed);
  const dot = tokens.findIndex((t, i) => t.syntax === '.' && !QUANTIFIERS.includes(tokens[i + 1]?.syntax ?? '_'));
  if (dot >= 0) lints.push(`pathRegex ${r} has an unescaped '.', which matches any character; escape it as \\. to match a literal dot`);
  return lints;
}
