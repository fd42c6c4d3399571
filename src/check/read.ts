import * as fs from 'node:fs';
import * as path from 'node:path';
import { CORE_SCHEMA, load } from 'js-yaml';
import { isMap, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import type { Finding, SourceObject } from './_types';

/** The file name endings read from a folder (a file named on the command line is read whatever its name). */
const EXTENSIONS = ['.yaml', '.yml', '.json'];

/** What `check` read from its paths. */
export interface ReadResult {
  /** The Kubernetes objects, in file order; a `List`'s items in place of the List. */
  readonly objects: SourceObject[];
  /** Each file read, as given (relative paths stay relative), with its text: the secret guard reads comments too. */
  readonly files: { readonly file: string; readonly text: string }[];
  /** Notes on what was skipped (documents that are not Kubernetes objects, Helm chart templates). */
  readonly notes: Finding[];
  /** What made the input unusable: a path that cannot be read, YAML that does not parse (exit 2). */
  readonly unusable: Finding[];
}

/**
 * Reads files and folders (recursively: `.yaml`, `.yml` and `.json` files; folders starting with `.`, `node_modules` and the
 * `templates/` of a Helm chart, which are not YAML until rendered, are skipped) into Kubernetes objects with their file
 * and line. Every YAML document of a file is read (`---` separators, comments); a `kind: …List` with `items` gives
 * its items, each at its own line; a document that is not an object with `apiVersion` and `kind` is skipped with a
 * note; an empty document silently.
 *
 * @param paths files and folders, as given on the command line
 * @param cwd the folder relative paths are read from
 * @param onFile called after each file, with the count read so far and the total (for a progress line)
 */
export function readInputs(paths: readonly string[], cwd: string, onFile?: (done: number, total: number) => void): ReadResult {
  const result: ReadResult = { objects: [], files: [], notes: [], unusable: [] };
  const files: string[] = [];
  for (const p of paths) collect(p, cwd, files, result, true);
  files.forEach((file, i) => {
    let text: string;
    try {
      text = fs.readFileSync(path.resolve(cwd, file), 'utf8');
    } catch (e) {
      result.unusable.push({ severity: 'error', rule: 'input/unreadable', message: `cannot read ${file}: ${codeOf(e)}`, location: { file, line: 1 } });
      return;
    }
    result.files.push({ file, text });
    readText(file, text, result);
    onFile?.(i + 1, files.length);
  });
  return result;
}

/** Adds a path's files to `files`: a file as it is, a folder's matching files recursively, in name order. */
function collect(p: string, cwd: string, files: string[], result: ReadResult, given: boolean): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path.resolve(cwd, p));
  } catch (e) {
    result.unusable.push({ severity: 'error', rule: 'input/unreadable', message: `cannot read ${p}: ${codeOf(e)}`, location: { file: p, line: 1 } });
    return;
  }
  if (stat.isFile()) {
    if (given || EXTENSIONS.some(e => p.toLowerCase().endsWith(e))) files.push(p);
    return;
  }
  if (!stat.isDirectory()) return;
  const entries = fs.readdirSync(path.resolve(cwd, p), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const isChart = entries.some(e => e.isFile() && e.name === 'Chart.yaml');
  for (const entry of entries) {
    const child = path.join(p, entry.name);
    if (entry.name.startsWith('.') || (entry.name === 'node_modules' && entry.isDirectory())) continue;
    if (isChart && entry.isDirectory() && entry.name === 'templates') {
      result.notes.push({
        severity: 'note', rule: 'input/helm-templates', location: { file: child, line: 1 },
        message: `skipped: the templates of a Helm chart are not YAML until rendered; check the output of \`helm template\` instead`,
      });
      continue;
    }
    if (entry.isDirectory() || entry.isFile()) collect(child, cwd, files, result, false);
  }
}

/** Reads every document of one file's text into `result`. */
function readText(file: string, text: string, result: ReadResult): void {
  const fast = readFast(text);
  if (fast === undefined) return readExact(file, text, result);
  for (const { value, line } of fast) {
    if (isKubernetesObject(value)) result.objects.push({ object: value, file, line });
    else result.notes.push({ severity: 'note', rule: 'input/not-kubernetes', message: `skipped: ${notKubernetes(value)}`, location: { file, line } });
  }
}

const DOCUMENT_START = /^---(?=[ \t]|$)/;
const DOCUMENT_END = /^\.\.\.(?=[ \t]|$)/;
const BLANK_OR_COMMENT = /^[ \t]*(#.*)?$/;
// anchors (and so aliases), directives, tags and Lists take the exact path
const NOT_FAST = /(^|[\s[{,:-])[&!][^\s]|^%|^[ \t]*kind:[ \t]*["']?\w*List["']?[ \t]*(#.*)?$/m;

/**
 * The documents of a plain YAML text with their lines, read with js-yaml (ten times faster than the `yaml` library on
 * large inputs: 0.23 s instead of 2.4 s of CPU for 10,000 objects); undefined when the text has anything the fast path
 * does not place exactly (anchors, tags, directives, a `List`, an error), which {@link readExact} then reads.
 *
 * A line starting with `---` or `...` always ends a document (YAML 1.2 §9.1), so the text is split there.
 */
function readFast(text: string): { value: unknown; line: number }[] | undefined {
  if (NOT_FAST.test(text)) return undefined;
  const lines = text.split(/\r?\n/);
  const docs: { value: unknown; line: number }[] = [];
  let start = 0;
  const flush = (end: number): boolean => {
    let first = start;
    while (first < end && BLANK_OR_COMMENT.test(lines[first])) first++;
    if (first < end) {
      try {
        const value = load(lines.slice(first, end).join('\n'), { schema: CORE_SCHEMA });
        if (value !== null && value !== undefined) docs.push({ value, line: first + 1 });
      } catch {
        return false;
      }
    }
    return true;
  };
  for (let i = 0; i < lines.length; i++) {
    if (DOCUMENT_START.test(lines[i])) {
      if (!flush(i)) return undefined;
      // content after the marker on the same line (`--- {a: 1}`) is left to the exact path
      if (!BLANK_OR_COMMENT.test(lines[i].slice(3))) return undefined;
      start = i + 1;
    } else if (DOCUMENT_END.test(lines[i])) {
      if (!flush(i) || !BLANK_OR_COMMENT.test(lines[i].slice(3))) return undefined;
      start = i + 1;
    }
  }
  return flush(lines.length) ? docs : undefined;
}

/** Reads every document of one file's text with the `yaml` library: exact lines for List items and errors. */
function readExact(file: string, text: string, result: ReadResult): void {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) {
      const error = doc.errors[0];
      const line = error.linePos?.[0].line ?? lineOf(error.pos[0]);
      // the parser's message carries a code excerpt after the first line; the first line says what is wrong
      result.unusable.push({ severity: 'error', rule: 'input/yaml', message: `not YAML: ${error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`, location: { file, line } });
      continue;
    }
    const node = doc.contents;
    if (node === null) continue;
    const line = lineOf(node.range?.[0] ?? 0);
    let value: any;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      // an alias without its anchor, or an alias bomb
      result.unusable.push({ severity: 'error', rule: 'input/yaml', message: `not YAML: ${(e as Error).message}`, location: { file, line } });
      continue;
    }
    if (value === null || value === undefined) continue;
    if (!isKubernetesObject(value)) {
      result.notes.push({ severity: 'note', rule: 'input/not-kubernetes', message: `skipped: ${notKubernetes(value)}`, location: { file, line } });
      continue;
    }
    if (value.kind.endsWith('List') && Array.isArray(value.items)) {
      const itemNodes = isMap(node) && isSeq(node.get('items', true)) ? (node.get('items', true) as any).items : [];
      value.items.forEach((item: unknown, i: number) => {
        const itemLine = lineOf(itemNodes[i]?.range?.[0] ?? node.range?.[0] ?? 0);
        if (isKubernetesObject(item)) result.objects.push({ object: item, file, line: itemLine });
        else result.notes.push({ severity: 'note', rule: 'input/not-kubernetes', message: `skipped: ${value.kind} items[${i}]: ${notKubernetes(item)}`, location: { file, line: itemLine } });
      });
      continue;
    }
    result.objects.push({ object: value, file, line });
  }
}

function isKubernetesObject(value: unknown): value is SourceObject['object'] {
  const v = value as any;
  return v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v.apiVersion === 'string' && v.apiVersion !== ''
    && typeof v.kind === 'string' && v.kind !== '';
}

function notKubernetes(value: unknown): string {
  if (value === null || typeof value !== 'object') return `a ${typeof value}, not a Kubernetes object`;
  if (Array.isArray(value)) return 'a list, not a Kubernetes object';
  return 'not a Kubernetes object (no apiVersion and kind)';
}

/** A file system error's code and path-free reason, e.g. `ENOENT (no such file or directory)`; never a stack. */
function codeOf(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown };
  const reason = typeof err?.message === 'string' ? /^[A-Z]+: ([^,]+)/.exec(err.message)?.[1] : undefined;
  return typeof err?.code === 'string' ? `${err.code}${reason ? ` (${reason})` : ''}` : String(err?.message ?? e);
}
