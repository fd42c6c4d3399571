// `npx ts-node --transpile-only test/bench/secret-guard.bench.ts`: the secret guard's own cost, in-process, on the
// default platform (with a generated dashboard Secret) and on the 1,000-services app with its Deployments. The
// synthesized files are produced once; the guard then runs over them repeatedly and the median is printed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LinkerdPlatform } from '../../src/platform';
import { secretProblems, synthesize } from '../../src/synth';
import { HtpasswdUser } from '../../src/viz/htpasswd-user';
import { median } from './_measure';
import { scaleChart } from './_scale-app';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-guard-'));

function measure(name: string, define: Parameters<typeof synthesize>[0]): void {
  let app: any;
  const report = synthesize(a => { app = a; define(a); }, { outdir: path.join(tmp, name) });
  const files = [...report.files, ...report.extraFiles];
  const guard = secretProblems as (files: typeof report.files, app?: unknown) => string[];
  for (const f of files) void f.documents;
  guard(files, app);
  const samples: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    const problems = guard(files, app);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (problems.length > 0) throw new Error(problems.join('\n'));
  }
  const objects = report.files.reduce((n, f) => n + f.documents.length, 0);
  console.log(`${name}: ${objects} objects, ${files.length} files; secret guard median ${median(samples).toFixed(1)} ms (min ${Math.min(...samples).toFixed(1)}) over ${ROUNDS} runs`);
}

try {
  measure('default', app => { new LinkerdPlatform(app, 'platform', { dashboard: { hosts: ['linkerd.example.com'], users: [HtpasswdUser.fromPassword('admin', 'correct horse battery staple')] } }); });
  measure('scale-1000', app => { scaleChart(app, 1000, { workloads: true }); });
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
