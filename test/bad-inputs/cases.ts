import { ApiObject, Chart, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import { Cpu, Service } from 'cdk8s-plus-25';
import { Application, ApplicationSource, IgnoreDifference } from '../../src/argocd';
import { Certificate, CertificateProps, ClusterIssuer, Issuer, IssuerType, KeyUsage, PrivateKey, SignatureAlgorithm } from '../../src/cert-manager';
import {
  ControlPlaneNamespace, DefaultInboundPolicy, LinkerdControlPlane, LinkerdControlPlaneProps, LinkerdCrds, LinkerdIdentity, LinkerdIdentityProps,
  LinkerdVersion, TrustAnchor, WebhookIssuer,
} from '../../src/linkerd';
import { MeshIdentity, MeshTLSAuthentication } from '../../src/mesh';
import { OutputFile, synthesize } from '../../src/synth';
import { CircuitBreaker, FailureAccrual, ServiceReference, ServiceProfile } from '../../src/traffic';
import { Bundle, BundleSource } from '../../src/trust-manager';
import { BasicAuthSecret, DashboardIngress, HtpasswdUser, LinkerdViz } from '../../src/viz';
import { MESH_BAD_INPUTS } from '../mesh/_bad-inputs';
import { TRAFFIC_BAD_INPUTS } from '../traffic/_bad-inputs';

/** One bad input: what it is, and how to feed it. The error it produces is recorded by running it. */
export interface BadInput {
  /** A stable id, `<family>/<rule>`. */
  readonly id: string;
  /** The bad input, in a few words. */
  readonly input: string;
  /** Feeds the bad input; must throw. */
  readonly run: () => unknown;
}

// a namespace for the namespaced kinds (Issuer, Certificate), which require one
const chart = () => new Chart(Testing.app(), 'platform', { namespace: 'apps' });
const caIssuer = (c: Chart) => ClusterIssuer.fromClusterIssuerName(c, 'ca', 'ca');
const cert = (props: Partial<CertificateProps>) => () => {
  const c = chart();
  new Certificate(c, 'cert', { issuer: caIssuer(c), secretName: 'web-tls', dnsNames: ['web.example.com'], ...props });
};
const identity = (props: LinkerdIdentityProps) => () => new LinkerdIdentity(chart(), 'identity', props);
const controlPlane = (props: Partial<LinkerdControlPlaneProps>) => () => {
  const c = chart();
  new LinkerdControlPlane(c, 'control-plane', { identity: new LinkerdIdentity(c, 'identity'), ...props });
};
const patched = (make: (c: Chart) => ApiObject, patch: JsonPatch) => () => {
  const c = chart();
  make(c).addJsonPatch(patch);
  Testing.synth(c);
};
const bundle = (sources: BundleSource[], targetConfigMapKey: string | null = 'ca.crt') => () =>
  new Bundle(chart(), 'roots', { metadata: { name: 'roots' }, sources, targetConfigMapKey: targetConfigMapKey ?? undefined });
const app = (props: Record<string, unknown>) => () => new Application(chart(), 'app', {
  metadata: { name: 'app' },
  source: ApplicationSource.helmChart({ repoUrl: 'https://helm.linkerd.io/edge', chart: 'linkerd-crds', version: '2026.6.3' }),
  ...props,
});
const viz = (make: (c: Chart, v: LinkerdViz) => void, vizProps: Record<string, unknown> = {}) => () => {
  const c = chart();
  const cp = new LinkerdControlPlane(c, 'control-plane', { identity: new LinkerdIdentity(c, 'identity') });
  make(c, new LinkerdViz(c, 'viz', { controlPlane: cp, ...vizProps }));
};
/** A chart beside a control plane of a version, in one app; `late` makes the control plane after what `make` adds. */
const besideControlPlane = (version: LinkerdVersion, make: (c: Chart) => void, late = false) => () => {
  const a = Testing.app();
  const addControlPlane = () => {
    const platform = new Chart(a, 'linkerd');
    new LinkerdControlPlane(platform, 'control-plane', { identity: new LinkerdIdentity(platform, 'identity'), version });
  };
  if (!late) addControlPlane();
  const c = new Chart(a, 'apps');
  make(c);
  if (late) addControlPlane();
  a.synth();
};
const booksService = (c: Chart) => new Service(c, 'books', { metadata: { name: 'books', namespace: 'booksapp' }, ports: [{ port: 7002 }] });
/** Synthesizes one object the way `npm run synth` does, so that the output checks run. */
const synthOne = (object: Record<string, any>) => () => synthesize(app => { new ApiObject(new Chart(app, 'apps'), 'object', object as any); },
  { outdir: `${require('node:os').tmpdir()}/bad-inputs-synth-${process.pid}` });
/** A throwaway EC key in SEC1 DER, base64, made at run time so that no key is committed. */
const testSec1Key = () => (require('node:crypto').generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'der' }) as Buffer).toString('base64');
const auth = (users: HtpasswdUser[], cost?: number) => () => new BasicAuthSecret(chart(), 'auth', { name: 'dashboard-auth', namespace: 'linkerd-viz', users, cost });

/**
 * Every validation rule, one bad input each. `docs/bad-inputs.md` is generated from this list by running it
 * (`npm run docs:bad-inputs`), and a test fails when the document and the code disagree.
 */
export const CASES: BadInput[] = [
  // cert-manager: the webhook's rules
  { id: 'certificate/duration-minimum', input: 'Certificate duration 30m', run: cert({ duration: Duration.minutes(30) }) },
  { id: 'certificate/renew-before-minimum', input: 'Certificate renewBefore 1m', run: cert({ renewBefore: Duration.minutes(1) }) },
  { id: 'certificate/renew-before-duration', input: 'renewBefore 50h with duration 48h', run: cert({ duration: Duration.hours(48), renewBefore: Duration.hours(50) }) },
  { id: 'certificate/ecdsa-size', input: 'ECDSA key size 512', run: cert({ privateKey: PrivateKey.ecdsa({ size: 512 }) }) },
  { id: 'certificate/rsa-size', input: 'RSA key size 1024', run: cert({ privateKey: PrivateKey.rsa({ size: 1024 }) }) },
  { id: 'certificate/signature-algorithm', input: 'RSA key signed ECDSAWithSHA256', run: cert({ privateKey: PrivateKey.rsa(), signatureAlgorithm: SignatureAlgorithm.ECDSA_WITH_SHA256 }) },
  { id: 'certificate/reserved-annotation', input: 'secretTemplate annotation cert-manager.io/issuer-name', run: cert({ secretTemplate: { annotations: { 'cert-manager.io/issuer-name': 'x' } } }) },
  { id: 'certificate/annotation-key', input: 'secretTemplate annotation key a/b/c', run: cert({ secretTemplate: { annotations: { 'a/b/c': 'x' } } }) },
  { id: 'certificate/label', input: 'secretTemplate label value with a space', run: cert({ secretTemplate: { labels: { team: 'web team' } } }) },
  { id: 'certificate/secret-name', input: 'secretName Web_TLS', run: cert({ secretName: 'Web_TLS' }) },
  { id: 'certificate/secret-name-required', input: 'empty secretName', run: cert({ secretName: '' }) },
  { id: 'certificate/name', input: 'metadata.name Web', run: cert({ metadata: { name: 'Web' } }) },
  { id: 'certificate/subject-required', input: 'no commonName and no dnsNames', run: cert({ dnsNames: [] }) },
  { id: 'certificate/common-name-length', input: 'a 72-character commonName', run: cert({ commonName: `${'a'.repeat(60)}.example.com` }) },
  { id: 'certificate/ip-address', input: 'ipAddresses 10.0.0.300', run: cert({ ipAddresses: ['10.0.0.300'] }) },
  { id: 'certificate/issuer-namespace', input: 'Issuer of namespace a used in namespace b', run: () => {
    const c = chart();
    new Certificate(c, 'cert', { metadata: { namespace: 'b' }, issuer: Issuer.fromIssuerName(c, 'i', 'local', { namespace: 'a' }), secretName: 's', commonName: 'x' });
  } },
  { id: 'certificate/duration-syntax', input: 'duration 90d (patched in)', run: patched(c => ApiObject.of(new Certificate(c, 'cert', { issuer: caIssuer(c), secretName: 's', commonName: 'x' })), JsonPatch.add('/spec/duration', '90d')) },
  { id: 'certificate/usage', input: 'usage server-auth (patched in)', run: patched(c => ApiObject.of(new Certificate(c, 'cert', { issuer: caIssuer(c), secretName: 's', commonName: 'x' })), JsonPatch.add('/spec/usages', ['server-auth'])) },
  { id: 'certificate/issuer-kind', input: 'issuerRef.kind Issuers (patched in)', run: patched(c => ApiObject.of(new Certificate(c, 'cert', { issuer: caIssuer(c), secretName: 's', commonName: 'x' })), JsonPatch.replace('/spec/issuerRef/kind', 'Issuers')) },
  { id: 'certificate/key-algorithm', input: 'privateKey.algorithm DSA (patched in)', run: patched(c => ApiObject.of(new Certificate(c, 'cert', { issuer: caIssuer(c), secretName: 's', commonName: 'x' })), JsonPatch.replace('/spec/privateKey/algorithm', 'DSA')) },
  { id: 'certificate/rotation-policy', input: 'privateKey.rotationPolicy Alway! (patched in)', run: patched(c => ApiObject.of(new Certificate(c, 'cert', { issuer: caIssuer(c), secretName: 's', commonName: 'x' })), JsonPatch.replace('/spec/privateKey/rotationPolicy', 'Alway!')) },
  { id: 'certificate/email-address', input: 'emailAddresses Alice <alice@example.com> (patched in)', run: patched(c => ApiObject.of(new Certificate(c, 'cert', { issuer: caIssuer(c), secretName: 's', commonName: 'x' })), JsonPatch.add('/spec/emailAddresses', ['Alice <alice@example.com>'])) },
  { id: 'certificate/revision-history-limit', input: 'revisionHistoryLimit 0 (patched in)', run: patched(c => ApiObject.of(new Certificate(c, 'cert', { issuer: caIssuer(c), secretName: 's', commonName: 'x' })), JsonPatch.add('/spec/revisionHistoryLimit', 0)) },
  { id: 'certificate/renew-before-percentage', input: 'renewBeforePercentage 100 (patched in)', run: patched(c => ApiObject.of(new Certificate(c, 'cert', { issuer: caIssuer(c), secretName: 's', commonName: 'x' })), JsonPatch.add('/spec/renewBeforePercentage', 100)) },
  { id: 'certificate/name-constraints', input: 'nameConstraints {} without isCA (patched in)', run: patched(c => ApiObject.of(new Certificate(c, 'cert', { issuer: caIssuer(c), secretName: 's', commonName: 'x' })), JsonPatch.add('/spec/nameConstraints', { permitted: { dnsDomains: ['example.com'] } })) },
  { id: 'certificate/literal-subject', input: 'literalSubject C=O,B=TX,CN=foo (patched in)', run: patched(c => ApiObject.of(new Certificate(c, 'cert', { issuer: caIssuer(c), secretName: 's', dnsNames: ['x'] })), JsonPatch.add('/spec/literalSubject', 'C=O,B=TX,CN=foo')) },
  { id: 'certificate/output-formats', input: 'additionalOutputFormats DER twice (patched in)', run: patched(c => ApiObject.of(new Certificate(c, 'cert', { issuer: caIssuer(c), secretName: 's', commonName: 'x' })), JsonPatch.add('/spec/additionalOutputFormats', [{ type: 'DER' }, { type: 'DER' }])) },
  { id: 'certificate/keystore-password', input: 'JKS keystore without a password (patched in)', run: patched(c => ApiObject.of(new Certificate(c, 'cert', { issuer: caIssuer(c), secretName: 's', commonName: 'x' })), JsonPatch.add('/spec/keystores', { jks: { create: true } })) },
  { id: 'certificate/renewal-window', input: 'renewal window cron CRON_TZ=UTC (patched in)', run: patched(c => ApiObject.of(new Certificate(c, 'cert', { issuer: caIssuer(c), secretName: 's', commonName: 'x' })), JsonPatch.add('/spec/renewal', { policy: 'RenewBefore', windows: [{ windowDuration: '2h0m0s', cron: 'CRON_TZ=UTC' }] })) },
  { id: 'certificate/annotations-size', input: 'secretTemplate annotations over 256 KiB (patched in)', run: patched(c => ApiObject.of(new Certificate(c, 'cert', { issuer: caIssuer(c), secretName: 's', commonName: 'x' })), JsonPatch.add('/spec/secretTemplate', { annotations: { 'example.com/big': '0'.repeat(262_144) } })) },
  { id: 'issuer/ca-url', input: 'CA ocspServers [""] (patched in)', run: patched(c => ApiObject.of(new Issuer(c, 'ca', { type: IssuerType.ca({ secretName: 'ca' }) })), JsonPatch.add('/spec/ca/ocspServers', [''])) },
  { id: 'issuer/namespace-required', input: 'Issuer in a chart without a namespace, none given', run: () => new Issuer(new Chart(Testing.app(), 'platform'), 'ca', { type: IssuerType.selfSigned() }) },
  { id: 'certificate/namespace-required', input: 'Certificate from a ClusterIssuer, in a chart without a namespace, none given', run: () => {
    const c = new Chart(Testing.app(), 'platform');
    new Certificate(c, 'cert', { issuer: caIssuer(c), secretName: 'web-tls', dnsNames: ['web.example.com'] });
  } },
  { id: 'issuer/ca-secret-required', input: 'IssuerType.ca({ secretName: \'\' })', run: () => new Issuer(chart(), 'ca', { type: IssuerType.ca({ secretName: '' }) }) },
  { id: 'issuer/ca-secret-name', input: 'CA secretName Bad_Name', run: () => new Issuer(chart(), 'ca', { type: IssuerType.ca({ secretName: 'Bad_Name' }) }) },
  { id: 'issuer/one-type', input: 'a second issuer type (patched in)', run: patched(c => ApiObject.of(new Issuer(c, 'root', { type: IssuerType.selfSigned() })), JsonPatch.add('/spec/ca', { secretName: 'x' })) },
  { id: 'issuer/type-required', input: 'no issuer type (patched out)', run: patched(c => ApiObject.of(new Issuer(c, 'root', { type: IssuerType.selfSigned() })), JsonPatch.remove('/spec/selfSigned')) },
  { id: 'cluster-issuer/namespace', input: 'ClusterIssuer with a namespace', run: () => new ClusterIssuer(chart(), 'ca', { metadata: { namespace: 'x' }, type: IssuerType.selfSigned() }) },
  // trust-manager
  { id: 'bundle/sources-required', input: 'Bundle without sources', run: bundle([]) },
  { id: 'bundle/sources-maximum', input: '101 sources', run: bundle(Array.from({ length: 101 }, (_, i) => BundleSource.secret(`ca-${i}`, 'tls.crt'))) },
  { id: 'bundle/target-required', input: 'no target key', run: bundle([BundleSource.secret('ca', 'tls.crt')], null) },
  { id: 'bundle/source-key', input: 'source Secret with an empty key', run: bundle([BundleSource.secret('ca', '')]) },
  { id: 'bundle/source-is-target', input: 'source ConfigMap roots/ca.crt = the target', run: bundle([BundleSource.configMap('roots', 'ca.crt')]) },
  { id: 'bundle/default-cas-once', input: 'useDefaultCAs twice', run: bundle([BundleSource.useDefaultCAs(), BundleSource.useDefaultCAs()]) },
  { id: 'bundle/inline-empty', input: 'empty inline source', run: bundle([BundleSource.inLine('')]) },
  { id: 'bundle/name-or-selector', input: 'source Secret with a name and a selector (patched in)', run: patched(c => ApiObject.of(new Bundle(c, 'roots', { metadata: { name: 'roots' }, sources: [BundleSource.secret('ca', 'tls.crt')], targetConfigMapKey: 'ca.crt' })), JsonPatch.add('/spec/sources/0/secret/selector', { matchLabels: { ca: 'root' } })) },
  { id: 'bundle/default-cas-false-only', input: 'only useDefaultCAs: false (patched in)', run: patched(c => ApiObject.of(new Bundle(c, 'roots', { metadata: { name: 'roots' }, sources: [BundleSource.secret('ca', 'tls.crt')], targetConfigMapKey: 'ca.crt' })), JsonPatch.replace('/spec/sources/0', { useDefaultCAs: false })) },
  { id: 'bundle/format-key-unique', input: 'additionalFormats jks key = the target key (patched in)', run: patched(c => ApiObject.of(new Bundle(c, 'roots', { metadata: { name: 'roots' }, sources: [BundleSource.secret('ca', 'tls.crt')], targetConfigMapKey: 'ca.crt' })), JsonPatch.add('/spec/target/additionalFormats', { jks: { key: 'ca.crt' } })) },
  { id: 'bundle/format-required', input: 'additionalFormats {} (patched in)', run: patched(c => ApiObject.of(new Bundle(c, 'roots', { metadata: { name: 'roots' }, sources: [BundleSource.secret('ca', 'tls.crt')], targetConfigMapKey: 'ca.crt' })), JsonPatch.add('/spec/target/additionalFormats', {})) },
  { id: 'bundle/namespace', input: 'Bundle with a namespace', run: () => new Bundle(chart(), 'roots', { metadata: { namespace: 'x' }, sources: [BundleSource.secret('ca', 'tls.crt')], targetConfigMapKey: 'k' }) },
  // Linkerd identity
  { id: 'identity/namespace', input: 'namespace Linkerd.System', run: identity({ namespace: 'Linkerd.System' }) },
  { id: 'identity/trust-domain', input: 'trustDomain cluster_local', run: identity({ trustDomain: 'cluster_local' }) },
  { id: 'identity/cert-manager-namespace', input: 'certManagerNamespace cert_manager', run: identity({ certManagerNamespace: 'cert_manager' }) },
  { id: 'identity/anchor-issuer-scope', input: 'anchorIssuerScope "namespace" (not a scope)', run: identity({ anchorIssuerScope: 'namespace' as any }) },
  { id: 'identity/issuer-renewal', input: 'issuerRenewBefore 24h', run: identity({ issuerRenewBefore: Duration.hours(24) }) },
  { id: 'identity/issuer-key', input: 'issuerPrivateKey ECDSA 384', run: identity({ issuerPrivateKey: PrivateKey.ecdsa({ size: 384 }) }) },
  { id: 'identity/issuer-server-auth', input: 'issuerUsages [cert sign, client auth]', run: identity({ issuerUsages: [KeyUsage.CERT_SIGN, KeyUsage.CLIENT_AUTH] }) },
  { id: 'identity/anchor-outlives-issuer', input: 'self-signed anchor duration 48h = issuerDuration', run: identity({ trustAnchor: TrustAnchor.selfSigned({ duration: Duration.hours(48), renewBefore: Duration.hours(2) }) }) },
  { id: 'identity/anchor-key', input: 'self-signed anchor ECDSA 521', run: identity({ trustAnchor: TrustAnchor.selfSigned({ privateKey: PrivateKey.ecdsa({ size: 521 }) }) }) },
  { id: 'identity/distinct-subjects', input: 'anchor CN identity.linkerd.cluster.local', run: identity({ trustAnchor: TrustAnchor.selfSigned({ commonName: 'identity.linkerd.cluster.local' }) }) },
  { id: 'identity/rotation-stages', input: 'nextTrustAnchor and previousTrustAnchor together', run: identity({ nextTrustAnchor: TrustAnchor.fromSecret('b'), previousTrustAnchor: TrustAnchor.fromSecret('a') }) },
  { id: 'identity/anchor-secrets', input: 'two anchors in one Secret', run: identity({ trustAnchor: TrustAnchor.fromSecret('root'), nextTrustAnchor: TrustAnchor.fromSecret('root') }) },
  { id: 'identity/pem-without-bundle', input: 'trustBundle false with TrustAnchor.fromSecret', run: identity({ trustBundle: false, trustAnchor: TrustAnchor.fromSecret('root') }) },
  { id: 'identity/pem-private-key', input: 'fromPem given a private key', run: identity({ trustAnchor: TrustAnchor.fromPem('-----BEGIN PRIVATE KEY-----\nMIG\n-----END PRIVATE KEY-----\n', 'root') }) },
  { id: 'identity/pem-not-pem', input: 'fromPem given text that is not PEM', run: identity({ trustAnchor: TrustAnchor.fromPem('not a pem', 'root') }) },
  { id: 'identity/issuer-is-ca', input: 'identity issuer isCA false (patched in)', run: patched(c => ApiObject.of(new LinkerdIdentity(c, 'identity').issuerCertificate), JsonPatch.replace('/spec/isCa', false)) },
  { id: 'identity/restarter-schedule', input: 'identityRestarter schedule "every hour"', run: identity({ identityRestarter: { schedule: 'every hour' } }) },
  { id: 'identity/restarter-image', input: 'identityRestarter image "curl latest"', run: identity({ identityRestarter: { image: 'curl latest' } }) },
  { id: 'namespace/name', input: 'ControlPlaneNamespace name mesh.system', run: () => new ControlPlaneNamespace(chart(), 'namespace', { name: 'mesh.system' }) },
  // the construct tree's control plane (LinkerdContext)
  { id: 'context/contradicting-version', input: 'CircuitBreaker version 2.20 beside a 2.14 control plane', run: besideControlPlane(LinkerdVersion.V2_14, c => new CircuitBreaker(c, 'cb', { service: ServiceReference.fromService(booksService(c)), version: LinkerdVersion.V2_20 })) },
  { id: 'context/identity-trust-domain', input: 'identity *.prod.example.com beside a cluster.local control plane', run: besideControlPlane(LinkerdVersion.V2_20, c => new MeshTLSAuthentication(c, 'authn', { metadata: { namespace: 'shop' }, identities: [MeshIdentity.of('*.prod.example.com')] })) },
  { id: 'context/made-before-control-plane', input: 'unified CircuitBreaker made before a 2.14 control plane', run: besideControlPlane(LinkerdVersion.V2_14, c => new CircuitBreaker(c, 'cb', { service: ServiceReference.fromService(booksService(c)), accrual: FailureAccrual.unified() }), true) },
  { id: 'context/two-control-planes', input: 'CircuitBreaker beside two control planes', run: () => {
    const a = Testing.app();
    for (const id of ['east', 'west']) {
      const platform = new Chart(a, id);
      new LinkerdControlPlane(platform, 'control-plane', { identity: new LinkerdIdentity(platform, 'identity') });
    }
    const c = new Chart(a, 'apps');
    new CircuitBreaker(c, 'cb', { service: ServiceReference.fromService(booksService(c)) });
  } },
  // Linkerd control plane
  { id: 'control-plane/unknown-key', input: 'values { proxy: { logLevl } }', run: controlPlane({ values: { proxy: { logLevl: 'debug' } } }) },
  { id: 'control-plane/version-gate', input: 'defaultInboundPolicy audit on 2.14', run: controlPlane({ version: LinkerdVersion.V2_14, defaultInboundPolicy: DefaultInboundPolicy.AUDIT }) },
  { id: 'control-plane/ha-replicas', input: 'ha with controllerReplicas 2', run: controlPlane({ ha: true, controllerReplicas: 2 }) },
  { id: 'control-plane/value-type', input: 'values { controllerReplicas: "three" }', run: controlPlane({ values: { controllerReplicas: 'three' } }) },
  { id: 'control-plane/log-format', input: 'values { proxy: { logFormat: "jsn" } }', run: controlPlane({ values: { proxy: { logFormat: 'jsn' } } }) },
  { id: 'control-plane/cluster-network', input: 'clusterNetworks 10.0.0.0/33', run: controlPlane({ clusterNetworks: ['10.0.0.0/33'] }) },
  { id: 'control-plane/cpu-limit', input: 'proxy CPU limit 100m below request 500m', run: controlPlane({ proxyResources: { cpuRequest: Cpu.millis(500), cpuLimit: Cpu.millis(100) } }) },
  { id: 'control-plane/memory-limit', input: 'proxy memory limit 512Mi below request 1Gi', run: controlPlane({ proxyResources: { memoryRequest: Size.gibibytes(1), memoryLimit: Size.mebibytes(512) } }) },
  { id: 'control-plane/quantity', input: 'proxy cpu request "lots"', run: controlPlane({ values: { proxy: { resources: { cpu: { request: 'lots' } } } } }) },
  { id: 'control-plane/log-level-empty', input: 'proxyLogLevel ""', run: controlPlane({ proxyLogLevel: '' }) },
  { id: 'control-plane/log-level-syntax', input: 'proxyLogLevel linkerd=loud', run: controlPlane({ proxyLogLevel: 'linkerd=loud' }) },
  { id: 'control-plane/pull-policy', input: 'imagePullPolicy Sometimes', run: controlPlane({ values: { imagePullPolicy: 'Sometimes' } }) },
  { id: 'control-plane/inbound-policy', input: 'values proxy.defaultInboundPolicy allow', run: controlPlane({ values: { proxy: { defaultInboundPolicy: 'allow' } } }) },
  { id: 'control-plane/trust-domain', input: 'identityTrustDomain Corp_Local', run: controlPlane({ values: { identityTrustDomain: 'Corp_Local' } }) },
  { id: 'control-plane/webhook-ca-bundle', input: 'proxyInjector caBundle next to injectCaFrom', run: controlPlane({ values: { proxyInjector: { caBundle: 'pem' } } }) },
  { id: 'control-plane/webhook-ca-sources', input: 'injectCaFrom and injectCaFromSecret', run: controlPlane({ values: { profileValidator: { injectCaFromSecret: 'linkerd/ca' } } }) },
  { id: 'control-plane/webhook-external-secret', input: 'externalSecret without a CA source', run: controlPlane({ webhookCertificates: false, values: { policyValidator: { externalSecret: true } } }) },
  { id: 'control-plane/webhook-inject-ca', input: 'injectCaFrom without externalSecret', run: controlPlane({ webhookCertificates: false, values: { proxyInjector: { injectCaFrom: 'linkerd/x' } } }) },
  { id: 'crds/gateway-api', input: 'installGatewayApi on 2.13', run: () => new LinkerdCrds(chart(), 'crds', { version: LinkerdVersion.V2_13, installGatewayApi: true }) },
  { id: 'crds/unknown-key', input: 'values { installGatewayApi }', run: () => new LinkerdCrds(chart(), 'crds', { values: { installGatewayApi: true } }) },
  { id: 'version/catalog', input: 'LinkerdVersion.of("2.15")', run: () => LinkerdVersion.of('2.15') },
  { id: 'webhooks/namespace', input: 'WebhookIssuer namespace Linkerd', run: () => new WebhookIssuer(chart(), 'webhooks', { namespace: 'Linkerd' }) },
  // Argo CD
  { id: 'application/name', input: 'Application name Linkerd_CRDs', run: app({ metadata: { name: 'Linkerd_CRDs' } }) },
  { id: 'application/project', input: 'empty project', run: app({ project: '' }) },
  { id: 'application/ignore-group', input: 'ignoreDifferences group admissionregistration.k8s.io/v1', run: app({ ignoreDifferences: [IgnoreDifference.jqPaths({ group: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', expressions: ['.x'], reason: 'r' })] }) },
  { id: 'application/destination', input: 'no destination server', run: app({ destinationServer: '' }) },
  { id: 'application/chart-version', input: 'Helm chart without a version', run: app({ source: ApplicationSource.helmChart({ repoUrl: 'https://x.example', chart: 'c', version: '' }) }) },
  // viz and the dashboard
  { id: 'htpasswd/users-required', input: 'no users', run: auth([]) },
  { id: 'htpasswd/user-name', input: 'user name a:b', run: auth([HtpasswdUser.fromPassword('a:b', 'pw')]) },
  { id: 'htpasswd/user-whitespace', input: 'user name with a space', run: auth([HtpasswdUser.fromPassword('a b', 'pw')]) },
  { id: 'htpasswd/cost', input: 'bcrypt cost 20', run: auth([HtpasswdUser.fromPassword('admin', 'pw')], 20) },
  { id: 'htpasswd/hash', input: 'fromHash("ops", "plain-password")', run: auth([HtpasswdUser.fromHash('ops', 'plain-password')]) },
  { id: 'htpasswd/duplicate-user', input: 'user admin twice', run: auth([HtpasswdUser.fromPassword('admin', 'a'), HtpasswdUser.fromPassword('admin', 'b')]) },
  { id: 'htpasswd/comment-user', input: 'user name #admin (an nginx comment)', run: auth([HtpasswdUser.fromPassword('#admin', 'pw')]) },
  { id: 'htpasswd/weak-hash', input: 'fromHash("ops", "{SHA}…") without allowWeakHashes', run: auth([HtpasswdUser.fromHash('ops', '{SHA}xj0IlU6ZKbf59oeCplZGUkCCy0U=')]) },
  { id: 'htpasswd/hash-cost', input: 'a given $2y$20$ bcrypt hash', run: auth([HtpasswdUser.fromHash('ops', '$2y$20$abcdefghijklmnopqrstuuJ2PbuN6f5aFqDjNRa9y/uAGJ/1pAO9W')]) },
  { id: 'htpasswd/malformed-line', input: 'an htpasswd file line without ":"', run: auth(HtpasswdUser.parse('hunter2\n', 'dashboard.htpasswd')) },
  { id: 'sealed-secret/not-sealed', input: 'encryptedAuth that is the base64 htpasswd line', run: () => BasicAuthSecret.fromSealedSecret(chart(), 'auth', { name: 'a', namespace: 'linkerd-viz', encryptedAuth: Buffer.from('admin:$2y$10$x\n').toString('base64') }) },
  { id: 'external-secret/store-kind', input: 'secretStore kind Vault', run: () => BasicAuthSecret.fromExternalSecret(chart(), 'auth', { name: 'a', namespace: 'linkerd-viz', secretStore: { name: 'vault', kind: 'Vault' }, remoteKey: 'k' }) },
  { id: 'dashboard/host', input: 'dashboard host *.example.com', run: viz(() => undefined, { dashboardHosts: ['*.example.com'] }) },
  { id: 'dashboard/realm', input: 'realm "Linkerd (prod)"', run: viz((c, v) => new DashboardIngress(c, 'dashboard', { viz: v, hosts: ['linkerd.example.com'], realm: 'Linkerd (prod)', auth: BasicAuthSecret.fromSecretName(c, 'a', 'x', { namespace: 'linkerd-viz' }) })) },
  { id: 'dashboard/realm-off', input: 'realm "off" (nginx auth_basic off)', run: viz((c, v) => new DashboardIngress(c, 'dashboard', { viz: v, hosts: ['linkerd.example.com'], realm: 'off', auth: BasicAuthSecret.fromSecretName(c, 'a', 'x', { namespace: 'linkerd-viz' }) })) },
  { id: 'dashboard/realm-empty', input: 'realm ""', run: viz((c, v) => new DashboardIngress(c, 'dashboard', { viz: v, hosts: ['linkerd.example.com'], realm: '', auth: BasicAuthSecret.fromSecretName(c, 'a', 'x', { namespace: 'linkerd-viz' }) })) },
  { id: 'dashboard/client', input: 'ingressController name Ingress_Nginx', run: viz((c, v) => new DashboardIngress(c, 'dashboard', { viz: v, hosts: ['linkerd.example.com'], ingressController: { name: 'Ingress_Nginx', namespace: 'ingress-nginx' }, auth: BasicAuthSecret.fromSecretName(c, 'a', 'x', { namespace: 'linkerd-viz' }) })) },
  { id: 'dashboard/auth-namespace', input: 'auth Secret in namespace default', run: viz((c, v) => new DashboardIngress(c, 'dashboard', { viz: v, hosts: ['linkerd.example.com'], auth: BasicAuthSecret.fromSecretName(c, 'a', 'x', { namespace: 'default' }) })) },
  { id: 'dashboard/hosts-required', input: 'DashboardIngress without hosts', run: viz((c, v) => new DashboardIngress(c, 'dashboard', { viz: v, hosts: [], auth: BasicAuthSecret.fromSecretName(c, 'a', 'x', { namespace: 'linkerd-viz' }) })) },
  { id: 'dashboard/late-host', input: 'dashboard exposure after addRelease', run: viz((c, v) => { v.addRelease('release'); v.addDashboardHosts(c, ['late.example.com']); }) },
  { id: 'viz/value-type', input: 'viz values { dashboard: { replicas: "two" } }', run: viz(() => undefined, { values: { dashboard: { replicas: 'two' } } }) },
  ...MESH_BAD_INPUTS,
  ...TRAFFIC_BAD_INPUTS,
  // synth
  { id: 'synth/output-file-path', input: 'OutputFile path values.yaml (not in a subfolder)', run: () => new OutputFile(chart(), 'file', { path: 'values.yaml', content: '' }) },
  // OpenAPI and .proto input limits
  { id: 'openapi/nesting', input: 'OpenAPI document nested 1,000 brackets deep', run: () => ServiceProfile.fromOpenApi(chart(), 'profile', { service: ServiceReference.fromName('web', 'shop'), spec: `paths: ${'['.repeat(1000)}${']'.repeat(1000)}` }) },
  { id: 'openapi/size', input: 'OpenAPI document over 8 MiB', run: () => ServiceProfile.fromOpenApi(chart(), 'profile', { service: ServiceReference.fromName('web', 'shop'), spec: `paths: {}\n#${'x'.repeat(8 * 1024 * 1024)}` }) },
  { id: 'proto/size', input: '.proto file over 8 MiB', run: () => ServiceProfile.fromProto(chart(), 'profile', { service: ServiceReference.fromName('web', 'shop'), proto: `//${'x'.repeat(8 * 1024 * 1024)}` }) },
  { id: 'synth/secret-guard', input: 'a private key in a ConfigMap', run: synthOne({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { key: '-----BEGIN EC PRIVATE KEY-----' } }) },
  { id: 'synth/secret-guard-unvouched', input: 'a v1 Secret with data, not made by BasicAuthSecret', run: synthOne({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'n' }, data: { config: 'aHVudGVyMg==' } }) },
  { id: 'synth/secret-guard-field', input: 'clientSecret in Helm values given as a string', run: synthOne({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'x', namespace: 'argocd' }, spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc' }, source: { repoURL: 'https://charts.example.com', chart: 'x', targetRevision: '1.0.0', helm: { values: 'oidc:\n  clientSecret: s3cr3t\n' } } } }) },
  { id: 'synth/schema', input: 'a misspelt field (Service spec.selectr)', run: synthOne({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selectr: { app: 'web' } } }) },
  { id: 'synth/secret-guard-der', input: 'a base64 DER (SEC1) EC private key in a ConfigMap', run: () => synthOne({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, binaryData: { key: testSec1Key() } })() },
  { id: 'synth/secret-guard-url', input: 'an external Prometheus URL with user:password@', run: synthOne({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { prometheusUrl: 'http://admin:pw@prometheus.monitoring:9090' } }) },
];
