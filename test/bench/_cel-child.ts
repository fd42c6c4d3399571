// One CEL benchmark sample in a fresh process: reads the objects of one input set, then times celProblems over them
// (the first pass includes loading the CEL library and compiling the rules in use), then the schema gate over the same
// objects for scale, and prints the timings as JSON.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-25';
import { parseAllDocuments } from 'yaml';
import { celProblems } from '../../src/gate/cel';
import { SchemaGate } from '../../src/gate/schema-gate';
import { HttpRoute, PathMatch, ServiceReference } from '../../src/traffic';
import { scaleChart } from './_scale-app';

const REPO = path.resolve(__dirname, '..', '..', '..');
const set = process.argv[2];

function yamlObjects(dir: string): any[] {
  const files: string[] = [];
  const walk = (d: string) => fs.readdirSync(d).forEach(f => {
    const p = path.join(d, f);
    if (fs.statSync(p).isDirectory()) walk(p); else if (/\.ya?ml$/.test(f)) files.push(p);
  });
  walk(dir);
  return files.flatMap(f => parseAllDocuments(fs.readFileSync(f, 'utf8')).map(d => d.toJS()).filter(o => o && typeof o === 'object'));
}

function objects(): any[] {
  switch (set) {
    case 'dist': return yamlObjects(path.join(REPO, 'dist'));
    case 'services': {
      const app = new App({ outdir: fs.mkdtempSync('/tmp/cel-bench-') });
      return scaleChart(app, 1000, { workloads: true }).toJson();
    }
    case 'httproutes': {
      // 1,000 Gateway API HTTPRoutes as the HttpRoute construct renders them, two rules each
      const app = new App({ outdir: fs.mkdtempSync('/tmp/cel-bench-') });
      const chart = new Chart(app, 'routes');
      for (let i = 0; i < 1000; i++) {
        const service = new kplus.Service(chart, `svc-${i}`, { metadata: { name: `svc-${i}`, namespace: `team-${i % 20}` }, ports: [{ port: 80 }] });
        new HttpRoute(chart, `route-${i}`, { service: ServiceReference.fromService(service), rules: [{ matches: [{ path: PathMatch.prefix(`/api/v${i % 3}`) }] }, {}] });
      }
      return chart.toJson().filter((o: any) => o.kind === 'HTTPRoute');
    }
    default: throw new Error(`unknown input set ${set}`);
  }
}

const objs = objects();
let start = process.hrtime.bigint();
let problems = 0;
for (const o of objs) problems += celProblems(o).problems.length;
const firstMs = Number(process.hrtime.bigint() - start) / 1e6;
start = process.hrtime.bigint();
for (const o of objs) celProblems(o);
const warmMs = Number(process.hrtime.bigint() - start) / 1e6;
// the schema gate on the same objects, for scale: measured after CEL so that CEL's first pass pays its own loading only
start = process.hrtime.bigint();
const gate = SchemaGate.load();
objs.forEach(o => gate.validate(o));
const gateFirstMs = Number(process.hrtime.bigint() - start) / 1e6;
start = process.hrtime.bigint();
objs.forEach(o => gate.validate(o));
const gateWarmMs = Number(process.hrtime.bigint() - start) / 1e6;
process.stdout.write(JSON.stringify({ objects: objs.length, problems, firstMs, warmMs, gateFirstMs, gateWarmMs }));
