import { ApiObject, Chart, Duration, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-25';
import { LinkerdVersion } from '../../src/linkerd';
import {
  CircuitBreaker, DemoTrafficPolicy, FailureAccrual, GrpcRetryCondition, HttpMethod, HttpRetryCondition, HttpRoute, HttpRouteProps, PathMatch,
  ProfileMigration, ResponseClass, RetriesAndTimeouts, RetriesAndTimeoutsProps, RouteCondition, ServiceProfile, ServiceProfileProps,
  ServiceProfileRoute, ServiceReference,
} from '../../src/traffic';
import type { BadInput } from '../bad-inputs/cases';

const chart = () => new Chart(Testing.app(), 'platform');
const service = (c: Chart, props: Partial<kplus.ServiceProps> = {}) =>
  new kplus.Service(c, 'books-svc', { metadata: { name: 'books', namespace: 'booksapp' }, ports: [{ port: 7002 }], ...props });
const books = ServiceReference.fromName('books', 'booksapp');
const get: ServiceProfileRoute = { name: 'GET /books', condition: RouteCondition.method('GET').and(RouteCondition.path('/books')) };
const profile = (props: Partial<ServiceProfileProps>) => () => new ServiceProfile(chart(), 'profile', { service: books, ...props });
const route = (r: Partial<ServiceProfileRoute>) => profile({ routes: [{ ...get, ...r }] });
const patchedProfile = (patch: JsonPatch) => () => {
  const c = chart();
  const sp = new ServiceProfile(c, 'profile', { service: books, retryBudget: {}, routes: [{ ...get, responseClasses: [ResponseClass.status(500, 599, { isFailure: true })] }] });
  ApiObject.of(sp).addJsonPatch(patch);
  Testing.synth(c);
};
const openApi = (spec: Record<string, unknown> | string) => () => ServiceProfile.fromOpenApi(chart(), 'profile', { service: books, spec });
const conflict = (add: (c: Chart, svc: kplus.Service) => void, svcProps: Partial<kplus.ServiceProps> = {}) => () => {
  const c = chart();
  const svc = service(c, svcProps);
  add(c, svc);
  new ServiceProfile(c, 'profile', { service: ServiceReference.fromService(svc), routes: [get] });
  Testing.synth(c);
};
const breaker = (accrual: FailureAccrual, version?: LinkerdVersion) => () => {
  const c = chart();
  new CircuitBreaker(c, 'breaker', { service: ServiceReference.fromService(service(c)), accrual, version });
};
const retries = (props: Partial<RetriesAndTimeoutsProps>) => () => {
  const c = chart();
  new RetriesAndTimeouts(c, 'retries', { service: ServiceReference.fromService(service(c)), ...props });
};
const httpRoute = (props: Partial<HttpRouteProps>, ports = [{ port: 7002 }]) => () => {
  const c = chart();
  new HttpRoute(c, 'route', { service: ServiceReference.fromService(service(c, { ports })), ...props });
};
const patchedRoute = (patch: JsonPatch) => () => {
  const c = chart();
  new HttpRoute(c, 'route', { service: ServiceReference.fromService(service(c)) }).apiObject.addJsonPatch(patch);
  Testing.synth(c);
};
const retry5xx = { http: [HttpRetryCondition.SERVER_ERROR] };

/** One bad input per traffic rule, for `test/bad-inputs/cases.ts` (`...TRAFFIC_BAD_INPUTS`). */
export const TRAFFIC_BAD_INPUTS: BadInput[] = [
  // ServiceProfile: its Service and name
  { id: 'service-reference/kind', input: 'ServiceReference.fromApiObject of a Deployment', run: () => ServiceReference.fromApiObject(ApiObject.of(new kplus.Deployment(chart(), 'web', { containers: [{ image: 'nginx' }] }))) },
  {
    id: 'service-profile/service-namespace',
    input: 'ServiceProfile for a Service without a namespace',
    run: () => {
      const c = chart();
      new ServiceProfile(c, 'profile', { service: ServiceReference.fromService(new kplus.Service(c, 'books', { metadata: { name: 'books' }, ports: [{ port: 80 }] })) });
    },
  },
  { id: 'service-profile/service-name', input: 'ServiceProfile for Service "1books"', run: profile({ service: ServiceReference.fromName('1books', 'booksapp') }) },
  { id: 'service-profile/service-namespace-name', input: 'ServiceProfile for a Service in namespace "Books"', run: profile({ service: ServiceReference.fromName('books', 'Books') }) },
  { id: 'service-profile/cluster-domain', input: 'ServiceProfile clusterDomain "cluster_local"', run: profile({ clusterDomain: 'cluster_local' }) },
  { id: 'service-profile/metadata-name', input: 'ServiceProfile metadata.name "books"', run: profile({ metadata: { name: 'books' } }) },
  { id: 'service-profile/name', input: 'ServiceProfile name patched to "Books"', run: patchedProfile(JsonPatch.replace('/metadata/name', 'Books')) },
  { id: 'service-profile/default-timeout', input: 'ServiceProfile defaultTimeout 0s', run: profile({ defaultTimeout: Duration.seconds(0) }) },
  // ServiceProfile: the sp-validator's route rules
  { id: 'service-profile/route-name', input: 'route with name ""', run: route({ name: '' }) },
  { id: 'service-profile/route-condition', input: 'route condition removed by a patch', run: patchedProfile(JsonPatch.remove('/spec/routes/0/condition')) },
  { id: 'service-profile/request-match-empty', input: 'route condition pathRegex ""', run: route({ condition: RouteCondition.pathRegex('') }) },
  { id: 'service-profile/request-match-list', input: 'route condition all()', run: route({ condition: RouteCondition.all() }) },
  { id: 'service-profile/request-match-field', input: 'route condition all: [{ path: "/x" }] (patched)', run: patchedProfile(JsonPatch.replace('/spec/routes/0/condition', { all: [{ path: '/x' }] })) },
  { id: 'service-profile/top-level-not', input: 'route condition not: [{ method: DELETE }] (patched)', run: patchedProfile(JsonPatch.add('/spec/routes/0/condition/not', [{ method: 'DELETE' }])) },
  { id: 'service-profile/method', input: 'route method "GET /"', run: route({ condition: RouteCondition.method('GET /') }) },
  { id: 'service-profile/regex-re2', input: 'route pathRegex "/books/(?=\\d)" (lookahead)', run: route({ condition: RouteCondition.pathRegex('/books/(?=\\d)') }) },
  { id: 'service-profile/status-range', input: 'response class status 500–600', run: route({ responseClasses: [ResponseClass.status(500, 600)] }) },
  { id: 'service-profile/status-order', input: 'response class status 599–500', run: route({ responseClasses: [ResponseClass.status(599, 500)] }) },
  { id: 'service-profile/status-bounds', input: 'response class status max removed by a patch', run: patchedProfile(JsonPatch.remove('/spec/routes/0/responseClasses/0/condition/status/max')) },
  { id: 'service-profile/response-class-condition', input: 'response class condition removed by a patch', run: patchedProfile(JsonPatch.remove('/spec/routes/0/responseClasses/0/condition')) },
  { id: 'service-profile/route-timeout', input: 'route timeout 0s', run: route({ timeout: Duration.seconds(0) }) },
  { id: 'service-profile/route-timeout-fraction', input: 'route timeout 0.5ms', run: route({ timeout: Duration.millis(0.5) }) },
  { id: 'service-profile/retry-ratio', input: 'retryBudget retryRatio -0.1', run: profile({ retryBudget: { retryRatio: -0.1 } }) },
  { id: 'service-profile/retries-per-second', input: 'retryBudget minRetriesPerSecond 1.5', run: profile({ retryBudget: { minRetriesPerSecond: 1.5 } }) },
  { id: 'service-profile/ttl', input: 'retryBudget ttl removed by a patch', run: patchedProfile(JsonPatch.remove('/spec/retryBudget/ttl')) },
  { id: 'service-profile/ttl-fraction', input: 'retryBudget ttl 1.5ms', run: profile({ retryBudget: { ttl: Duration.millis(1.5) } }) },
  { id: 'service-profile/internal-fields', input: 'spec.opaquePorts added by a patch', run: patchedProfile(JsonPatch.add('/spec/opaquePorts', ['8080'])) },
  { id: 'service-profile/non-idempotent-retry', input: 'retryable POST /books without allowNonIdempotentRetry', run: route({ name: 'POST /books', condition: RouteCondition.method('POST'), isRetryable: true }) },
  // ServiceProfile: conflicts at synth
  { id: 'service-profile/conflict-accrual', input: 'ServiceProfile with routes for a Service with a CircuitBreaker', run: conflict((c, svc) => new CircuitBreaker(c, 'breaker', { service: ServiceReference.fromService(svc) })) },
  { id: 'service-profile/conflict-annotations', input: 'ServiceProfile with routes for a Service with timeout.linkerd.io/request', run: conflict((c, svc) => new RetriesAndTimeouts(c, 'retries', { service: ServiceReference.fromService(svc), timeouts: { request: Duration.seconds(1) } })) },
  { id: 'service-profile/conflict-route', input: 'ServiceProfile with routes for a Service with an HTTPRoute', run: conflict((c, svc) => new HttpRoute(c, 'route', { service: ServiceReference.fromService(svc), metadata: { name: 'books' } })) },
  { id: 'service-profile/conflict-balancer-alpha', input: 'ServiceProfile with routes for a Service with balancer.alpha.linkerd.io/penalize-failures', run: conflict(() => undefined, { metadata: { name: 'books', namespace: 'booksapp', annotations: { 'balancer.alpha.linkerd.io/penalize-failures': 'true' } } }) },
  { id: 'service-profile/headless', input: 'ServiceProfile for a headless Service', run: conflict(() => undefined, { clusterIP: 'None' }) },
  { id: 'service-profile/duplicate', input: 'two ServiceProfiles for one Service in one namespace', run: conflict((c) => new ServiceProfile(c, 'other', { service: books })) },
  // generators
  { id: 'openapi/yaml', input: 'OpenAPI document "paths: ["', run: openApi('paths: [') },
  { id: 'openapi/paths', input: 'OpenAPI paths as a list', run: openApi({ paths: ['/x'] }) },
  { id: 'openapi/operation', input: 'OpenAPI operation get: "list"', run: openApi({ paths: { '/x': { get: 'list' } } }) },
  { id: 'openapi/responses', input: 'OpenAPI responses as a list', run: openApi({ paths: { '/x': { get: { responses: [] } } } }) },
  { id: 'openapi/base-path', input: 'OpenAPI basePath 1', run: openApi({ basePath: 1, paths: {} }) },
  { id: 'openapi/timeout', input: 'x-linkerd-timeout "60"', run: openApi({ paths: { '/x': { get: { 'x-linkerd-timeout': '60' } } } }) },
  { id: 'openapi/non-idempotent-retry', input: 'x-linkerd-retryable on a POST without allowNonIdempotentRetries', run: openApi({ paths: { '/x': { post: { 'x-linkerd-retryable': true } } } }) },
  { id: 'proto/parse', input: '.proto "service {"', run: () => ServiceProfile.fromProto(chart(), 'profile', { service: books, proto: 'service {' }) },
  // CircuitBreaker
  { id: 'circuit-breaker/version', input: 'CircuitBreaker on Linkerd 2.12', run: breaker(FailureAccrual.consecutive(), LinkerdVersion.V2_12) },
  { id: 'circuit-breaker/unified-version', input: 'unified failure accrual on Linkerd 2.19', run: breaker(FailureAccrual.unified(), LinkerdVersion.V2_19) },
  { id: 'circuit-breaker/penalties', input: 'minPenalty 2m, maxPenalty 1m', run: breaker(FailureAccrual.consecutive({ minPenalty: Duration.minutes(2), maxPenalty: Duration.minutes(1) })) },
  { id: 'circuit-breaker/max-penalty', input: 'maxPenalty 0s (minPenalty 0s)', run: breaker(FailureAccrual.consecutive({ minPenalty: Duration.seconds(0), maxPenalty: Duration.seconds(0) })) },
  { id: 'circuit-breaker/jitter', input: 'jitterRatio 101', run: breaker(FailureAccrual.consecutive({ jitterRatio: 101 })) },
  { id: 'circuit-breaker/duration-fraction', input: 'minPenalty 0.5ms', run: breaker(FailureAccrual.consecutive({ minPenalty: Duration.millis(0.5) })) },
  { id: 'circuit-breaker/max-failures', input: 'consecutive maxFailures 0', run: breaker(FailureAccrual.consecutive({ maxFailures: 0 })) },
  { id: 'circuit-breaker/threshold', input: 'successRateThreshold 1.2', run: breaker(FailureAccrual.unified({ successRateThreshold: 1.2 })) },
  { id: 'circuit-breaker/window-minimum', input: 'successRateWindow 5ms', run: breaker(FailureAccrual.unified({ successRateWindow: Duration.millis(5) })) },
  { id: 'circuit-breaker/window-zero', input: 'successRateWindow 0s', run: breaker(FailureAccrual.unified({ successRateWindow: Duration.seconds(0) })) },
  { id: 'circuit-breaker/min-requests', input: 'successRateMinRequests 2000000', run: breaker(FailureAccrual.unified({ successRateMinRequests: 2_000_000 })) },
  { id: 'circuit-breaker/no-dimension', input: 'unified maxFailures 0 and successRateThreshold 0', run: breaker(FailureAccrual.unified({ maxFailures: 0, successRateThreshold: 0 })) },
  { id: 'circuit-breaker/name-reference', input: 'CircuitBreaker for ServiceReference.fromName', run: () => new CircuitBreaker(chart(), 'breaker', { service: books }) },
  { id: 'circuit-breaker/twice', input: 'two CircuitBreakers on one Service', run: () => { const c = chart(); const s = service(c); new CircuitBreaker(c, 'a', { service: ServiceReference.fromService(s) }); new CircuitBreaker(c, 'breaker', { service: ServiceReference.fromService(s) }); } },
  { id: 'circuit-breaker/annotation-grammar', input: 'min-penalty annotation patched to "1.5s"', run: () => {
    const c = chart();
    const s = service(c);
    new CircuitBreaker(c, 'breaker', { service: ServiceReference.fromService(s) });
    ApiObject.of(s).addJsonPatch(JsonPatch.replace('/metadata/annotations/balancer.linkerd.io~1failure-accrual-consecutive-min-penalty', '1.5s'));
    Testing.synth(c);
  } },
  // RetriesAndTimeouts
  { id: 'retries/version', input: 'RetriesAndTimeouts on Linkerd 2.14', run: retries({ timeouts: { request: Duration.seconds(1) }, version: LinkerdVersion.V2_14 }) },
  { id: 'retries/non-idempotent', input: 'Service-wide retries without allowNonIdempotentRetries', run: retries({ retry: retry5xx }) },
  { id: 'retries/timeout-fraction', input: 'timeouts.request 1.5ms', run: retries({ timeouts: { request: Duration.millis(1.5) } }) },
  { id: 'retries/status', input: 'retry on status 600', run: retries({ retry: { http: [HttpRetryCondition.status(600)] }, allowNonIdempotentRetries: true }) },
  { id: 'retries/range', input: 'retry on 504-500', run: retries({ retry: { http: [HttpRetryCondition.range(504, 500)] }, allowNonIdempotentRetries: true }) },
  { id: 'retries/limit', input: 'retry limit 0', run: retries({ retry: { ...retry5xx, limit: 0 }, allowNonIdempotentRetries: true }) },
  { id: 'retries/empty', input: 'RetriesAndTimeouts with neither retry nor timeouts', run: retries({}) },
  // HttpRoute
  { id: 'http-route/version', input: 'HttpRoute on Linkerd 2.13', run: httpRoute({ version: LinkerdVersion.V2_13 }) },
  { id: 'http-route/annotation-version', input: 'HttpRoute timeouts on Linkerd 2.14', run: httpRoute({ version: LinkerdVersion.V2_14, timeouts: { request: Duration.seconds(1) } }) },
  { id: 'http-route/non-idempotent', input: 'HttpRoute retries matching POST', run: httpRoute({ rules: [{ matches: [{ method: HttpMethod.POST }] }], retry: retry5xx }) },
  { id: 'http-route/grpc-retry', input: 'HttpRoute retry.grpc', run: httpRoute({ rules: [{ matches: [{ method: HttpMethod.GET }] }], retry: { grpc: [GrpcRetryCondition.UNAVAILABLE] } }) },
  { id: 'http-route/port', input: 'HttpRoute for a Service with ports 80 and 443', run: httpRoute({}, [{ port: 80 }, { port: 443 }]) },
  { id: 'http-route/port-range', input: 'HttpRoute port 70000', run: httpRoute({ port: 70000 }) },
  { id: 'http-route/rules', input: 'HttpRoute rules []', run: httpRoute({ rules: [] }) },
  { id: 'http-route/rule-timeout', input: 'HttpRoute rule timeout 0.5ms', run: httpRoute({ rules: [{ timeout: Duration.millis(0.5) }] }) },
  { id: 'http-route/rule-timeout-unit', input: 'HttpRoute rule timeout 100001ms (no single-unit form)', run: httpRoute({ rules: [{ timeout: Duration.millis(100_001) }] }) },
  { id: 'http-route/rule-timeout-grammar', input: 'HttpRoute rule timeouts.request patched to "1s500ms"', run: () => {
    const c = chart();
    const r = new HttpRoute(c, 'route', { service: ServiceReference.fromService(service(c)), rules: [{ timeout: Duration.seconds(1) }] });
    ApiObject.of(r).addJsonPatch(JsonPatch.replace('/spec/rules/0/timeouts/request', '1s500ms'));
    Testing.synth(c);
  } },
  { id: 'http-route/backend-request-timeout', input: 'HttpRoute rule timeouts.backendRequest added by a patch', run: () => {
    const c = chart();
    const r = new HttpRoute(c, 'route', { service: ServiceReference.fromService(service(c)), rules: [{ timeout: Duration.seconds(1) }] });
    ApiObject.of(r).addJsonPatch(JsonPatch.add('/spec/rules/0/timeouts/backendRequest', '500ms'));
    Testing.synth(c);
  } },
  { id: 'http-route/balancer-annotation', input: 'HttpRoute annotation balancer.alpha.linkerd.io/penalize-failures', run: httpRoute({ metadata: { annotations: { 'balancer.alpha.linkerd.io/penalize-failures': 'true' } } }) },
  { id: 'http-route/path', input: 'HttpRoute PathPrefix "/books#top"', run: httpRoute({ rules: [{ matches: [{ path: PathMatch.prefix('/books#top') }] }] }) },
  { id: 'http-route/regex', input: 'HttpRoute regex "/books/(?!new)"', run: httpRoute({ rules: [{ matches: [{ path: PathMatch.regex('/books/(?!new)') }] }] }) },
  { id: 'http-route/rule-count', input: 'HttpRoute with 17 rules', run: httpRoute({ rules: Array.from({ length: 17 }, () => ({})) }) },
  { id: 'http-route/backend-port', input: 'HttpRoute backendRef patched to have no port', run: patchedRoute(JsonPatch.remove('/spec/rules/0/backendRefs/0/port')) },
  { id: 'http-route/redirect-path', input: 'HttpRoute RequestRedirect to "foo/bar" patched in', run: patchedRoute(JsonPatch.add('/spec/rules/0/filters', [{ type: 'RequestRedirect', requestRedirect: { path: { type: 'ReplaceFullPath', replaceFullPath: 'foo/bar' } } }])) },
  { id: 'http-route/egress-parent-port', input: 'HttpRoute parent patched to an EgressNetwork without a port', run: patchedRoute(JsonPatch.replace('/spec/parentRefs', [{ group: 'policy.linkerd.io', kind: 'EgressNetwork', name: 'internet' }])) },
  { id: 'http-route/match-count', input: 'HttpRoute with 135 matches', run: httpRoute({ rules: Array.from({ length: 9 }, () => ({ matches: Array.from({ length: 15 }, () => ({ method: HttpMethod.GET })) })) }) },
  // ProfileMigration and the demo
  { id: 'profile-migration/version', input: 'ProfileMigration on Linkerd 2.14', run: () => {
    const c = chart();
    new ProfileMigration(c, 'migration', { profile: new ServiceProfile(c, 'profile', { service: books, version: LinkerdVersion.V2_14 }) });
  } },
  { id: 'demo-traffic/second-service', input: 'DemoTrafficPolicy for ServiceReference.fromName without a second Service', run: () => new DemoTrafficPolicy(chart(), 'traffic', { profiledService: books }) },
];
