import { Cron, Duration, Size } from 'cdk8s';
import { CronJob, Cpu, Job, k8s } from 'cdk8s-plus-25';
import { DefaultInboundPolicy, LinkerdVersion } from '../../src/linkerd';
import { AccessLogFormat, InjectMode, Mesh, PortRange, ProxyLogFormat } from '../../src/mesh';
import { synthKind, testChart } from '../_util';
import { deployment, namespace, rendered, synthOne, warnings } from './_fixtures';

describe('Mesh.inject on workloads', () => {
  test('annotates the pod template of a cdk8s-plus Deployment, never the Deployment itself', () => {
    // GIVEN
    const chart = testChart();
    const web = deployment(chart, 'web');
    // WHEN
    Mesh.inject(web);
    // THEN
    const obj = synthOne(chart, 'Deployment', 'web');
    expect(obj.spec.template.metadata.annotations).toStrictEqual({ 'linkerd.io/inject': 'enabled' });
    expect(obj.metadata.annotations).toBeUndefined();
  });

  test('writes typed proxy settings as config.linkerd.io annotations next to linkerd.io/inject', () => {
    const chart = testChart();
    const web = deployment(chart, 'web');
    Mesh.inject(web, {
      proxy: {
        cpuRequest: Cpu.millis(100), cpuLimit: Cpu.units(1), memoryRequest: Size.mebibytes(20), memoryLimit: Size.gibibytes(1),
        logLevel: 'warn,linkerd=debug', logFormat: ProxyLogFormat.JSON, accessLog: AccessLogFormat.APACHE,
        opaquePorts: [PortRange.of(3306), PortRange.between(4000, 4100)], skipInboundPorts: [PortRange.of(9090)],
        skipOutboundPorts: [PortRange.of(25)],
        await: false, nativeSidecar: true, defaultInboundPolicy: DefaultInboundPolicy.AUDIT, shutdownGracePeriod: Duration.seconds(30),
      },
    });
    expect(synthOne(chart, 'Deployment', 'web').spec.template.metadata.annotations).toStrictEqual({
      'linkerd.io/inject': 'enabled',
      'config.linkerd.io/proxy-cpu-request': '100m',
      'config.linkerd.io/proxy-cpu-limit': '1',
      'config.linkerd.io/proxy-memory-request': '20Mi',
      'config.linkerd.io/proxy-memory-limit': '1024Mi',
      'config.linkerd.io/proxy-log-level': 'warn,linkerd=debug',
      'config.linkerd.io/proxy-log-format': 'json',
      'config.linkerd.io/access-log': 'apache',
      'config.linkerd.io/opaque-ports': '3306,4000-4100',
      'config.linkerd.io/skip-inbound-ports': '9090',
      'config.linkerd.io/skip-outbound-ports': '25',
      'config.linkerd.io/proxy-await': 'disabled',
      'config.linkerd.io/proxy-enable-native-sidecar': 'true',
      'config.linkerd.io/default-inbound-policy': 'audit',
      'config.linkerd.io/shutdown-grace-period': '30s',
    });
  });

  test('uses the alpha native-sidecar key before 2.20', () => {
    const chart = testChart();
    Mesh.inject(deployment(chart, 'web'), { version: LinkerdVersion.V2_16, proxy: { nativeSidecar: true } });
    expect(synthOne(chart, 'Deployment', 'web').spec.template.metadata.annotations['config.alpha.linkerd.io/proxy-enable-native-sidecar']).toBe('true');
  });

  test('opts a pod template out with disabled and meshes an ingress with ingress', () => {
    const chart = testChart();
    Mesh.inject(deployment(chart, 'batch'), { mode: InjectMode.DISABLED });
    Mesh.inject(deployment(chart, 'edge'), { mode: InjectMode.INGRESS });
    expect(synthOne(chart, 'Deployment', 'batch').spec.template.metadata.annotations).toStrictEqual({ 'linkerd.io/inject': 'disabled' });
    expect(synthOne(chart, 'Deployment', 'edge').spec.template.metadata.annotations).toStrictEqual({ 'linkerd.io/inject': 'ingress' });
  });

  test('patches the pod template of raw objects, creating the annotations where they are missing', () => {
    const chart = testChart();
    const raw = new k8s.KubeDeployment(chart, 'raw', {
      metadata: { name: 'raw' },
      spec: { selector: { matchLabels: { app: 'raw' } }, template: { metadata: { labels: { app: 'raw' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
    });
    const cron = new k8s.KubeCronJob(chart, 'cron', {
      metadata: { name: 'cron' },
      spec: { schedule: '0 0 * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] } } } } },
    });
    const pod = new k8s.KubePod(chart, 'pod', { metadata: { name: 'pod' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
    Mesh.inject(raw, { proxy: { opaquePorts: [PortRange.of(5432)] } });
    Mesh.inject(cron);
    Mesh.inject(pod);
    expect(rendered(raw).spec.template.metadata).toStrictEqual({
      labels: { app: 'raw' },
      annotations: { 'linkerd.io/inject': 'enabled', 'config.linkerd.io/opaque-ports': '5432' },
    });
    expect(rendered(raw).metadata.annotations).toBeUndefined();
    expect(rendered(cron).spec.jobTemplate.spec.template.metadata.annotations)
      .toStrictEqual({ 'linkerd.io/inject': 'enabled', 'config.linkerd.io/proxy-enable-native-sidecar': 'true' });
    expect(rendered(pod).metadata.annotations).toStrictEqual({ 'linkerd.io/inject': 'enabled' });
  });
});

describe('Mesh.inject on namespaces', () => {
  test('annotates a cdk8s-plus Namespace and a raw Namespace', () => {
    const chart = testChart();
    Mesh.inject(namespace(chart, 'shop'), { proxy: { defaultInboundPolicy: DefaultInboundPolicy.ALL_AUTHENTICATED } });
    Mesh.inject(new k8s.KubeNamespace(chart, 'raw', { metadata: { name: 'raw' } }));
    expect(synthKind(chart, 'Namespace').map(n => [n.metadata.name, n.metadata.annotations])).toStrictEqual([
      ['shop', { 'linkerd.io/inject': 'enabled', 'config.linkerd.io/default-inbound-policy': 'all-authenticated' }],
      ['raw', { 'linkerd.io/inject': 'enabled' }],
    ]);
  });

  test('warns when the webhook never sees the namespace: kube-system, cert-manager, or the admission-webhooks label', () => {
    const chart = testChart();
    Mesh.inject(namespace(chart, 'kube-system'));
    Mesh.inject(new k8s.KubeNamespace(chart, 'labelled', { metadata: { name: 'tools', labels: { 'config.linkerd.io/admission-webhooks': 'disabled' } } }));
    Mesh.inject(deployment(chart, 'issuer', { namespace: 'cert-manager' }));
    expect(warnings(chart)).toStrictEqual([
      '[test/ns-kube-system] linkerd.io/inject: enabled has no effect: namespace kube-system is excluded by the proxy injector webhook',
      '[test/labelled] linkerd.io/inject: enabled has no effect: namespace tools is labelled config.linkerd.io/admission-webhooks: disabled, which the proxy injector webhook skips',
      '[test/issuer] linkerd.io/inject: enabled has no effect: namespace cert-manager is excluded by the proxy injector webhook',
    ]);
  });

  test('warns for a workload in a namespace of the app labelled admission-webhooks: disabled', () => {
    const chart = testChart();
    new k8s.KubeNamespace(chart, 'tools', { metadata: { name: 'tools', labels: { 'config.linkerd.io/admission-webhooks': 'disabled' } } });
    Mesh.inject(deployment(chart, 'web', { namespace: 'tools' }));
    expect(warnings(chart)).toStrictEqual([
      '[test/web] linkerd.io/inject: enabled has no effect: namespace tools is labelled config.linkerd.io/admission-webhooks: disabled, which the proxy injector webhook skips',
    ]);
  });
});

describe('Mesh.inject on Jobs and CronJobs', () => {
  function job(version?: LinkerdVersion, nativeSidecar?: boolean) {
    const chart = testChart();
    const j = new Job(chart, 'job', { metadata: { name: 'job' }, containers: [{ image: 'busybox:1.36' }] });
    Mesh.inject(j, { version, proxy: nativeSidecar === undefined ? undefined : { nativeSidecar } });
    return { chart, annotations: synthOne(chart, 'Job', 'job').spec.template.metadata.annotations };
  }

  test('injects a native sidecar, with the key of the version', () => {
    expect(job().annotations).toStrictEqual({ 'linkerd.io/inject': 'enabled', 'config.linkerd.io/proxy-enable-native-sidecar': 'true' });
    expect(job(LinkerdVersion.V2_17).annotations).toStrictEqual({ 'linkerd.io/inject': 'enabled', 'config.alpha.linkerd.io/proxy-enable-native-sidecar': 'true' });
  });

  test('warns that the job never completes where there is no native sidecar', () => {
    const { chart, annotations } = job(LinkerdVersion.V2_14);
    expect(annotations).toStrictEqual({ 'linkerd.io/inject': 'enabled' });
    expect(warnings(chart)).toStrictEqual([
      '[test/job] Linkerd 2.14 has no native sidecar proxy (2.15+): the proxy keeps running after the Job\'s containers exit, so the Job never completes; '
        + 'inject it with linkerd.io/inject: disabled or upgrade',
    ]);
  });

  test('warns when native sidecars are switched off for a CronJob', () => {
    const chart = testChart();
    Mesh.inject(new CronJob(chart, 'cron', { schedule: Cron.daily(), containers: [{ image: 'busybox:1.36' }] }), { proxy: { nativeSidecar: false } });
    expect(warnings(chart)).toStrictEqual([
      '[test/cron] nativeSidecar is false: the proxy keeps running after the CronJob\'s containers exit, so the CronJob never completes; '
        + 'inject it as a native sidecar or with linkerd.io/inject: disabled',
    ]);
  });

  test('a disabled Job gets neither an annotation for the sidecar nor a warning', () => {
    const chart = testChart();
    Mesh.inject(new Job(chart, 'job', { metadata: { name: 'job' }, containers: [{ image: 'busybox:1.36' }] }), { mode: InjectMode.DISABLED, version: LinkerdVersion.V2_12 });
    expect(synthOne(chart, 'Job', 'job').spec.template.metadata.annotations).toStrictEqual({ 'linkerd.io/inject': 'disabled' });
    expect(warnings(chart)).toStrictEqual([]);
  });
});

describe('Mesh.injectAll', () => {
  test('meshes every namespace and workload under a scope, leaving explicit choices and excluded namespaces alone', () => {
    // GIVEN
    const chart = testChart();
    namespace(chart, 'shop');
    new k8s.KubeNamespace(chart, 'control-plane', { metadata: { name: 'linkerd', annotations: { 'linkerd.io/inject': 'disabled' } } });
    namespace(chart, 'kube-system');
    const web = deployment(chart, 'web', { namespace: 'shop' });
    Mesh.inject(deployment(chart, 'legacy', { namespace: 'shop' }), { mode: InjectMode.DISABLED });
    deployment(chart, 'dns', { namespace: 'kube-system' });
    // WHEN
    const meshed = Mesh.injectAll(chart);
    // THEN
    expect(meshed.map(c => c.node.path)).toStrictEqual(['test/ns-shop', 'test/web']);
    expect(synthKind(chart, 'Namespace').map(n => [n.metadata.name, n.metadata.annotations?.['linkerd.io/inject']]))
      .toStrictEqual([['shop', 'enabled'], ['linkerd', 'disabled'], ['kube-system', undefined]]);
    expect(synthOne(chart, 'Deployment', 'legacy').spec.template.metadata.annotations).toStrictEqual({ 'linkerd.io/inject': 'disabled' });
    expect(rendered(web).spec.template.metadata.annotations).toStrictEqual({ 'linkerd.io/inject': 'enabled' });
    expect(warnings(chart)).toStrictEqual([]);
  });
});

describe('Mesh.inject bad input', () => {
  test('fails on an inject value outside the enum', () => {
    const chart = testChart();
    const web = deployment(chart, 'web');
    expect(() => Mesh.inject(web, { mode: 'on' as InjectMode }))
      .toThrow(/^\[test\/web\] linkerd\.io\/inject "on" is not allowed: use one of enabled, disabled, ingress$/);
  });

  test('fails on something that is neither a namespace nor a workload', () => {
    const chart = testChart();
    const map = new k8s.KubeConfigMap(chart, 'config', { metadata: { name: 'config' } });
    expect(() => Mesh.inject(map)).toThrow(/^\[test\/config\] cannot mesh a ConfigMap: pass a Namespace or a workload \(Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod\), from cdk8s-plus or as a raw object$/);
  });

  test('fails on a reversed port range', () => {
    const web = deployment(testChart(), 'web');
    expect(() => Mesh.inject(web, { proxy: { skipInboundPorts: [PortRange.between(9000, 8000)] } }))
      .toThrow(/^\[test\/web\] skipInboundPorts range "9000-8000" is reversed: a range a-b needs a <= b \(write "8000-9000"\)$/);
  });

  test('fails on a port outside 1-65535', () => {
    const web = deployment(testChart(), 'web');
    expect(() => Mesh.inject(web, { proxy: { opaquePorts: [PortRange.of(70000)] } }))
      .toThrow(/^\[test\/web\] opaquePorts entry "70000" is not allowed: use ports from 1 to 65535, as a port or a range a-b$/);
    expect(() => Mesh.inject(web, { proxy: { skipOutboundPorts: [PortRange.between(0, 10)] } }))
      .toThrow(/^\[test\/web\] skipOutboundPorts entry "0-10" is not allowed/);
  });

  test('fails on a proxy log level that is not env_logger directives', () => {
    const web = deployment(testChart(), 'web');
    expect(() => Mesh.inject(web, { proxy: { logLevel: 'loud' } })).not.toThrow();
    expect(() => Mesh.inject(web, { proxy: { logLevel: 'warn,linkerd=loud' } }))
      .toThrow(/^\[test\/web\] proxy logLevel "warn,linkerd=loud" is not a proxy log level: use env_logger directives such as warn,linkerd=info$/);
  });

  test('fails on a proxy limit below its request', () => {
    const web = deployment(testChart(), 'web');
    expect(() => Mesh.inject(web, { proxy: { memoryRequest: Size.mebibytes(128), memoryLimit: Size.mebibytes(64) } }))
      .toThrow(/^\[test\/web\] proxy memory limit 64Mi is below the memory request 128Mi: the limit must be at least the request$/);
  });

  test('fails on the audit policy before 2.16 and on native sidecars before 2.15', () => {
    const web = deployment(testChart(), 'web');
    expect(() => Mesh.inject(web, { version: LinkerdVersion.V2_14, proxy: { defaultInboundPolicy: DefaultInboundPolicy.AUDIT } }))
      .toThrow(/^\[test\/web\] proxy defaultInboundPolicy "audit" needs Linkerd 2\.16 or later \(the audit default inbound policy\), but this is Linkerd 2\.14$/);
    expect(() => Mesh.inject(web, { version: LinkerdVersion.V2_14, proxy: { nativeSidecar: true } }))
      .toThrow(/^\[test\/web\] proxy nativeSidecar true needs Linkerd 2\.15 or later \(native sidecar proxies\), but this is Linkerd 2\.14$/);
  });

  test('fails on a default inbound policy outside the enum', () => {
    const web = deployment(testChart(), 'web');
    expect(() => Mesh.inject(web, { proxy: { defaultInboundPolicy: 'allow' as DefaultInboundPolicy } }))
      .toThrow(/^\[test\/web\] proxy defaultInboundPolicy "allow" is not allowed: use one of all-unauthenticated, all-authenticated, cluster-unauthenticated, cluster-authenticated, deny, audit$/);
  });

  test('fails on a shutdown grace period of zero', () => {
    const web = deployment(testChart(), 'web');
    expect(() => Mesh.inject(web, { proxy: { shutdownGracePeriod: Duration.seconds(0) } }))
      .toThrow(/^\[test\/web\] proxy shutdownGracePeriod 0s is not allowed: use a positive duration$/);
  });

  test('fails on proxy settings with injection disabled', () => {
    const web = deployment(testChart(), 'web');
    expect(() => Mesh.inject(web, { mode: InjectMode.DISABLED, proxy: { logFormat: ProxyLogFormat.JSON } }))
      .toThrow(/^\[test\/web\] proxy settings config\.linkerd\.io\/proxy-log-format have no effect with linkerd\.io\/inject: disabled: drop them or inject the proxy$/);
  });

  test('reports every problem at once', () => {
    const web = deployment(testChart(), 'web');
    expect(() => Mesh.inject(web, { proxy: { opaquePorts: [PortRange.of(0)], skipInboundPorts: [PortRange.between(2, 1)] } }))
      .toThrow(/^\[test\/web\] 2 problems:\n {2}- opaquePorts entry "0" .*\n {2}- skipInboundPorts range "2-1" is reversed/);
  });
});

test('PortRange renders ports and ranges as the annotations write them', () => {
  expect([PortRange.of(80), PortRange.between(4000, 4100)].map(String)).toStrictEqual(['80', '4000-4100']);
  expect(PortRange.between(4000, 4100).includes(4050)).toBe(true);
  expect(PortRange.between(4000, 4100).includes(4101)).toBe(false);
});
