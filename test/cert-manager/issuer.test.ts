import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import { ClusterIssuer, Issuer, IssuerType } from '../../src/cert-manager';
import { synthKind } from '../_util';

// Issuers and Certificates are namespaced: the tests' chart gives them one unless a test is about its absence
const namespacedChart = () => new Chart(Testing.app(), 'test', { namespace: 'apps' });

describe('Issuer', () => {
  test('a self-signed Issuer renders selfSigned: {} in its namespace', () => {
    // GIVEN
    const chart = namespacedChart();
    // WHEN
    const issuer = new Issuer(chart, 'root', { metadata: { name: 'root', namespace: 'cert-manager' }, type: IssuerType.selfSigned() });
    // THEN
    expect(synthKind(chart, 'Issuer')).toStrictEqual([{
      apiVersion: 'cert-manager.io/v1',
      kind: 'Issuer',
      metadata: { name: 'root', namespace: 'cert-manager' },
      spec: { selfSigned: {} },
    }]);
    expect(issuer.issuerRef).toStrictEqual({ name: 'root', kind: 'Issuer', group: 'cert-manager.io' });
    expect(issuer.issuerNamespace).toBe('cert-manager');
  });

  test('a CA Issuer renders ca.secretName and inherits the chart namespace', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'team-a' });
    const issuer = new Issuer(chart, 'ca', { metadata: { name: 'ca' }, type: IssuerType.ca({ secretName: 'ca-key-pair' }) });
    expect(synthKind(chart, 'Issuer')[0].spec).toStrictEqual({ ca: { secretName: 'ca-key-pair' } });
    expect(issuer.issuerNamespace).toBe('team-a');
    expect(issuer.type.caSecretName).toBe('ca-key-pair');
  });

  test('fails with no namespace, given or the chart\'s, and at synth when a patch removes it', () => {
    expect(() => new Issuer(Testing.chart(), 'ca', { type: IssuerType.ca({ secretName: 'ca' }) }))
      .toThrow(/^\[test\/ca\] an Issuer is namespaced and has no namespace: set metadata\.namespace or the chart's namespace/);
    const chart = namespacedChart();
    const issuer = new Issuer(chart, 'ca', { type: IssuerType.ca({ secretName: 'ca' }) });
    expect(issuer.namespace).toBe('apps');
    ApiObject.of(issuer).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    expect(() => Testing.synth(chart)).toThrow(/an Issuer is namespaced and has no namespace/);
  });

  test('fromIssuerName references an existing Issuer without emitting it', () => {
    const chart = namespacedChart();
    const imported = Issuer.fromIssuerName(chart, 'existing', 'vault', { namespace: 'apps' });
    expect(imported.issuerRef).toStrictEqual({ name: 'vault', kind: 'Issuer', group: 'cert-manager.io' });
    expect(imported.issuerNamespace).toBe('apps');
    expect(Testing.synth(chart)).toStrictEqual([]);
  });

  test('fails when ca.secretName is empty', () => {
    const chart = namespacedChart();
    expect(() => new Issuer(chart, 'ca', { type: IssuerType.ca({ secretName: '' }) }))
      .toThrow(/^\[test\/ca\] ca\.secretName must be specified/);
  });

  // cert-manager/cert-manager@v1.21.1:internal/apis/certmanager/validation/issuer.go:272-281
  test('fails on an empty OCSP server or issuing-certificate URL of a CA issuer (patched in)', () => {
    const chart = namespacedChart();
    const issuer = new Issuer(chart, 'ca', { type: IssuerType.ca({ secretName: 'ca' }) });
    ApiObject.of(issuer).addJsonPatch(JsonPatch.add('/spec/ca/ocspServers', ['http://ocsp.example.com', '']));
    expect(() => Testing.synth(chart)).toThrow(/\[test\/ca\] ca\.ocspServers\[1\] "" must be a URL, e\.g\. http:\/\/ocsp\.example\.com/);
    const other = namespacedChart();
    // the generated L1 class maps its props after the patches, reading issuingCertificateURLs from `issuingCertificateUrLs`
    ApiObject.of(new Issuer(other, 'ca', { type: IssuerType.ca({ secretName: 'ca' }) }))
      .addJsonPatch(JsonPatch.add('/spec/ca/issuingCertificateUrLs', ['http://ca.example.com/ca.crt', '']));
    expect(() => Testing.synth(other)).toThrow(/\[test\/ca\] ca\.issuingCertificateURLs\[1\] "" must be a URL/);
  });

  test('fails when ca.secretName is not a DNS-1123 subdomain', () => {
    const chart = namespacedChart();
    expect(() => new Issuer(chart, 'ca', { type: IssuerType.ca({ secretName: 'Bad_Name' }) }))
      .toThrow(/\[test\/ca\] ca\.secretName "Bad_Name" must be a DNS-1123 subdomain/);
  });

  test('fails when the name is not a DNS-1123 subdomain', () => {
    const chart = namespacedChart();
    expect(() => new Issuer(chart, 'x', { metadata: { name: 'Root!' }, type: IssuerType.selfSigned() }))
      .toThrow(/\[test\/x\] name "Root!" must be a DNS-1123 subdomain/);
  });

  test('fails at synth when a patch adds a second issuer type', () => {
    const chart = namespacedChart();
    const issuer = new Issuer(chart, 'root', { type: IssuerType.selfSigned() });
    ApiObject.of(issuer).addJsonPatch(JsonPatch.add('/spec/ca', { secretName: 'x' }));
    expect(() => Testing.synth(chart))
      .toThrow(/\[test\/root\] may not specify more than one issuer type, got ca and selfSigned: choose exactly one/);
  });

  test('fails at synth when a patch removes the issuer type', () => {
    const chart = namespacedChart();
    const issuer = new Issuer(chart, 'root', { type: IssuerType.selfSigned() });
    ApiObject.of(issuer).addJsonPatch(JsonPatch.remove('/spec/selfSigned'));
    expect(() => Testing.synth(chart)).toThrow(/\[test\/root\] at least one issuer type must be configured/);
  });
});

describe('ClusterIssuer', () => {
  test('renders without a namespace, even in a namespaced chart', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'team-a' });
    const issuer = new ClusterIssuer(chart, 'ca', { metadata: { name: 'ca' }, type: IssuerType.ca({ secretName: 'root' }) });
    expect(synthKind(chart, 'ClusterIssuer')).toStrictEqual([{
      apiVersion: 'cert-manager.io/v1',
      kind: 'ClusterIssuer',
      metadata: { name: 'ca' },
      spec: { ca: { secretName: 'root' } },
    }]);
    expect(issuer.issuerRef.kind).toBe('ClusterIssuer');
    expect(issuer.issuerNamespace).toBeUndefined();
  });

  test('fromClusterIssuerName references an existing ClusterIssuer', () => {
    const chart = namespacedChart();
    const imported = ClusterIssuer.fromClusterIssuerName(chart, 'le', 'letsencrypt');
    expect(imported.issuerRef).toStrictEqual({ name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    expect(imported.issuerNamespace).toBeUndefined();
  });

  test('fails when given a namespace', () => {
    const chart = namespacedChart();
    expect(() => new ClusterIssuer(chart, 'ca', { metadata: { namespace: 'x' }, type: IssuerType.selfSigned() }))
      .toThrow(/\[test\/ca\] metadata\.namespace "x" is not allowed: a ClusterIssuer is cluster-scoped/);
  });
});
