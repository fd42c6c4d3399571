import { Testing } from 'cdk8s';
import { collectWarnings } from '../../src/_internal/warnings';
import { ClusterIssuer } from '../../src/cert-manager';
import { DefaultInboundPolicy, LinkerdVersion } from '../../src/linkerd';
import { BasicAuthSecret, DashboardHttpRoute, DashboardIngress, DashboardIngressProps, DashboardTls, HtpasswdUser } from '../../src/viz';
import { testCertificate } from '../_certs';
import { sharedGate } from '../_gate';
import { synthKind, testChart } from '../_util';
import { vizFor } from './_viz';

function ingress(props: Partial<DashboardIngressProps> = {}) {
  const chart = testChart();
  const viz = vizFor(chart);
  const auth = BasicAuthSecret.fromSecretName(chart, 'auth', 'dashboard-auth', { namespace: 'linkerd-viz' });
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
          'nginx.ingress.kubernetes.io/service-upstream': 'true',
        },
      },
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host: 'linkerd.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 8084 } } } }] } }],
      },
    }]);
    expect(viz.helmValues.dashboard.enforcedHostRegexp).toBe('^(localhost|127\\.0\\.0\\.1|web\\.linkerd-viz\\.svc\\.cluster\\.local|web\\.linkerd-viz\\.svc|\\[::1\\]|linkerd\\.example\\.com)(:\\d+)?$');
    expect(sharedGate().validateAll(Testing.synth(chart))).toStrictEqual([]);
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

  test('admits only the ingress controller on the web port: a Server on http (not the admin port the probes use) and an AuthorizationPolicy for its ServiceAccount', () => {
    // the attack: any pod calling web.linkerd-viz:8084 with the right Host got the dashboard and tap without a password
    const { chart, viz, make } = ingress();
    make();
    expect(synthKind(chart, 'Server')).toStrictEqual([{
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: 'dashboard-web', namespace: 'linkerd-viz', labels: { 'linkerd.io/extension': 'viz', 'component': 'web' } },
      spec: { podSelector: { matchLabels: { 'linkerd.io/extension': 'viz', 'component': 'web' } }, port: 'http', proxyProtocol: 'HTTP/1' },
    }]);
    expect(synthKind(chart, 'AuthorizationPolicy')).toStrictEqual([{
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'dashboard-web-ingress-nginx-ingress-nginx', namespace: 'linkerd-viz', labels: { 'linkerd.io/extension': 'viz', 'component': 'web' } },
      spec: {
        targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'dashboard-web' },
        requiredAuthenticationRefs: [{ kind: 'ServiceAccount', name: 'ingress-nginx', namespace: 'ingress-nginx' }],
      },
    }]);
    expect(viz.dashboardClientAccounts).toStrictEqual(['ingress-nginx/ingress-nginx']);
    expect(collectWarnings(chart).map(w => w.message)).toStrictEqual([
      'the dashboard\'s web port admits only the meshed ServiceAccount ingress-nginx/ingress-nginx: mesh the ingress controller (linkerd.io/inject: enabled on its pod template), or every dashboard request gets 403',
      'PLAIN HTTP: the dashboard password crosses the network in clear on every request to linkerd.example.com; set tls (DashboardTls.certificate or existingSecret), or allowPlainHttp when TLS ends in front of the controller',
    ]);
    expect(sharedGate().validateAll(Testing.synth(chart))).toStrictEqual([]);
  });

  test('the ingress controller\'s identity is configurable; on Linkerd 2.12 the Server is v1beta1', async () => {
    const chart = testChart();
    const viz = vizFor(chart, {}, LinkerdVersion.V2_12, {}, (await testCertificate()).certPem);
    new DashboardIngress(chart, 'dashboard', {
      viz, hosts: ['linkerd.example.com'], auth: BasicAuthSecret.fromSecretName(chart, 'auth', 'a', { namespace: 'linkerd-viz' }),
      ingressController: { name: 'nginx-internal', namespace: 'edge' }, allowPlainHttp: true,
    });
    expect(synthKind(chart, 'Server')[0].apiVersion).toBe('policy.linkerd.io/v1beta1');
    expect(synthKind(chart, 'AuthorizationPolicy')[0].spec.requiredAuthenticationRefs).toStrictEqual([{ kind: 'ServiceAccount', name: 'nginx-internal', namespace: 'edge' }]);
  });

  test('no plain-HTTP warning with TLS or with allowPlainHttp', () => {
    const withTls = ingress({ tls: DashboardTls.existingSecret('wildcard-tls') });
    withTls.make();
    const acknowledged = ingress({ allowPlainHttp: true });
    acknowledged.make();
    for (const { chart } of [withTls, acknowledged]) {
      expect(collectWarnings(chart).map(w => w.message).filter(m => m.startsWith('PLAIN HTTP'))).toStrictEqual([]);
    }
  });

  test('restrictWebPort off: no Server, a warning that the password can be bypassed, and the inbound-policy warning', () => {
    const chart = testChart();
    const viz = vizFor(chart, {}, LinkerdVersion.LATEST, { defaultInboundPolicy: DefaultInboundPolicy.ALL_AUTHENTICATED });
    new DashboardIngress(chart, 'dashboard', { viz, hosts: ['linkerd.example.com'], auth: BasicAuthSecret.fromSecretName(chart, 'auth', 'a', { namespace: 'linkerd-viz' }), restrictWebPort: false, allowPlainHttp: true });
    expect(synthKind(chart, 'Server')).toStrictEqual([]);
    expect(collectWarnings(chart).map(w => w.message)).toStrictEqual([
      'restrictWebPort is off: any pod that reaches web:8084 gets the dashboard and tap without the password',
      'the control plane\'s default inbound policy all-authenticated denies the unmeshed ingress controller on the dashboard\'s web port (viz ships no Server for it): mesh ingress-nginx or authorize it',
    ]);
  });

  test.each(['off', 'OFF', ' Off '])('fails on the realm %j, which nginx reads as auth_basic off', realm => {
    expect(ingress({ realm }).make).toThrow(new RegExp(`^\\[test/dashboard\\] realm "${realm}" would render auth_basic "off", which turns nginx's basic auth off: choose another realm$`));
  });

  test('fails on an empty realm', () => {
    expect(ingress({ realm: '' }).make).toThrow(/^\[test\/dashboard\] realm must not be empty/);
  });

  test('fails on a realm with characters ingress-nginx rejects', () => {
    expect(ingress({ realm: 'Linkerd (prod)' }).make).toThrow(/^\[test\/dashboard\] realm "Linkerd \(prod\)" has characters ingress-nginx rejects: use letters, digits, spaces and \/ - \. _ ~ :$/);
  });

  test('fails on an auth Secret in another namespace', () => {
    const { make } = ingress({ auth: BasicAuthSecret.fromSecretName(testChart(), 'a', 'dashboard-auth', { namespace: 'default' }) });
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
    expect(synthKind(chart, 'AuthorizationPolicy').map(p => p.spec.requiredAuthenticationRefs)).toStrictEqual([[{ kind: 'ServiceAccount', name: 'traefik', namespace: 'traefik' }]]);
    expect(collectWarnings(chart).map(w => w.message)).toStrictEqual([
      'the traefik.io Middleware filter needs Traefik\'s Kubernetes CRD provider enabled beside its Gateway provider (providers.kubernetesCRD and providers.kubernetesGateway), or the HTTPRoute is refused',
      'the dashboard\'s web port admits only the meshed ServiceAccount traefik/traefik: mesh Traefik (linkerd.io/inject: enabled on its pod template), or every dashboard request gets 403',
    ]);
    expect(viz.helmValues.dashboard.enforcedHostRegexp).toBe('^(localhost|127\\.0\\.0\\.1|web\\.linkerd-viz\\.svc\\.cluster\\.local|web\\.linkerd-viz\\.svc|\\[::1\\]|linkerd\\.example\\.com)(:\\d+)?$');
    expect(sharedGate().validateAll(Testing.synth(chart))).toStrictEqual([]);
  });

  test('an Ingress and an HTTPRoute for the same dashboard share one Server, each admitting its controller; no sectionName warns', () => {
    const chart = testChart();
    const viz = vizFor(chart);
    const auth = BasicAuthSecret.fromSecretName(chart, 'auth', 'dashboard-auth', { namespace: 'linkerd-viz' });
    new DashboardIngress(chart, 'ingress', { viz, hosts: ['linkerd.example.com'], auth, allowPlainHttp: true });
    new DashboardHttpRoute(chart, 'route', { viz, hosts: ['linkerd.example.com'], gateway: { name: 'public', namespace: 'traefik' }, auth });
    expect(synthKind(chart, 'Server')).toHaveLength(1);
    expect(viz.dashboardClientAccounts).toStrictEqual(['ingress-nginx/ingress-nginx', 'traefik/traefik']);
    expect(collectWarnings(chart).map(w => w.message)).toContain(
      'the route attaches to every listener of the Gateway: the dashboard password crosses any plain-HTTP listener in clear; set gateway.sectionName to an HTTPS listener');
  });

  test('fails on a Gateway namespace that is not a DNS-1123 label', () => {
    const chart = testChart();
    const viz = vizFor(chart);
    expect(() => new DashboardHttpRoute(chart, 'route', {
      viz, hosts: ['linkerd.example.com'], gateway: { name: 'public', namespace: 'Traefik' }, auth: BasicAuthSecret.fromSecretName(chart, 'a', 'x', { namespace: 'linkerd-viz' }),
    })).toThrow(/^\[test\/route\] gateway\.namespace "Traefik" must be a DNS-1123 label/);
  });
});
