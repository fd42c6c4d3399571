import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { collectWarnings } from '../../src/_internal/warnings';
import { SchemaGate } from '../../src/gate/schema-gate';
import { LinkerdVersion } from '../../src/linkerd';
import { ServiceProfile, ServiceReference } from '../../src/traffic';
import { proxyMatches } from '../../src/traffic/_regex';
import { synthKind, testChart } from '../_util';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');

/** The rendered profile of a generated ServiceProfile. */
function openApi(spec: string | Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const chart = testChart();
  ServiceProfile.fromOpenApi(chart, 'sp', { service: ServiceReference.fromName('webapp', 'booksapp'), spec, allowNonIdempotentRetries: true, ...extra });
  return { profile: synthKind(chart, 'ServiceProfile')[0], warnings: collectWarnings(chart).map(w => w.message) };
}

const route = (name: string, method: string, pathRegex: string, extra: Record<string, unknown> = {}) =>
  ({ name, condition: { method, pathRegex }, ...extra });

describe('ServiceProfile.fromOpenApi conforms to linkerd profile --open-api (§d.5, §d.6)', () => {
  test('openapi_test.go: retryable POST with a timeout and a 500 class, and a trailing slash kept (2.15+)', () => {
    const chart = testChart();
    ServiceProfile.fromOpenApi(chart, 'sp', {
      service: ServiceReference.fromName('mysvc', 'myns'),
      clusterDomain: 'mycluster.local',
      allowNonIdempotentRetries: true,
      spec: {
        swagger: '2.0',
        paths: {
          '/authors/{id}': { post: { 'responses': { 500: {} }, 'x-linkerd-retryable': true, 'x-linkerd-timeout': '60s' } },
          '/path/with/trailing/slash/': { get: {} },
        },
      },
    });
    const [profile] = synthKind(chart, 'ServiceProfile');
    expect(profile.metadata).toStrictEqual({ name: 'mysvc.myns.svc.mycluster.local', namespace: 'myns' });
    expect(profile.spec.routes).toStrictEqual([
      route('POST /authors/{id}', 'POST', '/authors/[^/]*', {
        responseClasses: [{ condition: { status: { min: 500, max: 500 } }, isFailure: true }], isRetryable: true, timeout: '60s',
      }),
      route('GET /path/with/trailing/slash/', 'GET', '/path/with/trailing/slash/'),
    ]);
  });

  test('webapp.swagger (booksapp docs): the nine routes of the documented profile, in its order', () => {
    const { profile } = openApi(fixture('webapp.swagger'));
    expect(profile.metadata).toStrictEqual({ name: 'webapp.booksapp.svc.cluster.local', namespace: 'booksapp' });
    expect(profile.spec.routes).toStrictEqual([
      route('GET /', 'GET', '/'),
      route('POST /authors', 'POST', '/authors'),
      route('GET /authors/{id}', 'GET', '/authors/[^/]*'),
      route('POST /authors/{id}/delete', 'POST', '/authors/[^/]*/delete'),
      route('POST /authors/{id}/edit', 'POST', '/authors/[^/]*/edit'),
      route('POST /books', 'POST', '/books'),
      route('GET /books/{id}', 'GET', '/books/[^/]*'),
      route('POST /books/{id}/delete', 'POST', '/books/[^/]*/delete'),
      route('POST /books/{id}/edit', 'POST', '/books/[^/]*/edit'),
    ]);
  });

  test('books.swagger (Swagger 2.0 JSON): escaped dots, methods in the CLI\'s order, integer status classes', () => {
    const { profile } = openApi(fixture('books.swagger'));
    expect(profile.spec.routes.map((r: any) => [r.name, r.condition.pathRegex])).toStrictEqual([
      ['GET /books.json', '/books\\.json'],
      ['POST /books.json', '/books\\.json'],
      ['DELETE /books/{id}.json', '/books/[^/]*\\.json'],
      ['GET /books/{id}.json', '/books/[^/]*\\.json'],
      ['PUT /books/{id}.json', '/books/[^/]*\\.json'],
    ]);
    expect(profile.spec.routes[1].responseClasses).toStrictEqual([
      { condition: { status: { min: 201, max: 201 } } },
      { condition: { status: { min: 400, max: 400 } } },
    ]);
  });

  test('authors.swagger: HEAD sorts between GET and the rest', () => {
    const { profile } = openApi(fixture('authors.swagger'));
    expect(profile.spec.routes.map((r: any) => r.name)).toStrictEqual([
      'GET /authors.json', 'POST /authors.json', 'DELETE /authors/{id}.json', 'GET /authors/{id}.json', 'HEAD /authors/{id}.json',
    ]);
    expect(profile.spec.routes[4].condition).toStrictEqual({ method: 'HEAD', pathRegex: '/authors/[^/]*\\.json' });
  });

  test('t3.swagger (integration test): DELETE, GET, PATCH, POST for one path', () => {
    const { profile } = openApi(fixture('t3.swagger'));
    expect(profile.spec.routes.map((r: any) => r.name)).toStrictEqual(['DELETE /testpath', 'GET /testpath', 'PATCH /testpath', 'POST /testpath']);
  });

  test('basePath: trailing slashes trimmed from it, leading slashes from the path', () => {
    const { profile } = openApi({ swagger: '2.0', basePath: '/api/v1/', paths: { '/books/{id}': { get: {} }, '//x': { get: {} } } });
    expect(profile.spec.routes).toStrictEqual([
      route('GET /api/v1/x', 'GET', '/api/v1/x'),
      route('GET /api/v1/books/{id}', 'GET', '/api/v1/books/[^/]*'),
    ]);
  });

  test('Linkerd ≤ 2.14 joined with path.Join, which strips trailing slashes and cleans the path', () => {
    const { profile } = openApi({ swagger: '2.0', basePath: '/api/', paths: { '/a/./b/': { get: {} } } }, { version: LinkerdVersion.V2_14 });
    expect(profile.spec.routes).toStrictEqual([route('GET /api/a/b', 'GET', '/api/a/b')]);
  });

  test('§d.6 edge cases: /v1.0/{a}/{b}, and responses 200, default, 404', () => {
    const { profile } = openApi({ paths: { '/v1.0/{a}/{b}': { get: { responses: { 200: {}, default: {}, 404: {} } } } } });
    expect(profile.spec.routes).toStrictEqual([route('GET /v1.0/{a}/{b}', 'GET', '/v1\\.0/[^/]*/[^/]*', {
      responseClasses: [{ condition: { status: { min: 200, max: 200 } } }, { condition: { status: { min: 404, max: 404 } } }],
    })]);
  });

  test('every QuoteMeta character is escaped, and only {param} groups become [^/]*', () => {
    const { profile } = openApi({ openapi: '3.0.0', paths: { '/v1.0/{a}/{b}+x(y)|$^[z]*?': { get: {} } } });
    expect(profile.spec.routes[0].condition.pathRegex).toBe('/v1\\.0/[^/]*/[^/]*\\+x\\(y\\)\\|\\$\\^\\[z\\]\\*\\?');
  });

  test('response classes: integer keys ascending, "default" and "2XX" skipped, isFailure from 500', () => {
    const { profile, warnings } = openApi({ paths: { '/x': { get: { responses: { '503': {}, '200': {}, 'default': {}, '404': {}, '2XX': {} } } } } });
    expect(profile.spec.routes[0].responseClasses).toStrictEqual([
      { condition: { status: { min: 200, max: 200 } } },
      { condition: { status: { min: 404, max: 404 } } },
      { condition: { status: { min: 503, max: 503 } }, isFailure: true },
    ]);
    expect(warnings).toContain('operation GET /x response "2XX" is not an integer status: linkerd profile gives it no response class');
  });

  test('no paths gives a profile without routes (spec: {})', () => {
    expect(openApi({ openapi: '3.1.0', info: {} }).profile.spec).toStrictEqual({});
  });

  test('JSON text and parsed objects give the same profile; path sort is byte-wise (uppercase first)', () => {
    const doc = { paths: { '/b': { get: {} }, '/B': { get: {} }, '/a': { get: {} } } };
    const fromText = openApi(JSON.stringify(doc)).profile;
    expect(fromText).toStrictEqual(openApi(doc).profile);
    expect(fromText.spec.routes.map((r: any) => r.name)).toStrictEqual(['GET /B', 'GET /a', 'GET /b']);
  });

  test('YAML 1.1 booleans, as Go reads them: x-linkerd-retryable: yes is retryable', () => {
    const { profile } = openApi('paths:\n  /x:\n    get:\n      x-linkerd-retryable: yes\n      x-linkerd-timeout: 5s\n');
    expect(profile.spec.routes[0]).toStrictEqual(route('GET /x', 'GET', '/x', { isRetryable: true, timeout: '5s' }));
  });

  test('warns about what linkerd profile silently skips or misreads, and generates what it generates', () => {
    const { profile, warnings } = openApi({
      paths: {
        'books/{id}': { get: {} },
        '/x': {
          'x-linkerd-retryable': true,
          'trace': {},
          'get': { 'x-linkerd-retryable': 'true', 'x-linkerd-timeout': 10, 'X-Linkerd-Timeout': '1s' },
        },
      },
    });
    expect(profile.spec.routes).toStrictEqual([route('GET /x', 'GET', '/x')]);
    expect(warnings).toStrictEqual(expect.arrayContaining([
      'path "books/{id}" does not start with \'/\': linkerd profile ignores it, so it gets no route; write "/books/{id}"',
      'paths["/x"] has x-linkerd-retryable on the path item: linkerd profile reads it from each operation only',
      'TRACE /x: linkerd profile has no field for trace operations, so it gets no route',
      'operation GET /x has x-linkerd-retryable: "true", which linkerd profile reads only as a boolean: the route is not retryable',
      'operation GET /x has x-linkerd-timeout: 10, which linkerd profile reads only as a string such as "10s": the route gets no timeout',
      'operation GET /x spells X-Linkerd-Timeout with capitals: linkerd profile only finds x-linkerd-timeout',
    ]));
  });

  test('a defaultTimeout fills in routes without x-linkerd-timeout', () => {
    const { profile } = openApi({ paths: { '/x': { get: { 'x-linkerd-timeout': '1s' }, put: {} } } }, { defaultTimeout: Duration.millis(2500) });
    expect(profile.spec.routes.map((r: any) => r.timeout)).toStrictEqual(['1s', '2.5s']);
  });

  test('property: any set of paths gives routes whose regexes match the path (parameters filled in), and pass the rules and the gate', () => {
    const segment = fc.oneof(fc.stringMatching(/^[a-z0-9.+*?()|\[\]^$_-]{1,8}$/), fc.constantFrom('{id}', '{name}'));
    const pathArb = fc.array(segment, { minLength: 1, maxLength: 4 }).map(parts => `/${parts.join('/')}`);
    const gate = SchemaGate.load();
    fc.assert(fc.property(fc.uniqueArray(pathArb, { minLength: 1, maxLength: 6 }), paths => {
      const chart = testChart();
      ServiceProfile.fromOpenApi(chart, 'sp', { service: ServiceReference.fromName('svc', 'ns'), spec: { paths: Object.fromEntries(paths.map(p => [p, { get: {} }])) } });
      const objects = Testing.synth(chart);
      const routes = objects[0].spec.routes as any[];
      return gate.validateAll(objects).length === 0 && routes.length === paths.length
        && routes.every(r => proxyMatches(r.condition.pathRegex, r.name.slice('GET '.length).replace(/\{[^}]*\}/g, 'x1')));
    }), { numRuns: 50 });
  });

  test('fails when the document is not YAML', () => {
    expect(() => openApi('paths: [')).toThrow(/^\[test\/sp\] the OpenAPI document is not valid YAML or JSON: /);
  });

  test('fails on an OpenAPI document nested deeper than 100 levels before parsing it (2 MB of brackets took 63 s and 1.1 GB, and aborted Node with a 512 MB heap)', () => {
    const start = Date.now();
    expect(() => openApi(`openapi: 3.0.0\npaths: ${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}\n`))
      .toThrow(/^\[test\/sp\] the OpenAPI document nests more than 100 levels deep \(at line 2\); at most 100 are read$/);
    expect(Date.now() - start).toBeLessThan(15_000);
    const block = `paths:\n${Array.from({ length: 150 }, (_, i) => `${' '.repeat(i + 1)}a:`).join('\n')} 1\n`;
    expect(() => openApi(block)).toThrow(/nests more than 100 levels deep \(at line 101\)/);
    const sequences = `paths:\n  x: ${'- '.repeat(150)}1\n`.replace('x: ', 'x:\n  ');
    expect(() => openApi(sequences)).toThrow(/nests more than 100 levels deep/);
    const deep: any = {};
    let at = deep;
    for (let i = 0; i < 150; i++) at = at.x = {};
    expect(() => openApi({ paths: deep })).toThrow(/^\[test\/sp\] the OpenAPI document nests more than 100 levels deep; at most 100 are read$/);
  });

  test('reads an OpenAPI document nested 90 levels deep, with brackets and braces inside strings and comments not counted', () => {
    const nested = `paths:\n  /x/{id}:\n    get:\n      x-linkerd-timeout: '${'['.repeat(500)}'\n      # ${'{'.repeat(500)}\n      responses: {}\n  x-deep: ${'['.repeat(85)}${']'.repeat(85)}\n`;
    expect(() => openApi(nested)).toThrow(/timeout "\[{500}" must be a positive Go duration/);
    expect(() => openApi(`paths:\n  x-deep: ${'['.repeat(95)}${']'.repeat(95)}\n`)).not.toThrow();
  });

  test('fails on an OpenAPI document or .proto file over 8 MiB', () => {
    expect(() => openApi(`paths: {}\n#${'x'.repeat(8 * 1024 * 1024)}\n`)).toThrow(/^\[test\/sp\] the OpenAPI document has 8388620 characters; at most 8388608 \(8 MiB\) are read$/);
    expect(() => ServiceProfile.fromProto(testChart(), 'sp', { service: ServiceReference.fromName('s', 'n'), proto: `syntax = "proto3";\n//${'x'.repeat(8 * 1024 * 1024)}\n` }))
      .toThrow(/the \.proto file has 8388630 characters; at most 8388608 \(8 MiB\) are read$/);
  });

  test('fails when paths is not an object', () => {
    expect(() => openApi({ paths: ['/x'] })).toThrow(/^\[test\/sp\] paths must be an object, got an array$/);
  });

  test('fails when an operation is not an object', () => {
    expect(() => openApi({ paths: { '/x': { get: 'list' } } })).toThrow(/^\[test\/sp\] operation GET \/x must be an object, got a string \("list"\)$/);
  });

  test('fails when x-linkerd-timeout is not a Go duration', () => {
    expect(() => openApi({ paths: { '/x': { get: { 'x-linkerd-timeout': '60' } } } }))
      .toThrow(/^\[test\/sp\] route "GET \/x" timeout "60" must be a positive Go duration such as 500ms, 10s or 1m30s$/);
  });

  test('fails when a response key is not an HTTP status', () => {
    expect(() => openApi({ paths: { '/x': { get: { responses: { 700: {} } } } } }))
      .toThrow(/route "GET \/x" responseClasses\[0\] condition status \{"min":700,"max":700\}: min and max must be HTTP status codes between 100 and 599, inclusive/);
  });

  test('fails when an operation that is not idempotent is marked retryable without the opt-in', () => {
    const chart = testChart();
    expect(() => ServiceProfile.fromOpenApi(chart, 'sp', {
      service: ServiceReference.fromName('mysvc', 'myns'),
      spec: { paths: { '/authors/{id}': { post: { 'x-linkerd-retryable': true } } } },
    })).toThrow(/^\[test\/sp\] route "POST \/authors\/\{id\}" is retryable but matches POST, which is not idempotent: a retried request may be applied twice; set allowNonIdempotentRetries: true if the operation is idempotent, or drop x-linkerd-retryable \(cdk8s-linkerd\/non-idempotent-retry: our lint, stricter than Linkerd, which retries any method\)$/);
  });
});

describe('ServiceProfile.fromProto conforms to linkerd profile --proto (§d.5, §d.6)', () => {
  test('proto_test.go: one POST route per rpc, retryable for IDEMPOTENT and NO_SIDE_EFFECTS only', () => {
    const chart = testChart();
    ServiceProfile.fromProto(chart, 'sp', { service: ServiceReference.fromName('mysvc', 'myns'), proto: fixture('emojivoto.proto') });
    const [profile] = synthKind(chart, 'ServiceProfile');
    expect(profile.metadata.name).toBe('mysvc.myns.svc.cluster.local');
    expect(profile.spec.routes).toStrictEqual([
      route('VotePoop', 'POST', '/emojivoto\\.v1\\.VotingService/VotePoop'),
      route('VoteJoy', 'POST', '/emojivoto\\.v1\\.VotingService/VoteJoy', { isRetryable: true }),
      route('VoteSmile', 'POST', '/emojivoto\\.v1\\.VotingService/VoteSmile', { isRetryable: true }),
      route('VoteFrown', 'POST', '/emojivoto\\.v1\\.VotingService/VoteFrown'),
    ]);
  });

  test('without a package the path is /Service/Method; rpc names keep their case; names collide across services', () => {
    const chart = testChart();
    ServiceProfile.fromProto(chart, 'sp', {
      service: ServiceReference.fromName('mysvc', 'myns'),
      proto: 'syntax = "proto3"; service A { rpc get_thing (R) returns (R); } service B { rpc get_thing (R) returns (R); }',
    });
    expect(synthKind(chart, 'ServiceProfile')[0].spec.routes.map((r: any) => r.condition.pathRegex)).toStrictEqual(['/A/get_thing', '/B/get_thing']);
    expect(collectWarnings(chart).map(w => w.message)).toContain('route "get_thing": another route has the same name; Linkerd reports metrics per route name, so the two are indistinguishable');
  });

  test('fails when the .proto file does not parse', () => {
    expect(() => ServiceProfile.fromProto(testChart(), 'sp', { service: ServiceReference.fromName('mysvc', 'myns'), proto: 'service {' }))
      .toThrow(/^\[test\/sp\] the \.proto file does not parse: illegal service name '\{' \(line 1\)$/);
  });
});
