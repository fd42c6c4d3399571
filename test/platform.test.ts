import { App, Testing } from 'cdk8s';
import { LinkerdVersion } from '../src/linkerd';
import { LinkerdPlatform } from '../src/platform';
import { SchemaGate } from '../src/gate/schema-gate';

const WAVE = 'argocd.argoproj.io/sync-wave';

let gate: SchemaGate;
beforeAll(() => { gate = SchemaGate.load(); });

describe('LinkerdPlatform', () => {
  test('adds no demo workloads unless asked: an importer\'s platform deploys only the platform', () => {
    const objects = Testing.synth(new LinkerdPlatform(Testing.app(), 'platform'));
    expect(objects.filter(o => o.metadata.namespace === 'mesh-demo' || o.metadata.name === 'mesh-demo')).toStrictEqual([]);
    expect(objects.filter(o => ['Deployment', 'Service', 'ServiceProfile'].includes(o.kind))).toStrictEqual([]);
  });

  test('sync waves follow the declared order: namespace, then identity and webhook certificates, then the control plane', () => {
    const platform = new LinkerdPlatform(Testing.app(), 'platform', { demo: true });
    const key = (o: any) => `${o.kind} ${o.metadata.name}${o.metadata.namespace === 'linkerd-viz' && o.metadata.name.startsWith('webhook') ? ' linkerd-viz' : ''}`;
    const waves = Object.fromEntries(Testing.synth(platform).map(o => [key(o), o.metadata.annotations?.[WAVE] ?? '0']));
    expect(waves).toStrictEqual({
      'Namespace linkerd': '0',
      'Application linkerd-crds': '0',
      'Issuer linkerd-trust-root-issuer': '1',
      'Issuer linkerd-identity-issuer': '1',
      'Certificate linkerd-trust-anchor': '1',
      'Certificate linkerd-identity-issuer': '1',
      'Bundle linkerd-identity-trust-roots': '1',
      'Issuer webhook-selfsigned-issuer': '1',
      'Certificate webhook-issuer-tls': '1',
      'Issuer webhook-issuer': '1',
      'Certificate linkerd-proxy-injector': '1',
      'Certificate linkerd-sp-validator': '1',
      'Certificate linkerd-policy-validator': '1',
      'Application linkerd-control-plane': '2',
      'Namespace linkerd-viz': '0',
      'Issuer webhook-selfsigned-issuer linkerd-viz': '1',
      'Certificate webhook-issuer-tls linkerd-viz': '1',
      'Issuer webhook-issuer linkerd-viz': '1',
      'Certificate tap': '1',
      'Certificate linkerd-tap-injector': '1',
      'Application linkerd-viz': '3',
      'Namespace mesh-demo': '3',
      'ServiceAccount server': '3',
      'Deployment server': '3',
      'Server server-http': '3',
      'MeshTLSAuthentication server-http-clients': '3',
      'AuthorizationPolicy server-http': '3',
      'Service server': '3',
      'ServiceAccount client': '3',
      'Deployment client': '3',
      'ServiceProfile server.mesh-demo.svc.cluster.local': '3',
      'Service server-breaker': '3',
    });
  });

  test('with prerequisites, cert-manager and trust-manager come first and their CRs skip the dry run', () => {
    const platform = new LinkerdPlatform(Testing.app(), 'platform', { prerequisites: true, demo: true });
    const objects = Testing.synth(platform);
    expect(gate.validateAll(objects)).toStrictEqual([]);
    const waves = Object.fromEntries(objects.filter(o => o.kind === 'Application' || o.kind === 'Bundle' || o.kind === 'Namespace')
      .map(o => [`${o.kind} ${o.metadata.name}`, o.metadata.annotations?.[WAVE] ?? '0']));
    expect(waves).toStrictEqual({
      'Namespace linkerd': '0',
      'Application linkerd-crds': '0',
      'Application cert-manager': '0',
      'Application trust-manager': '1',
      'Bundle linkerd-identity-trust-roots': '2',
      'Application linkerd-control-plane': '3',
      'Namespace linkerd-viz': '0',
      'Application linkerd-viz': '4',
      'Namespace mesh-demo': '4',
    });
    const certManagerObjects = objects.filter(o => /cert-manager\.io\//.test(o.apiVersion));
    expect(certManagerObjects.length).toBe(16);
    for (const o of certManagerObjects) expect(o.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('SkipDryRunOnMissingResource=true');
    const certManager = objects.find(o => o.metadata.name === 'cert-manager');
    expect(certManager.spec.source).toStrictEqual({ repoURL: 'https://charts.jetstack.io', chart: 'cert-manager', targetRevision: 'v1.21.1', helm: { valuesObject: { crds: { enabled: true } } } });
    expect(certManager.spec.syncPolicy.syncOptions).toStrictEqual(['CreateNamespace=true', 'ServerSideApply=true']);
    // trust-manager reads the anchor Secret from its trust namespace: the control-plane namespace, which exists first
    const trustManager = objects.find(o => o.metadata.name === 'trust-manager');
    expect(trustManager.spec.source.helm.valuesObject).toStrictEqual({ app: { trust: { namespace: 'linkerd' } } });
  });

  test('the default platform gives no namespace but the control plane\'s a way to use the trust anchor (issue 13 §1)', () => {
    const objects = Testing.synth(new LinkerdPlatform(Testing.app(), 'platform', { prerequisites: true }));
    expect(objects.filter(o => o.kind === 'ClusterIssuer')).toStrictEqual([]);
    const anchorIssuers = objects.filter(o => ['Issuer', 'ClusterIssuer'].includes(o.kind) && o.spec.ca?.secretName === 'linkerd-trust-anchor');
    expect(anchorIssuers.map(o => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toStrictEqual(['Issuer linkerd/linkerd-identity-issuer']);
    const users = objects.filter(o => o.kind === 'Certificate' && o.spec.issuerRef.name === 'linkerd-identity-issuer');
    expect(users.map(o => `${o.metadata.namespace}/${o.metadata.name}`)).toStrictEqual(['linkerd/linkerd-identity-issuer']);
  });

  test.each(LinkerdVersion.all().map(v => [v.major, v]))('Linkerd %s: the platform with the demo synthesizes and passes the schema gate', (_major, version) => {
    const platform = new LinkerdPlatform(new App(), 'platform', { version, demo: true });
    const objects = Testing.synth(platform);
    expect(gate.validateAll(objects)).toStrictEqual([]);
    const apps = objects.filter(o => o.kind === 'Application').map(o => o.spec.source);
    expect(apps.map(s => [s.chart, s.targetRevision, s.repoURL])).toStrictEqual([
      ['linkerd-crds', version.crdsChart.version, version.helmRepository],
      ['linkerd-control-plane', version.controlPlaneChart.version, version.helmRepository],
      ['linkerd-viz', version.vizChart.version, version.helmRepository],
    ]);
  });

  test.each(LinkerdVersion.all().map(v => [v.major, v]))('Linkerd %s: the platform synthesizes with ha, from the tag\'s own HA profiles', (_major, version) => {
    const platform = new LinkerdPlatform(new App(), 'platform', { version, controlPlane: { ha: true }, viz: { ha: true } });
    const objects = Testing.synth(platform);
    expect(gate.validateAll(objects)).toStrictEqual([]);
    expect(platform.controlPlane.helmValues.controllerReplicas).toBe(3);
    expect(platform.controlPlane.helmValues.enablePodAntiAffinity).toBe(true);
    expect(platform.viz.helmValues.enablePodAntiAffinity).toBe(true);
  });
});
