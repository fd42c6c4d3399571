import { App, Chart, Lazy, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { AuthorizationPolicy as AuthorizationPolicyL1, MeshTlsAuthentication as MeshTlsAuthenticationL1, ServerV1Beta1, ServerV1Beta3 } from '../../imports/policy.linkerd.io';
import { DefaultInboundPolicy, LinkerdVersion } from '../../src/linkerd';
import {
  AuthenticationRef, AuthorizationPolicy, IdentityRef, MeshIdentity, MeshTLSAuthentication, NetworkAuthentication, PolicyTarget, ProxyProtocol,
  Server, ServerPort,
} from '../../src/mesh';
import { RUNS, SEED } from '../properties/_property';

// Servers, MeshTLSAuthentications and AuthorizationPolicies are checked at construction as written instead of rendered
// (src/_internal/validated.ts validateWritten): rendering each one cost seconds at ten thousand services (BENCHMARKS.md,
// scaling). An app with a resolver of its own renders them at construction, as every app did before, so comparing the
// two apps compares checking as written with checking the rendering.

/** A resolver that changes nothing; its presence makes the construction-time checks render. */
const noOpResolver = { resolve: () => undefined };

/** What building `build` in a chart of `app` does at construction: the ValidationError's message, or 'ok'. */
function outcome(app: App, build: (chart: Chart) => void): string {
  try {
    build(new Chart(app, 'test', { namespace: 'demo' }));
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}

/** Asserts that checking as written and checking the rendering agree on every case, and that both kinds of case occur. */
function agree<T>(arbitrary: fc.Arbitrary<T>, build: (chart: Chart, props: T) => void): void {
  const seen = new Set<boolean>();
  fc.assert(fc.property(arbitrary, props => {
    const written = outcome(Testing.app(), chart => build(chart, props));
    const rendered = outcome(Testing.app({ resolvers: [noOpResolver] }), chart => build(chart, props));
    expect(written).toBe(rendered);
    seen.add(written === 'ok');
  }), { numRuns: Math.max(RUNS, 200), seed: SEED });
  expect([...seen].sort()).toStrictEqual([false, true]);
}

describe('checked as written at construction, the same as checking the rendering', () => {
  const versions = [LinkerdVersion.V2_14, LinkerdVersion.V2_16, LinkerdVersion.LATEST];

  test('Server: any port, proxyProtocol, accessPolicy and version fail the same way, or pass, either way', () => {
    const port = fc.oneof(
      fc.integer({ min: -2, max: 65537 }).map(n => ServerPort.of(n)),
      fc.constantFrom('http', 'admin-http', 'HTTP', '', 'a--b', 'x'.repeat(16), '8080').map(n => ServerPort.named(n)),
    );
    const enumOrNot = (values: string[]) => fc.option(fc.constantFrom(...values, 'bogus'), { nil: undefined });
    agree(fc.record({
      port,
      proxyProtocol: enumOrNot(Object.values(ProxyProtocol)),
      accessPolicy: enumOrNot(Object.values(DefaultInboundPolicy)),
      version: fc.constantFrom(...versions),
      labels: fc.option(fc.dictionary(fc.constantFrom('team', 'tier'), fc.string({ maxLength: 3 })), { nil: undefined }),
    }), (chart, p) => new Server(chart, 'server', {
      metadata: { name: 'web', labels: p.labels }, podSelector: { app: 'web' }, port: p.port,
      proxyProtocol: p.proxyProtocol as ProxyProtocol, accessPolicy: p.accessPolicy as DefaultInboundPolicy, version: p.version,
    }));
  });

  test('AuthorizationPolicy: any target and required authentications fail the same way, or pass, either way', () => {
    agree(fc.record({
      namespace: fc.option(fc.constantFrom('demo', 'other'), { nil: undefined }),
      target: fc.constantFrom('namespace demo', 'namespace other', 'route', 'server'),
      refs: fc.subarray(['sa api', 'sa web', 'sa other/api', 'meshtls', 'network', 'network again']),
    }), (chart, p) => {
      const clients = new MeshTLSAuthentication(chart, 'clients', { metadata: { name: 'clients' }, identityRefs: [IdentityRef.serviceAccount('api')] });
      const network = new NetworkAuthentication(chart, 'network', { metadata: { name: 'office' }, networks: [{ cidr: '10.0.0.0/8' }] });
      const server = new Server(chart, 'server', { metadata: { name: 'web' }, podSelector: { app: 'web' }, port: ServerPort.of(8080) });
      const targets: Record<string, PolicyTarget> = {
        'namespace demo': PolicyTarget.namespace('demo'), 'namespace other': PolicyTarget.namespace('other'),
        'route': PolicyTarget.httpRoute('route'), 'server': PolicyTarget.server(server),
      };
      const refs: Record<string, AuthenticationRef> = {
        'sa api': AuthenticationRef.serviceAccount('api'), 'sa web': AuthenticationRef.serviceAccount('web'),
        'sa other/api': AuthenticationRef.serviceAccount('api', 'other'), 'meshtls': AuthenticationRef.meshTLS(clients),
        'network': AuthenticationRef.network(network), 'network again': AuthenticationRef.network(network),
      };
      new AuthorizationPolicy(chart, 'policy', {
        metadata: { name: 'policy', namespace: p.namespace }, targetRef: targets[p.target], requiredAuthenticationRefs: p.refs.map(r => refs[r]),
      });
    });
  });

  test('MeshTLSAuthentication: any identities and identityRefs fail the same way, or pass, either way', () => {
    const identities: Record<string, MeshIdentity> = {
      'sa': MeshIdentity.serviceAccount('api', 'demo'), 'all': MeshIdentity.all(), 'dns': MeshIdentity.of('web.demo.serviceaccount.identity.linkerd.cluster.local'),
      'underscore': MeshIdentity.of('Web_Clients.shop'), 'spiffe': MeshIdentity.of('spiffe://'), 'inner star': MeshIdentity.of('api.*.cluster.local'),
    };
    const identityRefs: Record<string, IdentityRef> = {
      'sa': IdentityRef.serviceAccount('api'), 'sa shop': IdentityRef.serviceAccount('api', 'shop'), 'upper': IdentityRef.serviceAccount('API', 'shop'),
      'namespace': IdentityRef.namespace('shop'), 'bad namespace': IdentityRef.namespace('Shop_'),
    };
    agree(fc.record({
      identities: fc.option(fc.subarray(Object.keys(identities)), { nil: undefined }),
      identityRefs: fc.option(fc.subarray(Object.keys(identityRefs)), { nil: undefined }),
    }), (chart, p) => new MeshTLSAuthentication(chart, 'clients', {
      metadata: { name: 'clients' }, identities: p.identities?.map(i => identities[i]), identityRefs: p.identityRefs?.map(r => identityRefs[r]),
    }));
  });
});

describe('rendered at construction only when rendering could change what the rules read', () => {
  const renders = () => [ServerV1Beta1, ServerV1Beta3, AuthorizationPolicyL1, MeshTlsAuthenticationL1].map(c => jest.spyOn(c.prototype, 'toJson'));
  const calls = (spies: jest.SpyInstance[]) => spies.reduce((n, s) => n + s.mock.calls.length, 0);
  afterEach(() => jest.restoreAllMocks());

  function build(chart: Chart, labels?: Record<string, string>): void {
    const server = new Server(chart, 'server', { metadata: { name: 'web', labels }, podSelector: { app: 'web' }, port: ServerPort.named('http') });
    const clients = new MeshTLSAuthentication(chart, 'clients', { metadata: { name: 'web-clients', labels }, identities: [MeshIdentity.serviceAccount('api', 'demo')] });
    new AuthorizationPolicy(chart, 'policy', {
      metadata: { name: 'web', labels }, targetRef: PolicyTarget.server(server), requiredAuthenticationRefs: [AuthenticationRef.meshTLS(clients)],
    });
  }

  test('plain values are not rendered at construction, and are rendered and checked at synth', () => {
    const spies = renders();
    const chart = new Chart(Testing.app(), 'test', { namespace: 'demo' });
    build(chart, { team: 'web' });
    expect(calls(spies)).toBe(0);
    expect(Testing.synth(chart).map(o => o.kind)).toStrictEqual(['Server', 'MeshTLSAuthentication', 'AuthorizationPolicy']);
    expect(spies.filter(s => s.mock.calls.length > 0)).toHaveLength(3);
  });

  test('a Lazy label is resolved by rendering at construction, once per object', () => {
    const spies = renders();
    build(new Chart(Testing.app(), 'test', { namespace: 'demo' }), { team: Lazy.any({ produce: () => 'web' }) as any });
    expect(calls(spies)).toBe(3);
  });

  test('fails at construction when a resolver of the app makes a written value invalid (rendered, as before)', () => {
    const app = Testing.app({ resolvers: [{ resolve: ctx => { if (ctx.value === 'HTTP/1') ctx.replaceValue('HTTP/3'); } }] });
    expect(() => new Server(new Chart(app, 'test', { namespace: 'demo' }), 'server', {
      metadata: { name: 'web' }, podSelector: { app: 'web' }, port: ServerPort.of(8080), proxyProtocol: ProxyProtocol.HTTP1,
    })).toThrow(/^\[test\/server\] proxyProtocol "HTTP\/3" is not allowed: use one of /);
  });

  test('fails at construction when an identity cannot be produced, as rendering reports it', () => {
    const broken = { resolve: () => { throw new Error('no identity'); } } as unknown as MeshIdentity;
    expect(() => new MeshTLSAuthentication(new Chart(Testing.app(), 'test', { namespace: 'demo' }), 'clients', { identities: [broken] }))
      .toThrow(/^\[test\/clients\] cannot be rendered: .*no identity/);
  });

  test('a null value is rendered at construction: rendering drops it', () => {
    const spies = renders();
    expect(() => new AuthorizationPolicy(new Chart(Testing.app(), 'test', { namespace: 'demo' }), 'policy', {
      metadata: { name: 'web', labels: { team: null as any } }, targetRef: PolicyTarget.httpRoute('route'), requiredAuthenticationRefs: [],
    })).not.toThrow();
    expect(calls(spies)).toBe(1);
  });
});
