import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthesize } from '../../src/synth';
import { scaleChart } from '../bench/_scale-app';

// The scaling benchmark's app (test/bench/_scale-app.ts) at 50 services with workloads and the coverage report: the
// work done to make 10,000 services synthesize faster (BENCHMARKS.md, scaling) must not change a byte of the output.
// The digests were taken from 3bc61b6, before that work (`node lib/test/bench/_scale-child.js` builds).
const EXPECTED = {
  'reports/mtls-coverage.json': '0bf2bed877f56e1a7794ae3cb3a0229b9363816f613bf5a0b557d9a5c1e7fc8a',
  'scale.k8s.yaml': 'bb636f82e792343331ee2d0a6e5387ff4dbb0e577863f3806e0eab3630a5720b',
};

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-output-')); });
afterEach(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

function digests(dir: string, under = ''): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(path.join(dir, under), { withFileTypes: true }).flatMap(entry => {
    const file = path.posix.join(under, entry.name);
    if (entry.isDirectory()) return Object.entries(digests(dir, file));
    return [[file, crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, file))).digest('hex')]];
  }));
}

test('50 meshed services with workloads and the coverage report synthesize byte for byte as before', () => {
  const outdir = path.join(tmp, 'out');
  const report = synthesize(app => { scaleChart(app, 50, { workloads: true }); }, { outdir });
  expect(digests(outdir)).toStrictEqual(EXPECTED);
  expect(report.files.map(f => [f.file, f.documents.length])).toStrictEqual([['scale.k8s.yaml', 50 * 6 + 20]]);
  expect(report.warnings).toStrictEqual([]);
});
