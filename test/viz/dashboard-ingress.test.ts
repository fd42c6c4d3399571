import { Testing } from 'cdk8s';
import { ClusterIssuer } from '../../src/cert-manager';
import { collectWarnings } from '../../src/_internal/warnings';
import { DefaultInboundPolicy, LinkerdVersion } from '../../src/linkerd';
import { BasicAuthSecret, DashboardHttpRoute, DashboardIngress, DashboardIngressProps, DashboardTls, HtpasswdUser } from '../../src/viz';
import { SchemaGate } from '../../src/gate/schema-gate';
import { synthKind, testChart } from '../_util';
import { vizFor } from './_viz';

function ingress(props: Partial<DashboardIngressProps> = {}) {
  const chart = testChart();
  const viz = vizFor(chart);
  const auth = BasicAuthSecret.fromExistingSecret(chart, 'auth', 'dashboard-auth', 'linkerd-viz');
  return { chart, viz, make: () => new DashboardIngress(chart, 'dashboard', { viz, hosts: ['linkerd.example.com'], auth, ...props }) };
}

describe('DashboardIngress', () => {
  test('routes / to web:8084 with basic auth, no snippets, and sets the dashboard\'s host check', () => {
    const { chart, viz, make } = ingress();
    make();
    expect(synthKind(chart, 'Ingress')).toStrictEqual([{
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'linkerd-dashboard',
        namespace: 'linkerd-viz',
        annotations: {
          'nginx.ingress.kubernetes.io/auth-type': 'basic',
          'nginx.ingress.kubernetes.io/auth-secret': 'dashboard-auth',
          'nginx.ingress.kubernetes.io/auth-realm': 'Linkerd Dashboard',
        },
      },
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host: 'linkerd.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 8084 } } } }] } }],
      },
    }]);
    expect(viz.helmValues.dashboard.enforcedHostRegexp).toBe('^(localhost|127\\.0\\.0\\.1|web\\.linkerd-viz\\.svc\\.cluster\\.local|web\\.linkerd-viz\\.svc|\\[::1\\]|linkerd\\.example\\.com)(:\\d+)?$');
    expect(SchemaGate.load().validateAll(Testing.synth(chart))).toStrictEqual([]);
  });

  test('TLS from a cert-manager issuer, or from an existing Secret', () => {
    const { chart, make } = ingress({ tls: DashboardTls.certificate(ClusterIssuer.fromClusterIssuerName(testChart(), 'le', 'letsencrypt')) });
    make();
    expect(synthKind(chart, 'Ingress')[0].spec.tls).toStrictEqual([{ hosts: ['linkerd.example.com'], secretName: 'linkerd-dashboard-tls' }]);
    const tlsCert = synthKind(chart, 'Certificate').find(c => c.metadata.name === 'linkerd-dashboard-tls');
    expect(tlsCert.spec).toMatchObject({ dnsNames: ['linkerd.example.com'], issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' } });
    const existing = ingress({ tls: DashboardTls.existingSecret('wildcard-tls') });
    existing.make();
    expect(synthKind(existing.chart, 'Ingress')[0].spec.tls).toStrictEqual([{ hosts: ['linkerd.example.com'], secretName: 'wildcard-tls' }]);
  });

  test('warns when the default inbound policy would deny the unmeshed ingress controller', () => {
    const chart = testChart();
    const viz = vizFor(chart, {}, LinkerdVersion.LATEST, { defaultInboundPolicy: DefaultInboundPolicy.ALL_AUTHENTICATED });
    new DashboardIngress(chart, 'dashboard', { viz, hosts: ['linkerd.example.com'], auth: BasicAuthSecret.fromExistingSecret(chart, 'auth', 'a', 'linkerd-viz') });
    expect(collectWarnings(chart).map(w => w.message)).toStrictEqual([
      'the control plane\'s default inbound policy all-authenticated denies the unmeshed ingress controller on the dashboard\'s web port (viz ships no Server for it): mesh ingress-nginx or authorize it',
    ]);
  });

  test('fails on a realm with characters ingress-nginx rejects', () => {
    expect(ingress({ realm: 'Linkerd (prod)' }).make).toThrow(/^\[test\/dashboard\] realm "Linkerd \(prod\)" has characters ingress-nginx rejects: use letters, digits, spaces and \/ - \. _ ~ :$/);
  });

  test('fails on an auth Secret in another namespace', () => {
    const { make } = ingress({ auth: BasicAuthSecret.fromExistingSecret(testChart(), 'a', 'dashboard-auth', 'default') });
    expect(make).toThrow(/^\[test\/dashboard\] auth Secret default\/dashboard-auth must be in the dashboard's namespace "linkerd-viz"/);
  });

  test('fails without hosts', () => {
    expect(ingress({ hosts: [] }).make).toThrow(/^\[test\/dashboard\] hosts must not be empty$/);
  });

  test('fails on a host that is not a DNS name', () => {
    expect(ingress({ hosts: ['Linkerd.example.com'] }).make).toThrow(/^\[test\/dashboard\] dashboard host "Linkerd\.example\.com" is not a DNS name/);
  });
});

describe('DashboardHttpRoute (Gateway API + Traefik)', () => {
  test('routes to web:8084 through a Traefik basicAuth Middleware on the same Secret, and passes the schema gate', () => {
    const chart = testChart();
    const viz = vizFor(chart);
    const auth = new BasicAuthSecret(chart, 'auth', { name: 'dashboard-auth', namespace: 'linkerd-viz', users: [HtpasswdUser.fromPassword('admin', 'pw')] });
    new DashboardHttpRoute(chart, 'route', { viz, hosts: ['linkerd.example.com'], gateway: { name: 'public', namespace: 'traefik', sectionName: 'websecure' }, auth });
    const [route] = synthKind(chart, 'HTTPRoute');
    expect(route.spec).toStrictEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'traefik', sectionName: 'websecure' }],
      hostnames: ['linkerd.example.com'],
      rules: [{
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        filters: [{ type: 'ExtensionRef', extensionRef: { group: 'traefik.io', kind: 'Middleware', name: 'linkerd-dashboard' } }],
        backendRefs: [{ name: 'web', port: 8084 }],
      }],
    });
    expect(synthKind(chart, 'Middleware')[0].spec).toStrictEqual({ basicAuth: { secret: 'dashboard-auth', realm: 'Linkerd Dashboard', removeHeader: true } });
    expect(viz.helmValues.dashboard.enforcedHostRegexp).toBe('^(localhost|127\\.0\\.0\\.1|web\\.linkerd-viz\\.svc\\.cluster\\.local|web\\.linkerd-viz\\.svc|\\[::1\\]|linkerd\\.example\\.com)(:\\d+)?$');
    expect(SchemaGate.load().validateAll(Testing.synth(chart))).toStrictEqual([]);
  });

  test('fails on a Gateway namespace that is not a DNS-1123 label', () => {
    const chart = testChart();
    const viz = vizFor(chart);
    expect(() => new DashboardHttpRoute(chart, 'route', {
      viz, hosts: ['linkerd.example.com'], gateway: { name: 'public', namespace: 'Traefik' }, auth: BasicAuthSecret.fromExistingSecret(chart, 'a', 'x', 'linkerd-viz'),
    })).toThrow(/^\[test\/route\] gateway\.namespace "Traefik" must be a DNS-1123 label/);
  });
});
