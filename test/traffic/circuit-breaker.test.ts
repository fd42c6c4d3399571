import { ApiObject, Duration, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-25';
import { SchemaGate } from '../../src/gate/schema-gate';
import { LinkerdVersion } from '../../src/linkerd';
import { CircuitBreaker, CircuitBreakerProps, FailureAccrual, ServiceReference } from '../../src/traffic';
import { synthKind, testChart } from '../_util';

function breaker(props: Partial<CircuitBreakerProps> = {}) {
  const chart = testChart();
  const service = new kplus.Service(chart, 'books', { metadata: { name: 'books', namespace: 'booksapp' }, ports: [{ port: 7002 }] });
  const cb = new CircuitBreaker(chart, 'cb', { service: ServiceReference.fromService(service), ...props });
  return { chart, cb, service, annotations: () => synthKind(chart, 'Service')[0].metadata.annotations };
}

describe('CircuitBreaker', () => {
  test('consecutive failure accrual with every upstream default written on the Service', () => {
    const { chart, annotations } = breaker();
    expect(annotations()).toStrictEqual({
      'balancer.linkerd.io/failure-accrual': 'consecutive',
      'balancer.linkerd.io/failure-accrual-consecutive-max-failures': '7',
      'balancer.linkerd.io/failure-accrual-consecutive-min-penalty': '1s',
      'balancer.linkerd.io/failure-accrual-consecutive-max-penalty': '1m',
      'balancer.linkerd.io/failure-accrual-consecutive-jitter-ratio': '0.5',
    });
    expect(SchemaGate.load().validateAll(Testing.synth(chart))).toStrictEqual([]);
  });

  test('unified failure accrual (2.20): the consecutive parameters plus the success-rate window', () => {
    const { annotations } = breaker({
      accrual: FailureAccrual.unified({
        maxFailures: 0, minPenalty: Duration.millis(500), maxPenalty: Duration.minutes(5),
        successRateThreshold: 0.9, successRateWindow: Duration.seconds(30), successRateMinRequests: 100,
      }),
    });
    expect(annotations()).toStrictEqual({
      'balancer.linkerd.io/failure-accrual': 'unified',
      'balancer.linkerd.io/failure-accrual-consecutive-max-failures': '0',
      'balancer.linkerd.io/failure-accrual-consecutive-min-penalty': '500ms',
      'balancer.linkerd.io/failure-accrual-consecutive-max-penalty': '5m',
      'balancer.linkerd.io/failure-accrual-consecutive-jitter-ratio': '0.5',
      'balancer.alpha.linkerd.io/failure-accrual-success-rate-threshold': '0.9',
      'balancer.alpha.linkerd.io/failure-accrual-success-rate-window': '30s',
      'balancer.alpha.linkerd.io/failure-accrual-success-rate-min-requests': '100',
    });
  });

  test('works on an ApiObject Service and keeps its other annotations', () => {
    const chart = testChart();
    const service = new ApiObject(chart, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'books', namespace: 'booksapp', annotations: { team: 'books' } }, spec: { ports: [{ port: 80 }] } });
    new CircuitBreaker(chart, 'cb', { service: ServiceReference.fromApiObject(service), version: LinkerdVersion.V2_13 });
    expect(synthKind(chart, 'Service')[0].metadata.annotations).toMatchObject({ 'team': 'books', 'balancer.linkerd.io/failure-accrual': 'consecutive' });
  });

  test('fails before Linkerd 2.13', () => {
    expect(() => breaker({ version: LinkerdVersion.V2_12 }))
      .toThrow(/^\[test\/cb\] balancer.linkerd.io\/failure-accrual needs Linkerd 2.13 or later \(failure accrual \(circuit breaking\)\), but this is Linkerd 2.12$/);
  });

  test('fails to use unified accrual before Linkerd 2.20', () => {
    expect(() => breaker({ accrual: FailureAccrual.unified(), version: LinkerdVersion.V2_19 }))
      .toThrow(/^\[test\/cb\] balancer.linkerd.io\/failure-accrual: unified needs Linkerd 2.20 or later \(unified failure accrual\), but this is Linkerd 2.19$/);
  });

  test('fails when minPenalty exceeds maxPenalty', () => {
    expect(() => breaker({ accrual: FailureAccrual.consecutive({ minPenalty: Duration.minutes(2), maxPenalty: Duration.minutes(1) }) }))
      .toThrow(/^\[test\/cb\] minPenalty 2m cannot exceed maxPenalty 1m$/);
  });

  test('fails when maxPenalty is zero', () => {
    expect(() => breaker({ accrual: FailureAccrual.consecutive({ minPenalty: Duration.seconds(0), maxPenalty: Duration.seconds(0) }) }))
      .toThrow(/^\[test\/cb\] maxPenalty cannot be zero: it bounds the time between probes of a tripped endpoint$/);
  });

  test('fails when the jitter ratio is outside 0–100', () => {
    expect(() => breaker({ accrual: FailureAccrual.consecutive({ jitterRatio: 101 }) })).toThrow(/^\[test\/cb\] jitterRatio 101 must be a number from 0 to 100$/);
    expect(() => breaker({ accrual: FailureAccrual.consecutive({ jitterRatio: -1 }) })).toThrow(/jitterRatio -1 must be a number from 0 to 100/);
  });

  test('fails when a penalty is not whole milliseconds (the annotation grammar has no fractions)', () => {
    expect(() => breaker({ accrual: FailureAccrual.consecutive({ minPenalty: Duration.millis(0.5) }) }))
      .toThrow(/^\[test\/cb\] minPenalty 0.5ms must be a whole, non-negative number of milliseconds$/);
  });

  test('fails when maxFailures is not a positive whole number in consecutive mode', () => {
    expect(() => breaker({ accrual: FailureAccrual.consecutive({ maxFailures: 0 }) })).toThrow(/^\[test\/cb\] maxFailures 0 must be a whole number from 1 to 4294967295$/);
  });

  test('fails the success-rate checks of unified mode', () => {
    expect(() => breaker({ accrual: FailureAccrual.unified({ successRateThreshold: 1.2 }) })).toThrow(/successRateThreshold 1.2 must be a number from 0.0 to 1.0/);
    expect(() => breaker({ accrual: FailureAccrual.unified({ successRateWindow: Duration.millis(5) }) })).toThrow(/successRateWindow 5ms must be at least 10ms/);
    expect(() => breaker({ accrual: FailureAccrual.unified({ successRateWindow: Duration.seconds(0) }) })).toThrow(/successRateWindow must be greater than zero/);
    expect(() => breaker({ accrual: FailureAccrual.unified({ successRateMinRequests: 2_000_000 }) })).toThrow(/successRateMinRequests 2000000 must be a whole number from 0 to 1000000/);
    expect(() => breaker({ accrual: FailureAccrual.unified({ maxFailures: 0, successRateThreshold: 0 }) }))
      .toThrow(/maxFailures 0 and successRateThreshold 0 turn both dimensions off: no breaker would run/);
  });

  test('fails for a ServiceReference.fromName reference, which cannot be annotated', () => {
    expect(() => new CircuitBreaker(testChart(), 'cb', { service: ServiceReference.fromName('books', 'booksapp') }))
      .toThrow(/^\[test\/cb\] failure accrual is configured with annotations on the Service, but service booksapp\/books is a ServiceReference\.fromName reference/);
  });

  test('fails when the Service already has a failure-accrual annotation', () => {
    const { chart, service } = breaker();
    expect(() => new CircuitBreaker(chart, 'again', { service: ServiceReference.fromService(service) }))
      .toThrow(/^\[test\/again\] Service booksapp\/books already has balancer.linkerd.io\/failure-accrual: "consecutive", .*: configure failure accrual for a Service only once$/);
  });

  test('fails at synth when a patch breaks the annotation grammar', () => {
    const { chart, service } = breaker();
    ApiObject.of(service).addJsonPatch(JsonPatch.replace('/metadata/annotations/balancer.linkerd.io~1failure-accrual-consecutive-min-penalty', '1.5s'));
    expect(() => Testing.synth(chart)).toThrow(/\[test\/cb\] Service booksapp\/books annotation balancer.linkerd.io\/failure-accrual-consecutive-min-penalty: "1.5s" is rejected by the policy controller \(fractional values not supported\)/);
  });
});
