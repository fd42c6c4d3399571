import { ApiObject, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { MeshModel } from '../../src/mesh/_model';
import { selects } from '../../src/mesh/_workload';
import { RUNS, SEED } from '../properties/_property';

// small domains, so that selectors, labels, names and ServiceAccounts collide often
// cdk8s cannot serialize objects without a prototype, which fast-check makes by default
const plain = { noNullPrototype: true } as const;
const namespace = fc.constantFrom('a', 'b');
const labels = fc.dictionary(fc.constantFrom('app', 'tier', 'team'), fc.constantFrom('x', 'y'), { maxKeys: 3, ...plain });
const podSelector = fc.oneof(
  fc.record({ matchLabels: labels }, plain),
  fc.record({ matchExpressions: fc.constant([{ key: 'app', operator: 'In', values: ['x'] }]) }, plain),
  fc.record({ matchLabels: labels, matchExpressions: fc.constant([{ key: 'tier', operator: 'Exists' }]) }, plain),
  fc.constant(undefined),
);
const name = fc.constantFrom('one', 'two', 'three');
const app = fc.record({
  workloads: fc.array(fc.record({ namespace, labels, serviceAccount: fc.constantFrom('default', 'sa') }, plain), { maxLength: 6 }),
  services: fc.array(fc.record({ namespace, selector: fc.option(labels, { nil: undefined }) }, plain), { maxLength: 4 }),
  servers: fc.array(fc.record({ namespace, name, podSelector }, plain), { maxLength: 5 }),
  routes: fc.array(fc.record({ namespace, name, server: name }, plain), { maxLength: 3 }),
  policies: fc.array(fc.record({ namespace, target: fc.constantFrom('Server', 'HTTPRoute', 'Namespace'), name: fc.oneof(name, namespace) }, plain), { maxLength: 5 }),
});

function modelOf(spec: typeof app extends fc.Arbitrary<infer T> ? T : never): MeshModel {
  const chart = Testing.chart();
  spec.workloads.forEach((w, i) => new ApiObject(chart, `w${i}`, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `w${i}`, namespace: w.namespace },
    spec: { selector: { matchLabels: w.labels }, template: { metadata: { labels: w.labels }, spec: { serviceAccountName: w.serviceAccount, containers: [{ name: 'c', image: 'i' }] } } },
  }));
  spec.services.forEach((s, i) => new ApiObject(chart, `s${i}`, {
    apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}`, namespace: s.namespace }, spec: { selector: s.selector, ports: [{ port: 80 }] },
  }));
  spec.servers.forEach((s, i) => new ApiObject(chart, `server${i}`, {
    apiVersion: 'policy.linkerd.io/v1beta3', kind: 'Server', metadata: { name: s.name, namespace: s.namespace }, spec: { podSelector: s.podSelector, port: 8080 },
  }));
  spec.routes.forEach((r, i) => new ApiObject(chart, `route${i}`, {
    apiVersion: 'policy.linkerd.io/v1beta3', kind: 'HTTPRoute', metadata: { name: r.name, namespace: r.namespace },
    spec: { parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: r.server }] },
  }));
  spec.policies.forEach((p, i) => new ApiObject(chart, `policy${i}`, {
    apiVersion: 'policy.linkerd.io/v1alpha1', kind: 'AuthorizationPolicy', metadata: { name: `p${i}`, namespace: p.namespace },
    spec: { targetRef: { kind: p.target, name: p.name }, requiredAuthenticationRefs: [] },
  }));
  return MeshModel.of(chart);
}

const nameOf = (o: { json: any }) => o.json.metadata?.name;

describe('MeshModel indexes answer what a scan of the whole app answers', () => {
  test('Servers, Services and workloads selecting or selected by labels; policies, workloads by name and ServiceAccount', () => {
    fc.assert(fc.property(app, spec => {
      const model = modelOf(spec);
      for (const w of model.workloads) {
        const f = w.facts;
        const servers = model.policiesOf('Server', f.namespace);
        expect(model.serversSelecting(f)).toStrictEqual(servers.flatMap((s, i) => selects(s.json.spec?.podSelector ?? {}, f.labels) ? [i] : []));
        expect(model.servicesSelecting(f)).toStrictEqual(model.services.filter(s => s.json.metadata.namespace === f.namespace
          && Object.keys(s.json.spec?.selector ?? {}).length > 0 && selects({ matchLabels: s.json.spec.selector }, f.labels)));
        expect(model.workloadsRunningAs(f.namespace, f.serviceAccount))
          .toStrictEqual(model.workloads.filter(o => o.facts.namespace === f.namespace && o.facts.serviceAccount === f.serviceAccount));
        // a policy covers a workload through a Server (by name, directly or as a route's parent) that selects it, or its namespace
        const selectingNames = new Set(model.serversSelecting(f).map(i => nameOf(servers[i])));
        expect(model.authorizationPoliciesFor(f)).toStrictEqual(model.policiesOf('AuthorizationPolicy', f.namespace).filter(p => {
          const ref = p.json.spec.targetRef;
          if (ref.kind === 'Namespace') return true;
          const targets = ref.kind === 'Server' ? [ref.name]
            : model.policiesOf(ref.kind, f.namespace).filter(r => nameOf(r) === ref.name).map(r => r.json.spec.parentRefs[0].name);
          return targets.some(t => selectingNames.has(t));
        }));
      }
      for (const ns of ['a', 'b']) {
        for (const server of model.policiesOf('Server', ns)) {
          const selector = server.json.spec?.podSelector;
          expect(model.workloadsSelectedBy(ns, selector)).toStrictEqual(model.workloadsIn(ns).filter(w => selects(selector, w.facts.labels)));
          expect(model.policiesNamed('Server', ns, nameOf(server))).toStrictEqual(model.policiesOf('Server', ns).filter(s => nameOf(s) === nameOf(server)));
          const same = model.policiesOf('Server', ns).flatMap((s, i) =>
            JSON.stringify(s.json.spec?.podSelector) === JSON.stringify(selector) && s.json.spec?.port === server.json.spec?.port ? [i] : []);
          expect(model.serversWithSelectorAndPort(ns, selector, server.json.spec?.port)).toStrictEqual(same);
        }
      }
    }), { numRuns: Math.max(RUNS, 200), seed: SEED });
  });
});
