import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { Application, ApplicationSource, RolloutPlan, rolloutReport } from '../../src/argocd';
import { LinkerdPlatform } from '../../src/platform';
import { formatSummary, OutputCheckError, OutputFile, synthesize } from '../../src/synth';

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-report-')); });
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the rollout report', () => {
  test('is written to reports/rollout.json, out of the root directory app, and printed in the summary', () => {
    const outdir = path.join(tmp, 'dist');
    const report = synthesize(app => {
      new LinkerdPlatform(app, 'platform');
      const root = new Chart(app, 'argocd-root');
      new Application(root, 'root', { metadata: { name: 'root' }, source: ApplicationSource.directory({ repoUrl: 'https://example.com/repo.git', path: 'dist' }) });
    }, { outdir, reports: [rolloutReport()] });
    const plan: RolloutPlan = JSON.parse(fs.readFileSync(path.join(outdir, 'reports/rollout.json'), 'utf8'));
    expect(plan.problems).toStrictEqual([]);
    expect(plan.waves.map(w => w.wave)).toStrictEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // the root app reads only the top folder (argo-cd@v3.5.1:reposerver/repository/repository.go:2196 skips subfolders without recurse)
    const root = report.files.flatMap(f => f.documents).find(d => d.kind === 'Application' && d.metadata.name === 'root');
    expect(root.spec.source.directory).toStrictEqual({ recurse: false });
    const summary = formatSummary(report);
    expect(summary).toMatch(/\nrollout plan \(Argo CD sync waves of dist\/; each wave starts when the previous one is healthy\):\n  wave 0: /);
    expect(summary).toMatch(/\n    hook Job argocd\/linkerd-control-plane-ready \(Sync: waits for crd\/authorizationpolicies\.policy\.linkerd\.io, .*deployment linkerd\/linkerd-proxy-injector\)\n/);
    expect(summary).toMatch(/\n  between Applications: Argo CD does not assess an Application's health, so the hook Jobs above \(kubectl wait\) hold the next wave/);
  });

  test('fails the synthesis on a race and leaves the previous output as it was', () => {
    const outdir = path.join(tmp, 'dist');
    fs.mkdirSync(outdir);
    fs.writeFileSync(path.join(outdir, 'previous.yaml'), 'kept\n');
    const race = () => synthesize(app => {
      const chart = new Chart(app, 'apps');
      new k8s.KubeNamespace(chart, 'ns', { metadata: { name: 'demo', annotations: { 'linkerd.io/inject': 'enabled' } } });
      new Application(chart, 'cp', {
        metadata: { name: 'linkerd-control-plane' },
        source: ApplicationSource.helmChart({ repoUrl: 'https://helm.linkerd.io/edge', chart: 'linkerd-control-plane', version: '2026.6.3' }),
      });
      new ApiObject(chart, 'pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'demo' }, spec: { containers: [{ name: 'c', image: 'c:1' }] } });
    }, { outdir, reports: [rolloutReport()] });
    expect(race).toThrow(OutputCheckError);
    expect(race).toThrow(/rollout: Pod demo\/p \(wave 0\) is meant to be meshed, but nothing makes sure the proxy injector/);
    expect(fs.readdirSync(outdir)).toStrictEqual(['previous.yaml']);
  });

  test('fails on a report path in the top folder, which the directory app would read', () => {
    expect(() => synthesize(app => { new Chart(app, 'empty'); }, { outdir: path.join(tmp, 'dist'), reports: [{ path: 'rollout.json', compute: () => ({ data: {}, problems: [] }) }] }))
      .toThrow(/report path "rollout.json" must be inside a subfolder of the output folder, out of the Argo CD directory app/);
  });

  test('fails on a report that takes the path of an OutputFile, naming the OutputFile', () => {
    expect(() => synthesize(app => {
      new OutputFile(new Chart(app, 'c'), 'file', { path: 'reports/x.json', content: '{}\n' });
    }, { outdir: path.join(tmp, 'dist'), reports: [{ path: 'reports/x.json', compute: () => ({ data: {}, problems: [] }) }] }))
      .toThrow(/reports\/x\.json is written by both c\/file and a report: give the report another path/);
  });
});
