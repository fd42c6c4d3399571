import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import * as fc from 'fast-check';
import { LinkerdVersion } from '../../src/linkerd';
import { CircuitBreaker, FailureAccrual, HttpRetryCondition, ResponseClass, RetriesAndTimeouts, RouteCondition, ServiceProfile, ServiceReference } from '../../src/traffic';
import { dnsLabel, mostly, RUNS, SEED, validOrTypedError } from './_property';

const method = mostly(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE'), fc.string({ maxLength: 6 }));
const pathTemplate = mostly(fc.array(fc.oneof(fc.stringMatching(/^[a-z]{1,8}$/), fc.constant('{id}')), { minLength: 1, maxLength: 4 }).map(p => `/${p.join('/')}`),
  fc.string({ maxLength: 12 }));
const regex = mostly(fc.constantFrom('/books/[^/]*', '/api/.*', '/health'), fc.constantFrom('(?=x)', '(a', '^/x$', '.*/.*', '\\1'));
const condition = fc.oneof(
  fc.tuple(method, pathTemplate).map(([m, p]) => RouteCondition.all(RouteCondition.method(m), RouteCondition.path(p))),
  regex.map(r => RouteCondition.pathRegex(r)),
  method.map(m => RouteCondition.method(m)),
);
const millis = (valid: fc.Arbitrary<number>) =>
  fc.option(mostly(valid, fc.integer({ min: 0, max: 100_000 })).map(ms => Duration.millis(ms)), { nil: undefined });
const route = fc.record({
  name: mostly(fc.stringMatching(/^[A-Z]{3,6} \/[a-z]{1,8}$/), fc.string({ maxLength: 8 })),
  condition,
  responseClasses: fc.option(fc.array(fc.tuple(
    mostly(fc.integer({ min: 500, max: 504 }), fc.integer({ min: 0, max: 700 })), fc.integer({ min: 0, max: 99 }),
  ).map(([min, span]) => ResponseClass.status(min, Math.min(599, min + span), { isFailure: true })), { maxLength: 2 }), { nil: undefined }),
  isRetryable: fc.boolean(),
  timeout: millis(fc.integer({ min: 1, max: 10_000 })),
});

const openApi = fc.dictionary(pathTemplate, fc.dictionary(fc.constantFrom('get', 'post', 'put', 'delete', 'patch'),
  fc.record({ 'x-linkerd-retryable': fc.boolean(), 'x-linkerd-timeout': fc.option(mostly(fc.constantFrom('1s', '300ms', '2m'), fc.string({ maxLength: 4 })), { nil: undefined }),
    'responses': fc.dictionary(fc.constantFrom('200', '404', '500', 'default'), fc.constant({ description: 'x' }), { maxKeys: 2 }) }), { minKeys: 1, maxKeys: 2 }), { maxKeys: 6 })
  .map(paths => ({ openapi: '3.0.0', info: { title: 't', version: '1' }, paths }));

const service = fc.record({ name: mostly(dnsLabel, fc.string({ maxLength: 10 })), namespace: mostly(dnsLabel, fc.string({ maxLength: 10 })) })
  .map(s => ServiceReference.fromName(s.name, s.namespace));

describe(`traffic family, ${RUNS} cases each (seed ${SEED})`, () => {
  test('ServiceProfiles, typed: valid output or a typed error', () => {
    const props = fc.record({
      service, routes: fc.array(route, { maxLength: 4 }),
      retryBudget: fc.option(fc.record({
        retryRatio: fc.double({ min: -1, max: 2, noNaN: true }), minRetriesPerSecond: fc.integer({ min: -2, max: 100 }),
        ttl: millis(fc.integer({ min: 1000, max: 60_000 })),
      }), { nil: undefined }),
    });
    validOrTypedError(props, (chart, p) => { new ServiceProfile(chart, 'profile', p); });
  });

  test('ServiceProfiles from OpenAPI: valid output or a typed error', () => {
    validOrTypedError(fc.record({ service, spec: openApi }), (chart, p) => { ServiceProfile.fromOpenApi(chart, 'profile', p); });
  });

  test('circuit breakers and retry/timeout annotations: valid output or a typed error', () => {
    const props = fc.record({
      service: fc.record({ name: dnsLabel, namespace: dnsLabel }),
      version: mostly(fc.constant(LinkerdVersion.LATEST), fc.constantFrom(...LinkerdVersion.all())),
      unified: fc.boolean(),
      maxFailures: fc.option(mostly(fc.integer({ min: 1, max: 20 }), fc.integer({ min: -1, max: 0 })), { nil: undefined }),
      minPenalty: millis(fc.integer({ min: 1, max: 5000 })),
      maxPenalty: millis(fc.integer({ min: 5000, max: 120_000 })),
      jitterRatio: fc.option(mostly(fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: -5, max: 200, noNaN: true })), { nil: undefined }),
      retryLimit: fc.option(mostly(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 70_000 })), { nil: undefined }),
      requestTimeout: millis(fc.integer({ min: 1, max: 60_000 })),
      status: fc.option(mostly(fc.integer({ min: 100, max: 599 }), fc.integer({ min: 0, max: 700 })), { nil: undefined }),
    });
    validOrTypedError(props, (chart, p) => {
      const svc = (name: string) => new k8s.KubeService(chart, name, {
        metadata: { name, namespace: p.service.namespace }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
      });
      const accrualOptions = { maxFailures: p.maxFailures, minPenalty: p.minPenalty, maxPenalty: p.maxPenalty, jitterRatio: p.jitterRatio };
      new CircuitBreaker(chart, 'breaker', { service: ServiceReference.fromApiObject(svc(p.service.name)), version: p.version, accrual: p.unified ? FailureAccrual.unified(accrualOptions) : FailureAccrual.consecutive(accrualOptions) });
      new RetriesAndTimeouts(chart, 'retries', {
        service: ServiceReference.fromApiObject(svc(`${p.service.name}-b`)),
        version: p.version,
        retry: {
          http: [HttpRetryCondition.SERVER_ERROR, ...(p.status === undefined ? [] : [HttpRetryCondition.status(p.status)])],
          limit: p.retryLimit,
        },
        timeouts: { request: p.requestTimeout },
        allowNonIdempotentRetries: true,
      });
    });
  });
});
