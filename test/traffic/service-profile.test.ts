import { ApiObject, Chart, Duration, JsonPatch, Lazy, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-25';
import { ServiceProfileV1Alpha2 } from '../../imports/linkerd.io';
import { collectWarnings } from '../../src/_internal/warnings';
import { SchemaGate } from '../../src/gate/schema-gate';
import {
  CircuitBreaker, FailureAccrual, HttpMethod, HttpRetryCondition, HttpRoute, ResponseClass, ResponseCondition, RetriesAndTimeouts, RouteCondition,
  ServiceProfile, ServiceProfileProps, ServiceProfileRoute, ServiceReference,
} from '../../src/traffic';
import { synthKind, testChart } from '../_util';

const books = ServiceReference.fromName('books', 'booksapp');
const getBooks: ServiceProfileRoute = { name: 'GET /books/{id}', condition: RouteCondition.method('GET').and(RouteCondition.path('/books/{id}')) };

function profile(props: Partial<ServiceProfileProps> = {}, chart: Chart = testChart()) {
  const sp = new ServiceProfile(chart, 'sp', { service: books, ...props });
  return { chart, sp, rendered: () => synthKind(chart, 'ServiceProfile')[0], warnings: () => collectWarnings(chart).map(w => w.message) };
}

function kplusService(chart: Chart, props: Partial<kplus.ServiceProps> = {}) {
  return new kplus.Service(chart, 'books-svc', { metadata: { name: 'books', namespace: 'booksapp' }, ports: [{ port: 7002 }], ...props });
}

describe('ServiceProfile', () => {
  test('is named <svc>.<ns>.svc.<clusterDomain> in the Service\'s namespace and renders typed routes as the CRD spells them', () => {
    const { rendered } = profile({
      clusterDomain: 'example.org',
      retryBudget: {},
      routes: [
        {
          ...getBooks,
          responseClasses: [ResponseClass.status(500, 599, { isFailure: true }), ResponseClass.status(404)],
          isRetryable: true,
          timeout: Duration.millis(300),
        },
        { name: 'POST /books', condition: RouteCondition.method('post').and(RouteCondition.pathRegex('/books')) },
      ],
    });
    expect(rendered()).toStrictEqual({
      apiVersion: 'linkerd.io/v1alpha2',
      kind: 'ServiceProfile',
      metadata: { name: 'books.booksapp.svc.example.org', namespace: 'booksapp' },
      spec: {
        retryBudget: { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: '10s' },
        routes: [
          {
            name: 'GET /books/{id}',
            condition: { method: 'GET', pathRegex: '/books/[^/]*' },
            responseClasses: [
              { condition: { status: { min: 500, max: 599 } }, isFailure: true },
              { condition: { status: { min: 404, max: 404 } } },
            ],
            isRetryable: true,
            timeout: '300ms',
          },
          { name: 'POST /books', condition: { method: 'POST', pathRegex: '/books' } },
        ],
      },
    });
  });

  test('without a retryBudget none is written (Linkerd then applies 0.2 / 10 / 10s); a given budget is written in full', () => {
    expect(profile({ routes: [getBooks] }).rendered().spec.retryBudget).toBeUndefined();
    expect(profile({ retryBudget: { retryRatio: 0.1, minRetriesPerSecond: 5, ttl: Duration.minutes(1) } }).rendered().spec.retryBudget)
      .toStrictEqual({ retryRatio: 0.1, minRetriesPerSecond: 5, ttl: '1m0s' });
  });

  test('a top-level not is nested in all (the CRD wants an array, the sp-validator an object); all, any and gRPC helpers', () => {
    const { rendered } = profile({
      routes: [
        { name: 'not DELETE', condition: RouteCondition.not(RouteCondition.method('DELETE')) },
        { name: 'GET /api/*', condition: RouteCondition.all(RouteCondition.method('GET'), RouteCondition.pathPrefix('/api/')) },
        { name: 'GET or HEAD', condition: RouteCondition.any(RouteCondition.method('GET'), RouteCondition.method('HEAD')) },
        { name: 'VotePoop', condition: RouteCondition.grpc('emojivoto.v1.VotingService', 'VotePoop') },
        { name: 'GET not admin', condition: RouteCondition.method('GET').and(RouteCondition.not(RouteCondition.pathPrefix('/admin'))) },
      ],
    });
    expect(rendered().spec.routes.map((r: any) => r.condition)).toStrictEqual([
      { all: [{ not: { method: 'DELETE' } }] },
      { all: [{ method: 'GET' }, { pathRegex: '/api/.*' }] },
      { any: [{ method: 'GET' }, { method: 'HEAD' }] },
      { method: 'POST', pathRegex: '/emojivoto\\.v1\\.VotingService/VotePoop' },
      { all: [{ method: 'GET' }, { not: { pathRegex: '/admin.*' } }] },
    ]);
  });

  test('response classes: compound conditions, a top-level not nested in all, both bounds always written', () => {
    const { rendered } = profile({
      routes: [{
        ...getBooks,
        responseClasses: [
          ResponseClass.when(ResponseCondition.not(ResponseCondition.status(200, 399)), { isFailure: true }),
          ResponseClass.when(ResponseCondition.any(ResponseCondition.status(429), ResponseCondition.all(ResponseCondition.status(500, 599)))),
        ],
      }],
    });
    expect(rendered().spec.routes[0].responseClasses).toStrictEqual([
      { condition: { all: [{ not: { status: { min: 200, max: 399 } } }] }, isFailure: true },
      { condition: { any: [{ status: { min: 429, max: 429 } }, { all: [{ status: { min: 500, max: 599 } }] }] } },
    ]);
  });

  test('accepts a cdk8s-plus Service, an ApiObject Service, and a client namespace to override the profile for that client', () => {
    const chart = testChart();
    const svc = kplusService(chart);
    const raw = new ApiObject(chart, 'authors', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'authors', namespace: 'booksapp' }, spec: { ports: [{ port: 7001 }] } });
    new ServiceProfile(chart, 'a', { service: ServiceReference.fromService(svc) });
    new ServiceProfile(chart, 'b', { service: ServiceReference.fromApiObject(raw), metadata: { namespace: 'webapp', labels: { team: 'books' } } });
    expect(synthKind(chart, 'ServiceProfile').map(p => p.metadata)).toStrictEqual([
      { name: 'books.booksapp.svc.cluster.local', namespace: 'booksapp' },
      { name: 'authors.booksapp.svc.cluster.local', namespace: 'webapp', labels: { team: 'books' } },
    ]);
  });

  test('a Service without its own namespace takes its chart\'s', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'booksapp' });
    new ServiceProfile(chart, 'sp', { service: ServiceReference.fromService(new kplus.Service(chart, 's', { metadata: { name: 'books' }, ports: [{ port: 80 }] })) });
    expect(chart.toJson().find(o => o.kind === 'ServiceProfile').metadata.name).toBe('books.booksapp.svc.cluster.local');
  });

  test('defaultTimeout fills in routes without a timeout', () => {
    const { rendered } = profile({ defaultTimeout: Duration.seconds(5), routes: [getBooks, { ...getBooks, name: 'slow', condition: RouteCondition.path('/slow'), timeout: Duration.minutes(2) }] });
    expect(rendered().spec.routes.map((r: any) => r.timeout)).toStrictEqual(['5s', '2m0s']);
  });

  test('addRoute appends after the routes given as props', () => {
    const { sp, rendered } = profile({ routes: [getBooks] });
    sp.addRoute({ name: 'GET /', condition: RouteCondition.method('GET').and(RouteCondition.path('/')) });
    expect(rendered().spec.routes.map((r: any) => r.name)).toStrictEqual(['GET /books/{id}', 'GET /']);
    expect(sp.routes).toHaveLength(2);
  });

  test('retryable non-idempotent routes are allowed with the explicit opt-in', () => {
    const { rendered } = profile({ routes: [{ name: 'POST /x', condition: RouteCondition.method('POST'), isRetryable: true, timeout: Duration.seconds(1), allowNonIdempotentRetry: true }] });
    expect(rendered().spec.routes[0].isRetryable).toBe(true);
  });

  test('passes the output gate, with and without routes, and never writes opaquePorts or dstOverrides', () => {
    const chart = testChart();
    kplusService(chart);
    new ServiceProfile(chart, 'empty', { service: ServiceReference.fromName('authors', 'booksapp') });
    new ServiceProfile(chart, 'full', {
      service: books,
      retryBudget: { retryRatio: 0.2 },
      routes: [
        {
          ...getBooks,
          responseClasses: [ResponseClass.when(ResponseCondition.not(ResponseCondition.status(200, 299)), { isFailure: true })],
          isRetryable: true,
          timeout: Duration.seconds(1),
        },
        { name: 'not DELETE', condition: RouteCondition.not(RouteCondition.method('DELETE')) },
      ],
    });
    const objects = Testing.synth(chart);
    expect(SchemaGate.load().validateAll(objects)).toStrictEqual([]);
    for (const sp of objects.filter(o => o.kind === 'ServiceProfile')) expect(Object.keys(sp.spec ?? {}).sort()).not.toContain('opaquePorts');
  });

  describe('lints (warnings, not errors)', () => {
    test('a retry ratio above 0.2 and a retryable route without a timeout', () => {
      const { warnings } = profile({ retryBudget: { retryRatio: 0.5 }, routes: [{ ...getBooks, isRetryable: true }] });
      expect(warnings()).toStrictEqual([
        'retryBudget.retryRatio 0.5 lets retries add more than 20% load: excessive client retries overload a failing service; Linkerd\'s default is 0.2',
        'route "GET /books/{id}" is retryable but has no timeout: a hung request is never retried; set a timeout or defaultTimeout',
      ]);
    });

    test.each([
      ['^/books$', 'pathRegex "^/books$" carries its own anchors: the proxy anchors every pathRegex as ^…$ itself; drop the ^ and $'],
      ['.*books.*', 'pathRegex ".*books.*" has .* on both ends: anchored as ^.*books.*$ it matches any path that merely contains "books"; match from the start of the path instead'],
      ['/a|/b', 'pathRegex "/a|/b" has a top-level |: the proxy anchors it as ^/a|/b$, which only anchors the first alternative at the start and the last at the end; group it as (?:/a|/b)'],
      ['/books.json', 'pathRegex "/books.json" has an unescaped \'.\', which matches any character; escape it as \\. to match a literal dot'],
      [' /books', 'pathRegex " /books" has leading or trailing whitespace, which the proxy trims'],
    ])('the regex %p', (regex, message) => {
      const { warnings } = profile({ routes: [{ name: 'r', condition: RouteCondition.pathRegex(regex) }] });
      expect(warnings()).toStrictEqual([`route "r": ${message}`]);
    });

    test('no lint for grouped alternation, escaped dots, or a trailing .*', () => {
      const { warnings } = profile({ routes: [{ name: 'r', condition: RouteCondition.pathRegex('/(?:a|b)/v1\\.0/.*') }] });
      expect(warnings()).toStrictEqual([]);
    });

    test('duplicate conditions and names', () => {
      const { warnings } = profile({ routes: [getBooks, { ...getBooks, name: 'again', condition: RouteCondition.path('/books/{id}').and(RouteCondition.method('GET')) }, { ...getBooks, condition: RouteCondition.path('/x') }] });
      expect(warnings()).toStrictEqual([
        'route "again" has the same condition as the earlier route "GET /books/{id}", which wins (first match), so it never matches',
        'route "GET /books/{id}": another route has the same name; Linkerd reports metrics per route name, so the two are indistinguishable',
      ]);
    });

    test('routes shadowed by an earlier, broader route for the same method', () => {
      const { warnings } = profile({
        routes: [
          { name: 'GET /books/{id}', condition: RouteCondition.method('GET').and(RouteCondition.path('/books/{id}')) },
          { name: 'GET /books/featured', condition: RouteCondition.method('GET').and(RouteCondition.path('/books/featured')) },
          { name: 'POST /books/featured', condition: RouteCondition.method('POST').and(RouteCondition.path('/books/featured')) },
          { name: 'GET /api/*', condition: RouteCondition.method('GET').and(RouteCondition.pathPrefix('/api/')) },
          { name: 'GET /api/v1/{id}', condition: RouteCondition.method('GET').and(RouteCondition.path('/api/v1/{id}')) },
          { name: 'all DELETEs', condition: RouteCondition.method('DELETE') },
          { name: 'DELETE /x', condition: RouteCondition.method('DELETE').and(RouteCondition.path('/x')) },
          { name: 'any method /y', condition: RouteCondition.path('/y') },
          { name: 'PUT /y', condition: RouteCondition.method('PUT').and(RouteCondition.path('/y')) },
        ],
      });
      expect(warnings()).toStrictEqual([
        'route "GET /books/featured" is shadowed by the earlier, broader route "GET /books/{id}" for the same method (first match wins), so it never matches',
        'route "GET /api/v1/{id}" is shadowed by the earlier, broader route "GET /api/*" for the same method (first match wins), so it never matches',
        'route "DELETE /x" is shadowed by the earlier, broader route "all DELETEs" for the same method (first match wins), so it never matches',
        'route "PUT /y" is shadowed by the earlier, broader route "any method /y" for the same method (first match wins), so it never matches',
      ]);
    });
  });

  describe('bad input: one error naming the path, the value and what is allowed', () => {
    test('fails when the service has no namespace', () => {
      const chart = testChart();
      const service = new kplus.Service(chart, 'books', { metadata: { name: 'books' }, ports: [{ port: 80 }] });
      expect(() => profile({ service: ServiceReference.fromService(service) }, chart))
        .toThrow(/^\[test\/sp\] service "books" has no namespace: set metadata.namespace on the Service/);
    });

    test('fails when the service name is not a DNS-1035 label', () => {
      expect(() => profile({ service: ServiceReference.fromName('1books', 'booksapp') })).toThrow(/^\[test\/sp\] service name "1books" must be a DNS-1035 label/);
    });

    test('fails when the namespace is not a DNS-1123 label', () => {
      expect(() => profile({ service: ServiceReference.fromName('books', 'Books') })).toThrow(/^\[test\/sp\] service "books" namespace "Books" must be a DNS-1123 label/);
    });

    test('fails when clusterDomain is not a DNS-1123 subdomain', () => {
      expect(() => profile({ clusterDomain: 'cluster_local' })).toThrow(/^\[test\/sp\] clusterDomain "cluster_local" must be a DNS-1123 subdomain/);
    });

    test('fails when metadata.name is not the name Linkerd looks up', () => {
      expect(() => profile({ metadata: { name: 'books' } }))
        .toThrow(/^\[test\/sp\] metadata.name "books" cannot be set: Linkerd finds a profile by the name "books.booksapp.svc.cluster.local"/);
    });

    test('fails when defaultTimeout is zero', () => {
      expect(() => profile({ defaultTimeout: Duration.seconds(0) })).toThrow(/^\[test\/sp\] defaultTimeout 0ms must be a positive whole number of milliseconds$/);
    });

    test('fails when a timeout is a fraction of a millisecond', () => {
      expect(() => profile({ routes: [{ ...getBooks, timeout: Duration.millis(0.5) }] }))
        .toThrow(/^\[test\/sp\] route "GET \/books\/\{id\}" timeout 0.5ms must be a whole number of milliseconds$/);
      expect(() => profile({ retryBudget: { ttl: Duration.millis(1.5) } })).toThrow(/^\[test\/sp\] retryBudget.ttl 1.5ms must be a whole number of milliseconds$/);
    });

    test('fails when a route has no name', () => {
      expect(() => profile({ routes: [{ ...getBooks, name: '' }] })).toThrow(/^\[test\/sp\] route "" has no name: every route needs a name \(its metrics label\)$/);
    });

    test.each([
      ['lookahead', '/books/(?=\\d)', /pathRegex "\/books\/\(\?=\\\\d\)" is not valid RE2\/Rust regex syntax \(error parsing regexp: invalid or unsupported Perl syntax: `\(\?=`\): the proxy silently drops a match whose regex does not compile/],
      ['a backreference', '/(a)\\1', /pathRegex "\/\(a\)\\\\1" is not valid RE2\/Rust regex syntax \(error parsing regexp: invalid escape sequence: `\\1`\)/],
      ['an unclosed class', '/books/[0-9', /pathRegex "\/books\/\[0-9" is not valid RE2\/Rust regex syntax \(error parsing regexp: missing closing \]: `\[0-9`\)/],
    ])('fails when a pathRegex has %s, which JS accepts but the proxy drops', (_what, regex, message) => {
      expect(() => profile({ routes: [{ name: 'r', condition: RouteCondition.pathRegex(regex) }] })).toThrow(message);
    });

    test('fails when a pathRegex is empty', () => {
      expect(() => profile({ routes: [{ name: 'r', condition: RouteCondition.pathRegex('') }] }))
        .toThrow(/^\[test\/sp\] route "r" condition is empty: a request match must have a field set \(method, pathRegex, all, any or not\)$/);
    });

    test('fails when all or any is empty', () => {
      expect(() => profile({ routes: [{ name: 'r', condition: RouteCondition.all() }] }))
        .toThrow(/^\[test\/sp\] route "r" condition all must be a non-empty list of request matches, got \[\]$/);
    });

    test('fails when a method is not an HTTP token', () => {
      expect(() => profile({ routes: [{ name: 'r', condition: RouteCondition.method('GET /') }] }))
        .toThrow(/^\[test\/sp\] route "r" condition method "GET \/" is not an HTTP method token, e.g. GET$/);
    });

    test('fails when a status is outside 100–599', () => {
      expect(() => profile({ routes: [{ ...getBooks, responseClasses: [ResponseClass.status(500, 600)] }] }))
        .toThrow(/^\[test\/sp\] route "GET \/books\/\{id\}" responseClasses\[0\] condition status \{"min":500,"max":600\}: min and max must be HTTP status codes between 100 and 599, inclusive$/);
    });

    test('fails when a status range is reversed', () => {
      expect(() => profile({ routes: [{ ...getBooks, responseClasses: [ResponseClass.status(599, 500)] }] }))
        .toThrow(/responseClasses\[0\] condition status \{"min":599,"max":500\}: the range maximum cannot be smaller than the minimum$/);
    });

    test('fails when a route timeout is zero', () => {
      expect(() => profile({ routes: [{ ...getBooks, timeout: Duration.seconds(0) }] }))
        .toThrow(/^\[test\/sp\] route "GET \/books\/\{id\}" timeout "0s" must be a positive Go duration such as 500ms, 10s or 1m30s$/);
    });

    test('fails when a POST route is retryable without allowNonIdempotentRetry', () => {
      expect(() => profile({ routes: [{ name: 'POST /books', condition: RouteCondition.method('POST').and(RouteCondition.path('/books')), isRetryable: true }] }))
        .toThrow(/^\[test\/sp\] route "POST \/books" is retryable but matches POST, which is not idempotent: a retried request may be applied twice; set allowNonIdempotentRetry: true on the route if the handler is idempotent \(cdk8s-linkerd\/non-idempotent-retry: our lint, stricter than Linkerd, which retries any method\)$/);
    });

    test('fails when a route without a method is retryable without allowNonIdempotentRetry', () => {
      expect(() => profile({ routes: [{ name: '/books', condition: RouteCondition.path('/books'), isRetryable: true }] }))
        .toThrow(/route "\/books" is retryable but matches any method, which is not idempotent/);
      expect(() => profile({ routes: [{ name: 'GET or PATCH', condition: RouteCondition.any(RouteCondition.method('GET'), RouteCondition.method('PATCH')), isRetryable: true }] }))
        .toThrow(/route "GET or PATCH" is retryable but matches PATCH, which is not idempotent/);
    });

    test('fails when retryRatio is negative or minRetriesPerSecond is fractional', () => {
      expect(() => profile({ retryBudget: { retryRatio: -0.1, minRetriesPerSecond: 1.5 } })).toThrow(
        /^\[test\/sp\] 2 problems:\n {2}- retryBudget.retryRatio -0.1 must be a number of at least 0 \(0.2 = at most 20% extra requests\)\n {2}- retryBudget.minRetriesPerSecond 1.5 must be a whole number from 0 to 2147483647$/);
    });
  });

  describe('checked as written at construction; rendered there only when rendering could change what the rules read', () => {
    // the construction-time check reads the profile as written (src/_internal/validated.ts validateWritten): rendering
    // ten thousand profiles to check them cost seconds (BENCHMARKS.md, scaling)
    const renders = () => jest.spyOn(ServiceProfileV1Alpha2.prototype, 'toJson');
    afterEach(() => jest.restoreAllMocks());

    test('a profile of plain values is not rendered at construction, and is rendered and checked at synth', () => {
      const spy = renders();
      const { chart } = profile({ retryBudget: { ttl: Duration.seconds(30) }, routes: [getBooks], metadata: { labels: { team: 'books' } } });
      expect(spy).not.toHaveBeenCalled();
      expect(Testing.synth(chart).find(o => o.kind === 'ServiceProfile').spec.retryBudget.ttl).toBe('30s');
      expect(spy).toHaveBeenCalled();
    });

    test('fails at construction when a resolver of the app makes a written value invalid (rendered, as before)', () => {
      const app = Testing.app({ resolvers: [{ resolve: ctx => { if (ctx.value === '10s') ctx.replaceValue('-1s'); } }] });
      const chart = new Chart(app, 'test');
      expect(() => new ServiceProfile(chart, 'sp', { service: books, retryBudget: {} }))
        .toThrow(/^\[test\/sp\] retryBudget.ttl "-1s" must be a positive Go duration such as 10s$/);
    });

    test('a Lazy label is resolved by rendering at construction', () => {
      const spy = renders();
      const { rendered } = profile({ metadata: { labels: { team: Lazy.any({ produce: () => 'books' }) as any } } });
      expect(spy).toHaveBeenCalledTimes(1);
      expect(rendered().metadata.labels).toStrictEqual({ team: 'books' });
    });

    test('fails at construction when a label holds a value that cannot be rendered', () => {
      expect(() => profile({ metadata: { labels: { since: new Date(0) as any } } }))
        .toThrow(/^\[test\/sp\] cannot be rendered: .*can't render non-simple object of type 'Date'/);
    });
  });

  describe('rules that also hold for objects patched through the escape hatch (checked again at synth)', () => {
    const patched = (...patches: JsonPatch[]) => {
      const route = { ...getBooks, responseClasses: [ResponseClass.status(500, 599, { isFailure: true })] };
      const { chart, sp } = profile({ retryBudget: {}, routes: [route] });
      ApiObject.of(sp).addJsonPatch(...patches);
      return () => Testing.synth(chart);
    };

    test('fails when a status range lacks a bound, which the proxy drops although the docs say it matches one code', () => {
      expect(patched(JsonPatch.remove('/spec/routes/0/responseClasses/0/condition/status/max')))
        .toThrow(/\[test\/sp\] route "GET \/books\/\{id\}" responseClasses\[0\] condition status \{"min":500\} must set both min and max \(use min = max for one code\): the proxy drops a range with a missing bound/);
    });

    test('fails when a route condition has a top-level not', () => {
      expect(patched(JsonPatch.add('/spec/routes/0/condition/not', [{ method: 'DELETE' }])))
        .toThrow(/route "GET \/books\/\{id\}" condition has a top-level not, which Linkerd cannot accept \(the CRD wants an array, the sp-validator an object\): nest it in all/);
    });

    test('fails when opaquePorts or dstOverrides are set', () => {
      expect(patched(JsonPatch.add('/spec/opaquePorts', ['8080'])))
        .toThrow(/spec.opaquePorts must not be set: it is filled in by Linkerd's controllers/);
    });

    test('fails when the retry budget has no ttl', () => {
      expect(patched(JsonPatch.remove('/spec/retryBudget/ttl'))).toThrow(/retryBudget.ttl is missing: the sp-validator requires it \(Linkerd's default is 10s\)/);
    });

    test('fails when a route has no condition, or a nested match has an unknown field', () => {
      expect(patched(JsonPatch.remove('/spec/routes/0/condition'))).toThrow(/route "GET \/books\/\{id\}" has no condition: every route needs one/);
      expect(patched(JsonPatch.replace('/spec/routes/0/condition', { all: [{ method: 'GET', path: '/x' }] })))
        .toThrow(/route "GET \/books\/\{id\}" condition all\[0\] has the unknown field "path": use all, any, method, not, pathRegex/);
    });

    test('fails when the name is not a DNS-1123 subdomain', () => {
      expect(patched(JsonPatch.replace('/metadata/name', 'Books'))).toThrow(/name "Books" must be a DNS-1123 subdomain/);
    });
  });

  describe('conflicts: what a ServiceProfile with routes silently disables is a synth error', () => {
    // the proxy routes by the profile only when it has routes or dstOverrides:
    // linkerd2-proxy@release/v2.359.0:linkerd/app/outbound/src/sidecar.rs:192, linkerd/service-profiles/src/lib.rs:193
    const wins = 'the ServiceProfile books.booksapp.svc.cluster.local silently wins: while a profile with routes exists for a Service, Linkerd ignores';
    const routes = [getBooks];

    test('fails when the Service also has a circuit breaker', () => {
      const chart = testChart();
      const svc = kplusService(chart);
      new CircuitBreaker(chart, 'cb', { service: ServiceReference.fromService(svc) });
      profile({ service: ServiceReference.fromService(svc), routes }, chart);
      expect(() => Testing.synth(chart)).toThrow(new RegExp(`\\[test/sp\\] Service booksapp/books has the annotations balancer.linkerd.io/failure-accrual, .*, but ${wins}`));
    });

    test('fails when the Service has retry or timeout annotations, even when the profile names it by { name, namespace }', () => {
      const chart = testChart();
      const svc = kplusService(chart);
      new RetriesAndTimeouts(chart, 'rt', { service: ServiceReference.fromService(svc), timeouts: { request: Duration.seconds(3) } });
      profile({ routes }, chart);
      expect(() => Testing.synth(chart)).toThrow(/\[test\/sp\] Service booksapp\/books has the annotations timeout.linkerd.io\/request, but the ServiceProfile books.booksapp.svc.cluster.local silently wins/);
    });

    test('fails when an HTTPRoute attaches to the Service', () => {
      const chart = testChart();
      const svc = kplusService(chart);
      new HttpRoute(chart, 'route', { service: ServiceReference.fromService(svc), metadata: { name: 'books-get' }, retry: { http: [HttpRetryCondition.SERVER_ERROR] }, rules: [{ matches: [{ method: HttpMethod.GET }] }] });
      profile({ service: ServiceReference.fromService(svc), routes }, chart);
      expect(() => Testing.synth(chart)).toThrow(/\[test\/sp\] HTTPRoute booksapp\/books-get \(test\/route\/Resource\) attaches to Service booksapp\/books, but the ServiceProfile books.booksapp.svc.cluster.local silently wins/);
    });

    test('fails when the Service has 2.20\'s balancer.alpha.linkerd.io annotations (load biaser, Retry-After)', () => {
      const chart = testChart();
      const svc = kplusService(chart, { metadata: { name: 'books', namespace: 'booksapp', annotations: {
        'balancer.alpha.linkerd.io/penalize-failures': 'true', 'balancer.alpha.linkerd.io/failure-accrual-honor-retry-after': 'true',
      } } });
      profile({ service: ServiceReference.fromService(svc), routes }, chart);
      expect(() => Testing.synth(chart)).toThrow(new RegExp(`\\[test/sp\\] Service booksapp/books has the annotations balancer.alpha.linkerd.io/failure-accrual-honor-retry-after, balancer.alpha.linkerd.io/penalize-failures, but ${wins}`));
    });

    test('a profile without routes shadows nothing: circuit breaking, retry and timeout annotations and HTTPRoutes stay in force', () => {
      const chart = testChart();
      const svc = kplusService(chart);
      new CircuitBreaker(chart, 'cb', { service: ServiceReference.fromService(svc), accrual: FailureAccrual.unified() });
      new RetriesAndTimeouts(chart, 'rt', { service: ServiceReference.fromService(svc), retry: { timeout: Duration.millis(300) }, timeouts: { request: Duration.seconds(3) }, allowNonIdempotentRetries: true });
      new HttpRoute(chart, 'route', { service: ServiceReference.fromService(svc), metadata: { name: 'books-get' }, rules: [{ matches: [{ method: HttpMethod.GET }] }] });
      profile({ service: ServiceReference.fromService(svc), retryBudget: {} }, chart);
      expect(() => Testing.synth(chart)).not.toThrow();
    });

    test('fails when the Service is headless', () => {
      const chart = testChart();
      const svc = kplusService(chart, { clusterIP: 'None' });
      profile({ service: ServiceReference.fromService(svc) }, chart);
      expect(() => Testing.synth(chart)).toThrow(/\[test\/sp\] Service booksapp\/books is headless \(clusterIP: None\): Linkerd cannot retrieve a ServiceProfile for a headless Service/);
    });

    test('fails when two profiles for the same Service share a namespace', () => {
      const { chart } = profile();
      new ServiceProfile(chart, 'again', { service: books });
      expect(() => Testing.synth(chart)).toThrow(/\[test\/again\] ServiceProfile booksapp\/books.booksapp.svc.cluster.local is also defined at test\/sp\/Resource: Kubernetes keeps only one object per name and namespace; put all routes in one profile/);
    });

    test('a circuit breaker on another Service, or a route for another namespace\'s Service, is no conflict', () => {
      const chart = testChart();
      const svc = kplusService(chart);
      const other = new kplus.Service(chart, 'authors', { metadata: { name: 'authors', namespace: 'booksapp' }, ports: [{ port: 7001 }] });
      new CircuitBreaker(chart, 'cb', { service: ServiceReference.fromService(other) });
      new HttpRoute(chart, 'route', { service: ServiceReference.fromName('books', 'other'), port: 80 });
      profile({ service: ServiceReference.fromService(svc) }, chart);
      expect(() => Testing.synth(chart)).not.toThrow();
    });
  });
});
