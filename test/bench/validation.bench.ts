// `npm run bench:validation`: what schema validation in synthesize() costs, in ONE run, interleaved (every sample a
// fresh process, round-robin, one warm-up each, medians), on the default platform and on meshed services.
// Prints a markdown report for BENCHMARKS.md. Needs the build: `npm run build` (tsc, the bundle, the precompiled
// validators) and `tsc -p test/bench/tsconfig.json`.
//
// The default synth's last step (`node lib/src/cli/synth.js`: the app's bundle through its code cache) is measured in
// three bundles of src/main.ts that differ only in the gate:
//   off          the gate replaced by one that accepts every object (what synthesize() costs without validation)
//   compiling    the validators compiled from crds/ in the process (this branch's base, before precompiling)
//   precompiled  the validators compiled at build (lib/validators/), through their V8 code cache: what ships
//   cold         the same, with no passes kept from an earlier synth (lib/validators/passed.json set aside for the run
//                and put back after): the first synth after a build, which loads every validator in use and the CEL
//                library
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { interleave, median, timeCommand, Timing } from './_measure';

const REPO = path.resolve(__dirname, '..', '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SERVICES = (process.env.BENCH_SERVICES ?? '1000').split(',').map(Number);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-validation-'));
const env: NodeJS.ProcessEnv = { ...process.env, CDK8S_CHECK_UPGRADE: 'false' };
for (const name of ['DASHBOARD_USER', 'DASHBOARD_PASSWORD', 'DASHBOARD_HTPASSWD_FILE']) delete env[name];
const node = process.execPath;
const VARIANTS = ['off', 'compiling', 'precompiled', 'cold'] as const;
type Variant = typeof VARIANTS[number];

/** Bundles src/main.ts for one variant into lib/bench/validation/<variant>/, with a runner like lib/src/cli/synth.js. */
async function bundle(variant: Variant): Promise<string> {
  const esbuild = require('esbuild');
  const dir = path.join(REPO, 'lib', 'bench', 'validation', variant);
  fs.rmSync(dir, { recursive: true, force: true });
  const stub: Record<Variant, { filter: RegExp; contents: string } | undefined> = {
    off: { filter: /^\.\/schema-gate$/, contents: 'exports.SchemaGate = { load: () => ({ hasSchema: () => true, validate: () => [], saveCodeCache: () => undefined }) };' },
    compiling: { filter: /^\.\/precompiled$/, contents: 'exports.PrecompiledCatalogue = { open: () => undefined };' },
    precompiled: undefined,
    cold: undefined,
  };
  const replace = stub[variant];
  await esbuild.build({
    entryPoints: [path.join(REPO, 'src', 'main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile: path.join(dir, 'main.js'),
    tsconfig: path.join(REPO, 'tsconfig.json'),
    logLevel: 'warning',
    plugins: replace ? [{
      name: `validation-${variant}`,
      setup(build: any) {
        build.onResolve({ filter: replace.filter }, (args: any) => (args.importer.includes(`${path.sep}gate${path.sep}`) ? { path: variant, namespace: 'stub' } : undefined));
        build.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: replace.contents, loader: 'js' }));
      },
    }] : [],
  });
  const runner = path.join(dir, 'run.js');
  const run = `require(${JSON.stringify(path.join(REPO, 'lib', 'src', 'cli', 'synth.js'))}).runBundledSynth(${JSON.stringify(path.join(dir, 'main.js'))});\n`;
  const passes = JSON.stringify(path.join(REPO, 'lib', 'validators', 'passed.json'));
  fs.writeFileSync(runner, variant !== 'cold' ? run : [
    'const fs = require(\'fs\');',
    `const aside = fs.existsSync(${passes}) && (fs.renameSync(${passes}, ${passes} + '.aside'), true);`,
    `process.on('exit', () => aside && fs.renameSync(${passes} + '.aside', ${passes}));`,
    run,
  ].join('\n'));
  return runner;
}

/** a percentage with its sign, e.g. '+15.7%', '-3.1%' */
function signed(percent: number): string {
  return `${percent >= 0 ? '+' : ''}${percent.toFixed(1)}%`;
}

function row(name: string, t: Timing): string {
  return `| ${name} | ${Math.round(t.median)} ms | ${t.samples.map(Math.round).join(', ')} |`;
}

async function defaultSynth(): Promise<string[]> {
  const runners = await Promise.all(VARIANTS.map(bundle));
  const outdir = path.join(tmp, 'default');
  const timings = interleave(VARIANTS.map((variant, i) => ({
    name: variant,
    run: () => timeCommand(node, [runners[i]], { cwd: REPO, env: { ...env, CDK8S_OUTDIR: outdir } }),
  })), ROUNDS);
  const [off, compiling, precompiled, cold] = timings;
  const pct = (t: Timing) => signed((t.median / off.median - 1) * 100);
  return [
    `Default platform, \`npm run synth\`'s last step (the bundle through its code cache), ${ROUNDS} rounds after one warm-up, interleaved:`,
    '',
    '| gate | median | samples (ms) |',
    '|---|---|---|',
    row('off (every object accepted unchecked)', off),
    row('compiled from crds/ in the process (before)', compiling),
    row('precompiled at build, through their code cache; the passes of the last synth kept (after: a synth of unchanged objects)', precompiled),
    row('precompiled, no passes kept (the first synth after a build: every validator in use and the CEL library loaded)', cold),
    '',
    `- with validation, before: **${pct(compiling)}**; after: **${pct(precompiled)}** (target ≤ 15%); the first synth after a build: ${pct(cold)}`,
  ];
}

function scale(count: number): string[] {
  const child = path.join(REPO, 'lib', 'test', 'bench', '_scale-child.js');
  const results: Record<string, { ms: number; wall: number; rss: number }[]> = {};
  const modes = ['off', 'compiling', 'on'];
  const sample = (mode: string) => () => {
    // every object validated, none passed for having passed in the sample before (src/gate/validation-passes.ts)
    fs.rmSync(path.join(REPO, 'lib', 'validators', 'passed.json'), { force: true });
    const start = process.hrtime.bigint();
    const out = require('node:child_process').spawnSync(node, [child, String(count), path.join(tmp, `scale-${mode}`), 'plain', mode], { cwd: REPO, env, encoding: 'utf8' });
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    if (out.status !== 0) throw new Error(`${child} failed: ${out.stderr}`);
    const { ms, maxRssMb } = JSON.parse(out.stdout);
    (results[mode] ??= []).push({ ms, wall, rss: maxRssMb });
    return wall;
  };
  interleave(modes.map(mode => ({ name: mode, run: sample(mode) })), ROUNDS);
  // the warm-up sample is the first of each
  const stats = (mode: string) => {
    const samples = results[mode].slice(1);
    return {
      ms: median(samples.map(s => s.ms)), wall: median(samples.map(s => s.wall)), rss: median(samples.map(s => s.rss)),
      all: samples.map(s => Math.round(s.ms)),
    };
  };
  const [off, compiling, on] = modes.map(stats);
  const pct = (v: number, base: number) => signed((v / base - 1) * 100);
  return [
    `${count} meshed services (\`node lib/test/bench/_scale-child.js ${count} <outdir> plain <off|compiling|on>\`), ${ROUNDS} rounds after one warm-up, interleaved:`,
    '',
    '| gate | synth (median) | wall (median) | peak RSS (median) | synth samples (ms) |',
    '|---|---|---|---|---|',
    `| off | ${Math.round(off.ms)} ms | ${Math.round(off.wall)} ms | ${Math.round(off.rss)} MB | ${off.all.join(', ')} |`,
    `| compiled in the process (before) | ${Math.round(compiling.ms)} ms | ${Math.round(compiling.wall)} ms | ${Math.round(compiling.rss)} MB | ${compiling.all.join(', ')} |`,
    `| precompiled (after) | ${Math.round(on.ms)} ms | ${Math.round(on.wall)} ms | ${Math.round(on.rss)} MB | ${on.all.join(', ')} |`,
    '',
    `- synth with validation, before: **${pct(compiling.ms, off.ms)}**; after: **${pct(on.ms, off.ms)}** (target ≤ 10%); wall after: ${pct(on.wall, off.wall)}`,
  ];
}

async function main(): Promise<void> {
  const load = os.loadavg().map(l => l.toFixed(1)).join(', ');
  const lines = [
    `Measured with \`npm run bench:validation\` (test/bench/validation.bench.ts) on ${os.cpus().length} cores, Node ${process.version}; load average at the start: ${load}.`,
    '',
    ...(process.env.BENCH_SKIP_DEFAULT ? [] : [...await defaultSynth(), '']),
    ...SERVICES.flatMap(n => [...scale(n), '']),
  ];
  process.stdout.write(lines.join('\n'));
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
