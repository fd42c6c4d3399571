import { App, Testing } from 'cdk8s';
import { LinkerdFeature, LinkerdVersion, TrustAnchor } from '../src/linkerd';
import { LinkerdPlatform } from '../src/platform';
import { SchemaGate } from '../src/gate/schema-gate';
import { testCertificate } from './_certs';

const WAVE = 'argocd.argoproj.io/sync-wave';

describe('LinkerdPlatform', () => {
  test('sync waves follow the declared order: namespace, then identity and webhook certificates, then the control plane', () => {
    const platform = new LinkerdPlatform(Testing.app(), 'platform');
    const waves = Object.fromEntries(Testing.synth(platform).map(o => [`${o.kind} ${o.metadata.name}`, o.metadata.annotations?.[WAVE] ?? '0']));
    expect(waves).toStrictEqual({
      'Namespace linkerd': '0',
      'Application linkerd-crds': '0',
      'Issuer linkerd-trust-root-issuer': '1',
      'Certificate linkerd-trust-anchor': '1',
      'ClusterIssuer linkerd-identity-issuer': '1',
      'Certificate linkerd-identity-issuer': '1',
      'Bundle linkerd-identity-trust-roots': '1',
      'Issuer webhook-selfsigned-issuer': '1',
      'Certificate webhook-issuer-tls': '1',
      'Issuer webhook-issuer': '1',
      'Certificate linkerd-proxy-injector': '1',
      'Certificate linkerd-sp-validator': '1',
      'Certificate linkerd-policy-validator': '1',
      'Application linkerd-control-plane': '2',
    });
  });

  test.each(LinkerdVersion.all().map(v => [v.major, v]))('Linkerd %s: the platform synthesizes and passes the schema gate', async (_major, version) => {
    const identity = version.supports(LinkerdFeature.TRUST_MANAGER_IDENTITY) ? {}
      : { trustBundle: false, trustAnchor: TrustAnchor.fromPem((await testCertificate()).certPem, 'linkerd-trust-anchor') };
    const platform = new LinkerdPlatform(new App(), 'platform', { version, identity });
    const objects = Testing.synth(platform);
    expect(SchemaGate.load().validateAll(objects)).toStrictEqual([]);
    const apps = objects.filter(o => o.kind === 'Application').map(o => o.spec.source);
    expect(apps.map(s => [s.chart, s.targetRevision, s.repoURL])).toStrictEqual([
      ['linkerd-crds', version.crdsChart.version, version.helmRepository],
      ['linkerd-control-plane', version.controlPlaneChart.version, version.helmRepository],
    ]);
  });
});
