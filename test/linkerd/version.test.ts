import { GatewayApiCrds, LinkerdFeature, LinkerdVersion } from '../../src/linkerd';

describe('LinkerdVersion', () => {
  test('the catalog covers 2.12 to 2.20 (without 2.15) and defaults to 2.20', () => {
    expect(LinkerdVersion.all().map(v => v.major)).toStrictEqual(['2.12', '2.13', '2.14', '2.16', '2.17', '2.18', '2.19', '2.20']);
    expect(LinkerdVersion.LATEST).toBe(LinkerdVersion.V2_20);
    expect(LinkerdVersion.of('2.16')).toBe(LinkerdVersion.V2_16);
  });

  test('stable charts up to 2.14, edge CalVer charts from 2.16', () => {
    expect(LinkerdVersion.V2_12).toMatchObject({
      helmRepository: 'https://helm.linkerd.io/stable',
      controlPlaneChart: { chart: 'linkerd-control-plane', version: '1.9.8' },
      vizChart: { chart: 'linkerd-viz', version: '30.3.8' },
    });
    expect(LinkerdVersion.V2_14.controlPlaneChart.version).toBe('1.16.11');
    for (const v of LinkerdVersion.all().filter(x => x.supports(LinkerdFeature.AUDIT_POLICY))) {
      expect(v.helmRepository).toBe('https://helm.linkerd.io/edge');
      expect(v.controlPlaneChart.version).toBe(v.release.replace(/^edge-(\d\d)\./, '20$1.'));
    }
  });

  test.each([
    [LinkerdFeature.FAILURE_ACCRUAL, '2.13'],
    [LinkerdFeature.NATIVE_SIDECAR, '2.16'],
    [LinkerdFeature.RETRY_TIMEOUT_ANNOTATIONS, '2.16'],
    [LinkerdFeature.AUDIT_POLICY, '2.16'],
    [LinkerdFeature.UNIFIED_FAILURE_ACCRUAL, '2.20'],
  ])('%s: the first catalog version with it is %s', (feature, first) => {
    expect(LinkerdVersion.all().find(v => v.supports(feature))!.major).toBe(first);
  });

  test('native sidecars are the default in 2.20 only; Gateway API CRDs change hands in 2.19', () => {
    expect(LinkerdVersion.all().filter(v => v.nativeSidecarDefault).map(v => v.major)).toStrictEqual(['2.20']);
    expect(LinkerdVersion.all().map(v => v.gatewayApiCrds)).toStrictEqual([
      GatewayApiCrds.NONE, GatewayApiCrds.NONE, GatewayApiCrds.INSTALLED_BY_DEFAULT, GatewayApiCrds.INSTALLED_BY_DEFAULT,
      GatewayApiCrds.INSTALLED_BY_DEFAULT, GatewayApiCrds.INSTALLED_BY_DEFAULT, GatewayApiCrds.OPT_IN, GatewayApiCrds.OPT_IN,
    ]);
  });

  test('featureProblem names the feature, the first version with it and the version in use', () => {
    expect(LinkerdVersion.V2_12.featureProblem(LinkerdFeature.FAILURE_ACCRUAL, 'a circuit breaker'))
      .toBe('a circuit breaker needs Linkerd 2.13 or later (failure accrual (circuit breaking)), but this is Linkerd 2.12');
    expect(LinkerdVersion.V2_13.featureProblem(LinkerdFeature.FAILURE_ACCRUAL, 'a circuit breaker')).toBeUndefined();
  });

  test('fails on a version outside the catalog', () => {
    expect(() => LinkerdVersion.of('2.15')).toThrow(/^\[LinkerdVersion\.of\] linkerd version "2\.15" is not in the catalog: use one of 2\.12, 2\.13, 2\.14, 2\.16, 2\.17, 2\.18, 2\.19, 2\.20$/);
  });
});
