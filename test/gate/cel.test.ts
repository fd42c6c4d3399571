import * as fc from 'fast-check';
import { CelSchema, celProblems, celProblemsUnder, celRuleStatus } from '../../src/gate/cel';

const route = (spec: unknown) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'n' }, spec });
const service = (extra: Record<string, unknown> = {}) => ({ name: 'web', port: 80, ...extra });

describe('celProblems on the vendored rules', () => {
  test('a valid HTTPRoute has no problem and nothing unevaluated', () => {
    expect(celProblems(route({
      parentRefs: [{ name: 'web', kind: 'Service', group: 'core' }],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [service()] }],
    }))).toStrictEqual({ problems: [], unevaluated: [] });
  });

  test('fails a Service backendRef without a port, at its path, with the rule\'s message', () => {
    expect(celProblems(route({ rules: [{ backendRefs: [service(), { name: 'api' }] }] })).problems).toStrictEqual([
      'spec.rules[0].backendRefs[1]: Invalid value: Must have port for Service reference',
    ]);
  });

  test('applies schema defaults first: group \'\' and kind Service make the port rule apply', () => {
    // without defaulting, `self.kind` would be "no such key" and `size(self.group)` an error
    expect(celProblems(route({ rules: [{ backendRefs: [{ name: 'api', kind: 'Service', group: '' }] }] })).problems)
      .toStrictEqual(['spec.rules[0].backendRefs[0]: Invalid value: Must have port for Service reference']);
    expect(celProblems(route({ rules: [{ backendRefs: [{ name: 'api', kind: 'Bucket', group: 'example.com' }] }] })).problems).toStrictEqual([]);
  });

  test('reads escaped property names: parentRefs with namespace', () => {
    const ref = { name: 'web', kind: 'Service', group: 'core', namespace: 'a' };
    expect(celProblems(route({ parentRefs: [ref, { ...ref, namespace: 'b' }] })).problems).toStrictEqual([]);
    expect(celProblems(route({ parentRefs: [ref, ref] })).problems).toStrictEqual([
      'spec.parentRefs: Invalid value: sectionName must be unique when parentRefs includes 2 or more references to the same parent',
    ]);
  });

  test('fails a path with //, with RE2 semantics for the character class', () => {
    const problems = celProblems(route({ rules: [{ matches: [{ path: { type: 'Exact', value: '/a//b' } }] }] })).problems;
    expect(problems).toStrictEqual(['spec.rules[0].matches[0].path: Invalid value: must not contain \'//\' when type one of [\'Exact\', \'PathPrefix\']']);
  });

  test('compares durations and ints as CEL does', () => {
    const timeouts = (t: unknown) => celProblems(route({ rules: [{ timeouts: t }] })).problems;
    expect(timeouts({ request: '1s', backendRequest: '2s' })).toStrictEqual([
      'spec.rules[0].timeouts: Invalid value: backendRequest timeout cannot be longer than request timeout',
    ]);
    expect(timeouts({ request: '1m', backendRequest: '59s' })).toStrictEqual([]);
    expect(timeouts({ request: '0s', backendRequest: '1h' })).toStrictEqual([]);
    const mirror = (fraction: unknown) => celProblems(route({
      rules: [{ filters: [{ type: 'RequestMirror', requestMirror: { backendRef: service(), fraction } }] }],
    })).problems;
    expect(mirror({ numerator: 2, denominator: 3 })).toStrictEqual([]);
    expect(mirror({ numerator: 4, denominator: 3 })).toStrictEqual([
      'spec.rules[0].filters[0].requestMirror.fraction: Invalid value: numerator must be less than or equal to denominator',
    ]);
  });

  test('a GRPCRoute service name matches case-insensitively (RE2 (?i))', () => {
    const grpc = (method: unknown) => celProblems({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute', metadata: { name: 'g' }, spec: { rules: [{ matches: [{ method }] }] } }).problems;
    expect(grpc({ service: 'Foo.Bar', method: 'Get' })).toStrictEqual([]);
    expect(grpc({ service: 'foo..bar' })).toStrictEqual([
      'spec.rules[0].matches[0].method: Invalid value: service must only contain valid characters (matching ^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$)',
    ]);
  });

  test('fails a trust-manager Bundle source with two kinds, and an Issuer with no venafi connection', () => {
    expect(celProblems({
      apiVersion: 'trust.cert-manager.io/v1alpha1', kind: 'Bundle', metadata: { name: 'b' },
      spec: { sources: [{ useDefaultCAs: true, inLine: 'x' }], target: { configMap: { key: 'ca.crt' } } },
    }).problems).toStrictEqual(['spec.sources[0]: Invalid value: exactly one of the fields in [configMap secret inLine useDefaultCAs] must be set']);
    expect(celProblems({ apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'i' }, spec: { venafi: { zone: 'z' } } }).problems)
      .toStrictEqual(['spec.venafi: Invalid value: exactly one of tpp, cloud, or ngts must be configured']);
  });

  test('a Traefik Middleware prefix must start with /', () => {
    expect(celProblems({ apiVersion: 'traefik.io/v1alpha1', kind: 'Middleware', metadata: { name: 'm' }, spec: { addPrefix: { prefix: 'api' } } }).problems)
      .toStrictEqual(['spec.addPrefix.prefix: Invalid value: "api": must start with a \'/\'']);
  });

  test('kinds without CEL rules, and inputs that are not objects, yield nothing', () => {
    expect(celProblems({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } })).toStrictEqual({ problems: [], unevaluated: [] });
    expect(celProblems(null)).toStrictEqual({ problems: [], unevaluated: [] });
    expect(celProblems({ kind: 'HTTPRoute' })).toStrictEqual({ problems: [], unevaluated: [] });
  });

  test('every vendored rule is evaluated on create', () => {
    expect(celRuleStatus().filter(r => r.unevaluated)).toStrictEqual([]);
  });
});

describe('celProblemsUnder: rule features the vendored CRDs do not use', () => {
  const schema = (rules: CelSchema['rules'], properties: Record<string, CelSchema> = { a: { type: 'integer' }, b: { type: 'string' } }): CelSchema =>
    ({ type: 'object', properties: { spec: { type: 'object', rules, properties } } });
  const obj = (spec: unknown) => ({ spec });

  test('without a message: failed rule: <rule>', () => {
    expect(celProblemsUnder(obj({ a: 1 }), schema([{ rule: 'self.a > 1' }])).problems).toStrictEqual(['spec: Invalid value: failed rule: self.a > 1']);
  });

  test('messageExpression, fieldPath and reason', () => {
    const rules = [{ rule: 'self.a > 1', message: 'too small', messageExpression: '"a is " + string(self.a)', fieldPath: '.a', reason: 'FieldValueForbidden' }];
    expect(celProblemsUnder(obj({ a: 1 }), schema(rules)).problems).toStrictEqual(['spec.a: Forbidden: a is 1']);
  });

  test('a messageExpression that fails falls back to the message', () => {
    expect(celProblemsUnder(obj({ a: 1 }), schema([{ rule: 'self.a > 1', message: 'too small', messageExpression: 'self.b' }])).problems)
      .toStrictEqual(['spec: Invalid value: too small']);
  });

  test('an evaluation error is a problem, worded as the API server does', () => {
    expect(celProblemsUnder(obj({ a: 1 }), schema([{ rule: 'self.b == "x"', message: 'b is x' }])).problems)
      .toStrictEqual(['spec: Invalid value: field not found: b evaluating rule: b is x']);
  });

  test('a transition rule (oldSelf) is listed as unevaluated, once per schema node, never silently skipped', () => {
    const s: CelSchema = { type: 'object', properties: { items: { type: 'array', items: { type: 'object', rules: [{ rule: 'self == oldSelf', message: 'immutable' }], properties: {} } } } };
    expect(celProblemsUnder({ items: [{}, {}] }, s)).toStrictEqual({
      problems: [],
      unevaluated: ['items[*]: rule "self == oldSelf" not evaluated: transition rule: it reads oldSelf, and Kubernetes evaluates it only on update, never on create'],
    });
  });

  test('rules the evaluator cannot parse or whose function it lacks are listed as unevaluated', () => {
    const r = celProblemsUnder(obj({ b: 'x' }), schema([{ rule: "self.?b.orValue('') == 'x'" }, { rule: 'isURL(self.b)' }]));
    expect(r.problems).toStrictEqual([]);
    expect(r.unevaluated).toHaveLength(2);
    expect(r.unevaluated[0]).toMatch(/^spec: rule "self\.\?b\.orValue\(''\) == 'x'" not evaluated: this evaluator cannot parse it/);
    expect(r.unevaluated[1]).toBe('spec: rule "isURL(self.b)" not evaluated: unbound function: isURL (this evaluator implements standard CEL only)');
  });

  test('only declared properties are visible, under escaped names; maps keep their keys', () => {
    const s: CelSchema = {
      type: 'object', properties: {
        spec: {
          type: 'object',
          rules: [{ rule: '!has(self.undeclared) && self.__namespace__ == "ns" && self.x__dash__y == 1 && self.m["a-b"] == "v"' }],
          properties: { 'namespace': { type: 'string' }, 'x-y': { type: 'integer' }, 'm': { type: 'object', additionalProperties: { type: 'string' } } },
        },
      },
    };
    expect(celProblemsUnder(obj({ 'namespace': 'ns', 'x-y': 1, 'm': { 'a-b': 'v' }, 'undeclared': 1 }), s).problems).toStrictEqual([]);
  });

  test('a null or absent node is not evaluated; a default creates it', () => {
    const s: CelSchema = { type: 'object', properties: { spec: { type: 'object', properties: { c: { type: 'object', default: { n: 0 }, rules: [{ rule: 'self.n > 0', message: 'n' }], properties: { n: { type: 'integer' } } }, d: { type: 'object', rules: [{ rule: 'false' }], properties: {} } } } } };
    expect(celProblemsUnder(obj({ d: null }), s).problems).toStrictEqual(['spec.c: Invalid value: n']);
  });
});

describe('celProblems on hostile input', () => {
  test('keys named like Object.prototype members are plain unknown fields', () => {
    const r = JSON.parse('{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"r"},'
      + '"spec":{"constructor":{},"__proto__":{"x":1},"rules":[{"toString":1,"backendRefs":[{"name":"a","port":80,"hasOwnProperty":2}]}]}}');
    expect(celProblems(r)).toStrictEqual({ problems: [], unevaluated: [] });
  });
});

describe('celProblems never throws', () => {
  test('on any JSON under spec of each kind with rules (problems are strings)', () => {
    const kinds = [
      ['gateway.networking.k8s.io/v1', 'HTTPRoute'], ['gateway.networking.k8s.io/v1', 'GRPCRoute'], ['trust.cert-manager.io/v1alpha1', 'Bundle'],
      ['cert-manager.io/v1', 'Issuer'], ['traefik.io/v1alpha1', 'Middleware'],
    ];
    const routeish = fc.record({
      parentRefs: fc.array(fc.record({
        name: fc.string(), namespace: fc.option(fc.string(), { nil: undefined }), sectionName: fc.option(fc.string(), { nil: undefined }),
      }), { maxLength: 3 }),
      rules: fc.array(fc.record({
        matches: fc.array(fc.jsonValue(), { maxLength: 3 }), filters: fc.array(fc.jsonValue(), { maxLength: 3 }),
        backendRefs: fc.jsonValue(), timeouts: fc.jsonValue(),
      }), { maxLength: 3 }),
    });
    fc.assert(fc.property(fc.constantFrom(...kinds), fc.oneof(fc.jsonValue(), routeish), ([apiVersion, kind], spec) => {
      const r = celProblems({ apiVersion, kind, metadata: { name: 'x' }, spec });
      return r.problems.every(p => typeof p === 'string') && r.unevaluated.length === 0;
    }), { numRuns: 300 });
  });
});

describe('celProblemsUnder: where rules run', () => {
  test('on each map value, at [key]; a Duplicate reason carries no detail, as the API server words it', () => {
    const s: CelSchema = {
      type: 'object', properties: {
        spec: {
          type: 'object', properties: {
            m: { type: 'object', additionalProperties: { type: 'integer', rules: [{ rule: 'self < 10', message: 'small' }] } },
            d: { type: 'string', rules: [{ rule: 'false', reason: 'FieldValueDuplicate', message: 'dup' }] },
          },
        },
      },
    };
    expect(celProblemsUnder({ spec: { m: { 'a': 1, 'b-c': 12 }, d: 'x' } }, s).problems).toStrictEqual([
      'spec.m[b-c]: Invalid value: 12: small',
      'spec.d: Duplicate value: "x"',
    ]);
  });
});
