import { App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { collectWarnings } from '../../src/_internal/warnings';
import {
  LinkerdContext, LinkerdControlPlane, LinkerdControlPlaneOptions, LinkerdCrds, LinkerdFeature, LinkerdIdentity, LinkerdIdentityProps, LinkerdVersion,
} from '../../src/linkerd';
import { DemoWorkloads, Mesh, MeshCoverage, MeshCoverageReport, MeshIdentity, MeshTLSAuthentication } from '../../src/mesh';
import { LinkerdPlatform } from '../../src/platform';
import { CircuitBreaker, DemoTrafficPolicy, FailureAccrual, HttpRoute, RetriesAndTimeouts, ServiceProfile, ServiceReference } from '../../src/traffic';

/** A control plane (identity + values) in its own chart; lighter than a whole LinkerdPlatform. */
function controlPlane(
  scope: Construct, id: string, version: LinkerdVersion, identity: LinkerdIdentityProps = {}, options: LinkerdControlPlaneOptions = {},
) {
  const chart = new Chart(scope, id);
  const cp = new LinkerdControlPlane(chart, 'control-plane', { ...options, identity: new LinkerdIdentity(chart, 'identity', identity), version });
  return { chart, cp };
}

function service(scope: Construct, name = 'books') {
  return new kplus.Service(scope, name, { metadata: { name, namespace: 'booksapp' }, ports: [{ port: 7002 }] });
}

/** Every annotation key of every rendered object, pod templates included. */
function annotationKeys(objects: any[]): string[] {
  return objects.flatMap(o => [
    ...Object.keys(o.metadata?.annotations ?? {}),
    ...Object.keys(o.spec?.template?.metadata?.annotations ?? {}),
    ...Object.keys(o.spec?.jobTemplate?.spec?.template?.metadata?.annotations ?? {}),
  ]);
}

/** Keys a 2.14 cluster does not read (first read in 2.15, 2.16 or 2.20; see the LinkerdFeature JSDoc citations). */
const NOT_IN_2_14 = /^(timeout\.linkerd\.io\/|retry\.linkerd\.io\/|balancer\.alpha\.linkerd\.io\/|config\.(alpha\.|beta\.)?linkerd\.io\/proxy-enable-native-sidecar)/;

describe('LinkerdContext outside any control plane', () => {
  test('gives the documented defaults, and the constructs keep them', () => {
    const chart = Testing.chart();
    expect(LinkerdContext.of(chart)).toBe(LinkerdContext.DEFAULTS);
    expect(LinkerdContext.tryOf(chart)).toBeUndefined();
    expect([
      LinkerdContext.DEFAULTS.version, LinkerdContext.DEFAULTS.clusterDomain, LinkerdContext.DEFAULTS.trustDomain,
      LinkerdContext.DEFAULTS.controlPlaneNamespace,
    ])
      .toStrictEqual([LinkerdVersion.LATEST, 'cluster.local', 'cluster.local', 'linkerd']);
    const profile = new ServiceProfile(chart, 'profile', { service: ServiceReference.fromService(service(chart)) });
    expect(profile.name).toBe('books.booksapp.svc.cluster.local');
    expect(profile.version).toBe(LinkerdVersion.LATEST);
    const breaker = new CircuitBreaker(chart, 'cb', { service: ServiceReference.fromService(service(chart, 'breaker')), accrual: FailureAccrual.unified() });
    expect(breaker.annotations['balancer.linkerd.io/failure-accrual']).toBe('unified');
    new MeshTLSAuthentication(chart, 'authn', { metadata: { name: 'authn', namespace: 'booksapp' }, identities: [MeshIdentity.serviceAccount('web', 'booksapp')] });
    expect(Testing.synth(chart).find(o => o.kind === 'MeshTLSAuthentication').spec.identities)
      .toStrictEqual(['web.booksapp.serviceaccount.identity.linkerd.cluster.local']);
    expect(MeshIdentity.serviceAccount('web', 'booksapp').value).toBe('web.booksapp.serviceaccount.identity.linkerd.cluster.local');
  });

  test('a control plane\'s chart and the app see it; a control plane gives its own values', () => {
    const app = Testing.app();
    const { chart, cp } = controlPlane(app, 'platform', LinkerdVersion.V2_16, { trustDomain: 'prod.example.com', namespace: 'mesh' }, { clusterDomain: 'cluster.prod' });
    const apps = new Chart(app, 'apps');
    for (const scope of [chart, apps, app]) {
      const context = LinkerdContext.of(scope);
      expect([context.version, context.clusterDomain, context.trustDomain, context.controlPlaneNamespace, context.controlPlane])
        .toStrictEqual([LinkerdVersion.V2_16, 'cluster.prod', 'prod.example.com', 'mesh', cp]);
    }
    expect(LinkerdContext.of(apps).source).toBe('the control plane platform/control-plane');
  });

  test('the trust domain defaults to the cluster domain when identityTrustDomain is empty, as the chart renders it', () => {
    // linkerd/linkerd2@version-2.20:charts/linkerd-control-plane/templates/identity.yaml:166
    const app = Testing.app();
    controlPlane(app, 'platform', LinkerdVersion.V2_20, {}, { clusterDomain: 'cluster.prod', values: { identityTrustDomain: '' } });
    expect(LinkerdContext.of(app).trustDomain).toBe('cluster.prod');
  });
});

describe('a Linkerd 2.14 platform (issue 11 "done when")', () => {
  test('a circuit breaker, a meshed Job and the demo render only what 2.14 reads; retries and unified accrual fail naming 2.14', () => {
    const app = Testing.app();
    new LinkerdPlatform(app, 'platform', { version: LinkerdVersion.V2_14, demo: true });
    const apps = new Chart(app, 'apps');
    const breaker = new CircuitBreaker(apps, 'cb', { service: ServiceReference.fromService(service(apps)) });
    const job = new kplus.Job(apps, 'job', { metadata: { name: 'job', namespace: 'booksapp' }, containers: [{ image: 'busybox:1.36' }] });
    Mesh.inject(job);

    expect(breaker.annotations['balancer.linkerd.io/failure-accrual']).toBe('consecutive');
    expect(() => new RetriesAndTimeouts(apps, 'rt', { service: ServiceReference.fromService(service(apps, 'rt-svc')), timeouts: { request: Duration.seconds(2) } }))
      .toThrow(/^\[apps\/rt\] configuring retries or timeouts by annotation needs Linkerd 2.16 or later \(retry and timeout annotations\), but this is Linkerd 2.14$/);
    expect(() => new CircuitBreaker(apps, 'unified', { service: ServiceReference.fromService(service(apps, 'unified-svc')), accrual: FailureAccrual.unified() }))
      .toThrow(/^\[apps\/unified\] balancer.linkerd.io\/failure-accrual: unified needs Linkerd 2.20 or later \(unified failure accrual\), but this is Linkerd 2.14$/);
    expect(() => new HttpRoute(apps, 'route', { service: ServiceReference.fromService(service(apps, 'route-svc')), timeouts: { request: Duration.seconds(1) } }))
      .toThrow(/^\[apps\/route\] configuring retries or timeouts by annotation needs Linkerd 2.16 or later .* but this is Linkerd 2.14$/);

    const objects = app.charts.flatMap(c => Testing.synth(c));
    expect(annotationKeys(objects).filter(k => NOT_IN_2_14.test(k))).toStrictEqual([]);
    const jobJson = objects.find(o => o.kind === 'Job' && !o.metadata.annotations?.['argocd.argoproj.io/hook']);
    expect(jobJson.spec.template.metadata.annotations).toStrictEqual({ 'linkerd.io/inject': 'enabled' });
    expect(collectWarnings(app).filter(w => w.path === 'apps/job').map(w => w.message))
      .toStrictEqual([expect.stringMatching(/^Linkerd 2.14 has no native sidecar proxy \(2.15\+\): .* the Job never completes/)]);
    expect(MeshCoverage.of(app).linkerd).toBe('2.14');
    // the whole app passes synth's validations, the platform's strict mTLS report included
    expect(() => app.synth()).not.toThrow();
  });

  test('the same constructs inside the platform chart take its version', () => {
    const app = Testing.app();
    const platform = new LinkerdPlatform(app, 'platform', { version: LinkerdVersion.V2_14, demo: false });
    expect(() => new RetriesAndTimeouts(platform, 'rt', { service: ServiceReference.fromService(service(platform)), timeouts: { request: Duration.seconds(2) } }))
      .toThrow(/but this is Linkerd 2.14$/);
    const job = new kplus.Job(platform, 'job', { metadata: { name: 'job', namespace: 'booksapp' }, containers: [{ image: 'busybox:1.36' }] });
    Mesh.inject(job);
    expect(Testing.synth(platform).find(o => o.kind === 'Job' && o.metadata.name === 'job').spec.template.metadata.annotations).toStrictEqual({ 'linkerd.io/inject': 'enabled' });
  });
});

describe('native-sidecar annotation key by version (LinkerdFeature.NATIVE_SIDECAR, NATIVE_SIDECAR_GA_ANNOTATION)', () => {
  // alpha key: linkerd/linkerd2@version-2.15:pkg/k8s/labels.go:269; GA key: linkerd/linkerd2@version-2.20:pkg/k8s/labels.go:291;
  // version-2.19 reads beta then alpha (pkg/inject/inject.go:376-381), not the GA key
  test.each([
    [LinkerdVersion.V2_16, 'config.alpha.linkerd.io/proxy-enable-native-sidecar'],
    [LinkerdVersion.V2_19, 'config.alpha.linkerd.io/proxy-enable-native-sidecar'],
    [LinkerdVersion.V2_20, 'config.linkerd.io/proxy-enable-native-sidecar'],
  ])('a meshed Job on a %s control plane gets the key that version reads', (version, key) => {
    const app = Testing.app();
    const { chart } = controlPlane(app, 'platform', version);
    const job = new kplus.Job(chart, 'job', { metadata: { name: 'job' }, containers: [{ image: 'busybox:1.36' }] });
    Mesh.inject(job);
    expect(Testing.synth(chart).find(o => o.kind === 'Job').spec.template.metadata.annotations).toStrictEqual({ 'linkerd.io/inject': 'enabled', [key]: 'true' });
  });

  test('the gates match the versions the linkerd2 source first reads them in', () => {
    expect(LinkerdVersion.all().filter(v => v.supports(LinkerdFeature.NATIVE_SIDECAR_GA_ANNOTATION)).map(v => v.major)).toStrictEqual(['2.20']);
    expect(LinkerdVersion.all().filter(v => !v.supports(LinkerdFeature.NATIVE_SIDECAR)).map(v => v.major)).toStrictEqual(['2.12', '2.13', '2.14']);
    expect(LinkerdVersion.all().filter(v => !v.supports(LinkerdFeature.RETRY_TIMEOUT_ANNOTATIONS)).map(v => v.major)).toStrictEqual(['2.12', '2.13', '2.14']);
    expect(LinkerdVersion.all().filter(v => v.supports(LinkerdFeature.UNIFIED_FAILURE_ACCRUAL)).map(v => v.major)).toStrictEqual(['2.20']);
    expect(LinkerdVersion.all().filter(v => !v.supports(LinkerdFeature.FAILURE_ACCRUAL)).map(v => v.major)).toStrictEqual(['2.12']);
  });
});

describe('domains and namespaces from the tree', () => {
  test('MeshIdentity and the coverage report on a prod.example.com platform use that trust domain', () => {
    const app = Testing.app();
    const platform = new LinkerdPlatform(app, 'platform', { identity: { trustDomain: 'prod.example.com' }, demo: true });
    const apps = new Chart(app, 'apps');
    new MeshTLSAuthentication(apps, 'authn', { metadata: { name: 'authn', namespace: 'booksapp' }, identities: [MeshIdentity.serviceAccount('web', 'booksapp')] });
    expect(Testing.synth(apps).find(o => o.kind === 'MeshTLSAuthentication').spec.identities)
      .toStrictEqual(['web.booksapp.serviceaccount.identity.linkerd.prod.example.com']);
    const demo = MeshCoverage.of(app).workloads.find(w => w.name === 'client')!;
    expect(demo.identity).toBe('client.mesh-demo.serviceaccount.identity.linkerd.prod.example.com');
    expect(platform.demo).toBeDefined();
  });

  test('a coverage report beside a control plane takes its version and trust domain', () => {
    const app = Testing.app();
    controlPlane(app, 'platform', LinkerdVersion.V2_16, { trustDomain: 'prod.example.com' });
    const apps = new Chart(app, 'apps');
    new DemoWorkloads(apps, 'demo');
    const report = new MeshCoverageReport(apps, 'coverage');
    const data = report.compute();
    expect(data.linkerd).toBe('2.16');
    expect(data.workloads.find(w => w.name === 'server')!.identity).toBe('server.mesh-demo.serviceaccount.identity.linkerd.prod.example.com');
  });

  test('the cluster domain of the control plane names ServiceProfiles, also the demo\'s', () => {
    const app = Testing.app();
    const platform = new LinkerdPlatform(app, 'platform', { controlPlane: { clusterDomain: 'cluster.prod' }, demo: true });
    const apps = new Chart(app, 'apps');
    expect(new ServiceProfile(apps, 'profile', { service: ServiceReference.fromService(service(apps)) }).name).toBe('books.booksapp.svc.cluster.prod');
    expect(Testing.synth(platform).find(o => o.kind === 'ServiceProfile').metadata.name).toBe('server.mesh-demo.svc.cluster.prod');
  });

  test('fails on an identity the tree\'s control plane cannot issue', () => {
    const app = Testing.app();
    controlPlane(app, 'platform', LinkerdVersion.V2_20);
    const apps = new Chart(app, 'apps', { namespace: 'shop' });
    expect(() => new MeshTLSAuthentication(apps, 'prod', { identities: [MeshIdentity.of('*.prod.example.com')] }))
      .toThrow(/^\[apps\/prod\] identity "\*\.prod\.example\.com" matches no identity of trust domain "cluster\.local" and control-plane namespace "linkerd" \(the control plane platform\/control-plane\), which issues <sa>\.<ns>\.serviceaccount\.identity\.linkerd\.cluster\.local$/);
    expect(() => new MeshTLSAuthentication(apps, 'ns', { identities: [MeshIdentity.of('web.shop.serviceaccount.identity.mesh.cluster.local')] }))
      .toThrow(/identity "web\.shop\.serviceaccount\.identity\.mesh\.cluster\.local" matches no identity of trust domain "cluster\.local" and control-plane namespace "linkerd"/);
    const ok = ['*', '*.cluster.local', '*.shop.serviceaccount.identity.linkerd.cluster.local', 'web.shop.serviceaccount.identity.linkerd.cluster.local', 'spiffe://corp.example/ns/shop/sa/web'];
    expect(() => new MeshTLSAuthentication(apps, 'ok', { identities: ok.map(i => MeshIdentity.of(i)) })).not.toThrow();
    expect(() => Testing.synth(apps)).not.toThrow();
  });

  test('fails when a MeshIdentity is given a trust domain the tree contradicts', () => {
    const app = Testing.app();
    controlPlane(app, 'platform', LinkerdVersion.V2_20, { trustDomain: 'prod.example.com' });
    const apps = new Chart(app, 'apps', { namespace: 'shop' });
    expect(() => new MeshTLSAuthentication(apps, 'authn', { identities: [MeshIdentity.serviceAccount('web', 'shop', { trustDomain: 'cluster.local' })] }))
      .toThrow(/^\[apps\/authn\] identity "web\.shop\.serviceaccount\.identity\.linkerd\.cluster\.local" matches no identity of trust domain "prod\.example\.com"/);
  });
});

describe('explicit values that contradict the tree', () => {
  function tree(version = LinkerdVersion.V2_14) {
    const app = Testing.app();
    controlPlane(app, 'platform', version, {}, { clusterDomain: 'cluster.prod' });
    return new Chart(app, 'apps');
  }

  test('fails naming both versions', () => {
    const apps = tree();
    expect(() => new CircuitBreaker(apps, 'cb', { service: ServiceReference.fromService(service(apps)), version: LinkerdVersion.V2_20 }))
      .toThrow(/^\[apps\/cb\] version Linkerd 2.20 contradicts version Linkerd 2.14 of the control plane platform\/control-plane: drop it \(it is taken from the tree\) or make them agree$/);
    const job = new kplus.Job(apps, 'job', { containers: [{ image: 'busybox:1.36' }] });
    expect(() => Mesh.inject(job, { version: LinkerdVersion.V2_20 })).toThrow(/^\[apps\/job\] version Linkerd 2.20 contradicts version Linkerd 2.14/);
    expect(() => new DemoWorkloads(apps, 'demo', { version: LinkerdVersion.V2_16 })).toThrow(/^\[apps\/demo\] version Linkerd 2.16 contradicts version Linkerd 2.14/);
    expect(() => new LinkerdCrds(apps, 'crds', { version: LinkerdVersion.V2_20 })).toThrow(/^\[apps\/crds\] version Linkerd 2.20 contradicts version Linkerd 2.14/);
    expect(() => MeshCoverage.of(apps, { version: LinkerdVersion.V2_20 })).toThrow(/^\[apps\] version Linkerd 2.20 contradicts version Linkerd 2.14 of the control plane platform\/control-plane/);
  });

  test('fails naming both cluster domains, one error for both contradictions', () => {
    const apps = tree();
    expect(() => new ServiceProfile(apps, 'profile', { service: ServiceReference.fromService(service(apps)), clusterDomain: 'cluster.local', version: LinkerdVersion.V2_20 }))
      .toThrow(/^\[apps\/profile\] 2 problems:\n {2}- version Linkerd 2.20 contradicts version Linkerd 2.14 .*\n {2}- clusterDomain "cluster.local" contradicts cluster domain "cluster.prod" of the control plane platform\/control-plane/);
    const demo = new kplus.Service(apps, 'demo', { metadata: { name: 'server', namespace: 'demo' }, ports: [{ port: 80 }] });
    expect(() => new DemoTrafficPolicy(apps, 'traffic', { profiledService: ServiceReference.fromService(demo), clusterDomain: 'cluster.local' }))
      .toThrow(/^\[apps\/traffic\] clusterDomain "cluster.local" contradicts cluster domain "cluster.prod"/);
  });

  test('an explicit value that agrees is accepted', () => {
    const apps = tree();
    expect(new ServiceProfile(apps, 'profile', { service: ServiceReference.fromService(service(apps)), clusterDomain: 'cluster.prod', version: LinkerdVersion.V2_14 }).name).toBe('books.booksapp.svc.cluster.prod');
  });
});

describe('a construct made before its control plane', () => {
  test('fails synth when the default it took contradicts the control plane made later', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const apps = new Chart(app, 'apps');
    new CircuitBreaker(apps, 'cb', { service: ServiceReference.fromService(service(apps)), accrual: FailureAccrual.unified() });
    controlPlane(app, 'platform', LinkerdVersion.V2_14);
    expect(() => app.synth()).toThrow(/\[apps\/cb\] was made for version Linkerd 2.20 \(the documented default: its tree had no control plane yet\), but the control plane platform\/control-plane has Linkerd 2.14: create the control plane first, or give version explicitly/);
  });

  test('an explicit value is checked against the control plane made later too', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const apps = new Chart(app, 'apps');
    new ServiceProfile(apps, 'profile', { service: ServiceReference.fromService(service(apps)), clusterDomain: 'cluster.local' });
    controlPlane(app, 'platform', LinkerdVersion.V2_20, {}, { clusterDomain: 'cluster.prod' });
    expect(() => app.synth()).toThrow(/\[apps\/profile\] clusterDomain "cluster.local" contradicts cluster domain "cluster.prod" of the control plane platform\/control-plane/);
  });

  test('passes when the control plane made later agrees', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const apps = new Chart(app, 'apps');
    new CircuitBreaker(apps, 'cb', { service: ServiceReference.fromService(service(apps)) });
    controlPlane(app, 'platform', LinkerdVersion.LATEST);
    expect(() => app.synth()).not.toThrow();
  });
});

describe('an app with two control planes', () => {
  test('each chart takes its own; a construct outside both fails naming them', () => {
    const app = Testing.app();
    const old = controlPlane(app, 'old', LinkerdVersion.V2_14);
    const current = controlPlane(app, 'new', LinkerdVersion.V2_20);
    expect(LinkerdContext.of(old.chart).version).toBe(LinkerdVersion.V2_14);
    expect(LinkerdContext.of(current.chart).version).toBe(LinkerdVersion.V2_20);
    const apps = new Chart(app, 'apps');
    expect(() => new CircuitBreaker(apps, 'cb', { service: ServiceReference.fromService(service(apps)) }))
      .toThrow(/^\[apps\/cb\] cannot tell which Linkerd control plane applies: the app has 2 \(old\/control-plane, new\/control-plane\); create this construct inside the chart of one of them$/);
  });
});
