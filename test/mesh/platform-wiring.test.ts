import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SchemaGate } from '../../src/gate/schema-gate';
import { MeshCoverage, MeshCoverageReport } from '../../src/mesh';
import { LinkerdPlatform } from '../../src/platform';
import { synthesize } from '../../src/synth';

// The default platform carries the demo pair and a strict coverage report.
test('the platform with the demo pair and a strict coverage report synthesizes, passes the schema gate and reports mTLS', () => {
  const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-platform-')), 'dist');
  let coverage: MeshCoverageReport | undefined;
  const report = synthesize(app => {
    const platform = new LinkerdPlatform(app, 'platform', { demo: true });
    coverage = platform.node.findChild('mtls-coverage') as MeshCoverageReport;
  }, { outdir });
  for (const o of report.files.flatMap(f => f.documents).filter(d => d.apiVersion.startsWith('policy.linkerd.io/'))) {
    expect(o.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('SkipDryRunOnMissingResource=true');
  }

  const objects = report.files.flatMap(f => f.documents);
  expect(SchemaGate.load().validateAll(objects)).toStrictEqual([]);
  const demoObjects = objects.filter(o => o.metadata?.namespace === 'mesh-demo' || o.metadata?.name === 'mesh-demo');
  // the demo comes right after the gate that waits for the proxy injector
  const gate = objects.find(o => o.kind === 'Job' && o.metadata.name === 'linkerd-control-plane-ready');
  const gateWave = Number(gate.metadata.annotations['argocd.argoproj.io/sync-wave']);
  expect(new Set(demoObjects.map(o => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'])))).toStrictEqual(new Set([gateWave + 1]));
  const file = report.extraFiles.find(f => f.file === 'reports/mtls-coverage.json')!;
  expect(file.documents[0]).toStrictEqual(coverage!.compute());
  // 4 workloads: the demo pair, the control-plane gate Job and the identity restarter, unmeshed on purpose
  expect(MeshCoverage.format(file.documents[0]).split('\n')[0]).toBe('mtls coverage (Linkerd 2.20): 4 workloads, 2 meshed; 3 declared flows, 3 mTLS, 0 not mTLS');
  fs.rmSync(path.dirname(outdir), { recursive: true, force: true });
});
