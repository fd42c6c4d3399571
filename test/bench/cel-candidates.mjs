// Measures the CEL library candidates on the vendored rules, at every node of the upstream CEL cases
// (test/upstream/data/cel-*.yaml), against @bufbuild/cel (which agrees with upstream on every case): docs/cel.md.
// Usage, from the repository root after `npx tsc -p tsconfig.json`:
//   npm install --prefix /tmp/cel-candidates @marcbachmann/cel-js@8.0.0 cel-js@0.8.2
//   CANDIDATES=/tmp/cel-candidates node test/bench/cel-candidates.mjs
import fs from 'fs';
import { createRequire } from 'module';
import path from 'path';
const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const CANDIDATES = process.env.CANDIDATES ?? '/tmp/cel-candidates';
const require = createRequire(path.join(REPO, 'package.json'));
const t0 = performance.now(); const buf = require('@bufbuild/cel'); const tBuf = performance.now() - t0;
const { parse: parseYaml } = require('yaml');
const t1 = performance.now(); const marc = await import(path.join(CANDIDATES, 'node_modules/@marcbachmann/cel-js/lib/index.js')); const tMarc = performance.now() - t1;
const t2 = performance.now(); const celjs = await import(path.join(CANDIDATES, 'node_modules/cel-js/dist/index.js')); const tCeljs = performance.now() - t2;
const { CEL_SCHEMAS } = require(path.join(REPO, 'lib/src/gate/cel-rules.generated.js'));
const clone = v => JSON.parse(JSON.stringify(v));
function defaulted(v, s) {
  if (!s) return v; if (Array.isArray(v)) return v.map(x => defaulted(x, s.items)); if (v === null || typeof v !== 'object') return v;
  const o = { ...v }; for (const [k, p] of Object.entries(s.properties ?? {})) if (p.default !== undefined && !(k in o)) o[k] = clone(p.default);
  for (const k of Object.keys(o)) {
    const p = s.properties?.[k] ?? (s.properties ? undefined : s.additionalProperties); if (p) o[k] = defaulted(o[k], p);
  }
  return o;
}
const RES = new Set(['namespace', 'in', 'true', 'false', 'null']);
function plain(v, s, bigint) {
  if (v === null || v === undefined) return null; if (typeof v === 'number') return s?.type === 'number' || !bigint ? v : BigInt(v);
  if (Array.isArray(v)) return v.map(x => plain(x, s?.items, bigint)); if (typeof v !== 'object') return v; const o = {};
  if (s?.properties) { for (const [k, p] of Object.entries(s.properties)) if (k in v && v[k] !== null) o[RES.has(k) ? `__${k}__` : k] = plain(v[k], p, bigint); } else for (const [k, x] of Object.entries(v)) o[k] = plain(x, s?.additionalProperties, bigint); return o;
}
function nodes(v, s, out) {
  if (v === null || v === undefined) return; if (s.rules) out.push([v, s]);
  if (Array.isArray(v)) { if (s.items) v.forEach(x => nodes(x, s.items, out)); } else if (typeof v === 'object') { if (s.properties) { for (const [k, p] of Object.entries(s.properties)) if (k in v) nodes(v[k], p, out); } else if (s.additionalProperties) Object.values(v).forEach(x => nodes(x, s.additionalProperties, out)); }
}
const evals = []; // [rule, schema, value]
for (const f of fs.readdirSync(path.join(REPO, 'test/upstream/data')).filter(f => f.startsWith('cel-'))) {
  for (const c of parseYaml(fs.readFileSync(path.join(REPO, 'test/upstream/data', f), 'utf8')).cases) {
    const e = CEL_SCHEMAS[`${c.input.apiVersion}/${c.input.kind}`]; const out = []; nodes(defaulted(c.input, e.schema), e.schema, out);
    for (const [v, s] of out) for (const r of s.rules) evals.push({ case: f + ' ' + c.id, rule: r.rule, s, v });
  }
}
const env = buf.celEnv(); const marcEnv = new marc.Environment({ unlistedVariablesAreDyn: true });
const engines = {
  '@bufbuild/cel 0.6.1': { load: tBuf, compile: r => { const p = buf.plan(env, buf.parse(r)); return self => { const x = p({ self }); return buf.isCelError(x) ? new Error(x.message) : x; }; }, big: true },
  '@marcbachmann/cel-js 8.0.0': { load: tMarc, compile: r => { const p = marcEnv.parse(r); return self => { try { return p({ self }); } catch (e) { return e; } }; }, big: true },
  'cel-js 0.8.2': { load: tCeljs, compile: r => { const ok = celjs.parse(r); if (!ok.isSuccess) throw new Error('parse'); return self => { try { return celjs.evaluate(r, { self }); } catch (e) { return e; } }; }, big: false },
};
const ref = new Map();
for (const [name, eng] of Object.entries(engines)) {
  const compiled = new Map(); const compileFail = new Set();
  for (const r of new Set(evals.map(e => e.rule))) { try { compiled.set(r, eng.compile(r)); } catch { compileFail.add(r); } }
  const inputs = evals.map(e => plain(e.v, e.s, eng.big));
  const results = evals.map((e, i) => compiled.has(e.rule) ? compiled.get(e.rule)(inputs[i]) : new Error('compile'));
  if (!ref.size) evals.forEach((e, i) => ref.set(i, results[i]));
  const wrongRules = new Set(); const badCases = new Set(); let wrong = 0;
  results.forEach((x, i) => {
    const r = ref.get(i); const same = (x instanceof Error) ? (r instanceof Error) : x === r;
    if (!same) { wrong++; wrongRules.add(evals[i].rule); badCases.add(evals[i].case); }
  });
  const t = performance.now(); for (let k = 0; k < 5; k++) evals.forEach((e, i) => compiled.has(e.rule) && compiled.get(e.rule)(inputs[i]));
  const per = (performance.now() - t) / 5 / evals.length * 1000;
  console.log(`${name}: load ${eng.load.toFixed(0)} ms; ${compileFail.size} of ${new Set(evals.map(e => e.rule)).size} distinct rules fail to compile; ${wrong} of ${evals.length} evaluations differ from @bufbuild/cel (${wrongRules.size} distinct rules, ${badCases.size} cases); ${per.toFixed(1)} µs per evaluation (plain-object input)`);
  if (wrongRules.size) console.log('   ', [...wrongRules].map(r => r.slice(0, 70)).join('\n    '));
}
