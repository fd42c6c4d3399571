import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { Certificate, ClusterIssuer, Issuer, IssuerType, KeyUsage, PrivateKey, PrivateKeyEncoding, RotationPolicy, SignatureAlgorithm } from '../../src/cert-manager';
import { Bundle, BundleSource } from '../../src/trust-manager';
import { dnsName, labels, mostly, RUNS, SEED, validOrTypedError } from './_property';

const privateKey = fc.oneof(
  fc.record({
    size: mostly(fc.constantFrom(256, 384, 521), fc.constantFrom(0, 224, 1024)), encoding: fc.constantFrom(undefined, PrivateKeyEncoding.PKCS8),
  }).map(o => PrivateKey.ecdsa(o)),
  mostly(fc.constantFrom(2048, 3072, 4096, 8192), fc.integer({ min: 0, max: 9000 }))
    .map(size => PrivateKey.rsa({ size, rotationPolicy: RotationPolicy.NEVER })),
  fc.constant(PrivateKey.ed25519()),
);
const minutes = (valid: fc.Arbitrary<number>) => fc.option(mostly(valid, fc.integer({ min: 0, max: 200_000 })), { nil: undefined });

const certificateProps = fc.record({
  secretName: dnsName,
  commonName: fc.option(mostly(fc.stringMatching(/^[a-z][a-z0-9.-]{0,40}$/), fc.string({ maxLength: 80 })), { nil: undefined }),
  dnsNames: mostly(fc.array(dnsName, { minLength: 1, maxLength: 3 }), fc.constant<string[]>([])),
  ipAddresses: fc.option(mostly(fc.array(fc.oneof(fc.ipV4(), fc.ipV6()), { maxLength: 2 }), fc.array(fc.string({ maxLength: 12 }), { maxLength: 2 })),
    { nil: undefined }),
  isCA: fc.boolean(),
  durationMinutes: minutes(fc.integer({ min: 600, max: 200_000 })),
  renewBeforeMinutes: minutes(fc.integer({ min: 5, max: 599 })),
  privateKey,
  usages: fc.option(mostly(fc.subarray(Object.values(KeyUsage)), fc.constant<KeyUsage[]>(['server-auth' as KeyUsage])), { nil: undefined }),
  signatureAlgorithm: fc.option(fc.constantFrom(...Object.values(SignatureAlgorithm)), { nil: undefined }),
  annotations: mostly(labels, fc.dictionary(fc.constantFrom('cert-manager.io/issuer-name', 'cert-manager.io/allow-direct-injection'), fc.constant('x'), { maxKeys: 1 })),
  labels,
  clusterIssuer: fc.boolean(),
  namespace: fc.option(mostly(fc.constant('apps'), dnsName), { nil: undefined }),
});

describe(`cert-manager family, ${RUNS} cases each (seed ${SEED})`, () => {
  test('Certificates: valid output or a typed error', () => {
    validOrTypedError(certificateProps, (chart, p) => {
      const issuer = p.clusterIssuer ? ClusterIssuer.fromClusterIssuerName(chart, 'issuer', 'ca') : Issuer.fromIssuerName(chart, 'issuer', 'ca', { namespace: 'apps' });
      new Certificate(chart, 'cert', {
        metadata: { namespace: p.namespace },
        issuer,
        secretName: p.secretName,
        commonName: p.commonName,
        dnsNames: p.dnsNames,
        ipAddresses: p.ipAddresses,
        isCA: p.isCA,
        duration: p.durationMinutes === undefined ? undefined : Duration.minutes(p.durationMinutes),
        renewBefore: p.renewBeforeMinutes === undefined ? undefined : Duration.minutes(p.renewBeforeMinutes),
        privateKey: p.privateKey,
        usages: p.usages,
        signatureAlgorithm: p.signatureAlgorithm,
        secretTemplate: { annotations: p.annotations, labels: p.labels },
      });
    });
  });

  test('Issuers, ClusterIssuers and Bundles: valid output or a typed error', () => {
    const props = fc.record({
      name: dnsName,
      caSecret: fc.option(dnsName, { nil: undefined }),
      cluster: fc.boolean(),
      sources: fc.array(fc.oneof(
        fc.tuple(dnsName, mostly(fc.constant('tls.crt'), fc.string({ maxLength: 12 }))).map(([n, k]) => BundleSource.secret(n, k)),
        fc.tuple(dnsName, mostly(fc.constant('ca.crt'), fc.string({ maxLength: 12 }))).map(([n, k]) => BundleSource.configMap(n, k)),
        mostly(fc.constant('-----BEGIN CERTIFICATE-----'), fc.string({ maxLength: 30 })).map(pem => BundleSource.inLine(pem)),
        fc.constant(BundleSource.useDefaultCAs()),
      ), { minLength: 1, maxLength: 3 }),
      targetKey: mostly(fc.constant('ca-bundle.crt'), fc.option(fc.string({ maxLength: 20 }), { nil: undefined })),
      selector: labels,
    });
    validOrTypedError(props, (chart, p) => {
      const type = p.caSecret === undefined ? IssuerType.selfSigned() : IssuerType.ca({ secretName: p.caSecret });
      if (p.cluster) new ClusterIssuer(chart, 'issuer', { metadata: { name: p.name }, type });
      else new Issuer(chart, 'issuer', { metadata: { name: p.name, namespace: 'apps' }, type });
      new Bundle(chart, 'bundle', { metadata: { name: p.name }, sources: p.sources, targetConfigMapKey: p.targetKey, namespaceSelector: p.selector });
    });
  });
});
