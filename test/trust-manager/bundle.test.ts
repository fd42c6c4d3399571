import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import { Bundle, BundleProps, BundleSource } from '../../src/trust-manager';
import { synthKind, testChart } from '../_util';

function bundle(props: Partial<BundleProps>): () => Bundle {
  const chart = testChart();
  return () => new Bundle(chart, 'roots', { metadata: { name: 'roots' }, sources: [BundleSource.secret('ca', 'tls.crt')], targetConfigMapKey: 'ca.crt', ...props });
}

describe('Bundle', () => {
  test('renders every source kind, the targets and the namespace selector, without a namespace', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'c', { namespace: 'apps' });
    // WHEN
    new Bundle(chart, 'roots', {
      metadata: { name: 'roots' },
      sources: [BundleSource.secret('ca', 'tls.crt'), BundleSource.configMap('extra', 'ca.crt'), BundleSource.inLine('-----BEGIN CERTIFICATE-----'), BundleSource.useDefaultCAs()],
      targetConfigMapKey: 'ca-bundle.crt',
      targetSecretKey: 'ca-bundle.crt',
      namespaceSelector: { team: 'a' },
    });
    // THEN
    expect(synthKind(chart, 'Bundle')).toStrictEqual([{
      apiVersion: 'trust.cert-manager.io/v1alpha1',
      kind: 'Bundle',
      metadata: { name: 'roots' },
      spec: {
        sources: [
          { secret: { name: 'ca', key: 'tls.crt' } },
          { configMap: { name: 'extra', key: 'ca.crt' } },
          { inLine: '-----BEGIN CERTIFICATE-----' },
          { useDefaultCAs: true },
        ],
        target: { configMap: { key: 'ca-bundle.crt' }, secret: { key: 'ca-bundle.crt' }, namespaceSelector: { matchLabels: { team: 'a' } } },
      },
    }]);
  });

  test('fails without sources', () => {
    expect(bundle({ sources: [] })).toThrow(/^\[test\/roots\] sources must not be empty: at least one source is required$/);
  });

  test('fails with more than 100 sources', () => {
    const sources = Array.from({ length: 101 }, (_, i) => BundleSource.secret(`ca-${i}`, 'tls.crt'));
    expect(bundle({ sources })).toThrow(/^\[test\/roots\] sources has 101 entries: at most 100 are allowed$/);
  });

  test('fails without a target', () => {
    expect(bundle({ targetConfigMapKey: undefined })).toThrow(/^\[test\/roots\] target must have a configMap or a secret key \(targetConfigMapKey or targetSecretKey\)$/);
  });

  test('fails with an empty target key', () => {
    expect(bundle({ targetConfigMapKey: '' })).toThrow(/target\.configMap\.key "" must be 1 to 253 characters/);
  });

  test('fails with an empty source key or name', () => {
    expect(bundle({ sources: [BundleSource.secret('ca', '')] })).toThrow(/^\[test\/roots\] sources\[0\]\.secret\.key must be defined when includeAllKeys is false$/);
    expect(bundle({ sources: [BundleSource.configMap('', 'k')] })).toThrow(/sources\[0\]\.configMap must set exactly one of name and selector, got neither/);
  });

  test('fails when a source is the target itself', () => {
    expect(bundle({ sources: [BundleSource.configMap('roots', 'ca.crt')] }))
      .toThrow(/^\[test\/roots\] sources\[0\]\.configMap roots\/ca\.crt cannot be the same as the target$/);
  });

  test('fails when default CAs are requested twice', () => {
    expect(bundle({ sources: [BundleSource.useDefaultCAs(), BundleSource.useDefaultCAs()] }))
      .toThrow(/must request default CAs either once or not at all but got 2 requests/);
  });

  test('fails with an empty inline source', () => {
    expect(bundle({ sources: [BundleSource.inLine('')] })).toThrow(/sources\[0\]\.inLine must not be empty/);
  });

  test('fails on an invalid namespace selector label', () => {
    expect(bundle({ namespaceSelector: { 'linkerd.io/is-control-plane': 'yes please' } }))
      .toThrow(/namespaceSelector label value "yes please" for "linkerd\.io\/is-control-plane"/);
  });

  test('fails when the name is not a DNS-1123 subdomain', () => {
    expect(bundle({ metadata: { name: 'Trust_Roots' } })).toThrow(/^\[test\/roots\] name "Trust_Roots" must be a DNS-1123 subdomain/);
  });

  test('fails at synth when a patch sets both key and includeAllKeys', () => {
    const chart = testChart();
    const b = new Bundle(chart, 'roots', { sources: [BundleSource.secret('ca', 'tls.crt')], targetConfigMapKey: 'ca.crt' });
    ApiObject.of(b).addJsonPatch(JsonPatch.add('/spec/sources/0/secret/includeAllKeys', true));
    expect(() => Testing.synth(chart)).toThrow(/\[test\/roots\] sources\[0\]\.secret\.key cannot be defined when includeAllKeys is true/);
  });

  test('fails when given a namespace', () => {
    expect(bundle({ metadata: { namespace: 'x' } })).toThrow(/^\[test\/roots\] metadata\.namespace "x" is not allowed: a Bundle is cluster-scoped$/);
  });

  test('fails at synth when a patch gives a source two types', () => {
    const chart = testChart();
    const b = new Bundle(chart, 'roots', { sources: [BundleSource.secret('ca', 'tls.crt')], targetConfigMapKey: 'ca.crt' });
    ApiObject.of(b).addJsonPatch(JsonPatch.add('/spec/sources/0/useDefaultCAs', true));
    expect(() => Testing.synth(chart)).toThrow(/\[test\/roots\] sources\[0\] must define exactly one source type \(configMap, secret, inLine, useDefaultCAs\) but found 2/);
  });

  test('fails at synth when a patch adds reserved target labels', () => {
    const chart = testChart();
    const b = new Bundle(chart, 'roots', { sources: [BundleSource.secret('ca', 'tls.crt')], targetConfigMapKey: 'ca.crt' });
    ApiObject.of(b).addJsonPatch(JsonPatch.add('/spec/target/configMap/metadata', { labels: { 'trust.cert-manager.io/x': 'y' } }));
    expect(() => Testing.synth(chart)).toThrow(/target\.configMap\.metadata\.labels key "trust\.cert-manager\.io\/x" is not allowed/);
  });

  /** A Bundle of one Secret source and a ConfigMap target, with a patch applied through the escape hatch. */
  function patched(...patches: JsonPatch[]): Chart {
    const chart = testChart();
    const b = new Bundle(chart, 'roots', { sources: [BundleSource.secret('ca', 'tls.crt')], targetConfigMapKey: 'ca.crt' });
    ApiObject.of(b).addJsonPatch(...patches);
    return chart;
  }

  // cert-manager/trust-manager@v0.24.0:deploy/crds/trust.cert-manager.io_bundles.yaml:146 (CEL: name xor selector)
  test('fails at synth when a patch gives a source both a name and a selector', () => {
    expect(() => Testing.synth(patched(JsonPatch.add('/spec/sources/0/secret/selector', { matchLabels: { ca: 'root' } }))))
      .toThrow(/\[test\/roots\] sources\[0\]\.secret must set exactly one of name and selector, got both/);
  });

  test('accepts a source that selects its Secrets by label instead of a name', () => {
    expect(() => Testing.synth(patched(JsonPatch.remove('/spec/sources/0/secret/name'),
      JsonPatch.add('/spec/sources/0/secret/selector', { matchLabels: { ca: 'root' } })))).not.toThrow();
  });

  // cert-manager/trust-manager@v0.24.0:pkg/webhook/validation.go:118-136 (useDefaultCAs: false counts no source)
  test('fails when the only source is useDefaultCAs: false (patched in)', () => {
    expect(() => Testing.synth(patched(JsonPatch.replace('/spec/sources/0', { useDefaultCAs: false }))))
      .toThrow(/\[test\/roots\] sources must define at least one source of certificates: useDefaultCAs: false adds none/);
  });

  // cert-manager/trust-manager@v0.24.0:pkg/webhook/validation.go:169-204 and the CRD's CEL rule at :331
  test('fails when an additional format reuses a target key, or sets no format (patched in)', () => {
    expect(() => Testing.synth(patched(JsonPatch.add('/spec/target/additionalFormats', { jks: { key: 'ca.crt' } }))))
      .toThrow(/\[test\/roots\] target\.additionalFormats\.jks\.key "ca\.crt" is already a target key: every output key must be unique/);
    expect(() => Testing.synth(patched(JsonPatch.add('/spec/target/additionalFormats', { jks: { key: 'k' }, pkcs12: { key: 'k' } }))))
      .toThrow(/target\.additionalFormats\.pkcs12\.key "k" is already a target key/);
    expect(() => Testing.synth(patched(JsonPatch.add('/spec/target/additionalFormats', {}))))
      .toThrow(/target\.additionalFormats must set jks or pkcs12/);
    expect(() => Testing.synth(patched(JsonPatch.add('/spec/target/additionalFormats', { pkcs12: { key: 'ca.p12' } })))).not.toThrow();
  });
});
