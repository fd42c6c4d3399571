import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Yaml from 'yaml';
import { isPlainObject, mergeValues } from '../_internal/merge';
import { Problems } from '../_internal/problems';
import { LinkerdVersion } from './version';

/** The Linkerd charts whose values are vendored. */
export type LinkerdChart = 'linkerd-crds' | 'linkerd-control-plane' | 'linkerd-viz';

const cache = new Map<string, any>();

/**
 * A values file of a Linkerd chart at a catalog version, parsed: the tag's own file, vendored as
 * `crds/charts/linkerd/<major>/<chart>/<file>` (provenance in `crds/charts/CATALOG-SOURCES.md`). Every catalog version
 * has all five files (values.yaml of linkerd-crds, values.yaml and values-ha.yaml of linkerd-control-plane and
 * linkerd-viz); a test keeps it so.
 *
 * @internal
 */
export function chartValues(version: LinkerdVersion, chart: LinkerdChart, file: 'values.yaml' | 'values-ha.yaml'): Record<string, any> {
  const full = path.join(chartsRoot(), 'linkerd', version.major, chart, file);
  if (!cache.has(full)) {
    // `yaml` (72 modules) is loaded only when a values file is needed: for `ha` or to check `values`
    const yaml = require('yaml') as typeof Yaml;
    cache.set(full, yaml.parse(readVendored(full), { merge: true }) ?? {});
  }
  return cache.get(full);
}

function readVendored(full: string): string {
  try {
    return fs.readFileSync(full, 'utf8');
  } catch {
    // a packaging fault, not a user's input: the package ships every catalog version's values
    throw new Error(`the vendored chart values ${full} are missing from this installation of cdk8s-linkerd`);
  }
}

/**
 * The keys a chart accepts at a version, as a tree: its values.yaml and values-ha.yaml (linkerd-crds has no HA
 * profile), plus the optional keys they document commented out (`# heartbeatSchedule: "0 0 * * *"`, `#tolerations:`),
 * which are free-form.
 *
 * @internal
 */
export function knownKeys(version: LinkerdVersion, chart: LinkerdChart): Record<string, any> {
  const key = `known:${version.major}/${chart}`;
  if (!cache.has(key)) cache.set(key, buildKnownKeys(version, chart));
  return cache.get(key);
}

function buildKnownKeys(version: LinkerdVersion, chart: LinkerdChart): Record<string, any> {
  const files: ('values.yaml' | 'values-ha.yaml')[] = chart === 'linkerd-crds' ? ['values.yaml'] : ['values.yaml', 'values-ha.yaml'];
  const tree = mergeValues(...files.map(f => chartValues(version, chart, f)));
  for (const file of files) {
    const full = path.join(chartsRoot(), 'linkerd', version.major, chart, file);
    for (const keyPath of commentedKeyPaths(readVendored(full))) {
      let node = tree;
      for (const key of keyPath.slice(0, -1)) node = isPlainObject(node[key]) ? node[key] : (node[key] = {});
      node[keyPath[keyPath.length - 1]] ??= {};
    }
  }
  return tree;
}

// A real key (`proxy:`, `kubernetes.io/os:`) or a commented-out optional key (`# heartbeatSchedule: ...`, `#tolerations:`).
const REAL_KEY = /^(\s*)([A-Za-z_][\w./-]*):(\s|$)/;
const COMMENTED_KEY = /^(\s*)#\s?([a-z][A-Za-z0-9]*):(\s|$)/;

/** Paths of the keys a values file documents as comments, placed by indentation among its real keys. */
function commentedKeyPaths(text: string): string[][] {
  const stack: { indent: number; key: string }[] = [];
  const paths: string[][] = [];
  for (const line of text.split('\n')) {
    const real = REAL_KEY.exec(line);
    const match = real ?? COMMENTED_KEY.exec(line);
    if (!match) continue;
    const indent = match[1].length;
    while (stack.length > 0 && stack[stack.length - 1].indent >= indent) stack.pop();
    if (real) stack.push({ indent, key: match[2] });
    else paths.push([...stack.map(s => s.key), match[2]]);
  }
  return paths;
}

/**
 * Problems with value types: Helm renders whatever it is given, so `controllerReplicas: 'three'` or `enabled: 'no'`
 * reach the templates (a string where a number belongs renders an invalid manifest, a non-empty string is truthy).
 * A value must have the type of the chart's default for the key: number, boolean, list or map; a key whose default is
 * a string also takes a number (Helm renders both as text); a key whose default is null or empty takes anything,
 * and an empty string or null is taken anywhere (it unsets).
 * Log formats must be `plain` or `json`: the proxy reads anything but `json` as plain
 * (linkerd/linkerd2-proxy@release/v2.359.0:linkerd/tracing/src/lib.rs:198), and so do the Go controllers
 * (linkerd/linkerd2@version-2.20:pkg/flags/flags.go:99-105), so a typo silently changes the format.
 *
 * @internal
 */
export function valueTypeProblems(values: Record<string, any>, defaults: Record<string, any>, chartName: string, prefix = ''): string[] {
  const problems = new Problems();
  for (const [key, value] of Object.entries(values)) {
    const keyPath = prefix ? `${prefix}.${key}` : key;
    if (/^(logFormat|.+LogFormat)$/.test(key) && value !== '' && value !== null && !LOG_FORMATS.includes(value)) {
      problems.add(`values key ${JSON.stringify(keyPath)} is ${JSON.stringify(value)}: use one of ${LOG_FORMATS.join(', ')} (anything else is read as plain)`);
      continue;
    }
    if (!isPlainObject(defaults) || !(key in defaults) || value === null) continue;
    const expected = typeOf(defaults[key]);
    const actual = typeOf(value);
    if (expected === undefined || actual === undefined || expected === actual || (expected === 'string' && actual === 'number')) {
      if (expected === 'map' && actual === 'map' && !isFreeForm(defaults[key])) problems.addAll(valueTypeProblems(value, defaults[key], chartName, keyPath));
      continue;
    }
    problems.add(`values key ${JSON.stringify(keyPath)} is ${JSON.stringify(value)}, a ${actual}: the ${chartName} chart's default is ${JSON.stringify(defaults[key])}, a ${expected}`);
  }
  return [...problems.list];
}

const LOG_FORMATS: unknown[] = ['plain', 'json'];

/** The type of a chart default; undefined for null and the empty string, which stand for "unset, anything". */
function typeOf(value: unknown): 'number' | 'boolean' | 'string' | 'list' | 'map' | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (Array.isArray(value)) return 'list';
  if (isPlainObject(value)) return 'map';
  const t = typeof value;
  return t === 'number' || t === 'boolean' || t === 'string' ? t : undefined;
}

/**
 * Problems with keys that a chart does not have: Helm ignores a misspelt key silently, so we reject it.
 *
 * `known` comes from {@link knownKeys}. Below a key whose default is an empty map, null, a list, or a map of
 * label-like keys (`nodeSelector`), anything goes: those are free-form.
 *
 * @internal
 */
export function unknownKeyProblems(values: Record<string, any>, known: Record<string, any>[], chartName: string, prefix = ''): string[] {
  const problems = new Problems();
  for (const [key, value] of Object.entries(values)) {
    const keyPath = prefix ? `${prefix}.${key}` : key;
    const defaults = known.filter(k => isPlainObject(k) && key in k).map(k => k[key]);
    if (defaults.length === 0) {
      const candidates = known.flatMap(k => Object.keys(k));
      const suggestion = closest(key, candidates);
      problems.add(`values key ${JSON.stringify(keyPath)} is not a ${chartName} value${suggestion ? ` (did you mean ${JSON.stringify(prefix ? `${prefix}.${suggestion}` : suggestion)}?)` : ''}: Helm would ignore it silently`);
      continue;
    }
    const objects = defaults.filter(isPlainObject);
    if (isPlainObject(value) && objects.length > 0 && !objects.some(isFreeForm)) {
      problems.addAll(unknownKeyProblems(value, objects, chartName, keyPath));
    }
  }
  return [...problems.list];
}

function isFreeForm(defaults: Record<string, any>): boolean {
  const keys = Object.keys(defaults);
  return keys.length === 0 || keys.some(k => k.includes('/') || k.includes('.'));
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of new Set(candidates)) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

function chartsRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'crds', 'charts');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the vendored chart values (crds/charts) above ${__dirname}`);
  }
}
