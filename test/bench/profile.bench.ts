/**
 * Benchmark (not a test): how long `ServiceProfile.fromOpenApi` takes for an OpenAPI document with 500 paths.
 *
 * Run with `npm run bench:profile`. Each sample builds a fresh chart in this one process: YAML parse, the
 * `linkerd profile` algorithm, the sp-validator rules (an RE2 compile per regex), the route lints (duplicate and
 * shadowing analysis over all earlier routes), and then a synth (the rules again, plus the conflict scan).
 * Reports the median of the samples after warm-up runs.
 */
import { Testing } from 'cdk8s';
import { stringify } from 'yaml';
import { ServiceProfile, ServiceReference } from '../../src/traffic';
import { openApiRoutes, readOpenApi } from '../../src/traffic/_generators';

const PATHS = 500;
const WARMUP = 3;
const SAMPLES = Number(process.env.SAMPLES ?? 15);

/** 500 paths, alternating collection and item paths, with 1–4 operations each and integer responses. */
function document(): string {
  const paths: Record<string, unknown> = {};
  for (let i = 0; i < PATHS; i++) {
    const resource = `/api/v1/resource${Math.floor(i / 2)}`;
    // a fresh object per operation: a shared one would be written as YAML anchors and aliases, which real documents rarely use
    const responses = () => ({ 200: { description: 'ok' }, 404: { description: 'missing' }, 503: { description: 'unavailable' }, default: { description: 'error' } });
    paths[i % 2 === 0 ? resource : `${resource}/{id}.json`] = i % 2 === 0
      ? { get: { 'responses': responses(), 'x-linkerd-retryable': true, 'x-linkerd-timeout': '2s' }, post: { responses: responses() } }
      : { get: { responses: responses() }, put: { responses: responses() }, patch: { responses: responses() }, delete: { responses: responses() } };
  }
  return stringify({ openapi: '3.0.3', info: { title: 'bench', version: '1' }, paths });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function sample(spec: string): { parse: number; algorithm: number; generate: number; synth: number; routes: number } {
  const parseStart = process.hrtime.bigint();
  const doc = readOpenApi(spec);
  const parsed = process.hrtime.bigint();
  openApiRoutes(doc);
  const algorithm = process.hrtime.bigint();
  const chart = Testing.chart();
  const start = process.hrtime.bigint();
  const profile = ServiceProfile.fromOpenApi(chart, 'sp', { service: ServiceReference.fromName('bench', 'bench'), spec, allowNonIdempotentRetries: true });
  const generated = process.hrtime.bigint();
  Testing.synth(chart);
  const synthesized = process.hrtime.bigint();
  return {
    parse: Number(parsed - parseStart) / 1e6,
    algorithm: Number(algorithm - parsed) / 1e6,
    generate: Number(generated - start) / 1e6,
    synth: Number(synthesized - start) / 1e6,
    routes: profile.routes.length,
  };
}

const spec = document();
for (let i = 0; i < WARMUP; i++) sample(spec);
const runs = Array.from({ length: SAMPLES }, () => sample(spec));
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
process.stdout.write([
  `ServiceProfile.fromOpenApi, ${PATHS} paths (${runs[0].routes} routes, ${(spec.length / 1024).toFixed(0)} KiB of YAML), node ${process.version}`,
  `  median of ${SAMPLES} runs after ${WARMUP} warm-up runs, one process:`,
  `  generate (parse + algorithm + rules + lints): ${fmt(median(runs.map(r => r.generate)))}  (min ${fmt(Math.min(...runs.map(r => r.generate)))}, max ${fmt(Math.max(...runs.map(r => r.generate)))})`,
  `    of which YAML parse (measured apart):      ${fmt(median(runs.map(r => r.parse)))}`,
  `    of which the linkerd profile algorithm:    ${fmt(median(runs.map(r => r.algorithm)))}`,
  `  generate + synth:                             ${fmt(median(runs.map(r => r.synth)))}  (min ${fmt(Math.min(...runs.map(r => r.synth)))}, max ${fmt(Math.max(...runs.map(r => r.synth)))})`,
  '',
].join('\n'));
