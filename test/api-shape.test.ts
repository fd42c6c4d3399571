import { ApiObject, Chart, Testing } from 'cdk8s';
import { AppProject, Application, ApplicationSource, SyncGate } from '../src/argocd';
import { Certificate, Issuer, IssuerType } from '../src/cert-manager';
import { ChartRelease } from '../src/delivery';
import { IdentityRestarter } from '../src/linkerd';
import { LinkerdPlatform } from '../src/platform';
import { BasicAuthSecret, DashboardHttpRoute, DashboardIngress, HtpasswdUser } from '../src/viz';
import { testChart } from './_util';
import { vizFor } from './viz/_viz';

const helm = ApplicationSource.helmChart({ repoUrl: 'https://helm.linkerd.io/edge', chart: 'linkerd-crds', version: '2026.6.3' });

/** The namespace every object a construct renders carries (one, or the test fails on the difference). */
function renderedNamespaces(scope: { node: { findAll(): any[] } }): string[] {
  const objects = scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map(o => o.toJson());
  return [...new Set(objects.map(o => o.metadata?.namespace))];
}

// issue 14 §2: every namespaced L2 exposes `namespace: string`, resolved, and it is the namespace its objects render with
describe('every namespaced construct exposes the namespace it renders into', () => {
  test('Argo CD: Application and AppProject default to argocd; SyncGate to argocd or its prop', () => {
    const chart = testChart();
    const app = new Application(chart, 'app', { metadata: { name: 'app' }, source: helm });
    const other = new Application(chart, 'other', { metadata: { name: 'other', namespace: 'gitops' }, source: helm });
    const project = new AppProject(chart, 'project', { metadata: { name: 'p' }, sourceRepos: ['https://example.com/r.git'], destinationNamespaces: ['linkerd'] });
    const gate = new SyncGate(chart, 'gate', { name: 'ready', namespace: 'gitops', crds: ['servers.policy.linkerd.io'] });
    expect([app.namespace, other.namespace, project.namespace, gate.namespace]).toStrictEqual(['argocd', 'gitops', 'argocd', 'gitops']);
    expect(renderedNamespaces(app)).toStrictEqual(['argocd']);
    expect(renderedNamespaces(other)).toStrictEqual(['gitops']);
    expect(renderedNamespaces(project)).toStrictEqual(['argocd']);
    expect(renderedNamespaces(gate).filter(n => n !== undefined)).toStrictEqual(['gitops']);
  });

  test('cert-manager: Issuer and Certificate resolve the chart\'s namespace', () => {
    const chart = Testing.chart();
    const scoped = new Chart(Testing.app(), 'scoped', { namespace: 'certs' });
    const issuer = new Issuer(scoped, 'issuer', { type: IssuerType.selfSigned() });
    const certificate = new Certificate(scoped, 'cert', { issuer, secretName: 'web-tls', dnsNames: ['web.example.com'] });
    expect([issuer.namespace, certificate.namespace]).toStrictEqual(['certs', 'certs']);
    expect(renderedNamespaces(issuer)).toStrictEqual(['certs']);
    expect(renderedNamespaces(certificate)).toStrictEqual(['certs']);
    expect(chart.namespace).toBeUndefined();
  });

  test('delivery and viz: ChartRelease, BasicAuthSecret, DashboardIngress, DashboardHttpRoute', () => {
    const chart = testChart();
    const viz = vizFor(chart);
    const release = new ChartRelease(chart, 'release', {
      repository: 'https://helm.linkerd.io/edge', chart: 'linkerd-crds', version: '2026.6.3', releaseName: 'crds', namespace: 'linkerd', values: {},
    });
    const auth = new BasicAuthSecret(chart, 'auth', { name: 'dashboard-auth', namespace: viz.namespace, users: [HtpasswdUser.fromHash('admin', '$2y$10$' + 'a'.repeat(53))] });
    const ingress = new DashboardIngress(chart, 'ingress', { viz, hosts: ['linkerd.example.com'], auth });
    const route = new DashboardHttpRoute(chart, 'route', { viz, hosts: ['dashboard.example.com'], gateway: { name: 'public', namespace: 'traefik' }, auth });
    expect([release.namespace, auth.namespace, ingress.namespace, route.namespace]).toStrictEqual(['linkerd', 'linkerd-viz', 'linkerd-viz', 'linkerd-viz']);
    expect(release.application.namespace).toBe('argocd');
    expect(renderedNamespaces(auth)).toStrictEqual(['linkerd-viz']);
    expect(renderedNamespaces(ingress)).toStrictEqual(['linkerd-viz']);
    expect(renderedNamespaces(route)).toStrictEqual(['linkerd-viz']);
  });

  test('linkerd: the identity restarter runs in the control-plane namespace', () => {
    const platform = new LinkerdPlatform(Testing.app(), 'platform', { identity: { namespace: 'mesh-system' } });
    expect(platform.identity.restarter!.namespace).toBe('mesh-system');
    expect(renderedNamespaces(platform.identity.restarter!).filter(n => n !== undefined)).toStrictEqual(['mesh-system']);
    // on its own, it takes the tree's control-plane namespace, else linkerd
    expect(new IdentityRestarter(platform, 'standalone').namespace).toBe('mesh-system');
    expect(new IdentityRestarter(testChart(), 'standalone').namespace).toBe('linkerd');
  });
});

describe('composites that create a Namespace expose it as namespaceObject, and its name as namespace', () => {
  test('LinkerdControlPlane and LinkerdViz', () => {
    const platform = new LinkerdPlatform(Testing.app(), 'platform', { identity: { namespace: 'mesh-system' } });
    expect(platform.controlPlane.namespace).toBe('mesh-system');
    expect(platform.controlPlane.namespaceObject.name).toBe('mesh-system');
    expect(platform.controlPlane.namespaceObject.apiObject.toJson().metadata.name).toBe('mesh-system');
    expect(platform.viz.namespace).toBe('linkerd-viz');
    expect(platform.viz.namespaceObject.toJson().metadata.name).toBe('linkerd-viz');
  });
});
