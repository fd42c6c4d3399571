import { ApiObject, Duration, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-25';
import { collectWarnings } from '../../src/_internal/warnings';
import { SchemaGate } from '../../src/gate/schema-gate';
import { LinkerdVersion } from '../../src/linkerd';
import { GrpcRetryCondition, HttpMethod, NON_IDEMPOTENT_RETRY_LINT, HttpRetryCondition, HttpRoute, HttpRouteProps, PathMatch, RetriesAndTimeouts, RetriesAndTimeoutsProps, ServiceReference } from '../../src/traffic';
import { synthKind, testChart } from '../_util';

function route(props: Partial<HttpRouteProps> = {}, ports = [{ port: 7002 }]) {
  const chart = testChart();
  const service = new kplus.Service(chart, 'books', { metadata: { name: 'books', namespace: 'booksapp' }, ports });
  const r = new HttpRoute(chart, 'route', { service: ServiceReference.fromService(service), metadata: { name: 'books-get' }, ...props });
  return { chart, route: r, rendered: () => synthKind(chart, 'HTTPRoute')[0], warnings: () => collectWarnings(chart).map(w => w.message) };
}

const getBooks = { matches: [{ path: PathMatch.prefix('/books'), method: HttpMethod.GET }], timeout: Duration.seconds(5) };

describe('HttpRoute', () => {
  test('a gateway.networking.k8s.io/v1 HTTPRoute whose parent and backend are the Service, with retry annotations', () => {
    const { chart, rendered } = route({
      rules: [getBooks, { matches: [{ path: PathMatch.exact('/'), method: HttpMethod.HEAD }, { path: PathMatch.regex('/books/[0-9]+') }] }],
      retry: { http: [HttpRetryCondition.GATEWAY_ERROR], limit: 2, timeout: Duration.millis(300) },
      allowNonIdempotentRetries: true,
    });
    expect(rendered()).toStrictEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: {
        name: 'books-get',
        namespace: 'booksapp',
        annotations: { 'retry.linkerd.io/http': 'gateway-error', 'retry.linkerd.io/limit': '2', 'retry.linkerd.io/timeout': '300ms' },
      },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: 'books', port: 7002 }],
        rules: [
          { backendRefs: [{ name: 'books', port: 7002 }], matches: [{ method: 'GET', path: { type: 'PathPrefix', value: '/books' } }], timeouts: { request: '5s' } },
          {
            backendRefs: [{ name: 'books', port: 7002 }],
            matches: [{ method: 'HEAD', path: { type: 'Exact', value: '/' } }, { path: { type: 'RegularExpression', value: '/books/[0-9]+' } }],
          },
        ],
      },
    });
    expect(SchemaGate.load().validateAll(Testing.synth(chart))).toStrictEqual([]);
  });

  test('without rules it matches every request; a consumer route in a client namespace names the parent\'s namespace and no backend', () => {
    const chart = testChart();
    new HttpRoute(chart, 'r', { service: ServiceReference.fromName('books', 'booksapp'), port: 80, metadata: { name: 'books', namespace: 'webapp' }, timeouts: { request: Duration.seconds(2) } });
    const [rendered] = synthKind(chart, 'HTTPRoute');
    expect(rendered.metadata).toStrictEqual({ name: 'books', namespace: 'webapp', annotations: { 'timeout.linkerd.io/request': '2s' } });
    expect(rendered.spec).toStrictEqual({
      parentRefs: [{ group: '', kind: 'Service', name: 'books', namespace: 'booksapp', port: 80 }],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }],
    });
  });

  test('synth adds nothing to the tree: its warnings are produced when collected', () => {
    const { chart, route: r, warnings } = route({ rules: [{ matches: [{ method: HttpMethod.GET }] }] });
    const metadata = r.node.metadata.length;
    Testing.synth(chart);
    expect(r.node.metadata.length).toBe(metadata);
    expect(warnings()).toHaveLength(1);
  });

  test('warns about retries without a timeout, and a request-timeout annotation that overrides rule timeouts', () => {
    // the routes match only some requests, so the app-wide 404 warning (produced when warnings are collected) follows
    const unmatched = expect.stringMatching(/^no rule of the HTTPRoutes for Service booksapp\/books port 7002 \(books-get\) matches every request/);
    expect(route({ rules: [{ matches: [{ method: HttpMethod.GET }] }], retry: { http: [HttpRetryCondition.SERVER_ERROR] } }).warnings())
      .toStrictEqual(['retries without a timeout: a hung request is never retried; set retry.timeout or a request timeout', unmatched]);
    expect(route({ rules: [getBooks], timeouts: { request: Duration.seconds(1) } }).warnings())
      .toStrictEqual(['timeouts.request (timeout.linkerd.io/request) takes priority over every rule\'s timeout, which is then ignored', unmatched]);
  });

  // linkerd2@version-2.20:policy-controller/grpc/src/outbound/http.rs:248-253: a rule takes the Service's timeouts only when
  // it has none, and the Service's retry only when the route has none
  describe('overrides replace whole categories of the Service\'s annotations', () => {
    function withService(props: Partial<HttpRouteProps>, serviceRetry: RetriesAndTimeoutsProps['retry'], serviceTimeouts: RetriesAndTimeoutsProps['timeouts']) {
      const chart = testChart();
      const service = new kplus.Service(chart, 'books', { metadata: { name: 'books', namespace: 'booksapp' }, ports: [{ port: 7002 }] });
      new HttpRoute(chart, 'route', { service: ServiceReference.fromService(service), metadata: { name: 'books-get' }, ...props });
      new RetriesAndTimeouts(chart, 'rt', { service: ServiceReference.fromService(service), retry: serviceRetry, timeouts: serviceTimeouts, allowNonIdempotentRetries: true });
      Testing.synth(chart);
      return collectWarnings(chart).filter(w => w.path === 'test/route' && w.message.includes(' as a whole')).map(w => w.message);
    }

    test('warns when a rule timeout drops the Service\'s response and idle timeouts for that rule', () => {
      expect(withService({ rules: [getBooks, { matches: [{ method: HttpMethod.HEAD }] }] }, undefined,
        { request: Duration.seconds(10), response: Duration.seconds(8), idle: Duration.minutes(1) })).toStrictEqual([
        'rules[0] sets a timeout, which replaces the Service booksapp/books\'s timeout annotations as a whole: its timeout.linkerd.io/response: "8s", '
        + 'timeout.linkerd.io/idle: "1m" no longer apply there; repeat them in timeouts if they should',
      ]);
    });

    test('warns when route timeouts or retry replace the Service\'s, naming what is lost', () => {
      expect(withService(
        { rules: [{ matches: [{ method: HttpMethod.GET }] }], timeouts: { idle: Duration.minutes(5) }, retry: { timeout: Duration.millis(500) } },
        { http: [HttpRetryCondition.GATEWAY_ERROR], limit: 3 }, { request: Duration.seconds(10) },
      )).toStrictEqual([
        'every rule sets a timeout, which replaces the Service booksapp/books\'s timeout annotations as a whole: its timeout.linkerd.io/request: "10s" no longer applies there; repeat it in timeouts if it should',
        'retry replaces the Service booksapp/books\'s retry annotations as a whole: its retry.linkerd.io/http: "gateway-error" no longer applies to this route '
        + '(an unset retry.linkerd.io/limit is 1, unset conditions retry no status); repeat it in retry if it should',
      ]);
    });

    test('no warning when the route sets every key the Service sets, or sets none', () => {
      expect(withService({ rules: [{ matches: [{ method: HttpMethod.GET }], timeout: Duration.seconds(2) }] }, undefined,
        { request: Duration.seconds(10) })).toStrictEqual([]);
      expect(withService({ rules: [{ matches: [{ method: HttpMethod.GET }] }] }, { http: [HttpRetryCondition.SERVER_ERROR] },
        { response: Duration.seconds(10) })).toStrictEqual([]);
    });
  });

  // no default route once a route is attached (linkerd2@version-2.20:policy-controller/grpc/src/outbound/http.rs:48), and
  // 404 for a request no rule matches (linkerd2-proxy@release/v2.359.0:linkerd/app/outbound/src/http/server.rs:158)
  test('warns once per Service port when no attached route matches every request, since unmatched requests get 404', () => {
    const chart = testChart();
    const service = new kplus.Service(chart, 'books', { metadata: { name: 'books', namespace: 'booksapp' }, ports: [{ port: 7002 }] });
    new HttpRoute(chart, 'get', { service: ServiceReference.fromService(service), metadata: { name: 'books-get' }, rules: [getBooks] });
    new HttpRoute(chart, 'head', { service: ServiceReference.fromService(service), metadata: { name: 'books-head' }, rules: [{ matches: [{ method: HttpMethod.HEAD }] }] });
    Testing.synth(chart);
    expect(collectWarnings(chart).map(w => [w.path, w.message])).toStrictEqual([[
      'test/get',
      'no rule of the HTTPRoutes for Service booksapp/books port 7002 (books-get, books-head) matches every request: once a route is attached Linkerd adds '
      + 'no default route, so a request that no rule matches gets 404 from the client proxy; add a rule without matches if other requests should still reach the Service',
    ]]);
    const again = testChart();
    const svc = new kplus.Service(again, 'books', { metadata: { name: 'books', namespace: 'booksapp' }, ports: [{ port: 7002 }] });
    new HttpRoute(again, 'get', { service: ServiceReference.fromService(svc), metadata: { name: 'books-get' }, rules: [getBooks] });
    new HttpRoute(again, 'rest', { service: ServiceReference.fromService(svc), metadata: { name: 'books-rest' } });
    Testing.synth(again);
    expect(collectWarnings(again)).toStrictEqual([]);
  });

  test('fails before Linkerd 2.14 (no Gateway API HTTPRoutes)', () => {
    expect(() => route({ version: LinkerdVersion.V2_13 })).toThrow(/^\[test\/route\] a gateway.networking.k8s.io HTTPRoute needs Linkerd 2.14 or later \(Gateway API HTTPRoutes for meshed clients\), but this is Linkerd 2.13$/);
  });

  test('fails to use retry or timeout annotations before Linkerd 2.16', () => {
    expect(() => route({ version: LinkerdVersion.V2_14, timeouts: { request: Duration.seconds(1) } }))
      .toThrow(/^\[test\/route\] configuring retries or timeouts by annotation needs Linkerd 2.16 or later/);
  });

  test('fails when retries cover a method that is not idempotent', () => {
    expect(() => route({
      rules: [{ matches: [{ method: HttpMethod.GET }, { method: HttpMethod.POST }] }], retry: { http: [HttpRetryCondition.SERVER_ERROR] },
    }))
      .toThrow(/^\[test\/route\] retry applies to POST, which is not idempotent: a retried request may be applied twice; set allowNonIdempotentRetries: true/);
    expect(() => route({ retry: { http: [HttpRetryCondition.SERVER_ERROR] } })).toThrow(/retry applies to any method, which is not idempotent/);
  });

  // Linkerd retries any method whose body fits the replay buffer: linkerd2-proxy@release/v2.359.0:
  // linkerd/app/outbound/src/http/logical/policy/route/retry.rs:45 looks only at the response, linkerd/http/retry/src/lib.rs:252 at the size
  test('the retry-safety lint is ours, stricter than Linkerd, and says so', () => {
    expect(NON_IDEMPOTENT_RETRY_LINT.id).toBe('cdk8s-linkerd/non-idempotent-retry');
    expect(() => route({ rules: [{ matches: [{ method: HttpMethod.PATCH }] }], retry: { timeout: Duration.seconds(1) } }))
      .toThrow(/ \(cdk8s-linkerd\/non-idempotent-retry: our lint, stricter than Linkerd, which retries any method\)$/);
    expect(() => route({
      rules: [{ matches: [{ method: HttpMethod.PATCH }] }], retry: { timeout: Duration.seconds(1) }, allowNonIdempotentRetries: true,
    })).not.toThrow();
  });

  test('fails when gRPC retry conditions are put on an HTTPRoute', () => {
    expect(() => route({ rules: [getBooks], retry: { grpc: [GrpcRetryCondition.UNAVAILABLE] } }))
      .toThrow(/^\[test\/route\] retry.grpc \(retry.linkerd.io\/grpc\) is not valid on an HTTPRoute: Linkerd reads it from Services and GRPCRoutes$/);
  });

  test('fails when the port cannot be inferred, or is out of range', () => {
    expect(() => route({}, [{ port: 80 }, { port: 443 }])).toThrow(/^\[test\/route\] service booksapp\/books exposes ports 80, 443: set port to the Service port the route applies to$/);
    expect(() => new HttpRoute(testChart(), 'r', { service: ServiceReference.fromName('books', 'booksapp') }))
      .toThrow(/^\[test\/r\] service booksapp\/books is a ServiceReference\.fromName reference: set port/);
    expect(() => route({ port: 70000 })).toThrow(/^\[test\/route\] port 70000 must be a whole number from 1 to 65535$/);
  });

  test('fails when rules is empty', () => {
    expect(() => route({ rules: [] })).toThrow(/^\[test\/route\] rules must not be empty: give at least one rule, or omit rules to match every request$/);
  });

  // linkerd2@version-2.20:policy-controller/k8s/index/src/outbound/index/http.rs:188: `parse_duration(…).ok()?` drops
  // what its single-unit grammar (…/outbound/index.rs:2322) cannot read, so 1s500ms would mean no timeout
  test('writes a rule timeout as one term: 1.5s is 1500ms, 90s stays 90s, 2h stays 2h', () => {
    const { rendered } = route({ rules: [{ timeout: Duration.millis(1500) }, { timeout: Duration.seconds(90) }, { timeout: Duration.hours(2) }] });
    expect(rendered().spec.rules.map((r: any) => r.timeouts)).toStrictEqual([{ request: '1500ms' }, { request: '90s' }, { request: '2h' }]);
  });

  test('fails when a rule timeout cannot be written as one term Linkerd reads', () => {
    const message = 'cannot be written as one <1-5 digits><h\\|m\\|s\\|ms> term: Linkerd reads an HTTPRoute timeout with a single-unit grammar and silently drops anything else';
    expect(() => route({ rules: [{ timeout: Duration.millis(0.5) }] })).toThrow(new RegExp(`^\\[test/route\\] rules\\[0\\].timeout 0.5ms ${message}`));
    expect(() => route({ rules: [{ timeout: Duration.millis(100_001) }] })).toThrow(new RegExp(`^\\[test/route\\] rules\\[0\\].timeout 100001ms ${message}`));
    expect(() => route({ rules: [{ timeout: Duration.seconds(0) }] })).toThrow(/rules\[0\].timeout 0ms cannot be written/);
  });

  test('fails at synth when a patch writes a rule timeout Linkerd would drop, or a backendRequest timeout it ignores', () => {
    const patched = (patch: JsonPatch) => {
      const { chart, route: r } = route({ rules: [getBooks] });
      ApiObject.of(r).addJsonPatch(patch);
      return () => Testing.synth(chart);
    };
    expect(patched(JsonPatch.replace('/spec/rules/0/timeouts/request', '1s500ms')))
      .toThrow(/rules\[0\].timeouts.request "1s500ms" cannot be used: Linkerd's policy controller reads it with its single-unit grammar <integer><ms\|s\|m\|h\|d>, fails \(.*\) and silently drops it, so the rule has no timeout; write one term such as 1500ms or 90s/);
    expect(patched(JsonPatch.add('/spec/rules/0/timeouts/backendRequest', '1s')))
      .toThrow(/rules\[0\].timeouts.backendRequest "1s" is ignored by Linkerd, which reads only timeouts.request: use retry.timeout \(retry.linkerd.io\/timeout\) for a per-try timeout/);
  });

  test('fails the CRD\'s CEL path rules (which the offline gate does not evaluate)', () => {
    expect(() => route({ rules: [{ matches: [{ path: PathMatch.prefix('books//x') }] }] }))
      .toThrow(/^\[test\/route\] 2 problems:\n {2}- rules\[0\].matches\[0\].path "books\/\/x" must be an absolute path starting with '\/' \(type PathPrefix\)\n {2}- rules\[0\].matches\[0\].path "books\/\/x" must not contain '\/\/' \(type PathPrefix\)$/);
  });

  test('fails when a regex match is not RE2/Rust syntax', () => {
    expect(() => route({ rules: [{ matches: [{ path: PathMatch.regex('/books/(?!new)') }] }] }))
      .toThrow(/^\[test\/route\] rules\[0\].matches\[0\].path "\/books\/\(\?!new\)" is not valid RE2\/Rust regex syntax \(error parsing regexp: invalid or unsupported Perl syntax: `\(\?!`\): Linkerd rejects the route$/);
  });

  test('fails when there are more than 16 rules or 128 matches', () => {
    expect(() => route({ rules: Array.from({ length: 17 }, () => ({})) })).toThrow(/17 rules is more than the 16 an HTTPRoute allows: split the routes/);
    const many = Array.from({ length: 9 }, () => ({ matches: Array.from({ length: 15 }, () => ({ method: HttpMethod.GET })) }));
    expect(() => route({ rules: many })).toThrow(/135 matches is more than the 128 an HTTPRoute allows across its rules: split the routes/);
  });

  test('fails at synth when a patched annotation breaks the grammar', () => {
    const { chart, route: r } = route({ rules: [getBooks], timeouts: { request: Duration.seconds(1) } });
    ApiObject.of(r).addJsonPatch(JsonPatch.replace('/metadata/annotations/timeout.linkerd.io~1request', '5'));
    expect(() => Testing.synth(chart)).toThrow(/\[test\/route\] annotation timeout.linkerd.io\/request: "5" is rejected by the policy controller \(missing duration unit; did you mean '5s' or '5ms'\?\)/);
  });
});
