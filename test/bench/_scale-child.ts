// One benchmark sample in a fresh process: synthesize N meshed services (with `workloads`: and their Deployments and
// the coverage report) the way `npm run synth` does, print timings. A fourth argument chooses the schema validation:
// `on` (the default: the validators the build compiled ahead of time), `compiling` (compiled from crds/ in the
// process, as before they were precompiled) or `off`.
import { PrecompiledCatalogue } from '../../src/gate/precompiled';
import { SchemaValidation, synthesize } from '../../src/synth';
import { scaleChart } from './_scale-app';

const [count, outdir, mode, validation] = [Number(process.argv[2]), process.argv[3], process.argv[4], process.argv[5] ?? 'on'];
if (!['on', 'compiling', 'off'].includes(validation)) throw new Error(`validation must be on, compiling or off (got ${validation})`);
if (validation === 'compiling') PrecompiledCatalogue.open = () => undefined;
const start = process.hrtime.bigint();
const report = synthesize(app => { scaleChart(app, count, { workloads: mode === 'workloads' }); }, {
  outdir,
  validation: validation === 'off' ? SchemaValidation.off('benchmark: the cost of synthesizing without the gate') : SchemaValidation.on(),
});
const ms = Number(process.hrtime.bigint() - start) / 1e6;
const objects = report.files.reduce((n, f) => n + f.documents.length, 0);
const usage = process.resourceUsage();
// CPU time (user + system, the whole process) too: on a shared machine it varies less than the elapsed time
process.stdout.write(JSON.stringify({ ms, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, objects, maxRssMb: usage.maxRSS / 1024 }));
