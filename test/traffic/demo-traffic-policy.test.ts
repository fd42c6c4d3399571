import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-25';
import { collectWarnings } from '../../src/_internal/warnings';
import { LinkerdVersion } from '../../src/linkerd';
import { DemoTrafficPolicy, ServiceReference } from '../../src/traffic';
import { sharedGate } from '../_gate';
import { testChart } from '../_util';

function demo(version?: LinkerdVersion) {
  const chart = testChart();
  const server = new kplus.Service(chart, 'server', { metadata: { name: 'server', namespace: 'demo' }, ports: [{ port: 8080 }] });
  const client = new kplus.Service(chart, 'client', { metadata: { name: 'client', namespace: 'demo' }, ports: [{ port: 8080 }] });
  const policy = new DemoTrafficPolicy(chart, 'traffic', { profiledService: ServiceReference.fromService(server), circuitBreakerService: ServiceReference.fromService(client), version });
  return { chart, policy };
}

describe('DemoTrafficPolicy', () => {
  test('a retryable GET route with a timeout and a budget on one Service, a circuit breaker on the other, passing the gate', () => {
    const { chart } = demo();
    const objects = Testing.synth(chart);
    const profile = objects.find(o => o.kind === 'ServiceProfile');
    expect(profile).toStrictEqual({
      apiVersion: 'linkerd.io/v1alpha2',
      kind: 'ServiceProfile',
      metadata: { name: 'server.demo.svc.cluster.local', namespace: 'demo' },
      spec: {
        retryBudget: { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: '10s' },
        routes: [{
          name: 'GET /*',
          condition: { method: 'GET', pathRegex: '/.*' },
          responseClasses: [{ condition: { status: { min: 500, max: 599 } }, isFailure: true }],
          isRetryable: true,
          timeout: '2s',
        }],
      },
    });
    expect(objects.find(o => o.kind === 'Service' && o.metadata.name === 'client').metadata.annotations['balancer.linkerd.io/failure-accrual']).toBe('consecutive');
    expect(objects.find(o => o.kind === 'Service' && o.metadata.name === 'server').metadata.annotations).toBeUndefined();
    expect(sharedGate().validateAll(objects)).toStrictEqual([]);
    expect(collectWarnings(chart)).toStrictEqual([]);
  });

  test('before Linkerd 2.13 the circuit breaker is left out with a warning', () => {
    const { chart, policy } = demo(LinkerdVersion.V2_12);
    expect(policy.circuitBreaker).toBeUndefined();
    expect(collectWarnings(chart).map(w => w.message)).toStrictEqual([
      'circuit breaking needs Linkerd 2.13 or later, but this is Linkerd 2.12: the second Service gets no circuit breaker',
    ]);
  });

  test('without a second Service, one is made in front of the profiled Service\'s pods and ports', () => {
    const chart = testChart();
    const server = new kplus.Service(chart, 'server', { metadata: { name: 'server', namespace: 'demo' }, ports: [{ name: 'http', port: 80, targetPort: 5678 }] });
    server.selectLabel('app', 'server');
    const policy = new DemoTrafficPolicy(chart, 'traffic', { profiledService: ServiceReference.fromService(server) });
    const objects = Testing.synth(chart);
    expect(objects.find(o => o.kind === 'Service' && o.metadata.name === 'server-breaker')).toStrictEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'server-breaker',
        namespace: 'demo',
        annotations: policy.circuitBreaker!.annotations,
      },
      spec: { externalIPs: [], ports: [{ name: 'http', port: 80, targetPort: 5678 }], selector: { app: 'server' }, type: 'ClusterIP' },
    });
    expect(sharedGate().validateAll(objects)).toStrictEqual([]);
  });

  test('fails without a second Service when the profiled one is a ServiceReference.fromName reference', () => {
    expect(() => new DemoTrafficPolicy(testChart(), 'traffic', { profiledService: ServiceReference.fromName('server', 'demo') }))
      .toThrow(/^\[test\/traffic\] circuitBreakerService is needed when profiledService is a ServiceReference\.fromName reference \(demo\/server\)/);
  });

  test('fails when both roles are the same Service (the profile would silently disable the breaker)', () => {
    const chart = testChart();
    const server = new kplus.Service(chart, 'server', { metadata: { name: 'server', namespace: 'demo' }, ports: [{ port: 8080 }] });
    new DemoTrafficPolicy(chart, 'traffic', { profiledService: ServiceReference.fromService(server), circuitBreakerService: ServiceReference.fromService(server) });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/traffic\/Profile\] Service demo\/server has the annotations balancer.linkerd.io\/failure-accrual, .* silently wins/);
  });
});
