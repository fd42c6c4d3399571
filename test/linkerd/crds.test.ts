import { LinkerdCrds, LinkerdVersion } from '../../src/linkerd';
import { synthKind, testChart } from '../_util';

describe('LinkerdCrds', () => {
  test('the defaults keep the chart\'s values', () => {
    expect(new LinkerdCrds(testChart(), 'crds').helmValues).toStrictEqual({});
  });

  test('installGatewayApi sets the switches of the version', () => {
    expect(new LinkerdCrds(testChart(), 'crds', { installGatewayApi: true }).helmValues).toStrictEqual({ installGatewayAPI: true });
    expect(new LinkerdCrds(testChart(), 'crds', { version: LinkerdVersion.V2_17, installGatewayApi: false }).helmValues)
      .toStrictEqual({ enableHttpRoutes: false, enableTlsRoutes: false, enableTcpRoutes: false });
    expect(new LinkerdCrds(testChart(), 'crds', { version: LinkerdVersion.V2_14, installGatewayApi: false }).helmValues)
      .toStrictEqual({ enableHttpRoutes: false });
  });

  test('values accept the chart\'s documented commented-out keys', () => {
    expect(new LinkerdCrds(testChart(), 'crds', { values: { enableHttpRoutes: true } }).helmValues).toStrictEqual({ enableHttpRoutes: true });
  });

  test('addRelease applies server-side (CRDs outgrow the last-applied annotation)', () => {
    const chart = testChart();
    new LinkerdCrds(chart, 'crds', { version: LinkerdVersion.V2_12 }).addRelease('release', { namespace: 'linkerd' });
    const app = synthKind(chart, 'Application')[0];
    expect(app.metadata.name).toBe('linkerd-crds');
    expect(app.spec.source).toStrictEqual({ repoURL: 'https://helm.linkerd.io/stable', chart: 'linkerd-crds', targetRevision: '1.4.0', helm: { valuesObject: {} } });
    expect(app.spec.syncPolicy.syncOptions).toStrictEqual(['ServerSideApply=true']);
  });

  test('fails to install Gateway API CRDs with a chart that has none', () => {
    expect(() => new LinkerdCrds(testChart(), 'crds', { version: LinkerdVersion.V2_13, installGatewayApi: true }))
      .toThrow(/^\[test\/crds\] installGatewayApi true is not possible: the linkerd-crds chart of Linkerd 2\.13 ships no Gateway API CRDs$/);
  });

  test('fails on a values key the chart does not have', () => {
    expect(() => new LinkerdCrds(testChart(), 'crds', { values: { installGatewayApi: true } }))
      .toThrow(/^\[test\/crds\] values key "installGatewayApi" is not a linkerd-crds 2\.20 value \(did you mean "installGatewayAPI"\?\): Helm would ignore it silently$/);
  });

  test('values are checked against each version\'s own chart: 2.16 has enableHttpRoutes, 2.20 installGatewayAPI', () => {
    expect(new LinkerdCrds(testChart(), 'crds', { version: LinkerdVersion.V2_16, values: { enableHttpRoutes: false } }).helmValues).toStrictEqual({ enableHttpRoutes: false });
    expect(() => new LinkerdCrds(testChart(), 'crds', { version: LinkerdVersion.V2_16, values: { installGatewayAPI: false } }))
      .toThrow(/values key "installGatewayAPI" is not a linkerd-crds 2\.16 value/);
  });

  test('fails on a value whose type is not the chart default\'s', () => {
    expect(() => new LinkerdCrds(testChart(), 'crds', { values: { installGatewayAPI: 'false' } }))
      .toThrow(/^\[test\/crds\] values key "installGatewayAPI" is "false", a string: the linkerd-crds 2\.20 chart's default is false, a boolean$/);
  });
});
