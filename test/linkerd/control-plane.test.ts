import { Chart, Cron, Size } from 'cdk8s';
import { Cpu, ImagePullPolicy } from 'cdk8s-plus-25';
import {
  DefaultInboundPolicy, LinkerdControlPlane, LinkerdControlPlaneProps, LinkerdIdentity, LinkerdVersion,
  WebhookFailurePolicy,
} from '../../src/linkerd';
import { synthKind, testChart } from '../_util';

function controlPlane(props: Partial<LinkerdControlPlaneProps> = {}, chart: Chart = testChart()): LinkerdControlPlane {
  const identity = new LinkerdIdentity(chart, 'identity');
  return new LinkerdControlPlane(chart, 'cp', { identity, ...props });
}

describe('LinkerdControlPlane with the defaults', () => {
  test('values wire the identity, a fixed heartbeat and cert-manager webhook certificates', () => {
    expect(controlPlane().helmValues).toStrictEqual({
      clusterDomain: 'cluster.local',
      identityTrustDomain: 'cluster.local',
      identity: { externalCA: true, issuer: { scheme: 'kubernetes.io/tls' } },
      heartbeatSchedule: '0 0 * * *',
      proxyInjector: { externalSecret: true, injectCaFrom: 'linkerd/linkerd-proxy-injector' },
      profileValidator: { externalSecret: true, injectCaFrom: 'linkerd/linkerd-sp-validator' },
      policyValidator: { externalSecret: true, injectCaFrom: 'linkerd/linkerd-policy-validator' },
    });
  });

  test('emits the control-plane namespace the chart does not create', () => {
    const chart = testChart();
    controlPlane({}, chart);
    expect(synthKind(chart, 'Namespace').map(n => n.metadata)).toStrictEqual([{
      name: 'linkerd',
      annotations: { 'linkerd.io/inject': 'disabled' },
      labels: {
        'linkerd.io/is-control-plane': 'true',
        'config.linkerd.io/admission-webhooks': 'disabled',
        'linkerd.io/control-plane-ns': 'linkerd',
        'pod-security.kubernetes.io/enforce': 'privileged',
      },
    }]);
  });

  test('emits a webhook CA and one serving certificate per webhook, as Linkerd\'s docs describe', () => {
    const chart = testChart();
    controlPlane({}, chart);
    const certificates = synthKind(chart, 'Certificate').filter(c => c.metadata.namespace === 'linkerd' && !c.metadata.name.startsWith('linkerd-identity-issuer') && c.metadata.name !== 'linkerd-trust-anchor');
    expect(certificates.map(c => c.metadata.name)).toStrictEqual(['webhook-issuer-tls', 'linkerd-proxy-injector', 'linkerd-sp-validator', 'linkerd-policy-validator']);
    expect(certificates[1].spec).toStrictEqual({
      secretName: 'linkerd-proxy-injector-k8s-tls',
      issuerRef: { name: 'webhook-issuer', kind: 'Issuer', group: 'cert-manager.io' },
      commonName: 'linkerd-proxy-injector.linkerd.svc',
      dnsNames: ['linkerd-proxy-injector.linkerd.svc'],
      duration: '24h0m0s',
      renewBefore: '1h0m0s',
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      usages: ['server auth'],
    });
    expect(certificates[3].spec.privateKey).toStrictEqual({ algorithm: 'ECDSA', size: 256, encoding: 'PKCS8', rotationPolicy: 'Always' });
    expect(certificates[0].spec).toMatchObject({ isCA: true, privateKey: { rotationPolicy: 'Never' } });
    expect(synthKind(chart, 'Issuer').filter(i => i.metadata.namespace === 'linkerd').map(i => [i.metadata.name, Object.keys(i.spec)[0]]))
      .toStrictEqual([['linkerd-trust-root-issuer', 'selfSigned'], ['linkerd-identity-issuer', 'ca'], ['webhook-selfsigned-issuer', 'selfSigned'], ['webhook-issuer', 'ca']]);
  });

  test('without webhook certificates, nothing is emitted for the webhooks and the chart makes its own', () => {
    const chart = testChart();
    const cp = controlPlane({ webhookCertificates: false }, chart);
    expect(cp.webhooks).toBeUndefined();
    expect(cp.helmValues.proxyInjector).toBeUndefined();
    expect(synthKind(chart, 'Certificate').map(c => c.metadata.name)).toStrictEqual(['linkerd-trust-anchor', 'linkerd-identity-issuer']);
  });
});

describe('LinkerdControlPlane typed values', () => {
  test('every typed prop lands on its chart key', () => {
    const cp = controlPlane({
      clusterDomain: 'corp.local',
      controllerReplicas: 2,
      proxyResources: { cpuRequest: Cpu.millis(100), cpuLimit: Cpu.units(1), memoryRequest: Size.mebibytes(20), memoryLimit: Size.mebibytes(250) },
      proxyLogLevel: 'warn,linkerd=info',
      defaultInboundPolicy: DefaultInboundPolicy.ALL_AUTHENTICATED,
      clusterNetworks: ['10.0.0.0/8', 'fd00::/8'],
      heartbeatSchedule: Cron.schedule({ minute: '30', hour: '3' }),
      webhookFailurePolicy: WebhookFailurePolicy.FAIL,
      imagePullPolicy: ImagePullPolicy.ALWAYS,
    });
    expect(cp.helmValues).toMatchObject({
      clusterDomain: 'corp.local',
      controllerReplicas: 2,
      heartbeatSchedule: '30 3 * * *',
      webhookFailurePolicy: 'Fail',
      imagePullPolicy: 'Always',
      clusterNetworks: '10.0.0.0/8,fd00::/8',
      proxy: {
        logLevel: 'warn,linkerd=info',
        defaultInboundPolicy: 'all-authenticated',
        resources: { cpu: { request: '100m', limit: '1' }, memory: { request: '20Mi', limit: '250Mi' } },
      },
    });
  });

  test('ha applies the chart\'s values-ha profile of the version', () => {
    const latest = controlPlane({ ha: true }).helmValues;
    expect(latest).toMatchObject({ controllerReplicas: 3, enablePodAntiAffinity: true, enablePodDisruptionBudget: true, webhookFailurePolicy: 'Fail', highAvailability: true });
    const v212 = controlPlane({ ha: true, version: LinkerdVersion.V2_12 }).helmValues;
    expect(v212).toMatchObject({ controllerReplicas: 3, webhookFailurePolicy: 'Fail' });
    expect(v212.highAvailability).toBeUndefined();
  });

  test('typed props win over the HA profile, and values win over both', () => {
    const cp = controlPlane({
      ha: true, controllerReplicas: 5, webhookFailurePolicy: WebhookFailurePolicy.IGNORE, values: { controllerReplicas: 7 },
    });
    expect(cp.helmValues).toMatchObject({ controllerReplicas: 7, webhookFailurePolicy: 'Ignore' });
  });

  test('values reach any key the chart has, including documented commented-out keys and free-form maps', () => {
    const cp = controlPlane({
      values: {
        proxy: { logFormat: 'json' },
        nodeSelector: { 'node-role.kubernetes.io/infra': '' },
        tolerations: [{ key: 'infra', operator: 'Exists' }],
        destinationResources: { cpu: { request: '200m' } },
        podAnnotations: { 'example.com/team': 'mesh' },
      },
    });
    expect(cp.helmValues.proxy.logFormat).toBe('json');
    expect(cp.helmValues.tolerations).toStrictEqual([{ key: 'infra', operator: 'Exists' }]);
  });

  test.each(LinkerdVersion.all().map(v => [v.major, v]))('the typed values are valid for Linkerd %s', (_major, version) => {
    expect(() => controlPlane({ version, controllerReplicas: 3, proxyLogLevel: 'info', clusterNetworks: ['10.0.0.0/8'] })).not.toThrow();
  });
});

describe('LinkerdControlPlane rules', () => {
  test('fails on a values key the chart does not have, suggesting the right one', () => {
    expect(() => controlPlane({ values: { proxy: { logLevl: 'debug' } } }))
      .toThrow(/^\[test\/cp\] values key "proxy\.logLevl" is not a linkerd-control-plane 2\.20 value \(did you mean "proxy\.logLevel"\?\): Helm would ignore it silently$/);
  });

  test('fails on an unknown top-level values key', () => {
    expect(() => controlPlane({ values: { controllerReplica: 3 } })).toThrow(/values key "controllerReplica" is not a linkerd-control-plane 2\.20 value \(did you mean "controllerReplicas"\?\)/);
  });

  test('fails on a key that only another version\'s chart has', () => {
    expect(() => controlPlane({ version: LinkerdVersion.V2_12, values: { egress: { globalEgressNetworkNamespace: 'x' } } }))
      .toThrow(/values key "egress" is not a linkerd-control-plane 2\.12 value/);
  });

  test('fails on defaultInboundPolicy audit before Linkerd 2.16, naming both versions, also when given through values', () => {
    expect(() => controlPlane({ version: LinkerdVersion.V2_14, values: { proxy: { defaultInboundPolicy: 'audit' } } }))
      .toThrow(/^\[test\/cp\] proxy defaultInboundPolicy "audit" needs Linkerd 2\.16 or later/);
    expect(() => controlPlane({ version: LinkerdVersion.V2_14, defaultInboundPolicy: DefaultInboundPolicy.AUDIT }))
      .toThrow(/^\[test\/cp\] proxy defaultInboundPolicy "audit" needs Linkerd 2\.16 or later \(the audit default inbound policy\), but this is Linkerd 2\.14$/);
    expect(() => controlPlane({ version: LinkerdVersion.V2_16, defaultInboundPolicy: DefaultInboundPolicy.AUDIT })).not.toThrow();
  });

  test('the trust-manager identity recipe works on Linkerd 2.12: externalCA and the trust-roots ConfigMap exist there', () => {
    // linkerd/linkerd2@stable-2.12.6:charts/linkerd-control-plane/templates/identity.yaml:22-36 (externalCA skips the
    // ConfigMap) and controller/proxy-injector/webhook.go:48-52 (the injector reads the roots from it)
    const cp = controlPlane({ version: LinkerdVersion.V2_12 });
    expect(cp.helmValues.identity.externalCA).toBe(true);
    expect(cp.helmValues.identityTrustAnchorsPEM).toBeUndefined();
  });

  test.each(LinkerdVersion.all().map(v => [v.major, v]))('Linkerd %s: ha merges the tag\'s own values-ha.yaml', (_major, version) => {
    const cp = controlPlane({ version, ha: true });
    expect(cp.helmValues.controllerReplicas).toBe(3);
    expect(cp.helmValues.enablePodAntiAffinity).toBe(true);
  });

  test.each([
    ['2.20', LinkerdVersion.V2_20, { podMonitor: { enabled: true, controller: { honorTimestamps: true } } }],
    ['2.12', LinkerdVersion.V2_12, { podMonitor: { enabled: true }, proxyInit: { kubeAPIServerPorts: '443,6443', privileged: true } }],
  ])('Linkerd %s: keys of the tag\'s own values.yaml are accepted', (_major, version, values) => {
    expect(() => controlPlane({ version: version as LinkerdVersion, values: values as Record<string, any> })).not.toThrow();
  });

  test('fails on a value whose type is not the chart default\'s', () => {
    expect(() => controlPlane({ values: { controllerReplicas: 'three' } }))
      .toThrow(/^\[test\/cp\] values key "controllerReplicas" is "three", a string: the linkerd-control-plane 2\.20 chart's default is 1, a number$/);
    expect(() => controlPlane({ values: { proxy: { nativeSidecar: 'yes' } } }))
      .toThrow(/values key "proxy\.nativeSidecar" is "yes", a string: the linkerd-control-plane 2\.20 chart's default is true, a boolean/);
  });

  test('fails on a proxy log format the proxy would silently read as plain', () => {
    // linkerd/linkerd2-proxy@release/v2.359.0:linkerd/tracing/src/lib.rs:198: anything but "json" is plain
    expect(() => controlPlane({ values: { proxy: { logFormat: 'jsn' } } }))
      .toThrow(/^\[test\/cp\] values key "proxy\.logFormat" is "jsn": use one of plain, json \(anything else is read as plain\)$/);
    expect(() => controlPlane({ values: { proxy: { logFormat: 'json' }, controllerLogFormat: 'json' } })).not.toThrow();
  });

  test('fails on ha with fewer than 3 replicas', () => {
    expect(() => controlPlane({ ha: true, controllerReplicas: 2 }))
      .toThrow(/^\[test\/cp\] controllerReplicas 2 is too few for ha: the HA profile needs at least 3 replicas \(on at least 3 nodes\)$/);
  });

  test.each(['10.0.0.0/33', '10.0.0.0', 'fd00::/129', 'cluster'])('fails on the cluster network %j', cidr => {
    expect(() => controlPlane({ clusterNetworks: ['10.0.0.0/8', cidr] }))
      .toThrow(new RegExp(`^\\[test/cp\\] clusterNetworks entry "${cidr.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}" is not a CIDR`));
  });

  test('fails on a CPU limit below the request', () => {
    expect(() => controlPlane({ proxyResources: { cpuRequest: Cpu.millis(500), cpuLimit: Cpu.millis(100) } }))
      .toThrow(/^\[test\/cp\] proxy cpu limit 100m is below the cpu request 500m: the limit must be at least the request$/);
  });

  test('fails on a memory limit below the request', () => {
    expect(() => controlPlane({ proxyResources: { memoryRequest: Size.gibibytes(1), memoryLimit: Size.mebibytes(512) } }))
      .toThrow(/^\[test\/cp\] proxy memory limit 512Mi is below the memory request 1024Mi: the limit must be at least the request$/);
  });

  test('fails on a resource that is not a quantity', () => {
    expect(() => controlPlane({ values: { proxy: { resources: { cpu: { request: 'lots' } } } } }))
      .toThrow(/^\[test\/cp\] proxy cpu request "lots" is not a Kubernetes quantity \(e\.g\. 100m or 1 for cpu, 64Mi for memory\)$/);
  });

  test('fails on an empty proxy log level', () => {
    expect(() => controlPlane({ proxyLogLevel: '' }))
      .toThrow(/^\[test\/cp\] proxy logLevel "" is not a proxy log level: use env_logger directives such as warn,linkerd=info$/);
  });

  test('fails on a proxy log level that is not env_logger syntax', () => {
    expect(() => controlPlane({ proxyLogLevel: 'linkerd=loud' }))
      .toThrow(/^\[test\/cp\] proxy logLevel "linkerd=loud" is not a proxy log level: use env_logger directives such as warn,linkerd=info$/);
  });

  test('fails on an image pull policy Kubernetes does not know', () => {
    expect(() => controlPlane({ values: { imagePullPolicy: 'Sometimes' } }))
      .toThrow(/imagePullPolicy "Sometimes" is not allowed: use one of Always, IfNotPresent, Never/);
  });

  test('fails on a default inbound policy Linkerd does not know', () => {
    expect(() => controlPlane({ values: { proxy: { defaultInboundPolicy: 'allow' } } }))
      .toThrow(/^\[test\/cp\] proxy defaultInboundPolicy "allow" is not allowed: use one of all-unauthenticated, all-authenticated, cluster-unauthenticated, cluster-authenticated, deny, audit$/);
  });

  test('fails on a trust domain that is not a DNS-1123 subdomain', () => {
    expect(() => controlPlane({ values: { identityTrustDomain: 'Corp_Local' } })).toThrow(/identityTrustDomain "Corp_Local" must be a DNS-1123 subdomain/);
  });

  describe('the chart\'s webhook fail rules', () => {
    test('fails on a caBundle next to injectCaFrom', () => {
      expect(() => controlPlane({ values: { proxyInjector: { caBundle: '-----BEGIN CERTIFICATE-----' } } }))
        .toThrow(/proxyInjector: injectCaFrom or injectCaFromSecret cannot be set if providing a caBundle/);
    });

    test('fails on injectCaFrom and injectCaFromSecret together', () => {
      expect(() => controlPlane({ values: { profileValidator: { injectCaFromSecret: 'linkerd/ca' } } }))
        .toThrow(/profileValidator: injectCaFrom and injectCaFromSecret cannot both be set/);
    });

    test('fails on externalSecret without a CA source', () => {
      expect(() => controlPlane({ webhookCertificates: false, values: { policyValidator: { externalSecret: true } } }))
        .toThrow(/policyValidator: if externalSecret is set, then caBundle, injectCaFrom, or injectCaFromSecret must be set/);
    });

    test('fails on injectCaFrom without externalSecret', () => {
      expect(() => controlPlane({ webhookCertificates: false, values: { proxyInjector: { injectCaFrom: 'linkerd/x' } } }))
        .toThrow(/proxyInjector: if injectCaFrom or injectCaFromSecret is set, then externalSecret must be set/);
    });
  });
});

describe('LinkerdControlPlane.addRelease', () => {
  test('delivers the values as an Application that ignores the cainjector-written CA bundles', () => {
    const chart = testChart();
    const cp = controlPlane({}, chart);
    const release = cp.addRelease('release');
    const app = synthKind(chart, 'Application')[0];
    expect(app.spec.source).toStrictEqual({
      repoURL: 'https://helm.linkerd.io/edge', chart: 'linkerd-control-plane', targetRevision: '2026.6.3', helm: { valuesObject: cp.helmValues },
    });
    expect(app.spec.syncPolicy).toStrictEqual({ syncOptions: ['RespectIgnoreDifferences=true'], retry: { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m0s' } } });
    expect(app.spec.ignoreDifferences.map((d: any) => d.kind)).toStrictEqual(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);
    expect(release.application.ignoreDifferences.map(d => d.reason)).toStrictEqual([
      'cert-manager\'s cainjector writes the CA bundle of the webhooks (injectCaFrom)',
      'cert-manager\'s cainjector writes the CA bundle of the webhooks (injectCaFrom)',
    ]);
  });

  test('a 2.12 release comes from the stable repository', () => {
    const chart = testChart();
    controlPlane({ version: LinkerdVersion.V2_12 }, chart).addRelease('release');
    expect(synthKind(chart, 'Application')[0].spec.source).toMatchObject({ repoURL: 'https://helm.linkerd.io/stable', targetRevision: '1.9.8' });
  });
});
