import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-25';
import * as fc from 'fast-check';
import { KeyUsage, PrivateKey, RotationPolicy } from '../../src/cert-manager';
import { DefaultInboundPolicy, LinkerdControlPlane, LinkerdCrds, LinkerdIdentity, LinkerdVersion, TrustAnchor, WebhookFailurePolicy } from '../../src/linkerd';
import { dnsLabel, dnsName, mostly, RUNS, SEED, validOrTypedError } from './_property';

const hours = (valid: fc.Arbitrary<number>) => fc.option(mostly(valid, fc.integer({ min: 0, max: 20_000 })), { nil: undefined });
const anchorKey = mostly(
  fc.constantFrom(PrivateKey.ecdsa(), PrivateKey.ecdsa({ rotationPolicy: RotationPolicy.NEVER }), PrivateKey.rsa({ size: 4096 })),
  fc.constantFrom(PrivateKey.ecdsa({ size: 384 }), PrivateKey.rsa({ size: 3072 }), PrivateKey.ed25519()));
const anchor = fc.oneof(
  fc.record({
    secretName: fc.option(dnsLabel, { nil: undefined }), duration: hours(fc.integer({ min: 100, max: 90_000 })),
    renewBefore: hours(fc.integer({ min: 1, max: 99 })), privateKey: fc.option(anchorKey, { nil: undefined }),
  }).map(o => TrustAnchor.selfSigned({
    ...o,
    duration: o.duration === undefined ? undefined : Duration.hours(o.duration),
    renewBefore: o.renewBefore === undefined ? undefined : Duration.hours(o.renewBefore),
  })),
  mostly(dnsLabel, dnsName).map(name => TrustAnchor.fromSecret(name)),
);

const identityProps = fc.record({
  namespace: fc.option(mostly(dnsLabel, fc.string({ maxLength: 20 })), { nil: undefined }),
  trustDomain: fc.option(mostly(fc.constantFrom('cluster.local', 'prod.example.org'), dnsName), { nil: undefined }),
  trustAnchor: fc.option(anchor, { nil: undefined }),
  next: mostly(fc.constant(undefined), anchor),
  issuerDuration: hours(fc.integer({ min: 30, max: 90 })),
  issuerRenewBefore: hours(fc.integer({ min: 25, max: 29 })),
  issuerPrivateKey: fc.option(mostly(fc.constant(PrivateKey.ecdsa()), fc.constantFrom(PrivateKey.rsa(), PrivateKey.ecdsa({ size: 521 }))),
    { nil: undefined }),
  issuerUsages: fc.option(mostly(fc.constant<KeyUsage[]>([KeyUsage.CERT_SIGN, KeyUsage.CRL_SIGN, KeyUsage.SERVER_AUTH, KeyUsage.CLIENT_AUTH]),
    fc.subarray([KeyUsage.CERT_SIGN, KeyUsage.CRL_SIGN, KeyUsage.SERVER_AUTH, KeyUsage.CLIENT_AUTH])), { nil: undefined }),
});

const quantity = (unit: string) => fc.option(mostly(fc.integer({ min: 1, max: 4000 }).map(n => `${n}${unit}`), fc.string({ maxLength: 6 })), { nil: undefined });
const cidr = mostly(fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`), fc.string({ maxLength: 18 }));

const controlPlaneProps = fc.record({
  version: fc.constantFrom(...LinkerdVersion.all()),
  ha: fc.boolean(),
  controllerReplicas: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
  cpuRequestMillis: fc.option(fc.integer({ min: 1, max: 2000 }), { nil: undefined }),
  cpuLimitMillis: fc.option(fc.integer({ min: 1, max: 2000 }), { nil: undefined }),
  memoryRequestMi: fc.option(fc.integer({ min: 1, max: 2000 }), { nil: undefined }),
  memoryLimitMi: fc.option(fc.integer({ min: 1, max: 2000 }), { nil: undefined }),
  proxyLogLevel: fc.option(mostly(fc.constantFrom('warn,linkerd=info', 'debug', 'linkerd=trace,info'), fc.string({ maxLength: 12 })), { nil: undefined }),
  defaultInboundPolicy: fc.option(fc.constantFrom(...Object.values(DefaultInboundPolicy)), { nil: undefined }),
  clusterNetworks: fc.option(fc.array(cidr, { minLength: 1, maxLength: 3 }), { nil: undefined }),
  webhookFailurePolicy: fc.option(fc.constantFrom(...Object.values(WebhookFailurePolicy)), { nil: undefined }),
  webhookCertificates: fc.boolean(),
  values: fc.option(fc.oneof(
    fc.record({ proxy: fc.record({ logFormat: fc.constantFrom('plain', 'json'), resources: fc.record({ cpu: fc.record({ request: quantity('m') }) }) }) }),
    fc.record({ proxyInjector: fc.record({ caBundle: fc.string({ maxLength: 5 }), injectCaFromSecret: fc.option(fc.constant('linkerd/ca'), { nil: undefined }) }) }),
    fc.dictionary(fc.string({ maxLength: 12 }), fc.integer(), { maxKeys: 1 }),
  ), { nil: undefined }),
});

describe(`Linkerd families, ${RUNS} cases each (seed ${SEED})`, () => {
  test('LinkerdIdentity: valid output or a typed error', () => {
    validOrTypedError(identityProps, (chart, p) => {
      new LinkerdIdentity(chart, 'identity', {
        namespace: p.namespace,
        trustDomain: p.trustDomain,
        trustAnchor: p.trustAnchor,
        nextTrustAnchor: p.next,
        issuerDuration: p.issuerDuration === undefined ? undefined : Duration.hours(p.issuerDuration),
        issuerRenewBefore: p.issuerRenewBefore === undefined ? undefined : Duration.hours(p.issuerRenewBefore),
        issuerPrivateKey: p.issuerPrivateKey,
        issuerUsages: p.issuerUsages,
      });
    });
  });

  test('LinkerdControlPlane and LinkerdCrds values: valid output or a typed error', () => {
    validOrTypedError(controlPlaneProps, (chart, p) => {
      const identity = new LinkerdIdentity(chart, 'identity');
      const crds = new LinkerdCrds(chart, 'crds', { version: p.version, installGatewayApi: p.ha ? false : undefined });
      const cp = new LinkerdControlPlane(chart, 'cp', {
        identity,
        version: p.version,
        ha: p.ha,
        controllerReplicas: p.controllerReplicas,
        proxyResources: {
          cpuRequest: p.cpuRequestMillis === undefined ? undefined : Cpu.millis(p.cpuRequestMillis),
          cpuLimit: p.cpuLimitMillis === undefined ? undefined : Cpu.millis(p.cpuLimitMillis),
          memoryRequest: p.memoryRequestMi === undefined ? undefined : Size.mebibytes(p.memoryRequestMi),
          memoryLimit: p.memoryLimitMi === undefined ? undefined : Size.mebibytes(p.memoryLimitMi),
        },
        proxyLogLevel: p.proxyLogLevel,
        defaultInboundPolicy: p.defaultInboundPolicy,
        clusterNetworks: p.clusterNetworks,
        webhookFailurePolicy: p.webhookFailurePolicy,
        webhookCertificates: p.webhookCertificates,
        values: p.values,
      });
      cp.addRelease('release', { crds: crds.addRelease('crds-release', { namespace: identity.namespace }) });
    });
  });
});
