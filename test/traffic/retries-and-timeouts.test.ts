import { Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-25';
import { collectWarnings } from '../../src/_internal/warnings';
import { SchemaGate } from '../../src/gate/schema-gate';
import { LinkerdVersion } from '../../src/linkerd';
import { GrpcRetryCondition, HttpRetryCondition, RetriesAndTimeouts, RetriesAndTimeoutsProps, ServiceReference } from '../../src/traffic';
import { synthKind, testChart } from '../_util';

function annotate(props: Partial<RetriesAndTimeoutsProps>) {
  const chart = testChart();
  const service = new kplus.Service(chart, 'books', { metadata: { name: 'books', namespace: 'booksapp' }, ports: [{ port: 7002 }] });
  new RetriesAndTimeouts(chart, 'rt', { service: ServiceReference.fromService(service), ...props });
  return { chart, annotations: () => synthKind(chart, 'Service')[0].metadata.annotations };
}

describe('RetriesAndTimeouts', () => {
  test('writes retry.linkerd.io and timeout.linkerd.io annotations in the policy controller\'s grammar, with an explicit limit', () => {
    const { chart, annotations } = annotate({
      retry: {
        http: [HttpRetryCondition.SERVER_ERROR, HttpRetryCondition.status(429), HttpRetryCondition.range(502, 504)],
        grpc: [GrpcRetryCondition.UNAVAILABLE, GrpcRetryCondition.DEADLINE_EXCEEDED],
        timeout: Duration.millis(300),
      },
      timeouts: { request: Duration.seconds(90), response: Duration.minutes(2), idle: Duration.hours(24) },
      allowNonIdempotentRetries: true,
    });
    expect(annotations()).toStrictEqual({
      'retry.linkerd.io/http': '5xx,429,502-504',
      'retry.linkerd.io/grpc': 'unavailable,deadline-exceeded',
      'retry.linkerd.io/limit': '1',
      'retry.linkerd.io/timeout': '300ms',
      'timeout.linkerd.io/request': '90s',
      'timeout.linkerd.io/response': '2m',
      'timeout.linkerd.io/idle': '1d',
    });
    expect(SchemaGate.load().validateAll(Testing.synth(chart))).toStrictEqual([]);
  });

  test('timeouts alone need no opt-in', () => {
    expect(annotate({ timeouts: { request: Duration.seconds(10) } }).annotations()).toStrictEqual({ 'timeout.linkerd.io/request': '10s' });
  });

  test('fails before Linkerd 2.16', () => {
    expect(() => annotate({ timeouts: { request: Duration.seconds(1) }, version: LinkerdVersion.V2_14 }))
      .toThrow(/^\[test\/rt\] configuring retries or timeouts by annotation needs Linkerd 2.16 or later \(retry and timeout annotations\), but this is Linkerd 2.14$/);
  });

  test('fails when retries would apply to every method without the opt-in', () => {
    expect(() => annotate({ retry: { http: [HttpRetryCondition.SERVER_ERROR] } }))
      .toThrow(/^\[test\/rt\] retries on a Service apply to every method, including POST and PATCH, which are not idempotent: a retried request may be applied twice; set allowNonIdempotentRetries: true/);
  });

  test('fails when a timeout is a fraction of a millisecond or zero', () => {
    expect(() => annotate({ timeouts: { request: Duration.millis(1.5) } }))
      .toThrow(/^\[test\/rt\] timeouts.request 1.5ms must be a whole number of milliseconds greater than zero: Linkerd's annotations take <integer><ms\|s\|m\|h\|d>, and zero means no timeout \(omit it instead\)$/);
    expect(() => annotate({ timeouts: { idle: Duration.seconds(0) } })).toThrow(/timeouts.idle 0ms must be a whole number of milliseconds greater than zero/);
  });

  test('fails when a retry status code is outside 100–599 or a range is reversed', () => {
    expect(() => annotate({ retry: { http: [HttpRetryCondition.status(600)] }, allowNonIdempotentRetries: true }))
      .toThrow(/^\[test\/rt\] retry condition 600 must use HTTP status codes from 100 to 599$/);
    expect(() => annotate({ retry: { http: [HttpRetryCondition.range(504, 500)] }, allowNonIdempotentRetries: true }))
      .toThrow(/^\[test\/rt\] retry condition 504-500 must have its lower code first$/);
  });

  test('fails when the retry limit is outside 1–65535', () => {
    expect(() => annotate({ retry: { http: [HttpRetryCondition.SERVER_ERROR], limit: 0 }, allowNonIdempotentRetries: true }))
      .toThrow(/^\[test\/rt\] retry.limit 0 must be a whole number from 1 to 65535$/);
  });

  // linkerd2@version-2.20:policy-controller/k8s/index/src/outbound/index/http.rs:436 keeps a retry with only a timeout or a
  // limit; the proxy retries a try without response headers in time (linkerd2-proxy@release/v2.359.0:
  // linkerd/app/outbound/src/http/logical/policy/route/extensions.rs:73, …/route/retry.rs:139) whatever the conditions
  test('a retry with a per-try timeout and no conditions is valid: it retries slow tries', () => {
    const { chart, annotations } = annotate({ retry: { timeout: Duration.millis(300) }, allowNonIdempotentRetries: true });
    expect(annotations()).toStrictEqual({ 'retry.linkerd.io/limit': '1', 'retry.linkerd.io/timeout': '300ms' });
    expect(collectWarnings(chart)).toStrictEqual([]);
  });

  // with no conditions the proxy's status ranges are empty (linkerd2-proxy@release/v2.359.0:linkerd/proxy/client-policy/src/http.rs:397),
  // so only errors before a response are retried (…/route/retry.rs:127)
  test('warns when a retry has only a limit: Linkerd accepts it, but it retries no response', () => {
    const { chart, annotations } = annotate({ retry: { limit: 2 }, allowNonIdempotentRetries: true });
    expect(annotations()).toStrictEqual({ 'retry.linkerd.io/limit': '2' });
    expect(collectWarnings(chart).map(w => w.message)).toStrictEqual([
      'retry sets neither conditions (http or grpc) nor a timeout: Linkerd accepts retry.linkerd.io/limit alone, but then retries no response status and no slow try, '
      + 'only tries that failed before any response (fail-fast, HTTP/2 REFUSED_STREAM); add conditions such as HttpRetryCondition.SERVER_ERROR, or a per-try timeout',
    ]);
  });

  test('fails when there is nothing to configure', () => {
    expect(() => annotate({})).toThrow(/^\[test\/rt\] set retry, timeouts or both: there is nothing to configure$/);
  });
});
