// One benchmark sample in a fresh process: synthesize N meshed services (with `workloads`: and their Deployments and
// the coverage report) the way `npm run synth` does, print timings.
import { synthesize } from '../../src/synth';
import { scaleChart } from './_scale-app';

const [count, outdir, mode] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const start = process.hrtime.bigint();
const report = synthesize(app => { scaleChart(app, count, { workloads: mode === 'workloads' }); }, { outdir });
const ms = Number(process.hrtime.bigint() - start) / 1e6;
const objects = report.files.reduce((n, f) => n + f.documents.length, 0);
process.stdout.write(JSON.stringify({ ms, objects, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
