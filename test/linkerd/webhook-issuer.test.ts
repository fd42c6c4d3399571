import { PrivateKeyEncoding } from '../../src/cert-manager';
import { WebhookIssuer } from '../../src/linkerd';
import { webhookValuesProblems } from '../../src/linkerd/webhook-issuer-rules';
import { synthKind, testChart } from '../_util';

describe('WebhookIssuer', () => {
  test('serves any namespace\'s webhooks, e.g. viz tap and tap-injector', () => {
    const chart = testChart();
    const viz = new WebhookIssuer(chart, 'viz', { namespace: 'linkerd-viz' });
    const tap = viz.addWebhook('tap', { name: 'tap' });
    const injector = viz.addWebhook('tap-injector', { name: 'linkerd-tap-injector', service: 'tap-injector', secretName: 'tap-injector-k8s-tls', encoding: PrivateKeyEncoding.PKCS8 });
    expect(tap.helmValues).toStrictEqual({ externalSecret: true, injectCaFrom: 'linkerd-viz/tap' });
    expect(injector.helmValues).toStrictEqual({ externalSecret: true, injectCaFrom: 'linkerd-viz/linkerd-tap-injector' });
    const [, tapCert, injectorCert] = synthKind(chart, 'Certificate');
    expect(tapCert.spec).toMatchObject({ secretName: 'tap-k8s-tls', dnsNames: ['tap.linkerd-viz.svc'] });
    expect(injectorCert.spec).toMatchObject({ secretName: 'tap-injector-k8s-tls', dnsNames: ['tap-injector.linkerd-viz.svc'], privateKey: { encoding: 'PKCS8' } });
  });

  test('fails when the namespace is not a DNS-1123 label', () => {
    expect(() => new WebhookIssuer(testChart(), 'w', { namespace: 'Linkerd' })).toThrow(/^\[test\/w\] namespace "Linkerd" must be a DNS-1123 label/);
  });
});

describe('the chart\'s webhook fail rules', () => {
  test('accept the combinations the chart accepts', () => {
    expect(webhookValuesProblems('tap', {})).toStrictEqual([]);
    expect(webhookValuesProblems('tap', { externalSecret: true, injectCaFrom: 'ns/c' })).toStrictEqual([]);
    expect(webhookValuesProblems('tap', { externalSecret: true, caBundle: 'pem' })).toStrictEqual([]);
    expect(webhookValuesProblems('tap', { externalSecret: true, injectCaFromSecret: 'ns/s' })).toStrictEqual([]);
  });

  test('fail with the chart\'s own messages', () => {
    expect(webhookValuesProblems('tap', { externalSecret: true, injectCaFrom: 'a', injectCaFromSecret: 'b' }))
      .toStrictEqual(['tap: injectCaFrom and injectCaFromSecret cannot both be set']);
    expect(webhookValuesProblems('tap', { externalSecret: true, injectCaFrom: 'a', caBundle: 'pem' }))
      .toStrictEqual(['tap: injectCaFrom or injectCaFromSecret cannot be set if providing a caBundle']);
    expect(webhookValuesProblems('tap', { externalSecret: true }))
      .toStrictEqual(['tap: if externalSecret is set, then caBundle, injectCaFrom, or injectCaFromSecret must be set']);
    expect(webhookValuesProblems('tap', { injectCaFromSecret: 'b' }))
      .toStrictEqual(['tap: if injectCaFrom or injectCaFromSecret is set, then externalSecret must be set']);
  });
});
