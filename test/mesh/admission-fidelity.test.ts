import { JsonPatch, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { parseGoBool } from '../../src/_internal/go-bool';
import { targetsKind } from '../../src/_internal/target-kind';
import { LinkerdVersion } from '../../src/linkerd';
import { AuthenticationRef, AuthorizationPolicy, IdentityRef, Mesh, MeshCoverage, MeshIdentity, MeshTLSAuthentication, PolicyTarget } from '../../src/mesh';
import { ignoredNativeSidecarAnnotations, nativeSidecarKeysRead, nativeSidecarOf } from '../../src/mesh/_annotations';
import { authorizationPolicyRules } from '../../src/mesh/authorization-policy-rules';
import { HttpRoute, ServiceReference } from '../../src/traffic';
import { HONOR_RETRY_AFTER, LOAD_BIASER, PENALIZE_FAILURES, trafficAnnotationProblems } from '../../src/traffic/_annotations';
import { testChart } from '../_util';
import { namespace } from './_fixtures';

const GA = 'config.linkerd.io/proxy-enable-native-sidecar';
const BETA = 'config.beta.linkerd.io/proxy-enable-native-sidecar';
const ALPHA = 'config.alpha.linkerd.io/proxy-enable-native-sidecar';

describe('targetRef group and kind', () => {
  // linkerd/linkerd2@version-2.20:policy-controller/k8s/api/src/policy.rs:31-48: eq_ignore_ascii_case, `core` for an empty group
  test('compare case-insensitively, with an absent, empty or core group meaning core', () => {
    expect(targetsKind({ kind: 'ServiceAccount' }, '', 'ServiceAccount')).toBe(true);
    expect(targetsKind({ group: '', kind: 'ServiceAccount' }, '', 'ServiceAccount')).toBe(true);
    expect(targetsKind({ group: 'CORE', kind: 'SERVICEACCOUNT' }, '', 'ServiceAccount')).toBe(true);
    expect(targetsKind({ group: 'policy.linkerd.io', kind: 'HttpRoute' }, 'policy.linkerd.io', 'HTTPRoute')).toBe(true);
    expect(targetsKind({ group: 'apps', kind: 'ServiceAccount' }, '', 'ServiceAccount')).toBe(false);
    expect(targetsKind({ kind: 'Server' }, 'policy.linkerd.io', 'Server')).toBe(false);
  });

  test('an AuthorizationPolicy patched to HttpRoute and core/SERVICEACCOUNT still synthesizes, as Linkerd admits it', () => {
    const chart = testChart();
    const policy = new AuthorizationPolicy(chart, 'policy', {
      metadata: { name: 'p', namespace: 'shop' },
      targetRef: PolicyTarget.httpRoute('api'),
      requiredAuthenticationRefs: [AuthenticationRef.serviceAccount('web')],
    });
    policy.apiObject.addJsonPatch(JsonPatch.replace('/spec/targetRef/kind', 'HttpRoute'),
      JsonPatch.add('/spec/requiredAuthenticationRefs/0/group', 'core'), JsonPatch.replace('/spec/requiredAuthenticationRefs/0/kind', 'SERVICEACCOUNT'));
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test('fails on a ServiceAccount ref of another group (admission.rs:286-300)', () => {
    const chart = testChart();
    const policy = new AuthorizationPolicy(chart, 'policy', {
      metadata: { name: 'p', namespace: 'shop' },
      targetRef: PolicyTarget.httpRoute('api'),
      requiredAuthenticationRefs: [AuthenticationRef.serviceAccount('web')],
    });
    policy.apiObject.addJsonPatch(JsonPatch.add('/spec/requiredAuthenticationRefs/0/group', 'apps'));
    expect(() => Testing.synth(chart)).toThrow(/requiredAuthenticationRef "apps\/ServiceAccount" is not allowed: use a policy\.linkerd\.io MeshTLSAuthentication or NetworkAuthentication, or a ServiceAccount/);
  });

  test('fails on an AuthorizationPolicy without requiredAuthenticationRefs (the CRD requires the list)', () => {
    expect(authorizationPolicyRules({ metadata: { namespace: 'shop' }, spec: { targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'api' } } }))
      .toStrictEqual(['requiredAuthenticationRefs must be a list (empty to deny every client)']);
  });

  test('fails on a MeshTLSAuthentication identityRef of a group other than core', () => {
    const chart = testChart();
    const authn = new MeshTLSAuthentication(chart, 'clients', { metadata: { namespace: 'shop' }, identityRefs: [IdentityRef.serviceAccount('web', 'shop')] });
    authn.apiObject.addJsonPatch(JsonPatch.add('/spec/identityRefs/0/group', 'policy.linkerd.io'));
    expect(() => Testing.synth(chart)).toThrow(/identityRef "policy\.linkerd\.io\/ServiceAccount" is not allowed: use a core ServiceAccount or Namespace/);
  });
});

describe('SPIFFE identities', () => {
  // linkerd/linkerd2@version-2.20:policy-controller/runtime/src/validation.rs:93-109 (tests at :236 and :242)
  test.each(['spiffe://test.org/./other', 'spiffe://test.org/../other', 'spiffe://test.org/path/.', 'spiffe://test.org/path/..'])('fails on the dot segment in %s', id => {
    expect(() => new MeshTLSAuthentication(testChart(), 'clients', { metadata: { namespace: 'demo' }, identities: [MeshIdentity.of(id)] }))
      .toThrow(/is not allowed: .* or a spiffe:\/\/ ID whose path has no empty, '\.' or '\.\.' segment$/);
  });

  test('accepts segments that only start with dots', () => {
    expect(() => new MeshTLSAuthentication(testChart(), 'clients', { metadata: { namespace: 'demo' }, identities: [MeshIdentity.of('spiffe://test.org/.hidden/..x/...')] })).not.toThrow();
  });
});

describe('native-sidecar annotations', () => {
  // linkerd/linkerd2@version-2.20:pkg/inject/inject.go:429-447; version-2.19:pkg/inject/inject.go:375-386
  test('parse with Go ParseBool spellings only', () => {
    for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) expect(parseGoBool(t)).toBe(true);
    for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) expect(parseGoBool(f)).toBe(false);
    for (const bad of ['yes', 'on', ' true', 'tRUE', '']) expect(parseGoBool(bad)).toBeUndefined();
  });

  test('are read GA over beta over alpha on 2.20, beta over alpha on 2.19, alpha only before', () => {
    expect(nativeSidecarKeysRead(LinkerdVersion.V2_20)).toStrictEqual([GA, BETA, ALPHA]);
    expect(nativeSidecarKeysRead(LinkerdVersion.V2_19)).toStrictEqual([BETA, ALPHA]);
    expect(nativeSidecarKeysRead(LinkerdVersion.V2_17)).toStrictEqual([ALPHA]);
    expect(nativeSidecarKeysRead(LinkerdVersion.V2_14)).toStrictEqual([]);
  });

  test('the first key present decides; a value ParseBool refuses leaves the cluster default', () => {
    const v = LinkerdVersion.V2_20;
    expect(nativeSidecarOf(v, { [GA]: 'False', [ALPHA]: 'true' }, {}, true)).toBe(false);
    expect(nativeSidecarOf(v, { [BETA]: 'T', [ALPHA]: 'false' }, {}, false)).toBe(true);
    expect(nativeSidecarOf(v, { [GA]: 'yes', [ALPHA]: 'false' }, {}, true)).toBe(true);
    expect(nativeSidecarOf(LinkerdVersion.V2_19, { [GA]: 'false', [ALPHA]: '1' }, {}, false)).toBe(true);
  });

  test('a namespace fills in the GA and alpha keys on 2.20, but not the beta key (inject.go:43-90, 177-189)', () => {
    expect(nativeSidecarOf(LinkerdVersion.V2_20, {}, { [BETA]: 'false' }, true)).toBe(true);
    expect(nativeSidecarOf(LinkerdVersion.V2_19, {}, { [BETA]: 'false' }, true)).toBe(false);
    expect(nativeSidecarOf(LinkerdVersion.V2_20, { [ALPHA]: 'true' }, { [GA]: 'false' }, true)).toBe(false);
  });

  test('the coverage report follows the injector on a Job', () => {
    const chart = testChart();
    Mesh.inject(namespace(chart, 'batch'));
    const job = (name: string, annotations: Record<string, string>) => new k8s.KubeJob(chart, name, {
      metadata: { name, namespace: 'batch' },
      spec: { template: { metadata: { annotations }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
    });
    job('ga-false', { [GA]: 'False', [ALPHA]: 'true' });
    job('ga-invalid', { [GA]: 'yes' });
    const notes = Object.fromEntries(MeshCoverage.of(chart, { version: LinkerdVersion.V2_20 }).workloads.map(w => [w.name, w.notes]));
    expect(notes).toStrictEqual({
      'ga-false': [
        `${ALPHA} is overridden by ${GA}, so the injector ignores it`,
        'its proxy is not a native sidecar, so it keeps running after the Job\'s containers exit and the Job never completes',
      ],
      'ga-invalid': [`${GA}: "yes" is not a boolean the injector reads (1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False), so the injector ignores it`],
    });
  });

  test('notes a key the version does not read', () => {
    expect(ignoredNativeSidecarAnnotations(LinkerdVersion.V2_17, { [GA]: 'true' }))
      .toStrictEqual([`${GA} is not read by Linkerd 2.17 (it reads ${ALPHA}), so the injector ignores it`]);
    expect(ignoredNativeSidecarAnnotations(LinkerdVersion.V2_14, { [ALPHA]: 'true' }))
      .toStrictEqual([`${ALPHA} is not read by Linkerd 2.14, so the injector ignores it`]);
    expect(ignoredNativeSidecarAnnotations(LinkerdVersion.V2_20, { [GA]: 'true', [BETA]: 'true' })).toStrictEqual([`${BETA} is overridden by ${GA}, so the injector ignores it`]);
  });
});

describe('HTTPRoute admission rules on the rendered object', () => {
  // linkerd/linkerd2@version-2.20:policy-controller/runtime/src/admission.rs:575-587,603-672
  const route = (patch: JsonPatch) => {
    const chart = testChart();
    const service = new k8s.KubeService(chart, 'svc', { metadata: { name: 'books', namespace: 'shop' }, spec: { ports: [{ port: 80 }] } });
    new HttpRoute(chart, 'route', { service: ServiceReference.fromApiObject(service) }).apiObject.addJsonPatch(patch);
    return () => Testing.synth(chart);
  };

  test('fails on a Service backendRef without a port, and admits one of another kind', () => {
    expect(route(JsonPatch.remove('/spec/rules/0/backendRefs/0/port'))).toThrow(/rules\[0\]\.backendRefs\[0\] Service "books" has no port: Linkerd rejects a Service backendRef without one/);
    expect(route(JsonPatch.replace('/spec/rules/0/backendRefs/0', { group: 'alien.example.com', kind: 'ExoService', name: 'x' }))).not.toThrow();
  });

  test('fails on a RequestRedirect to a relative path', () => {
    expect(route(JsonPatch.add('/spec/rules/0/filters', [{ type: 'RequestRedirect', requestRedirect: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: 'v2' } } }])))
      .toThrow(/rules\[0\]\.filters\[0\]\.requestRedirect\.path "v2" must be an absolute path starting with '\/'/);
    expect(route(JsonPatch.add('/spec/rules/0/filters', [{ type: 'RequestRedirect', requestRedirect: { path: { type: 'ReplaceFullPath' } } }])))
      .toThrow(/rules\[0\]\.filters\[0\]\.requestRedirect\.path needs replaceFullPath or replacePrefixMatch/);
  });

  test('fails on an EgressNetwork parent without a port (kind and group in any case)', () => {
    expect(route(JsonPatch.replace('/spec/parentRefs', [{ group: 'Policy.Linkerd.io', kind: 'egressnetwork', name: 'internet' }])))
      .toThrow(/parentRefs\[0\] EgressNetwork "internet" has no port: Linkerd rejects a route to an EgressNetwork without one/);
  });
});

describe('2.20 balancer annotations on a Service', () => {
  // linkerd/linkerd2@version-2.20:policy-controller/k8s/index/src/outbound/index.rs:2258-2308
  test('fails on a penalize-failures or honor-retry-after value ParseBool refuses', () => {
    expect(trafficAnnotationProblems({ [PENALIZE_FAILURES]: 'yes' }, 'Service')).toStrictEqual([
      'annotation balancer.alpha.linkerd.io/penalize-failures: "yes" is rejected by the policy controller (unsupported balancer.alpha.linkerd.io/penalize-failures value: \'yes\' (expected a boolean such as \'true\' or \'false\')); use true or false',
    ]);
    expect(trafficAnnotationProblems({ [HONOR_RETRY_AFTER]: ' T ' }, 'Service')).toStrictEqual([]);
    expect(trafficAnnotationProblems({ [HONOR_RETRY_AFTER]: 'on' }, 'Service')[0]).toMatch(/failure-accrual-honor-retry-after: "on" is rejected/);
  });

  test('fails on a load-biaser penalty beyond u32 milliseconds, only when penalize-failures is on', () => {
    expect(trafficAnnotationProblems({ [PENALIZE_FAILURES]: 'true', [`${LOAD_BIASER}penalty`]: '50d' }, 'Service')).toStrictEqual([
      'annotation balancer.alpha.linkerd.io/load-biaser-penalty: "50d" is rejected by the policy controller (load-biaser-penalty exceeds the maximum supported value (~49.7 days)); use at most 4294967295ms',
    ]);
    expect(trafficAnnotationProblems({ [PENALIZE_FAILURES]: 'false', [`${LOAD_BIASER}penalty`]: '50d' }, 'Service')).toStrictEqual([]);
    expect(trafficAnnotationProblems({ [PENALIZE_FAILURES]: '1', [`${LOAD_BIASER}max-retry-after`]: '1.5s' }, 'Service')[0]).toMatch(/load-biaser-max-retry-after: "1\.5s" is rejected .*fractional values not supported/);
  });
});
