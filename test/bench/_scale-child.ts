// One benchmark sample in a fresh process: synthesize N meshed services the way `npm run synth` does, print timings.
import { synthesize } from '../../src/synth';
import { scaleChart } from './_scale-app';

const [count, outdir] = [Number(process.argv[2]), process.argv[3]];
const start = process.hrtime.bigint();
const report = synthesize(app => { scaleChart(app, count); }, { outdir });
const ms = Number(process.hrtime.bigint() - start) / 1e6;
// counted from the text: reading `documents` would parse the whole output, which synth itself no longer needs
const objects = report.files.reduce((n, f) => n + (f.text.match(/^kind: /gm) ?? []).length, 0);
process.stdout.write(JSON.stringify({ ms, objects, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
