import { Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-25';
import { collectWarnings } from '../../src/_internal/warnings';
import { SchemaGate } from '../../src/gate/schema-gate';
import { LinkerdVersion } from '../../src/linkerd';
import { ProfileMigration, ResponseClass, RouteCondition, ServiceProfile, ServiceReference } from '../../src/traffic';
import { synthKind, testChart } from '../_util';

function setup() {
  const chart = testChart();
  const service = new kplus.Service(chart, 'books', { metadata: { name: 'books', namespace: 'booksapp' }, ports: [{ port: 7002 }] });
  return { chart, service };
}

describe('ProfileMigration', () => {
  test('replaces the profile with HTTPRoutes: retryable routes get retry annotations from their failure ranges, timeouts become rule timeouts', () => {
    const { chart, service } = setup();
    const profile = new ServiceProfile(chart, 'sp', {
      service: ServiceReference.fromService(service),
      retryBudget: { retryRatio: 0.1 },
      routes: [
        { name: 'GET /books/{id}', condition: RouteCondition.method('GET').and(RouteCondition.path('/books/{id}')), isRetryable: true, timeout: Duration.millis(1500), responseClasses: [ResponseClass.status(500, 504, { isFailure: true }), ResponseClass.status(429, 429, { isFailure: true })] },
        { name: 'GET /books', condition: RouteCondition.method('GET').and(RouteCondition.path('/books')), isRetryable: true, timeout: Duration.seconds(2) },
        { name: 'POST /books', condition: RouteCondition.method('POST').and(RouteCondition.path('/books')), timeout: Duration.seconds(3) },
        { name: 'not DELETE', condition: RouteCondition.not(RouteCondition.method('DELETE')) },
      ],
    });
    const migration = new ProfileMigration(chart, 'migrate', { profile, retryLimit: 2 });

    const objects = Testing.synth(chart);
    expect(objects.filter(o => o.kind === 'ServiceProfile')).toStrictEqual([]);
    expect(objects.filter(o => o.kind === 'HTTPRoute').map(r => [r.metadata, r.spec.rules])).toStrictEqual([
      [
        { name: 'books', namespace: 'booksapp', annotations: { 'retry.linkerd.io/http': '500-504,429', 'retry.linkerd.io/limit': '2' } },
        [{ backendRefs: [{ name: 'books', port: 7002 }], matches: [{ method: 'GET', path: { type: 'RegularExpression', value: '^/books/[^/]*$' } }], timeouts: { request: '1500ms' } }],
      ],
      [
        { name: 'books-2', namespace: 'booksapp', annotations: { 'retry.linkerd.io/http': '5xx', 'retry.linkerd.io/limit': '2' } },
        [{ backendRefs: [{ name: 'books', port: 7002 }], matches: [{ method: 'GET', path: { type: 'Exact', value: '/books' } }], timeouts: { request: '2s' } }],
      ],
      [
        { name: 'books-3', namespace: 'booksapp' },
        [
          { backendRefs: [{ name: 'books', port: 7002 }], matches: [{ method: 'POST', path: { type: 'Exact', value: '/books' } }], timeouts: { request: '3s' } },
          { backendRefs: [{ name: 'books', port: 7002 }], matches: [{ path: { type: 'PathPrefix', value: '/' } }] },
        ],
      ],
    ]);
    expect(migration.unmapped).toStrictEqual([
      'route "GET /books/{id}": responseClasses classify responses for metrics, which HTTPRoutes cannot (its failure ranges became the retry conditions)',
      'route "not DELETE": a not condition has no HTTPRoute equivalent; it has no rule, so its requests go to the added catch-all rule (PathPrefix /, no retries or timeouts of its own: the Service\'s annotations, if any, apply)',
      'retryBudget (retryRatio 0.1, minRetriesPerSecond 10) has no HTTPRoute equivalent: retries are counted per request instead (retry.linkerd.io/limit: 2); keep the limit low',
      'route order: the profile uses the first route that matches, HTTPRoutes rank matches by specificity (exact path, longest prefix, method); check overlapping regexes',
    ]);
    expect(collectWarnings(chart).map(w => w.message)).toContain(`ServiceProfile books.booksapp.svc.cluster.local → HTTPRoute: ${migration.unmapped[0]}`);
    expect(SchemaGate.load().validateAll(objects)).toStrictEqual([]);
  });

  test('any becomes several matches of one rule; more than 16 routes are split into several HTTPRoutes', () => {
    const { chart, service } = setup();
    const profile = ServiceProfile.fromOpenApi(chart, 'sp', {
      service: ServiceReference.fromService(service),
      spec: { paths: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`/p${String(i).padStart(2, '0')}`, { get: {} }])) },
    });
    profile.addRoute({ name: 'GET or HEAD /x', condition: RouteCondition.any(RouteCondition.method('GET'), RouteCondition.method('HEAD').and(RouteCondition.path('/x'))) });
    new ProfileMigration(chart, 'migrate', { profile, name: 'books-routes' });
    const routes = synthKind(chart, 'HTTPRoute');
    expect(routes.map(r => [r.metadata.name, r.spec.rules.length])).toStrictEqual([['books-routes', 16], ['books-routes-2', 6]]);
    expect(routes[1].spec.rules[4].matches).toStrictEqual([
      { method: 'GET', path: { type: 'PathPrefix', value: '/' } },
      { method: 'HEAD', path: { type: 'Exact', value: '/x' } },
    ]);
  });

  test('reports methods Gateway API cannot match and timeouts it cannot write', () => {
    const { chart, service } = setup();
    const profile = ServiceProfile.fromOpenApi(chart, 'sp', { service: ServiceReference.fromService(service), spec: { paths: { '/x': { get: { 'x-linkerd-timeout': '1500us' } } } } });
    profile.addRoute({ name: 'PURGE', condition: RouteCondition.method('PURGE') });
    const migration = new ProfileMigration(chart, 'migrate', { profile });
    expect(migration.unmapped.slice(0, 2)).toStrictEqual([
      'route "GET /x": timeout 1500us cannot be written as one <1-5 digits><h|m|s|ms> term, the only HTTPRoute timeout Linkerd reads; the rule has none',
      'route "PURGE": method PURGE is not one Gateway API can match; it has no rule, so its requests go to the added catch-all rule (PathPrefix /, no retries or timeouts of its own: the Service\'s annotations, if any, apply)',
    ]);
    expect(synthKind(chart, 'HTTPRoute')[0].spec.rules).toStrictEqual([
      { backendRefs: [{ name: 'books', port: 7002 }], matches: [{ method: 'GET', path: { type: 'Exact', value: '/x' } }] },
      { backendRefs: [{ name: 'books', port: 7002 }], matches: [{ path: { type: 'PathPrefix', value: '/' } }] },
    ]);
  });

  // linkerd2@version-2.20:policy-controller/k8s/index/src/outbound/index/http.rs:188 drops a rule timeout parse_duration rejects
  test('a timeout of several units is written as one term; one that has none is reported, not written as 1m40s1ms', () => {
    const { chart, service } = setup();
    const profile = ServiceProfile.fromOpenApi(chart, 'sp', { service: ServiceReference.fromService(service), spec: { paths: {
      '/a': { get: { 'x-linkerd-timeout': '1m30s500ms' } },
      '/b': { get: { 'x-linkerd-timeout': '1m40.001s' } },
    } } });
    const migration = new ProfileMigration(chart, 'migrate', { profile });
    expect(synthKind(chart, 'HTTPRoute')[0].spec.rules.map((r: any) => r.timeouts)).toStrictEqual([{ request: '90500ms' }, undefined, undefined]);
    expect(migration.unmapped[0]).toBe('route "GET /b": timeout 1m40.001s cannot be written as one <1-5 digits><h|m|s|ms> term, the only HTTPRoute timeout Linkerd reads; the rule has none');
  });

  // a profile always has a default route (linkerd2-proxy@release/v2.359.0:linkerd/app/outbound/src/http/logical/profile.rs:181);
  // with an HTTPRoute attached the policy controller adds none (linkerd2@version-2.20:policy-controller/grpc/src/outbound/http.rs:48)
  // and the proxy answers an unmatched request 404 (linkerd2-proxy@release/v2.359.0:linkerd/app/outbound/src/http/server.rs:158)
  test('adds a catch-all rule without retries to the route without retries, so unmatched requests do not get 404', () => {
    const { chart, service } = setup();
    const profile = new ServiceProfile(chart, 'sp', {
      service: ServiceReference.fromService(service),
      routes: [{ name: 'GET /books', condition: RouteCondition.method('GET').and(RouteCondition.path('/books')), isRetryable: true, timeout: Duration.seconds(1) }],
    });
    const migration = new ProfileMigration(chart, 'migrate', { profile });
    expect(migration.catchAllAdded).toBe(true);
    expect(synthKind(chart, 'HTTPRoute').map(r => [r.metadata, r.spec.rules.map((rule: any) => [rule.matches, rule.timeouts])])).toStrictEqual([
      [{ name: 'books', namespace: 'booksapp', annotations: { 'retry.linkerd.io/http': '5xx', 'retry.linkerd.io/limit': '1' } }, [[[{ method: 'GET', path: { type: 'Exact', value: '/books' } }], { request: '1s' }]]],
      [{ name: 'books-2', namespace: 'booksapp' }, [[[{ path: { type: 'PathPrefix', value: '/' } }], undefined]]],
    ]);
  });

  test('adds no catch-all when a profile route already matches every request (a path regex such as .*, any method)', () => {
    const { chart, service } = setup();
    const profile = new ServiceProfile(chart, 'sp', {
      service: ServiceReference.fromService(service),
      routes: [
        { name: 'PURGE', condition: RouteCondition.method('PURGE') },
        { name: 'everything', condition: RouteCondition.pathRegex('.*'), timeout: Duration.seconds(5) },
      ],
    });
    const migration = new ProfileMigration(chart, 'migrate', { profile });
    expect(migration.catchAllAdded).toBe(false);
    expect(synthKind(chart, 'HTTPRoute').map(r => r.spec.rules.map((rule: any) => [rule.matches, rule.timeouts]))).toStrictEqual([
      [[[{ path: { type: 'PathPrefix', value: '/' } }], { request: '5s' }]],
    ]);
    expect(migration.unmapped[0]).toBe('route "PURGE": method PURGE is not one Gateway API can match; it has no rule, so its requests go to the profile\'s catch-all route "everything"');
  });

  test('fails before Linkerd 2.16', () => {
    const { chart, service } = setup();
    const profile = new ServiceProfile(chart, 'sp', { service: ServiceReference.fromService(service), version: LinkerdVersion.V2_14 });
    expect(() => new ProfileMigration(chart, 'migrate', { profile }))
      .toThrow(/^\[test\/migrate\] migrating a ServiceProfile to HTTPRoutes with retry and timeout annotations needs Linkerd 2.16 or later \(retry and timeout annotations\), but this is Linkerd 2.14$/);
  });
});
