import { ApiObject, Chart, Duration, JsonPatch, Testing } from 'cdk8s';
import { collectWarnings } from '../../src/_internal/warnings';
import { Certificate, KeyUsage, PrivateKey } from '../../src/cert-manager';
import { AnchorIssuerScope, LinkerdIdentity, LinkerdIdentityProps, TrustAnchor } from '../../src/linkerd';
import { ONE_DAY, testCertificate } from '../_certs';
import { synthKind, testChart } from '../_util';

function identity(props: LinkerdIdentityProps = {}): { chart: Chart; identity: LinkerdIdentity } {
  const chart = testChart();
  return { chart, identity: new LinkerdIdentity(chart, 'identity', props) };
}

/** The CA issuer backed by the anchor's key (the one that signs the identity issuer). */
function anchorIssuer(chart: Chart): any {
  return Testing.synth(chart).find(o => ['Issuer', 'ClusterIssuer'].includes(o.kind) && o.spec.ca);
}

function bundleSources(chart: Chart): string[] {
  return synthKind(chart, 'Bundle')[0].spec.sources.map((s: any) => s.secret.name);
}

describe('LinkerdIdentity with the defaults (self-signed anchor)', () => {
  const { chart, identity: id } = identity();
  const objects = Testing.synth(chart);

  test('emits Linkerd\'s chain with the anchor and its CA Issuer in the control-plane namespace, with explicit names', () => {
    expect(objects.map(o => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toStrictEqual([
      'Issuer linkerd/linkerd-trust-root-issuer',
      'Certificate linkerd/linkerd-trust-anchor',
      'Issuer linkerd/linkerd-identity-issuer',
      'Certificate linkerd/linkerd-identity-issuer',
      'Bundle /linkerd-identity-trust-roots',
      'ServiceAccount linkerd/linkerd-identity-restarter',
      'Role linkerd/linkerd-identity-restarter',
      'RoleBinding linkerd/linkerd-identity-restarter',
      'CronJob linkerd/linkerd-identity-restarter',
    ]);
    expect(id.anchorIssuerScope).toBe(AnchorIssuerScope.CONTROL_PLANE_NAMESPACE);
    expect(id.anchorNamespace).toBe('linkerd');
  });

  test('the anchor is a long-lived ECDSA P-256 CA that keeps its key on renewal', () => {
    expect(objects[1].spec).toStrictEqual({
      secretName: 'linkerd-trust-anchor',
      issuerRef: { name: 'linkerd-trust-root-issuer', kind: 'Issuer', group: 'cert-manager.io' },
      commonName: 'root.linkerd.cluster.local',
      isCA: true,
      duration: '8760h0m0s',
      renewBefore: '1440h0m0s',
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Never' },
    });
  });

  test('the identity issuer is signed by the anchor through a namespaced CA Issuer', () => {
    expect(objects[2].spec).toStrictEqual({ ca: { secretName: 'linkerd-trust-anchor' } });
    expect(objects[3].spec).toStrictEqual({
      secretName: 'linkerd-identity-issuer',
      issuerRef: { name: 'linkerd-identity-issuer', kind: 'Issuer', group: 'cert-manager.io' },
      commonName: 'identity.linkerd.cluster.local',
      isCA: true,
      duration: '48h0m0s',
      renewBefore: '25h0m0s',
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
    });
  });

  test('the Bundle writes ca-bundle.crt into control-plane namespaces', () => {
    expect(objects[4].spec).toStrictEqual({
      sources: [{ secret: { name: 'linkerd-trust-anchor', key: 'tls.crt' } }],
      target: { configMap: { key: 'ca-bundle.crt' }, namespaceSelector: { matchLabels: { 'linkerd.io/is-control-plane': 'true' } } },
    });
  });

  test('helmValues switch the chart to the external CA and issuer', () => {
    expect(id.helmValues).toStrictEqual({
      identityTrustDomain: 'cluster.local',
      identity: { externalCA: true, issuer: { scheme: 'kubernetes.io/tls' } },
    });
  });
});

describe('LinkerdIdentity options', () => {
  test('namespace and trust domain shape names and the issuer common name', () => {
    const { chart, identity: id } = identity({ namespace: 'mesh', trustDomain: 'prod.example.org', certManagerNamespace: 'certs' });
    const [anchor, issuer] = synthKind(chart, 'Certificate');
    expect(anchor.metadata.namespace).toBe('mesh');
    expect(anchorIssuer(chart).metadata.namespace).toBe('mesh');
    expect(anchor.spec.commonName).toBe('root.linkerd.prod.example.org');
    expect(issuer.metadata.namespace).toBe('mesh');
    expect(issuer.spec.commonName).toBe('identity.mesh.prod.example.org');
    expect(id.helmValues.identityTrustDomain).toBe('prod.example.org');
  });

  test('issuer duration, renewal and the 2.12 recipe\'s usages are passed through', () => {
    const { chart } = identity({
      issuerDuration: Duration.hours(72),
      issuerRenewBefore: Duration.hours(36),
      issuerUsages: [KeyUsage.CERT_SIGN, KeyUsage.CRL_SIGN, KeyUsage.SERVER_AUTH, KeyUsage.CLIENT_AUTH],
    });
    const issuer = synthKind(chart, 'Certificate')[1];
    expect(issuer.spec).toMatchObject({ duration: '72h0m0s', renewBefore: '36h0m0s', usages: ['cert sign', 'crl sign', 'server auth', 'client auth'] });
  });

  test('fromSecret references the operator\'s Secret and emits no anchor objects', () => {
    const { chart, identity: id } = identity({ trustAnchor: TrustAnchor.fromSecret('offline-root') });
    expect(synthKind(chart, 'Issuer').map(i => i.spec)).toStrictEqual([{ ca: { secretName: 'offline-root' } }]);
    expect(synthKind(chart, 'Certificate').map(c => c.metadata.name)).toStrictEqual(['linkerd-identity-issuer']);
    expect(synthKind(chart, 'Secret')).toStrictEqual([]);
    expect(synthKind(chart, 'ClusterIssuer')).toStrictEqual([]);
    expect(bundleSources(chart)).toStrictEqual(['offline-root']);
    expect(id.helmValues.identityTrustAnchorsPEM).toBeUndefined();
  });

  test('fails when the namespace is not a DNS-1123 label', () => {
    expect(() => identity({ namespace: 'Linkerd.System' })).toThrow(/^\[test\/identity\] namespace "Linkerd\.System" must be a DNS-1123 label/);
  });

  test('fails when the trust domain is not a DNS-1123 subdomain', () => {
    expect(() => identity({ trustDomain: 'cluster_local' })).toThrow(/^\[test\/identity\] trustDomain "cluster_local" must be a DNS-1123 subdomain/);
  });

  test('fails when certManagerNamespace is not a DNS-1123 label', () => {
    expect(() => identity({ certManagerNamespace: 'cert_manager' })).toThrow(/^\[test\/identity\] certManagerNamespace "cert_manager" must be a DNS-1123 label/);
  });

  test('fails when issuerRenewBefore is not longer than the 24h workload certificate lifetime', () => {
    expect(() => identity({ issuerRenewBefore: Duration.hours(24) }))
      .toThrow(/^\[test\/identity\] issuerRenewBefore 24h0m0s must be longer than 24h0m0s, the lifetime of the workload certificates the issuer signs$/);
  });

  test('fails with cert-manager\'s rule on the issuer when renewBefore exceeds duration', () => {
    expect(() => identity({ issuerDuration: Duration.hours(48), issuerRenewBefore: Duration.hours(50) }))
      .toThrow(/^\[test\/identity\/issuer\] renewBefore 50h0m0s must be shorter than duration 48h0m0s$/);
  });

  test.each([
    [PrivateKey.ecdsa({ size: 384 }), 'ECDSA 384'],
    [PrivateKey.rsa(), 'RSA 2048'],
    [PrivateKey.ed25519(), 'Ed25519'],
  ])('fails when the issuer key is %s', (key, text) => {
    expect(() => identity({ issuerPrivateKey: key }))
      .toThrow(new RegExp(`^\\[test/identity\\] issuerPrivateKey ${text} is not allowed: Linkerd's identity issuer must be ECDSA P-256`));
  });

  test('fails when issuer usages have extended key usages but not server auth', () => {
    expect(() => identity({ issuerUsages: [KeyUsage.CERT_SIGN, KeyUsage.CLIENT_AUTH] }))
      .toThrow(/^\[test\/identity\] issuerUsages \[cert sign, client auth\] has extended key usages without "server auth"/);
  });

  test('accepts issuer usages without extended key usages', () => {
    expect(() => identity({ issuerUsages: [KeyUsage.CERT_SIGN, KeyUsage.CRL_SIGN] })).not.toThrow();
  });

  test('fails when the anchor does not outlive the issuer', () => {
    expect(() => identity({ trustAnchor: TrustAnchor.selfSigned({ duration: Duration.hours(48), renewBefore: Duration.hours(2) }) }))
      .toThrow(/^\[test\/identity\] trustAnchor duration 48h0m0s must be longer than issuerDuration 48h0m0s: the anchor must outlive the issuer it signs$/);
  });

  test('fails when the self-signed anchor key is not one Linkerd accepts', () => {
    expect(() => identity({ trustAnchor: TrustAnchor.selfSigned({ privateKey: PrivateKey.ecdsa({ size: 521 }) }) }))
      .toThrow(/^\[test\/identity\] trustAnchor privateKey ECDSA 521 is not allowed: a Linkerd trust anchor must be ECDSA P-256 or RSA 2048\/4096$/);
    expect(() => identity({ trustAnchor: TrustAnchor.selfSigned({ privateKey: PrivateKey.rsa({ size: 4096 }) }) })).not.toThrow();
  });

  test('fails when the anchor and the issuer share a common name', () => {
    expect(() => identity({ trustAnchor: TrustAnchor.selfSigned({ commonName: 'identity.linkerd.cluster.local' }) }))
      .toThrow(/^\[test\/identity\] trustAnchor has the common name "identity\.linkerd\.cluster\.local", like the identity issuer: anchor and issuer need distinct subjects$/);
  });

  test('fails when trustBundle is off and an anchor has no PEM', () => {
    expect(() => identity({ trustBundle: false, trustAnchor: TrustAnchor.fromSecret('root') }))
      .toThrow(/^\[test\/identity\] trustAnchor needs its PEM \(TrustAnchor\.fromPem\) when trustBundle is false/);
  });

  describe('at synth, on what a patch renders', () => {
    function patchIssuer(patch: JsonPatch): Chart {
      const { chart, identity: id } = identity();
      ApiObject.of(id.issuerCertificate).addJsonPatch(patch);
      return chart;
    }

    test('fails when the identity issuer is not a CA', () => {
      // patches on generated L1s address the TypeScript prop names (isCa), which toJson maps back to isCA
      expect(() => Testing.synth(patchIssuer(JsonPatch.replace('/spec/isCa', false))))
        .toThrow(/\[test\/identity\] the identity issuer certificate must have isCA: true/);
    });

    test('fails when the identity issuer key is not ECDSA P-256', () => {
      expect(() => Testing.synth(patchIssuer(JsonPatch.remove('/spec/privateKey/algorithm'))))
        .toThrow(/\[test\/identity\] the identity issuer key RSA \(algorithm unset\) 256 is not allowed: Linkerd needs ECDSA P-256/);
    });

    test('fails when the identity issuer writes another Secret', () => {
      expect(() => Testing.synth(patchIssuer(JsonPatch.replace('/spec/secretName', 'other'))))
        .toThrow(/\[test\/identity\] the identity issuer must write Secret linkerd\/linkerd-identity-issuer, got linkerd\/other/);
    });
  });
});

describe('staged trust-anchor rotation', () => {
  const a = TrustAnchor.selfSigned({ secretName: 'linkerd-trust-anchor-a' });
  const b = TrustAnchor.selfSigned({ secretName: 'linkerd-trust-anchor-b', commonName: 'root-b.linkerd.cluster.local' });

  test('stage 1 adds the next anchor to the bundle; the issuer stays on the current one', () => {
    const { chart } = identity({ trustAnchor: a, nextTrustAnchor: b });
    expect(bundleSources(chart)).toStrictEqual(['linkerd-trust-anchor-a', 'linkerd-trust-anchor-b']);
    expect(anchorIssuer(chart).spec.ca.secretName).toBe('linkerd-trust-anchor-a');
    expect(synthKind(chart, 'Certificate').map(c => c.metadata.name))
      .toStrictEqual(['linkerd-trust-anchor-a', 'linkerd-trust-anchor-b', 'linkerd-identity-issuer']);
  });

  test('stage 2 switches the issuer and keeps the previous anchor', () => {
    const { chart } = identity({ trustAnchor: b, previousTrustAnchor: a });
    expect(bundleSources(chart)).toStrictEqual(['linkerd-trust-anchor-b', 'linkerd-trust-anchor-a']);
    expect(anchorIssuer(chart).spec.ca.secretName).toBe('linkerd-trust-anchor-b');
  });

  test('stage 3 drops the previous anchor', () => {
    const { chart } = identity({ trustAnchor: b });
    expect(bundleSources(chart)).toStrictEqual(['linkerd-trust-anchor-b']);
    expect(synthKind(chart, 'Certificate').map(c => c.metadata.name)).toStrictEqual(['linkerd-trust-anchor-b', 'linkerd-identity-issuer']);
  });

  test('each stage changes only what it must: the anchor Certificate is identical in every stage', () => {
    const stage1 = synthKind(identity({ trustAnchor: a, nextTrustAnchor: b }).chart, 'Certificate')[1];
    const stage3 = synthKind(identity({ trustAnchor: b }).chart, 'Certificate')[0];
    expect(stage1).toStrictEqual(stage3);
  });

  test('fails when next and previous anchors are both set', () => {
    expect(() => identity({ trustAnchor: b, nextTrustAnchor: a, previousTrustAnchor: a }))
      .toThrow(/nextTrustAnchor and previousTrustAnchor cannot both be set: rotate in stages/);
  });

  test('fails when two anchors share a Secret', () => {
    expect(() => identity({ trustAnchor: a, nextTrustAnchor: TrustAnchor.fromSecret('linkerd-trust-anchor-a') }))
      .toThrow(/^\[test\/identity\] nextTrustAnchor uses Secret "linkerd-trust-anchor-a", like trustAnchor: each trust anchor needs its own Secret$/);
  });
});

describe('TrustAnchor.fromPem, checked like linkerd check', () => {
  let good: string;
  let goodKey: string;
  beforeAll(async () => {
    ({ certPem: good, keyPem: goodKey } = await testCertificate());
  });

  test('a valid ECDSA P-256 CA becomes identityTrustAnchorsPEM, normalized', () => {
    const { chart, identity: id } = identity({ trustAnchor: TrustAnchor.fromPem(`\n\n${good}\n\n`, 'root') });
    expect(id.helmValues.identityTrustAnchorsPEM).toBe(good.trim() + '\n');
    expect(synthKind(chart, 'Secret')).toStrictEqual([]);
    expect(collectWarnings(chart)).toStrictEqual([]);
  });

  test('every anchor of a rotation goes into identityTrustAnchorsPEM when all PEMs are known', async () => {
    const next = (await testCertificate({ commonName: 'root-2' })).certPem;
    const { identity: id } = identity({ trustAnchor: TrustAnchor.fromPem(good, 'root'), nextTrustAnchor: TrustAnchor.fromPem(next, 'root-2') });
    expect(id.helmValues.identityTrustAnchorsPEM).toBe(`${good.trim()}\n${next.trim()}\n`);
  });

  test('trustBundle: false renders the trust roots through the chart instead of a Bundle', () => {
    const { chart, identity: id } = identity({ trustBundle: false, trustAnchor: TrustAnchor.fromPem(good, 'root') });
    expect(synthKind(chart, 'Bundle')).toStrictEqual([]);
    expect(id.bundle).toBeUndefined();
    expect(id.helmValues.identity.externalCA).toBe(false);
    expect(id.helmValues.identityTrustAnchorsPEM).toBeDefined();
  });

  test('accepts an RSA 2048 anchor signed with SHA256WithRSA', async () => {
    const rsa = (await testCertificate({ key: 'rsa2048' })).certPem;
    expect(() => identity({ trustAnchor: TrustAnchor.fromPem(rsa, 'root') })).not.toThrow();
  }, 30_000);

  test('fails when the PEM carries the private key', () => {
    expect(() => identity({ trustAnchor: TrustAnchor.fromPem(good + goodKey, 'root') }))
      .toThrow(/^\[test\/identity\] trustAnchor PEM contains a private key: pass only the public certificate \(ca\.crt\), never the key$/);
  });

  test('fails when the PEM holds no certificate', () => {
    expect(() => identity({ trustAnchor: TrustAnchor.fromPem('not a pem', 'root') }))
      .toThrow(/^\[test\/identity\] trustAnchor PEM is not a PEM certificate: expected one or more -----BEGIN CERTIFICATE----- blocks$/);
  });

  test('fails when the certificate does not parse', () => {
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    expect(() => identity({ trustAnchor: TrustAnchor.fromPem(broken, 'root') })).toThrow(/^\[test\/identity\] trustAnchor PEM certificate does not parse: /);
  });

  test('fails when the certificate is not a CA', async () => {
    const leaf = (await testCertificate({ ca: false, commonName: 'leaf' })).certPem;
    expect(() => identity({ trustAnchor: TrustAnchor.fromPem(leaf, 'root') }))
      .toThrow(/^\[test\/identity\] trustAnchor PEM certificate \(CN=leaf\) is not a CA \(basicConstraints CA:FALSE\): a trust anchor must be a CA certificate$/);
  });

  test('fails on a P-384 key', async () => {
    const p384 = (await testCertificate({ key: 'P-384' })).certPem;
    expect(() => identity({ trustAnchor: TrustAnchor.fromPem(p384, 'root') }))
      .toThrow(/trustAnchor PEM certificate \(CN=root\.linkerd\.cluster\.local\) uses ECDSA curve secp384r1: Linkerd needs ECDSA P-256 \(prime256v1\) or RSA 2048\/4096/);
  });

  test('fails on an RSA 3072 key', async () => {
    const rsa = (await testCertificate({ key: 'rsa3072' })).certPem;
    expect(() => identity({ trustAnchor: TrustAnchor.fromPem(rsa, 'root') }))
      .toThrow(/trustAnchor PEM certificate \(CN=root\.linkerd\.cluster\.local\) has a 3072-bit RSA key: Linkerd needs RSA 2048 or 4096/);
  }, 30_000);

  test('fails on a SHA-384 signature', async () => {
    const sha384 = (await testCertificate({ hash: 'SHA-384' })).certPem;
    expect(() => identity({ trustAnchor: TrustAnchor.fromPem(sha384, 'root') }))
      .toThrow(/trustAnchor PEM certificate \(CN=root\.linkerd\.cluster\.local\) is signed with ECDSAWithSHA384: Linkerd needs ECDSAWithSHA256 or SHA256WithRSA/);
  });

  test('fails on an RSA anchor signed with SHA-384', async () => {
    const rsa = (await testCertificate({ key: 'rsa2048', hash: 'SHA-384' })).certPem;
    expect(() => identity({ trustAnchor: TrustAnchor.fromPem(rsa, 'root') }))
      .toThrow(/trustAnchor PEM certificate \(CN=root\.linkerd\.cluster\.local\) is signed with SHA384WithRSA: Linkerd needs SHA256WithRSA for an RSA anchor/);
  }, 30_000);

  test('fails on an Ed25519 anchor', async () => {
    const ed = (await testCertificate({ key: 'Ed25519' })).certPem;
    expect(() => identity({ trustAnchor: TrustAnchor.fromPem(ed, 'root') }))
      .toThrow(/trustAnchor PEM certificate \(CN=root\.linkerd\.cluster\.local\) has a ed25519 key: Linkerd needs ECDSA P-256 or RSA 2048\/4096/);
  });

  test('fails when the anchor has expired', async () => {
    const expired = (await testCertificate({ notBefore: new Date(Date.UTC(2020, 0, 1)), notAfter: new Date(Date.UTC(2021, 0, 1)) })).certPem;
    expect(() => identity({ trustAnchor: TrustAnchor.fromPem(expired, 'root') }))
      .toThrow(/trustAnchor PEM certificate \(CN=root\.linkerd\.cluster\.local\) expired on 2021-01-01T00:00:00\.000Z/);
  });

  test('fails when the anchor is not valid yet', async () => {
    const future = (await testCertificate({ notBefore: new Date(Date.now() + 10 * ONE_DAY) })).certPem;
    expect(() => identity({ trustAnchor: TrustAnchor.fromPem(future, 'root') })).toThrow(/trustAnchor PEM certificate \(CN=.*\) is not valid before /);
  });

  test('fails when the anchor expires before an issuer signed now would', async () => {
    const short = (await testCertificate({ notAfter: new Date(Date.now() + ONE_DAY) })).certPem;
    expect(() => identity({ trustAnchor: TrustAnchor.fromPem(short, 'root') }))
      .toThrow(/trustAnchor PEM certificate \(CN=root\.linkerd\.cluster\.local\) expires on .*, before an identity issuer signed now \(issuerDuration 48h0m0s\) would/);
  });

  test('warns, without failing, when less than 60 days are left', async () => {
    const soon = (await testCertificate({ notAfter: new Date(Date.now() + 30 * ONE_DAY + 3_600_000) })).certPem;
    const { chart } = identity({ trustAnchor: TrustAnchor.fromPem(soon, 'root') });
    expect(collectWarnings(chart)).toStrictEqual([{
      path: 'test/identity',
      message: expect.stringMatching(/^trustAnchor PEM certificate \(CN=root\.linkerd\.cluster\.local\) expires in 30 days \(.*\): plan the anchor rotation$/),
    }]);
  });

  test('fails when the PEM anchor has the issuer\'s common name', async () => {
    const same = (await testCertificate({ commonName: 'identity.linkerd.cluster.local' })).certPem;
    expect(() => identity({ trustAnchor: TrustAnchor.fromPem(same, 'root') })).toThrow(/trustAnchor has the common name "identity\.linkerd\.cluster\.local"/);
  });
});

describe('who can use the trust anchor\'s key (issue 13 §1)', () => {
  const workloadIdentity = 'default.team-a.serviceaccount.identity.linkerd.cluster.local';
  const scopes: Array<[string, LinkerdIdentityProps]> = [
    ['the defaults', {}],
    ['an offline anchor', { trustAnchor: TrustAnchor.fromSecret('offline-root') }],
    ['rotation stage 1', { trustAnchor: TrustAnchor.selfSigned({ secretName: 'a' }), nextTrustAnchor: TrustAnchor.selfSigned({ secretName: 'b', commonName: 'b' }) }],
    ['rotation stage 2', { trustAnchor: TrustAnchor.selfSigned({ secretName: 'b', commonName: 'b' }), previousTrustAnchor: TrustAnchor.fromSecret('a') }],
  ];

  test.each(scopes)('%s: no ClusterIssuer, and every issuer and Secret of an anchor is in the control-plane namespace', (_, props) => {
    const { chart } = identity({ namespace: 'mesh', ...props });
    const objects = Testing.synth(chart);
    expect(objects.filter(o => o.kind === 'ClusterIssuer')).toStrictEqual([]);
    const anchorSecrets = new Set(bundleSources(chart));
    const caIssuers = objects.filter(o => o.kind === 'Issuer' && o.spec.ca);
    expect(caIssuers.map(o => `${o.metadata.namespace}/${o.spec.ca.secretName}`)).toStrictEqual([`mesh/${[...anchorSecrets][0]}`]);
    const anchorCertificates = objects.filter(o => o.kind === 'Certificate' && anchorSecrets.has(o.spec.secretName));
    anchorCertificates.forEach(c => expect(c.metadata.namespace).toBe('mesh'));
    const issuer = objects.find(o => o.kind === 'Certificate' && o.metadata.name === 'linkerd-identity-issuer');
    expect(issuer.metadata.namespace).toBe('mesh');
    expect(issuer.spec.issuerRef).toStrictEqual({ name: caIssuers[0].metadata.name, kind: 'Issuer', group: 'cert-manager.io' });
    expect(collectWarnings(chart)).toStrictEqual([]);
  });

  test('a Certificate in another namespace cannot use the anchor to mint a workload identity', () => {
    const { chart, identity: id } = identity();
    expect(() => new Certificate(chart, 'impersonate', {
      metadata: { name: 'impersonate', namespace: 'team-a' },
      issuer: id.anchorIssuer,
      secretName: 'impersonate',
      commonName: workloadIdentity,
    })).toThrow(/namespace "team-a" cannot use Issuer linkerd\/linkerd-identity-issuer: an Issuer only issues Certificates in its own namespace/);
  });

  test('the opt-in ClusterIssuer is Linkerd\'s recipe, in cert-manager\'s namespace, and warns about the risk', () => {
    const { chart, identity: id } = identity({ anchorIssuerScope: AnchorIssuerScope.CLUSTER });
    expect(Testing.synth(chart).map(o => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toStrictEqual([
      'Issuer cert-manager/linkerd-trust-root-issuer',
      'Certificate cert-manager/linkerd-trust-anchor',
      'ClusterIssuer /linkerd-identity-issuer',
      'Certificate linkerd/linkerd-identity-issuer',
      'Bundle /linkerd-identity-trust-roots',
      'ServiceAccount linkerd/linkerd-identity-restarter',
      'Role linkerd/linkerd-identity-restarter',
      'RoleBinding linkerd/linkerd-identity-restarter',
      'CronJob linkerd/linkerd-identity-restarter',
    ]);
    expect(anchorIssuer(chart).spec).toStrictEqual({ ca: { secretName: 'linkerd-trust-anchor' } });
    expect(id.anchorNamespace).toBe('cert-manager');
    expect(collectWarnings(chart)).toStrictEqual([{
      path: 'test/identity',
      message: expect.stringMatching(/^anchorIssuerScope CLUSTER: the ClusterIssuer linkerd-identity-issuer signs with the trust anchor's key.*anyone who can create a Certificate in any namespace can mint <sa>\.<ns>\.serviceaccount\.identity\.linkerd\.cluster\.local/),
    }]);
    // the risk the warning names: any namespace may reference a ClusterIssuer
    const impersonation = new Certificate(chart, 'impersonate', {
      metadata: { name: 'impersonate', namespace: 'team-a' }, issuer: id.anchorIssuer, secretName: 'impersonate', commonName: workloadIdentity,
    });
    expect(ApiObject.of(impersonation).toJson().spec.issuerRef.kind).toBe('ClusterIssuer');
  });

  test('fails when anchorIssuerScope is not a known scope', () => {
    expect(() => identity({ anchorIssuerScope: 'namespace' as AnchorIssuerScope }))
      .toThrow(/anchorIssuerScope "namespace" is not one of "control-plane-namespace", "cluster"/);
  });
});
