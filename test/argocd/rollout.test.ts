import { ApiObject, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { Application, ApplicationSource, planRollout, SyncGate } from '../../src/argocd';
import { Certificate, ClusterIssuer, Issuer, IssuerType } from '../../src/cert-manager';
import { LinkerdVersion } from '../../src/linkerd/version';
import { LinkerdPlatform } from '../../src/platform';
import { testChart } from '../_util';

const WAVE = 'argocd.argoproj.io/sync-wave';

function wave(obj: ApiObject, n: number): ApiObject {
  obj.metadata.addAnnotation(WAVE, String(n));
  return obj;
}

function chartApp(chart: ReturnType<typeof testChart>, name: string, n: number, namespace = 'linkerd'): void {
  const app = new Application(chart, name, {
    metadata: { name },
    source: ApplicationSource.helmChart({ repoUrl: 'https://helm.linkerd.io/edge', chart: name, version: '2026.6.3' }),
    destinationNamespace: namespace,
  });
  wave(app.apiObject, n);
}

describe('planRollout', () => {
  describe('passes on the default platform', () => {
    for (const version of LinkerdVersion.all()) {
      for (const prerequisites of [false, true]) {
        test(`Linkerd ${version.major}, prerequisites ${prerequisites}`, () => {
          const platform = new LinkerdPlatform(Testing.app(), 'platform', { version, prerequisites, demo: true, dashboard: { hosts: ['linkerd.example.com'] } });
          const plan = planRollout(Testing.synth(platform));
          expect(plan.problems).toStrictEqual([]);
          // without prerequisites, the cluster must serve cert-manager's and trust-manager's CRDs; with them, nothing
          expect(plan.prerequisites.crdGroups).toStrictEqual(prerequisites ? [] : ['cert-manager.io', 'trust.cert-manager.io']);
          // the gate's wave makes the proxy injector ready before viz and the demo
          const ready = plan.waves.find(w => w.ready.deployments.includes('linkerd/linkerd-proxy-injector'))!;
          const viz = plan.waves.find(w => w.applies.includes('Application argocd/linkerd-viz'))!;
          const demo = plan.waves.find(w => w.applies.includes('Deployment mesh-demo/server'))!;
          expect(ready.wave).toBeLessThan(viz.wave);
          expect(ready.wave).toBeLessThan(demo.wave);
          // every Application retries (argo-cd@v3.5.1:controller/appcontroller.go:2397 skips a failed revision otherwise)
          for (const app of Testing.synth(platform).filter(o => o.kind === 'Application')) expect(app.spec.syncPolicy.retry.limit).toBe(10);
        });
      }
    }
  });

  // argo-cd@v3.5.1:docs/operator-manual/health.md:31: an Application's health is not assessed, so a wave after the
  // Application that installs a CRD does not mean the CRD exists
  test('fails on an object before its CRD, when another Application installs the CRD', () => {
    const chart = testChart();
    chartApp(chart, 'linkerd-crds', 0);
    wave(new k8s.KubeNamespace(chart, 'ns', { metadata: { name: 'demo' } }), 0);
    wave(new ApiObject(chart, 'server', { apiVersion: 'policy.linkerd.io/v1beta3', kind: 'Server', metadata: { name: 's', namespace: 'demo' } }), 1);
    expect(planRollout(Testing.synth(chart)).problems).toStrictEqual([
      expect.stringMatching(/^Server demo\/s \(wave 1\) needs CRD servers\.policy\.linkerd\.io, which Application argocd\/linkerd-crds installs, but nothing makes sure it exists by this wave/),
    ]);
  });

  // linkerd2@version-2.20:viz/charts/linkerd-viz/templates/*-policy.yaml: the viz chart applies Servers and policies
  test('fails on the viz Application before the Linkerd CRDs its chart applies', () => {
    const chart = testChart();
    chartApp(chart, 'linkerd-crds', 0);
    chartApp(chart, 'linkerd-viz', 1, 'linkerd-viz');
    const problems = planRollout(Testing.synth(chart)).problems;
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/^Application argocd\/linkerd-viz \(wave 1\) needs CRD authorizationpolicies\.policy\.linkerd\.io, which Application argocd\/linkerd-crds installs, but nothing makes sure it exists by this wave/);
  });

  test('passes once a gate waits for that CRD in an earlier wave', () => {
    const chart = testChart();
    chartApp(chart, 'linkerd-crds', 0);
    wave(new SyncGate(chart, 'gate', { name: 'crds', crds: ['servers.policy.linkerd.io'] }).job, 1);
    wave(new ApiObject(chart, 'server', { apiVersion: 'policy.linkerd.io/v1beta3', kind: 'Server', metadata: { name: 's', namespace: 'demo' } }), 2);
    const plan = planRollout(Testing.synth(chart));
    expect(plan.problems).toStrictEqual([]);
    expect(plan.waves.find(w => w.wave === 1)!.ready.crds).toStrictEqual(['servers.policy.linkerd.io']);
  });

  // cert-manager@v1.21.1:pkg/issuer/ca/setup.go:49-62 + argo-cd@v3.5.1:resource_customizations/cert-manager.io/Issuer/health.lua:5-9
  test('fails on a CA Issuer in the wave of the Certificate that writes its Secret', () => {
    const chart = testChart();
    const self = new Issuer(chart, 'self', { metadata: { name: 'self', namespace: 'linkerd' }, type: IssuerType.selfSigned() });
    wave(new Certificate(chart, 'ca', { metadata: { name: 'ca', namespace: 'linkerd' }, secretName: 'ca-tls', commonName: 'ca', isCA: true, issuer: self }).apiObject, 1);
    wave(new Issuer(chart, 'ca-issuer', { metadata: { name: 'ca-issuer', namespace: 'linkerd' }, type: IssuerType.ca({ secretName: 'ca-tls' }) }).apiObject, 1);
    expect(planRollout(Testing.synth(chart)).problems).toStrictEqual([
      expect.stringMatching(/^Issuer linkerd\/ca-issuer \(wave 1\) reads CA Secret linkerd\/ca-tls, which Certificate linkerd\/ca writes no earlier than this wave: cert-manager marks the issuer not Ready/),
    ]);
  });

  test('lists the CA Secret of a ClusterIssuer that nothing makes as a prerequisite, not a race', () => {
    const chart = testChart();
    new ClusterIssuer(chart, 'anchor', { metadata: { name: 'anchor' }, type: IssuerType.ca({ secretName: 'my-anchor' }) });
    const plan = planRollout(Testing.synth(chart));
    expect(plan.problems).toStrictEqual([]);
    expect(plan.prerequisites.secrets).toStrictEqual(['cert-manager/my-anchor (CA of ClusterIssuer anchor)']);
  });

  // argo-cd@v3.5.1:resource_customizations/cert-manager.io/Certificate/health.lua:6-10: Issuing=True is Progressing
  test('fails on a Certificate before its issuer', () => {
    const chart = testChart();
    const issuer = new Issuer(chart, 'self', { metadata: { name: 'self', namespace: 'linkerd' }, type: IssuerType.selfSigned() });
    wave(issuer.apiObject, 2);
    wave(new Certificate(chart, 'leaf', { metadata: { name: 'leaf', namespace: 'linkerd' }, secretName: 'leaf', commonName: 'leaf', issuer }).apiObject, 1);
    expect(planRollout(Testing.synth(chart)).problems).toStrictEqual([
      'Certificate linkerd/leaf (wave 1) is issued by Issuer linkerd/self of the later wave 2: the Certificate stays Progressing and its wave never ends',
    ]);
  });

  // linkerd2@version-2.20:charts/linkerd-control-plane/values.yaml:416 webhookFailurePolicy: Ignore
  test('fails on a meshed workload, and an Application into a meshed namespace, before the proxy injector', () => {
    const chart = testChart();
    chartApp(chart, 'linkerd-control-plane', 0);
    new k8s.KubeNamespace(chart, 'ns', { metadata: { name: 'viz', annotations: { 'linkerd.io/inject': 'enabled' } } });
    chartApp(chart, 'linkerd-viz', 1, 'viz');
    wave(new k8s.KubeDeployment(chart, 'web', {
      metadata: { name: 'web', namespace: 'apps' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' }, annotations: { 'linkerd.io/inject': 'enabled' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } } },
    }), 1);
    expect(planRollout(Testing.synth(chart)).problems).toStrictEqual([
      expect.stringMatching(/^Application argocd\/linkerd-viz \(wave 1\) is meant to be meshed, but nothing makes sure the proxy injector \(Application argocd\/linkerd-control-plane\) is available by this wave/),
      expect.stringMatching(/^Deployment apps\/web \(wave 1\) is meant to be meshed, but nothing makes sure the proxy injector/),
    ]);
  });

  test('a workload the injector skips (kube-system, a control-plane label) is no race, whatever it asks', () => {
    // linkerd/linkerd2@version-2.20:charts/linkerd-control-plane/values.yaml:523-536, the webhook's selectors
    const chart = testChart();
    chartApp(chart, 'linkerd-control-plane', 0);
    const pod = (name: string, namespace: string, labels: Record<string, string>) => wave(new k8s.KubeDeployment(chart, name, {
      metadata: { name, namespace },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name, ...labels }, annotations: { 'linkerd.io/inject': 'enabled' } }, spec: { containers: [{ name, image: 'web:1' }] } } },
    }), 1);
    pod('dns', 'kube-system', {});
    pod('identity', 'apps', { 'linkerd.io/control-plane-component': 'identity' });
    expect(planRollout(Testing.synth(chart)).problems).toStrictEqual([]);
  });

  test('passes once a gate waits for the proxy injector in an earlier wave', () => {
    const chart = testChart();
    chartApp(chart, 'linkerd-control-plane', 0);
    wave(new SyncGate(chart, 'gate', { name: 'mesh', deployments: [{ namespace: 'linkerd', name: 'linkerd-proxy-injector' }] }).job, 1);
    new k8s.KubeNamespace(chart, 'ns', { metadata: { name: 'viz', annotations: { 'linkerd.io/inject': 'enabled' } } });
    chartApp(chart, 'linkerd-viz', 2, 'viz');
    expect(planRollout(Testing.synth(chart)).problems).toStrictEqual([]);
  });
});
