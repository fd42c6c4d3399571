import { App, Testing } from 'cdk8s';
import { SchemaGate } from '../src/gate/schema-gate';
import { LinkerdVersion } from '../src/linkerd';
import { LinkerdPlatform } from '../src/platform';

const WAVE = 'argocd.argoproj.io/sync-wave';

let gate: SchemaGate;
beforeAll(() => { gate = SchemaGate.load(); });

describe('LinkerdPlatform', () => {
  test('adds no demo workloads unless asked: an importer\'s platform deploys only the platform', () => {
    const objects = Testing.synth(new LinkerdPlatform(Testing.app(), 'platform'));
    expect(objects.filter(o => o.metadata.namespace === 'mesh-demo' || o.metadata.name === 'mesh-demo')).toStrictEqual([]);
    expect(objects.filter(o => ['Deployment', 'Service', 'ServiceProfile'].includes(o.kind))).toStrictEqual([]);
  });

  test('sync waves follow the declared order: namespace, issuers, CA certificates, CA issuers, leaf certificates, control plane, its gate, then viz and the demo', () => {
    const platform = new LinkerdPlatform(Testing.app(), 'platform', { demo: true });
    const key = (o: any) => `${o.kind} ${o.metadata.name}${o.metadata.namespace === 'linkerd-viz' && o.metadata.name.startsWith('webhook') ? ' linkerd-viz' : ''}`;
    const waves = Object.fromEntries(Testing.synth(platform).map(o => [key(o), o.metadata.annotations?.[WAVE] ?? '0']));
    expect(waves).toStrictEqual({
      'Namespace linkerd-viz': '0',
      'Issuer webhook-selfsigned-issuer linkerd-viz': '1',
      'Certificate webhook-issuer-tls linkerd-viz': '2',
      'Issuer webhook-issuer linkerd-viz': '3',
      'Certificate tap': '4',
      'Certificate linkerd-tap-injector': '4',
      'Namespace linkerd': '0',
      'Issuer linkerd-trust-root-issuer': '1',
      'Certificate linkerd-trust-anchor': '2',
      'Issuer linkerd-identity-issuer': '3',
      'Certificate linkerd-identity-issuer': '4',
      'Bundle linkerd-identity-trust-roots': '3',
      'ServiceAccount linkerd-identity-restarter': '1',
      'Role linkerd-identity-restarter': '1',
      'RoleBinding linkerd-identity-restarter': '1',
      'CronJob linkerd-identity-restarter': '1',
      'Issuer webhook-selfsigned-issuer': '1',
      'Certificate webhook-issuer-tls': '2',
      'Issuer webhook-issuer': '3',
      'Certificate linkerd-proxy-injector': '4',
      'Certificate linkerd-sp-validator': '4',
      'Certificate linkerd-policy-validator': '4',
      'Application linkerd-crds': '0',
      'Application linkerd-control-plane': '5',
      'ServiceAccount linkerd-control-plane-ready': '0',
      'ClusterRole linkerd-control-plane-ready': '0',
      'ClusterRoleBinding linkerd-control-plane-ready': '0',
      'Job linkerd-control-plane-ready': '6',
      'Application linkerd-viz': '7',
      'Namespace mesh-demo': '7',
      'ServiceAccount server': '7',
      'Deployment server': '7',
      'Server server-http': '7',
      'MeshTLSAuthentication server-http-clients': '7',
      'AuthorizationPolicy server-http': '7',
      'Service server': '7',
      'ServiceAccount client': '7',
      'Deployment client': '7',
      'ServiceProfile server.mesh-demo.svc.cluster.local': '7',
      'Service server-breaker': '7',
    });
  });

  test('with prerequisites, cert-manager and trust-manager come first and their CRs skip the dry run', () => {
    const platform = new LinkerdPlatform(Testing.app(), 'platform', { prerequisites: true, demo: true });
    const objects = Testing.synth(platform);
    expect(gate.validateAll(objects)).toStrictEqual([]);
    const waves = Object.fromEntries(objects.filter(o => o.kind === 'Application' || o.kind === 'Bundle' || o.kind === 'Namespace' || o.kind === 'Job')
      .map(o => [`${o.kind} ${o.metadata.name}`, o.metadata.annotations?.[WAVE] ?? '0']));
    expect(waves).toStrictEqual({
      'Namespace linkerd': '0',
      'Application linkerd-crds': '0',
      'Application cert-manager': '0',
      'Job cert-manager-ready': '1',
      'Application trust-manager': '2',
      'Job trust-manager-ready': '3',
      'Bundle linkerd-identity-trust-roots': '4',
      'Application linkerd-control-plane': '6',
      'Job linkerd-control-plane-ready': '7',
      'Namespace linkerd-viz': '0',
      'Application linkerd-viz': '8',
      'Namespace mesh-demo': '8',
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

  test('every sync gate uses the given kubectl image', () => {
    const platform = new LinkerdPlatform(Testing.app(), 'platform', { prerequisites: true, syncGateImage: 'mirror.example.com/kubectl:v1.34.3' });
    const jobs = Testing.synth(platform).filter(o => o.kind === 'Job');
    expect(jobs.map(j => j.metadata.name).sort()).toStrictEqual(['cert-manager-ready', 'linkerd-control-plane-ready', 'trust-manager-ready']);
    for (const job of jobs) {
      for (const c of [...job.spec.template.spec.initContainers ?? [], ...job.spec.template.spec.containers]) expect(c.image).toBe('mirror.example.com/kubectl:v1.34.3');
    }
  });
});
