import { stringify } from 'yaml';

/** The options cdk8s's `Yaml.stringify` passes to the yaml library for each document (cdk8s@2.70.106:lib/yaml.js:47,76-78). */
const CDK8S_OPTIONS = { keepUndefined: true, lineWidth: 0, version: '1.1' } as const;

/**
 * A string the library writes as it is, without asking it: it starts with a letter (no indicator character) and has
 * only letters, digits, `.`, `_`, `/` and `-` (no `: `, ` #`, space or line break), so it is a plain scalar unless
 * YAML 1.1 would read it as something else. Starting with a letter, only a boolean or null word or an exponent
 * without mantissa (`e5`) would be (yaml@2.9.1:dist/schema/yaml-1.1/bool.js:15,23, dist/schema/common/null.js:10,
 * dist/schema/yaml-1.1/float.js:23; its other numbers, timestamps and `.inf`/`.nan` start with a digit, a sign or a
 * dot): {@link YAML_11_WORDS}. Most strings of a large app (names, namespaces, labels,
 * images) are such, and asking the library once per distinct string cost ~0.5 s at 10,000 services.
 */
const PLAIN = /^[A-Za-z][A-Za-z0-9._/-]*$/;
/** The YAML 1.1 booleans, null and floats that start with a letter. */
const YAML_11_WORDS = /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON|N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF|[Nn]ull|NULL|[eE][-+]?[0-9]+)$/;

/** Thrown (one instance, no stack to capture) when a document is left to the yaml library. */
const FALLBACK = new Error('left to the yaml library');

/**
 * Writes rendered Kubernetes objects as YAML, byte for byte as cdk8s's `Yaml.stringify` writes them through the yaml
 * library, without building the library's document model for each object (most of a large synthesis's writing time).
 *
 * The block layout (two-space indents, sequences indented under their key, `[]` and `{}` for empty collections) is
 * written here; how each key and scalar is written (plain or quoted, `null`, numbers) is asked of the yaml library
 * once per distinct value, as a one-line map entry. Anything else is left to the library for the whole document: a
 * value it writes over several lines (a multi-line string), an object that appears twice in a document (the library
 * writes an anchor and an alias), a non-plain object, a top-level value that is not a non-empty object.
 *
 * @internal
 */
export class YamlWriter {
  private readonly keys = new Map<string, string>();
  private readonly strings = new Map<string, string>();
  private readonly numbers = new Map<number | string, string>();

  /** One document, as `YAML.stringify(doc, options)` writes it with cdk8s's options. */
  public document(doc: unknown): string {
    if (!isPlainObject(doc) || Object.keys(doc).length === 0) return stringify(doc, CDK8S_OPTIONS);
    try {
      const lines: string[] = [];
      this.map(doc, '', '', lines, new Set());
      lines.push('');
      return lines.join('\n');
    } catch (e) {
      if (e === FALLBACK) return stringify(doc, CDK8S_OPTIONS);
      throw e;
    }
  }

  /** Several documents, as cdk8s's `Yaml.stringify(...docs)` writes them. */
  public documents(docs: readonly unknown[]): string {
    return docs.map(d => d === undefined ? '\n' : this.document(d)).join('---\n');
  }

  // `first` replaces `indent` on the first line: a collection that starts after a sequence's `- `
  private map(obj: Record<string, unknown>, indent: string, first: string, lines: string[], seen: Set<object>): void {
    enter(obj, seen);
    let prefix = first;
    for (const [k, v] of Object.entries(obj)) {
      const key = `${prefix}${this.key(k)}:`;
      prefix = indent;
      if (Array.isArray(v) && v.length > 0) {
        lines.push(key);
        this.seq(v, `${indent}  `, `${indent}  `, lines, seen);
      } else if (isPlainObject(v) && Object.keys(v).length > 0) {
        lines.push(key);
        this.map(v, `${indent}  `, `${indent}  `, lines, seen);
      } else {
        lines.push(`${key} ${this.leaf(v, seen)}`);
      }
    }
  }

  private seq(items: readonly unknown[], indent: string, first: string, lines: string[], seen: Set<object>): void {
    enter(items, seen);
    let prefix = first;
    for (let i = 0; i < items.length; i++) {
      if (!(i in items)) throw FALLBACK;
      const item = items[i];
      if (Array.isArray(item) && item.length > 0) {
        this.seq(item, `${indent}  `, `${prefix}- `, lines, seen);
      } else if (isPlainObject(item) && Object.keys(item).length > 0) {
        this.map(item, `${indent}  `, `${prefix}- `, lines, seen);
      } else {
        lines.push(`${prefix}- ${this.leaf(item, seen)}`);
      }
      prefix = indent;
    }
  }

  /** A scalar, or an empty collection. */
  private leaf(value: unknown, seen: Set<object>): string {
    switch (typeof value) {
      case 'string': {
        if (PLAIN.test(value) && !YAML_11_WORDS.test(value)) return value;
        let text = this.strings.get(value);
        if (text === undefined) {
          text = entryValue(value);
          this.strings.set(value, text);
        }
        return text;
      }
      case 'number': {
        const key = Object.is(value, -0) ? '-0' : value;
        let text = this.numbers.get(key);
        if (text === undefined) {
          text = entryValue(value);
          this.numbers.set(key, text);
        }
        return text;
      }
      case 'boolean':
        return value ? 'true' : 'false';
      case 'undefined':
        return 'null';
      case 'object':
        if (value === null) return 'null';
        enter(value, seen);
        if (Array.isArray(value)) return '[]';
        if (isPlainObject(value)) return '{}';
        throw FALLBACK;
      default:
        throw FALLBACK;
    }
  }

  private key(key: string): string {
    let text = this.keys.get(key);
    if (text === undefined) {
      const entry = stringify({ [key]: 0 }, CDK8S_OPTIONS);
      if (!entry.endsWith(': 0\n') || entry.startsWith('? ') || entry.indexOf('\n') !== entry.length - 1) throw FALLBACK;
      text = entry.slice(0, -': 0\n'.length);
      this.keys.set(key, text);
    }
    return text;
  }
}

/** How the library writes a scalar as the value of a one-line map entry; a value it writes over several lines falls back. */
function entryValue(value: string | number): string {
  const entry = stringify({ k: value }, CDK8S_OPTIONS);
  if (!entry.startsWith('k: ') || entry.indexOf('\n') !== entry.length - 1) throw FALLBACK;
  return entry.slice('k: '.length, -1);
}

/** The library writes an object met twice in a document as an anchor and an alias: left to it. */
function enter(value: object, seen: Set<object>): void {
  if (seen.has(value)) throw FALLBACK;
  seen.add(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
