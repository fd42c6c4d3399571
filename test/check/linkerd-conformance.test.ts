import { SourceObject } from '../../src/check/_types';
import { linkerdRules } from '../../src/check/linkerd';
import { loadSources, UpstreamCase, UpstreamVerdict } from '../upstream/_conformance';

/**
 * Upstream's own admission and validation cases (test/upstream/data, with their citations), each turned into the
 * object a user would write and run through the Linkerd family of `cdk8s-linkerd check`: an error finding is a
 * rejection. The family must agree with upstream wherever the constructs do, and differ only on the deliberate cases.
 */
const POLICY_VERSIONS: Record<string, string> = {
  AuthorizationPolicy: 'policy.linkerd.io/v1alpha1',
  MeshTLSAuthentication: 'policy.linkerd.io/v1alpha1',
  NetworkAuthentication: 'policy.linkerd.io/v1alpha1',
  Server: 'policy.linkerd.io/v1beta3',
  HTTPRoute: 'policy.linkerd.io/v1beta3',
};

const at = (object: any): SourceObject[] => [{ object, file: 'case.yaml', line: 1 }];
const service = (annotations: Record<string, string>) => at({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'ns', annotations }, spec: {} });
const gatewayRoute = (annotations: Record<string, string> | undefined, spec: unknown) => at({
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'test', namespace: 'ns', annotations }, spec,
});

/** Each source the family covers, and the objects a case's input stands for. */
const AS_OBJECTS: Record<string, (input: any, c: UpstreamCase) => SourceObject[]> = {
  'linkerd-policy-admission': (input, c) => {
    const gateway = c.id.startsWith('gateway-http-route/');
    return at({
      apiVersion: gateway ? 'gateway.networking.k8s.io/v1' : POLICY_VERSIONS[input.kind], kind: input.kind,
      metadata: { name: 'test', namespace: input.namespace ?? 'ns', annotations: input.annotations }, spec: input.spec,
    });
  },
  'linkerd-policy-admission-check': input => at({ ...input, metadata: { name: 'test', namespace: 'ns' } }),
  'linkerd-policy-defaults': input => at({ apiVersion: POLICY_VERSIONS.Server, kind: 'Server', metadata: { name: 'test', namespace: 'ns' }, spec: input.spec }),
  'linkerd-profiles': input => at({ apiVersion: 'linkerd.io/v1alpha2', kind: 'ServiceProfile', ...input }),
  'linkerd-profile-translator': input => at({ apiVersion: 'linkerd.io/v1alpha2', kind: 'ServiceProfile', ...input }),
  // a duration as the policy controller reads it in a timeout annotation
  'linkerd-policy-annotations': input => service('duration' in input ? { 'timeout.linkerd.io/request': input.duration } : input.annotations),
  'linkerd-outbound-failure-accrual': input => service(input.annotations),
  'linkerd-outbound-routes': input => input.on === 'Service' ? service(input.annotations) : gatewayRoute(input.annotations, input.spec),
  'linkerd-policy-identity': input => at({
    apiVersion: POLICY_VERSIONS.MeshTLSAuthentication, kind: 'MeshTLSAuthentication', metadata: { name: 'test', namespace: 'ns' }, spec: { identities: [input] },
  }),
  // the port-set the policy controller reads from a pod (ports.rs), on a pod template
  'linkerd-policy-ports': input => at({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'test', namespace: 'ns' },
    spec: { template: { metadata: { annotations: { 'config.linkerd.io/proxy-require-identity-inbound-ports': input } }, spec: { containers: [] } } },
  }),
};

/**
 * Cases another family of `check` decides: the Linkerd family does not repeat the CRD's schema. (linkerd-policy-duration
 * is not run: it tests Go's duration grammar alone, while every field that takes such a duration adds rules of its own.)
 */
const OTHER_FAMILY: Record<string, string> = {
  'meshtls-authentication/rejects-empty': 'schema: the CRD requires identities or identityRefs (linkerd/linkerd2@version-2.20:charts/linkerd-crds/templates/policy/meshtls-authentication.yaml:36-38)',
};

function verdictOf(objects: SourceObject[]): UpstreamVerdict {
  return linkerdRules.run(objects).some(f => f.severity === 'error') ? 'rejected' : 'accepted';
}

describe('the Linkerd family of check against upstream\'s own cases', () => {
  const sources = loadSources().filter(s => AS_OBJECTS[s.name] !== undefined);
  const rows = sources.map(source => {
    let agree = 0;
    let deliberate = 0;
    let other = 0;
    const disagree: string[] = [];
    for (const c of source.cases) {
      const ours = verdictOf(AS_OBJECTS[source.name](c.input, c));
      if (ours === c.upstream) agree++;
      else if (c.deliberate) deliberate++;
      else if (OTHER_FAMILY[c.id]) other++;
      else disagree.push(`${c.id} (${c.cite}): upstream ${c.upstream}, check ${ours}`);
    }
    return { name: source.name, cases: source.cases.length, agree, deliberate, other, disagree };
  });

  test('every source the family covers is in the data', () => {
    expect(sources.map(s => s.name).sort()).toEqual(Object.keys(AS_OBJECTS).sort());
  });

  test('agree/disagree counts', () => {
    const total = (k: 'cases' | 'agree' | 'deliberate' | 'other') => rows.reduce((n, r) => n + r[k], 0);
    console.log(rows.map(r => `${r.name}: ${r.cases} cases, ${r.agree} agree, ${r.deliberate} deliberate, ${r.other} left to another family, ${r.disagree.length} disagree${r.disagree.map(d => `\n  ${d}`).join('')}`).join('\n'));
    expect({ cases: total('cases'), agree: total('agree'), deliberate: total('deliberate'), other: total('other'), disagree: rows.flatMap(r => r.disagree) })
      .toEqual({ cases: 232, agree: 228, deliberate: 3, other: 1, disagree: [] });
  });
});
