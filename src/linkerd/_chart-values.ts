import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Yaml from 'yaml';
import { isPlainObject, mergeValues } from '../_internal/merge';
import { LinkerdVersion } from './version';

/** The Linkerd charts whose values are vendored. */
export type LinkerdChart = 'linkerd-crds' | 'linkerd-control-plane' | 'linkerd-viz';

const cache = new Map<string, any>();

/**
 * A vendored values file of a Linkerd chart at a version (`crds/charts/linkerd/<major>/<chart>/<file>`), parsed;
 * undefined when it is not vendored (see `crds/charts/CATALOG-SOURCES.md`).
 *
 * @internal
 */
export function chartValues(version: LinkerdVersion, chart: LinkerdChart, file: 'values.yaml' | 'values-ha.yaml'): Record<string, any> | undefined {
  const full = path.join(chartsRoot(), 'linkerd', version.major, chart, file);
  if (!cache.has(full)) {
    // `yaml` (72 modules) is loaded only when a values file is needed: for `ha` or to check `values`
    const yaml = require('yaml') as typeof Yaml;
    cache.set(full, fs.existsSync(full) ? (yaml.parse(fs.readFileSync(full, 'utf8'), { merge: true }) ?? {}) : undefined);
  }
  return cache.get(full);
}

/**
 * The keys a chart accepts at a version, as a tree: its values.yaml and values-ha.yaml, plus the optional keys they
 * document commented out (`# heartbeatSchedule: "0 0 * * *"`, `#tolerations:`), which are free-form. Undefined when
 * the chart's values.yaml is not vendored.
 *
 * @internal
 */
export function knownKeys(version: LinkerdVersion, chart: LinkerdChart): Record<string, any> | undefined {
  const values = chartValues(version, chart, 'values.yaml');
  if (values === undefined) return undefined;
  const tree = mergeValues(values, chartValues(version, chart, 'values-ha.yaml'));
  for (const file of ['values.yaml', 'values-ha.yaml']) {
    const full = path.join(chartsRoot(), 'linkerd', version.major, chart, file);
    if (!fs.existsSync(full)) continue;
    for (const keyPath of commentedKeyPaths(fs.readFileSync(full, 'utf8'))) {
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

/** The Linkerd versions whose values file of a chart is vendored. */
export function vendoredVersions(chart: LinkerdChart, file: 'values.yaml' | 'values-ha.yaml'): string[] {
  return LinkerdVersion.all().filter(v => fs.existsSync(path.join(chartsRoot(), 'linkerd', v.major, chart, file))).map(v => v.major);
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
  const problems: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const keyPath = prefix ? `${prefix}.${key}` : key;
    const defaults = known.filter(k => isPlainObject(k) && key in k).map(k => k[key]);
    if (defaults.length === 0) {
      const candidates = known.flatMap(k => Object.keys(k));
      const suggestion = closest(key, candidates);
      problems.push(`values key ${JSON.stringify(keyPath)} is not a ${chartName} value${suggestion ? ` (did you mean ${JSON.stringify(prefix ? `${prefix}.${suggestion}` : suggestion)}?)` : ''}: Helm would ignore it silently`);
      continue;
    }
    const objects = defaults.filter(isPlainObject);
    if (isPlainObject(value) && objects.length > 0 && !objects.some(isFreeForm)) {
      problems.push(...unknownKeyProblems(value, objects, chartName, keyPath));
    }
  }
  return problems;
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
