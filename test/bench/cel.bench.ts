// `npx ts-node --transpile-only test/bench/cel.bench.ts`: the cost of CEL evaluation (celProblems) on the default dist/,
// on 1,000 meshed services (the scaling benchmark's objects, with Deployments and the coverage report) and on 1,000
// Gateway API HTTPRoutes, with the schema gate's cost on the same objects for scale. Each sample runs in a fresh
// process; prints the medians.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { median } from './_measure';

const REPO = path.resolve(__dirname, '..', '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const tsc = spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', path.join(REPO, 'test/bench/tsconfig.json')], { stdio: 'inherit' });
if (tsc.status !== 0) throw new Error('tsc failed');

for (const set of ['dist', 'services', 'httproutes']) {
  const samples: { objects: number; problems: number; firstMs: number; warmMs: number; gateFirstMs: number; gateWarmMs: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const run = spawnSync(process.execPath, [path.join(REPO, 'lib/test/bench/_cel-child.js'), set], { encoding: 'utf8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' } });
    if (run.status !== 0) throw new Error(`${set}: ${run.stderr}`);
    samples.push(JSON.parse(run.stdout));
  }
  const first = median(samples.map(s => s.firstMs));
  const warm = median(samples.map(s => s.warmMs));
  console.log(`${set}: ${samples[0].objects} objects, ${samples[0].problems} problems; first pass ${first.toFixed(1)} ms `
    + `(loads the CEL library, compiles the rules in use), warm pass ${warm.toFixed(1)} ms (${(warm * 1000 / samples[0].objects).toFixed(1)} µs per object); `
    + `schema gate on the same objects: first ${median(samples.map(s => s.gateFirstMs)).toFixed(1)} ms, warm ${median(samples.map(s => s.gateWarmMs)).toFixed(1)} ms; median of ${ROUNDS}`);
}
