import { Testing } from 'cdk8s';
import { RE2JS } from 're2js';
import { DefaultInboundPolicy, LinkerdVersion } from '../../src/linkerd';
import { LinkerdViz, VizPrometheus } from '../../src/viz';
import { hostRegexProblems } from '../../src/viz/_enforced-host';
import { testCertificate } from '../_certs';
import { synthKind, testChart } from '../_util';
import { vizFor } from './_viz';

describe('LinkerdViz', () => {
  test('values follow the control plane and use cert-manager certificates for tap and tap-injector', () => {
    const viz = vizFor(testChart(), {}, LinkerdVersion.LATEST, { clusterDomain: 'corp.local' });
    expect(viz.helmValues).toStrictEqual({
      linkerdNamespace: 'linkerd',
      clusterDomain: 'corp.local',
      identityTrustDomain: 'cluster.local',
      prometheus: { enabled: true },
      tap: { externalSecret: true, injectCaFrom: 'linkerd-viz/tap' },
      tapInjector: { externalSecret: true, injectCaFrom: 'linkerd-viz/linkerd-tap-injector' },
    });
  });

  test('emits the viz namespace with its labels, and the tap certificates', () => {
    const chart = testChart();
    vizFor(chart);
    expect(synthKind(chart, 'Namespace').find(n => n.metadata.name === 'linkerd-viz').metadata).toStrictEqual({
      name: 'linkerd-viz',
      annotations: { 'linkerd.io/inject': 'enabled' },
      labels: { 'linkerd.io/extension': 'viz', 'pod-security.kubernetes.io/enforce': 'privileged' },
    });
    const certificates = synthKind(chart, 'Certificate').filter(c => c.metadata.namespace === 'linkerd-viz');
    expect(certificates.map(c => [c.metadata.name, c.spec.secretName, c.spec.dnsNames])).toStrictEqual([
      ['webhook-issuer-tls', 'webhook-issuer-tls', undefined],
      ['tap', 'tap-k8s-tls', ['tap.linkerd-viz.svc']],
      ['linkerd-tap-injector', 'tap-injector-k8s-tls', ['tap-injector.linkerd-viz.svc']],
    ]);
  });

  test('typed props: HA profile, external Prometheus, dashboard replicas and hosts', () => {
    const viz = vizFor(testChart(), { ha: true, prometheus: VizPrometheus.external('http://prometheus.monitoring:9090'), dashboardReplicas: 2, dashboardHosts: ['linkerd.example.com'] });
    expect(viz.helmValues).toMatchObject({
      enablePodAntiAffinity: true,
      enablePodDisruptionBudget: true,
      tap: { replicas: 3 },
      prometheusUrl: 'http://prometheus.monitoring:9090',
      prometheus: { enabled: false },
      dashboard: { replicas: 2, enforcedHostRegexp: '^(localhost|127\\.0\\.0\\.1|web\\.linkerd-viz\\.svc\\.cluster\\.local|web\\.linkerd-viz\\.svc|\\[::1\\]|linkerd\\.example\\.com)(:\\d+)?$' },
    });
    expect(vizFor(testChart(), { prometheus: VizPrometheus.none() }).helmValues.prometheus).toStrictEqual({ enabled: false });
  });

  test('addRelease delivers the chart after the control plane, ignoring what cainjector writes', () => {
    const chart = testChart();
    const viz = vizFor(chart);
    viz.addRelease('release');
    const app = synthKind(chart, 'Application')[0];
    expect(app.spec.source).toMatchObject({ chart: 'linkerd-viz', targetRevision: '2026.6.3' });
    expect(app.spec.destination.namespace).toBe('linkerd-viz');
    expect(app.spec.ignoreDifferences).toStrictEqual([
      { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
      { group: 'apiregistration.k8s.io', kind: 'APIService', jqPathExpressions: ['.spec.caBundle'] },
    ]);
  });

  test('fails on dashboard hosts added after the release rendered the values', () => {
    const chart = testChart();
    const viz = vizFor(chart);
    viz.addRelease('release');
    expect(() => viz.addDashboardHosts(chart, ['late.example.com']))
      .toThrow(/^\[test\] dashboard hosts late\.example\.com come after test\/viz\/release rendered the viz values: create the dashboard exposure before calling addRelease$/);
  });

  test('fails on a dashboard host that is not a DNS name', () => {
    expect(() => vizFor(testChart(), { dashboardHosts: ['*.example.com'] }))
      .toThrow(/^\[test\/viz\] dashboard host "\*\.example\.com" is not a DNS name \(lowercase labels separated by dots, no wildcard or port\)$/);
  });

  test('the generated regex escapes every host and passes Go\'s check', () => {
    const chart = testChart();
    const hosts = ['linkerd.example.com', 'mesh.internal.example.org'];
    const viz = vizFor(chart, { dashboardHosts: hosts });
    expect(viz.helmValues.dashboard.enforcedHostRegexp).toBe('^(localhost|127\\.0\\.0\\.1|web\\.linkerd-viz\\.svc\\.cluster\\.local|web\\.linkerd-viz\\.svc|\\[::1\\]|linkerd\\.example\\.com|mesh\\.internal\\.example\\.org)(:\\d+)?$');
    expect(hostRegexProblems(viz.helmValues.dashboard.enforcedHostRegexp, hosts, false)).toEqual([]);
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test('the generated regex keeps the chart\'s own hosts, so `linkerd viz dashboard` (localhost:50750) still works', () => {
    // linkerd/linkerd2@version-2.20:viz/charts/linkerd-viz/templates/web.yaml:111-113 is the default a set value replaces
    const viz = vizFor(testChart(), { dashboardHosts: ['linkerd.example.com'] });
    const regex = RE2JS.compile(viz.helmValues.dashboard.enforcedHostRegexp);
    for (const host of ['localhost:50750', '127.0.0.1:50750', '[::1]:50750', 'web.linkerd-viz.svc.cluster.local:8084', 'web.linkerd-viz.svc:8084', 'linkerd.example.com']) {
      expect([host, regex.matcher(host).find()]).toEqual([host, true]);
    }
    for (const host of ['evil.example', 'localhost.evil.example', 'web.other.svc', 'linkerd.example.com.evil.example']) {
      expect([host, regex.matcher(host).find()]).toEqual([host, false]);
    }
  });

  describe('an explicit enforcedHostRegexp, read as Go\'s regexp reads it', () => {
    // the 2.12 viz chart values are vendored, so `values` can carry an explicit regex there
    let pem: string;
    beforeAll(async () => { pem = (await testCertificate()).certPem; });
    const explicit = (regex: string, allowAnyDashboardHost?: boolean) => {
      const chart = testChart();
      vizFor(chart, { dashboardHosts: ['linkerd.example.com'], values: { dashboard: { enforcedHostRegexp: regex } }, allowAnyDashboardHost }, LinkerdVersion.V2_12, {}, pem);
      return () => Testing.synth(chart);
    };

    test('accepts a regex that matches the hosts only', () => {
      expect(explicit('^linkerd\\.example\\.com(:\\d+)?$')).not.toThrow();
    });

    test('fails on a catch-all regex', () => {
      expect(explicit('.*')).toThrow(/\[test\/viz\] dashboard\.enforcedHostRegexp "\.\*" also matches "dns-rebinding\.attacker\.invalid": a catch-all host check lets DNS rebinding reach the dashboard; list the hosts, or set allowAnyDashboardHost/);
    });

    test('accepts a catch-all regex when explicitly allowed', () => {
      expect(explicit('.*', true)).not.toThrow();
    });

    test('fails on a regex that does not match a dashboard host', () => {
      expect(explicit('^dashboard\\.example\\.com$')).toThrow(/dashboard\.enforcedHostRegexp "\^dashboard\\\\\.example\\\\\.com\$" does not match the dashboard host "linkerd\.example\.com": the dashboard would answer HTTP 400/);
    });

    test.each([
      ['linkerd\\.example\\.com', 'no ^ and $: also matches linkerd.example.com.attacker.invalid'],
      ['^linkerd\\.example\\.com', 'no $'],
      ['^linkerd\\.example\\.com\\$', 'an escaped $'],
      ['^linkerd\\.example\\.com$|other', 'a top-level alternative outside the anchors'],
    ])('fails on the unanchored regex %j (%s)', regex => {
      expect(explicit(regex)).toThrow(/is not anchored: the web server matches it anywhere in the Host header, so write it as \^\(host1\|host2\)/);
    });

    test('fails on a regex Go cannot compile, though JavaScript can', () => {
      expect(explicit('^(?=linkerd)linkerd\\.example\\.com$')).toThrow(/is not a valid Go regexp: .*invalid or unsupported Perl syntax/);
    });
  });

  test.each(LinkerdVersion.all().map(v => [v.major, v]))('Linkerd %s: ha merges the tag\'s viz HA profile, and values are checked against its values.yaml', (_major, version) => {
    const viz = vizFor(testChart(), { ha: true, values: { dashboard: { replicas: 2 } } }, version);
    expect(viz.helmValues.enablePodAntiAffinity).toBe(true);
    expect(viz.helmValues.dashboard.replicas).toBe(2);
    expect(() => vizFor(testChart(), { values: { dashbord: { replicas: 2 } } }, version)).toThrow(/values key "dashbord" is not a linkerd-viz 2\.\d+ value \(did you mean "dashboard"\?\)/);
  });

  test('fails on a viz value of the wrong type', () => {
    expect(() => vizFor(testChart(), { values: { dashboard: { replicas: 'two' } } }))
      .toThrow(/^\[test\/viz\] values key "dashboard\.replicas" is "two", a string: the linkerd-viz 2\.20 chart's default is 1, a number$/);
  });

  test('fails on a log format the components would silently read as plain', () => {
    expect(() => vizFor(testChart(), { values: { defaultLogFormat: 'jsn' } }))
      .toThrow(/^\[test\/viz\] values key "defaultLogFormat" is "jsn": use one of plain, json \(anything else is read as plain\)$/);
  });

  test('fails on a viz values key the chart does not have', async () => {
    const pem = (await testCertificate()).certPem;
    expect(() => vizFor(testChart(), { values: { dashbaord: { replicas: 2 } } }, LinkerdVersion.V2_12, {}, pem))
      .toThrow(/values key "dashbaord" is not a linkerd-viz 2\.12 value \(did you mean "dashboard"\?\)/);
  });

  test('fails on tap values that break the chart\'s webhook rules', async () => {
    const pem = (await testCertificate()).certPem;
    expect(() => vizFor(testChart(), { values: { tap: { caBundle: 'pem' } } }, LinkerdVersion.V2_12, {}, pem))
      .toThrow(/tap: injectCaFrom or injectCaFromSecret cannot be set if providing a caBundle/);
  });

  test('fails when the namespace is not a DNS-1123 label', () => {
    expect(() => vizFor(testChart(), { namespace: 'Viz' })).toThrow(/^\[test\/viz\] namespace "Viz" must be a DNS-1123 label/);
  });

  test('exposes the control plane\'s default inbound policy', () => {
    const viz: LinkerdViz = vizFor(testChart(), {}, LinkerdVersion.LATEST, { defaultInboundPolicy: DefaultInboundPolicy.DENY });
    expect(viz.defaultInboundPolicy).toBe('deny');
  });
});
