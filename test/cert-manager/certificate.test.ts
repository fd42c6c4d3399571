import { ApiObject, Chart, Duration, JsonPatch, Testing } from 'cdk8s';
import {
  Certificate, CertificateProps, ClusterIssuer, IIssuer, Issuer, IssuerType, KeyUsage, PrivateKey, PrivateKeyEncoding,
  RotationPolicy, SignatureAlgorithm,
} from '../../src/cert-manager';
import { synthKind } from '../_util';

// Issuers and Certificates are namespaced: the tests' chart gives them one unless a test is about its absence
const namespacedChart = () => new Chart(Testing.app(), 'test', { namespace: 'apps' });

function setup(): { chart: Chart; issuer: IIssuer } {
  const chart = namespacedChart();
  const issuer = ClusterIssuer.fromClusterIssuerName(chart, 'ca', 'ca');
  return { chart, issuer };
}

function certificate(props: Partial<CertificateProps>): () => Certificate {
  const { chart, issuer } = setup();
  return () => new Certificate(chart, 'cert', { issuer, secretName: 'web-tls', dnsNames: ['web.example.com'], ...props });
}

describe('Certificate', () => {
  test('renders the spec with Go durations and an explicit private key', () => {
    // GIVEN
    const { chart, issuer } = setup();
    // WHEN
    new Certificate(chart, 'web', {
      metadata: { name: 'web', namespace: 'apps' },
      issuer,
      secretName: 'web-tls',
      commonName: 'web.example.com',
      dnsNames: ['web.example.com'],
      duration: Duration.days(30),
      renewBefore: Duration.hours(12),
      usages: [KeyUsage.SERVER_AUTH, KeyUsage.DIGITAL_SIGNATURE],
      secretTemplate: { labels: { team: 'web' } },
    });
    // THEN
    expect(synthKind(chart, 'Certificate')).toStrictEqual([{
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'web', namespace: 'apps' },
      spec: {
        secretName: 'web-tls',
        issuerRef: { name: 'ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
        commonName: 'web.example.com',
        dnsNames: ['web.example.com'],
        duration: '720h0m0s',
        renewBefore: '12h0m0s',
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        usages: ['server auth', 'digital signature'],
        secretTemplate: { labels: { team: 'web' } },
      },
    }]);
  });

  test('renders RSA and Ed25519 keys with encoding and rotation policy', () => {
    const { chart, issuer } = setup();
    new Certificate(chart, 'rsa', { issuer, secretName: 'a', commonName: 'a', privateKey: PrivateKey.rsa({ size: 4096, encoding: PrivateKeyEncoding.PKCS8 }) });
    new Certificate(chart, 'ed', { issuer, secretName: 'b', commonName: 'b', privateKey: PrivateKey.ed25519({ rotationPolicy: RotationPolicy.NEVER }) });
    const [rsa, ed] = synthKind(chart, 'Certificate');
    expect(rsa.spec.privateKey).toStrictEqual({ algorithm: 'RSA', size: 4096, encoding: 'PKCS8', rotationPolicy: 'Always' });
    expect(ed.spec.privateKey).toStrictEqual({ algorithm: 'Ed25519', rotationPolicy: 'Never' });
  });

  test('inherits the namespace of a namespaced Issuer', () => {
    const chart = namespacedChart();
    const issuer = new Issuer(chart, 'iss', { metadata: { namespace: 'linkerd' }, type: IssuerType.selfSigned() });
    const cert = new Certificate(chart, 'cert', { issuer, secretName: 's', commonName: 'x', isCA: true });
    expect(cert.namespace).toBe('linkerd');
    expect(synthKind(chart, 'Certificate')[0].metadata.namespace).toBe('linkerd');
    expect(synthKind(chart, 'Certificate')[0].spec.isCA).toBe(true);
  });

  test('takes the chart\'s namespace with a ClusterIssuer, and fails with no namespace at all', () => {
    const { chart, issuer } = setup();
    const cert = new Certificate(chart, 'web', { issuer, secretName: 'web-tls', dnsNames: ['web.example.com'] });
    expect(cert.namespace).toBe('apps');
    expect(synthKind(chart, 'Certificate')[0].metadata.namespace).toBe('apps');
    const bare = Testing.chart();
    expect(() => new Certificate(bare, 'cert', { issuer: ClusterIssuer.fromClusterIssuerName(bare, 'le', 'letsencrypt'), secretName: 'web-tls', dnsNames: ['web.example.com'] }))
      .toThrow(/^\[test\/cert\] a Certificate is namespaced and has no namespace: set metadata\.namespace or the chart's namespace \(without one, kubectl would apply it to the current context's namespace/);
  });

  test('fails at synth when a patch removes the namespace', () => {
    const { chart, issuer } = setup();
    ApiObject.of(new Certificate(chart, 'cert', { issuer, secretName: 'web-tls', dnsNames: ['web.example.com'] })).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    expect(() => Testing.synth(chart)).toThrow(/a Certificate is namespaced and has no namespace/);
  });

  test('fails when a namespaced Issuer is used from another namespace', () => {
    const chart = namespacedChart();
    const issuer = Issuer.fromIssuerName(chart, 'iss', 'local', { namespace: 'a' });
    expect(() => new Certificate(chart, 'cert', { metadata: { namespace: 'b' }, issuer, secretName: 's', commonName: 'x' }))
      .toThrow(/^\[test\/cert\] namespace "b" cannot use Issuer a\/local: an Issuer only issues Certificates in its own namespace \("a"\); use a ClusterIssuer$/);
  });

  test('fails when duration is shorter than 1h', () => {
    expect(certificate({ duration: Duration.minutes(30) })).toThrow(/^\[test\/cert\] duration 30m0s must be at least 1h0m0s$/);
  });

  test('accepts exactly 1h, as cert-manager does', () => {
    expect(certificate({ duration: Duration.hours(1), renewBefore: Duration.minutes(5) })).not.toThrow();
  });

  test('fails when renewBefore is shorter than 5m', () => {
    expect(certificate({ renewBefore: Duration.minutes(1) })).toThrow(/^\[test\/cert\] renewBefore 1m0s must be at least 5m0s$/);
  });

  test('fails when renewBefore is not shorter than duration', () => {
    expect(certificate({ duration: Duration.hours(48), renewBefore: Duration.hours(50) }))
      .toThrow(/^\[test\/cert\] renewBefore 50h0m0s must be shorter than duration 48h0m0s$/);
  });

  test('fails when renewBefore is not shorter than cert-manager\'s default duration', () => {
    expect(certificate({ renewBefore: Duration.days(91) }))
      .toThrow(/renewBefore 2184h0m0s must be shorter than duration 2160h0m0s \(cert-manager's default\)/);
  });

  test.each([255, 512, 1024])('fails on ECDSA size %d', size => {
    expect(certificate({ privateKey: PrivateKey.ecdsa({ size }) }))
      .toThrow(new RegExp(`^\\[test/cert\\] privateKey\\.size ${size} is not allowed for ECDSA: use 256, 384 or 521$`));
  });

  test.each([1024, 2047, 8193, 16384])('fails on RSA size %d', size => {
    expect(certificate({ privateKey: PrivateKey.rsa({ size }) }))
      .toThrow(new RegExp(`^\\[test/cert\\] privateKey\\.size ${size} is not allowed for RSA: use 2048 to 8192 bits`));
  });

  test.each([256, 384, 521])('accepts ECDSA size %d', size => {
    expect(certificate({ privateKey: PrivateKey.ecdsa({ size }) })).not.toThrow();
  });

  test('fails when the signature algorithm does not fit the key', () => {
    expect(certificate({ privateKey: PrivateKey.rsa(), signatureAlgorithm: SignatureAlgorithm.ECDSA_WITH_SHA256 }))
      .toThrow(/^\[test\/cert\] signatureAlgorithm ECDSAWithSHA256 does not fit privateKey\.algorithm RSA: use one of SHA256WithRSA, SHA384WithRSA, SHA512WithRSA$/);
    expect(certificate({ privateKey: PrivateKey.ed25519(), signatureAlgorithm: SignatureAlgorithm.SHA256_WITH_RSA }))
      .toThrow(/signatureAlgorithm SHA256WithRSA does not fit privateKey\.algorithm Ed25519: use one of PureEd25519/);
  });

  test('accepts a fitting signature algorithm', () => {
    expect(certificate({ privateKey: PrivateKey.ecdsa({ size: 384 }), signatureAlgorithm: SignatureAlgorithm.ECDSA_WITH_SHA384 })).not.toThrow();
  });

  test('fails on cert-manager.io/* annotations in secretTemplate', () => {
    expect(certificate({ secretTemplate: { annotations: { 'cert-manager.io/issuer-name': 'x' } } }))
      .toThrow(/^\[test\/cert\] secretTemplate annotation "cert-manager\.io\/issuer-name" is not allowed: cert-manager\.io\/\* annotations are reserved for cert-manager$/);
  });

  test('accepts cert-manager.io/allow-direct-injection in secretTemplate', () => {
    expect(certificate({ secretTemplate: { annotations: { 'cert-manager.io/allow-direct-injection': 'true' } } })).not.toThrow();
  });

  test('fails on invalid secretTemplate label keys and values', () => {
    expect(certificate({ secretTemplate: { labels: { 'bad key': 'v' } } })).toThrow(/secretTemplate label key "bad key" must be a qualified name/);
    expect(certificate({ secretTemplate: { labels: { k: 'bad value!' } } })).toThrow(/secretTemplate label value "bad value!" for "k"/);
  });

  test('fails on an invalid secretTemplate annotation key', () => {
    expect(certificate({ secretTemplate: { annotations: { 'example.com/a/b': 'x' } } }))
      .toThrow(/^\[test\/cert\] secretTemplate annotation key "example\.com\/a\/b" must be a qualified name/);
  });

  test('fails when secretName is not a DNS-1123 subdomain', () => {
    expect(certificate({ secretName: 'Web_TLS' })).toThrow(/^\[test\/cert\] secretName "Web_TLS" must be a DNS-1123 subdomain/);
  });

  test('fails when secretName is empty', () => {
    expect(certificate({ secretName: '' })).toThrow(/^\[test\/cert\] secretName must be specified$/);
  });

  test('fails when the name is not a DNS-1123 subdomain', () => {
    expect(certificate({ metadata: { name: 'Web' } })).toThrow(/^\[test\/cert\] name "Web" must be a DNS-1123 subdomain/);
  });

  test('fails without any subject or SAN', () => {
    expect(certificate({ dnsNames: undefined })).toThrow(/^\[test\/cert\] at least one of commonName \(or a CN in literalSubject\), dnsNames, ipAddresses, uris, emailAddresses or otherNames must be set$/);
    expect(certificate({ dnsNames: [] })).toThrow(/at least one of commonName/);
  });

  test('fails when commonName is longer than 64 characters', () => {
    const cn = `${'a'.repeat(60)}.example.com`;
    expect(certificate({ commonName: cn })).toThrow(new RegExp(`commonName "${cn}" is 72 bytes long: at most 64 are allowed`));
  });

  test('fails on an invalid IP address', () => {
    expect(certificate({ ipAddresses: ['10.0.0.1', '10.0.0.300'] })).toThrow(/^\[test\/cert\] ipAddresses\[1\] "10\.0\.0\.300" is not a valid IP address$/);
  });

  test('reports every problem in one error', () => {
    expect(certificate({ secretName: 'X', duration: Duration.minutes(10), privateKey: PrivateKey.ecdsa({ size: 1 }) }))
      .toThrow(/^\[test\/cert\] 3 problems:\n {2}- secretName "X" must be a DNS-1123 subdomain.*\n {2}- privateKey\.size 1 is not allowed for ECDSA.*\n {2}- duration 10m0s must be at least 1h0m0s$/);
  });

  describe('at synth, on what a patch renders', () => {
    /** A Certificate whose only identity is the given literalSubject. */
    function literal(subject: string): Chart {
      const { chart, issuer } = setup();
      const cert = new Certificate(chart, 'cert', { issuer, secretName: 'web-tls', commonName: 'web' });
      ApiObject.of(cert).addJsonPatch(JsonPatch.remove('/spec/commonName'), JsonPatch.add('/spec/literalSubject', subject));
      return chart;
    }

    function patched(patch: JsonPatch): Chart {
      const { chart, issuer } = setup();
      const cert = new Certificate(chart, 'cert', { issuer, secretName: 'web-tls', dnsNames: ['web.example.com'] });
      ApiObject.of(cert).addJsonPatch(patch);
      return chart;
    }

    test('fails on a duration that is not a Go duration', () => {
      expect(() => Testing.synth(patched(JsonPatch.add('/spec/duration', '90d'))))
        .toThrow(/\[test\/cert\] duration "90d" is not a Go duration \(units h, m, s, ms, us, ns; e\.g\. 48h0m0s\)/);
    });

    test('fails on an unknown key usage', () => {
      expect(() => Testing.synth(patched(JsonPatch.add('/spec/usages', ['server-auth']))))
        .toThrow(/\[test\/cert\] usages\[0\] "server-auth" is not a key usage cert-manager knows: use one of signing, digital signature/);
    });

    test('fails on an issuerRef kind cert-manager does not know', () => {
      expect(() => Testing.synth(patched(JsonPatch.replace('/spec/issuerRef/kind', 'Issuers'))))
        .toThrow(/\[test\/cert\] issuerRef\.kind "Issuers" must be one of Issuer or ClusterIssuer/);
    });

    test('fails on an empty issuerRef name', () => {
      expect(() => Testing.synth(patched(JsonPatch.replace('/spec/issuerRef/name', ''))))
        .toThrow(/\[test\/cert\] issuerRef\.name must be specified/);
    });

    test('fails on an unknown key algorithm', () => {
      expect(() => Testing.synth(patched(JsonPatch.replace('/spec/privateKey/algorithm', 'DSA'))))
        .toThrow(/\[test\/cert\] privateKey\.algorithm "DSA" is not allowed: use RSA, ECDSA or Ed25519/);
    });

    test('fails on a rotationPolicy outside the CRD enum (types_certificate.go:398)', () => {
      expect(() => Testing.synth(patched(JsonPatch.replace('/spec/privateKey/rotationPolicy', 'Alway!'))))
        .toThrow(/\[test\/cert\] privateKey\.rotationPolicy "Alway!" is not allowed: use Never or Always/);
    });

    // cert-manager/cert-manager@v1.21.1:internal/apis/certmanager/validation/certificate.go, at the lines cited per test
    test('fails on an email SAN with a display name (certificate.go:310-327)', () => {
      expect(() => Testing.synth(patched(JsonPatch.add('/spec/emailAddresses', ['Alice <alice@example.com>']))))
        .toThrow(/\[test\/cert\] emailAddresses\[0\] "Alice <alice@example.com>" is not a bare email address such as alice@example.com/);
    });

    test('accepts a bare email SAN', () => {
      expect(() => Testing.synth(patched(JsonPatch.add('/spec/emailAddresses', ['alice@example.com'])))).not.toThrow();
    });

    test('fails on a revisionHistoryLimit below 1 (certificate.go:202)', () => {
      expect(() => Testing.synth(patched(JsonPatch.add('/spec/revisionHistoryLimit', 0))))
        .toThrow(/\[test\/cert\] revisionHistoryLimit 0 must be at least 1/);
    });

    test('fails on renewBefore together with renewBeforePercentage (certificate.go:367)', () => {
      const chart = patched(JsonPatch.add('/spec/renewBefore', '720h0m0s'));
      ApiObject.of(chart.node.findChild('cert')).addJsonPatch(JsonPatch.add('/spec/renewBeforePercentage', 50));
      expect(() => Testing.synth(chart)).toThrow(/renewBefore "720h0m0s" and renewBeforePercentage 50 cannot both be set: choose one/);
    });

    test('fails on a renewBeforePercentage that leaves less than 5 minutes (certificate.go:383-403)', () => {
      expect(() => Testing.synth(patched(JsonPatch.add('/spec/renewBeforePercentage', 100))))
        .toThrow(/\[test\/cert\] renewBeforePercentage 100 leaves less than 5m0s before expiry/);
      expect(() => Testing.synth(patched(JsonPatch.add('/spec/renewBeforePercentage', 0))))
        .toThrow(/\[test\/cert\] renewBeforePercentage 0 makes the renewal time the whole duration/);
    });

    test('fails on nameConstraints without isCA or without permitted/excluded (certificate.go:215-229)', () => {
      expect(() => Testing.synth(patched(JsonPatch.add('/spec/nameConstraints', {}))))
        .toThrow(/nameConstraints needs isCA: true.*\n.*nameConstraints must set permitted or excluded/);
    });

    test('fails on a literalSubject beside a commonName, or without a CN, or with an unknown attribute (certificate.go:77-133)', () => {
      expect(() => Testing.synth(literal('CN=web'))).not.toThrow();
      const withCn = setup();
      const cert = new Certificate(withCn.chart, 'cert', { issuer: withCn.issuer, secretName: 'web-tls', commonName: 'web' });
      ApiObject.of(cert).addJsonPatch(JsonPatch.add('/spec/literalSubject', 'CN=web'));
      expect(() => Testing.synth(withCn.chart)).toThrow(/commonName "web" is not allowed with literalSubject: put the CN in the literalSubject/);
      expect(() => Testing.synth(literal('C=O,B=TX,CN=foo')))
        .toThrow(/literalSubject "C=O,B=TX,CN=foo" has the unknown attribute type "B" \(value "TX"\)/);
      expect(() => Testing.synth(literal('O=SomeCorp')))
        .toThrow(/at least one of commonName \(or a CN in literalSubject\), dnsNames/);
      expect(() => Testing.synth(literal('CN=web,O=a\\')))
        .toThrow(/literalSubject "CN=web,O=a\\\\" is not an RFC 4514 distinguished name: /);
      const withSubject = literal('CN=web');
      ApiObject.of(withSubject.node.findAll().find(c => c instanceof Certificate)!).addJsonPatch(JsonPatch.add('/spec/subject', { organizations: ['acme'] }));
      expect(() => Testing.synth(withSubject)).toThrow(/subject\.organizations is not allowed with literalSubject: write every subject attribute in the literalSubject/);
    });

    test('fails on a duplicate additional output format (certificate.go:406-420)', () => {
      expect(() => Testing.synth(patched(JsonPatch.add('/spec/additionalOutputFormats', [{ type: 'DER' }, { type: 'DER' }]))))
        .toThrow(/\[test\/cert\] additionalOutputFormats type "DER" is listed more than once/);
    });

    test('fails on a keystore with both or neither password source, or an empty password (certificate.go:430-462)', () => {
      expect(() => Testing.synth(patched(JsonPatch.add('/spec/keystores', { pkcs12: { create: true, passwordSecretRef: { name: 'p', key: 'k' }, password: 'x' } }))))
        .toThrow(/keystores\.pkcs12 sets both password and passwordSecretRef: a PKCS#12 keystore takes exactly one/);
      expect(() => Testing.synth(patched(JsonPatch.add('/spec/keystores', { jks: { create: true } }))))
        .toThrow(/keystores\.jks needs passwordSecretRef \(or password\): a JKS keystore takes exactly one/);
      expect(() => Testing.synth(patched(JsonPatch.add('/spec/keystores', { jks: { create: true, password: '' } }))))
        .toThrow(/keystores\.jks\.password must not be empty/);
    });

    test('fails on renewal windows that cert-manager cannot parse (certificate.go:464-500)', () => {
      const window = (w: object) => patched(JsonPatch.add('/spec/renewal', { policy: 'RenewBefore', windows: [w] }));
      expect(() => Testing.synth(window({ windowDuration: '2h0m0s', cron: '0 12 * * *' }))).not.toThrow();
      expect(() => Testing.synth(window({ windowDuration: '2h0m0s', cron: 'CRON_TZ=UTC' })))
        .toThrow(/renewal\.windows\[0\]\.cron "CRON_TZ=UTC" is not a cron spec: a time zone prefix must be followed by a cron spec/);
      expect(() => Testing.synth(window({ windowDuration: '2h0m0s', cron: '0 24 * * *' })))
        .toThrow(/renewal\.windows\[0\]\.cron "0 24 \* \* \*" is not a cron spec: hour "24" is outside 0-23/);
      expect(() => Testing.synth(window({ cron: '0 12 * * *', timezone: 'Mars/Olympus' })))
        .toThrow(/windowDuration must be set[^]*timezone "Mars\/Olympus" is not an IANA time zone/);
      expect(() => Testing.synth(patched(JsonPatch.add('/spec/renewal', { policy: 'Disabled', windows: [{ windowDuration: '1h0m0s', cron: '@daily' }] }))))
        .toThrow(/renewal\.windows cannot be set when renewal\.policy is Disabled/);
      expect(() => Testing.synth(patched(JsonPatch.add('/spec/renewal', { policy: 'Sometimes' }))))
        .toThrow(/renewal\.policy "Sometimes" must be RenewBefore or Disabled/);
    });

    test('fails on secretTemplate annotations over 256 KiB (certificate.go:354)', () => {
      expect(() => Testing.synth(patched(JsonPatch.add('/spec/secretTemplate', { annotations: { 'example.com/big': '0'.repeat(262_144) } }))))
        .toThrow(/\[test\/cert\] secretTemplate annotations take 262159 bytes: at most 262144 \(256 KiB\) are allowed/);
    });
  });
});
