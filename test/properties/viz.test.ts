import * as fc from 'fast-check';
import { LinkerdControlPlane, LinkerdIdentity } from '../../src/linkerd';
import { BasicAuthSecret, DashboardIngress, HtpasswdUser, LinkerdViz, VizPrometheus } from '../../src/viz';
import { enforcedHostRegexp, hostRegexProblems } from '../../src/viz/_enforced-host';
import { dnsName, mostly, RUNS, SEED, validOrTypedError } from './_property';

// bcrypt is slow by design: the property uses the lowest cost, whose output is the same shape
const user = mostly(
  fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9._-]{0,10}$/), password: fc.string({ minLength: 1, maxLength: 12 }) }),
  fc.record({ name: fc.string({ maxLength: 8 }), password: fc.string({ maxLength: 4 }) }),
).map(u => HtpasswdUser.fromPassword(u.name, u.password));
const hashed = fc.constantFrom('{SHA}xj0IlU6ZKbf59oeCplZGUkCCy0U=', '$apr1$n7Cu6gHl$E47ogf7CO8NRYjEjBOkWM.', 'plain', '$2y$05$short')
  .map(hash => HtpasswdUser.fromHash('ops', hash));

const validHost = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?){0,3}$/);

const dashboardProps = fc.record({
  hosts: mostly(fc.array(fc.stringMatching(/^[a-z]{1,10}(\.[a-z]{2,6}){1,2}$/), { minLength: 1, maxLength: 2 }), fc.array(fc.string({ maxLength: 15 }), { maxLength: 2 })),
  users: fc.uniqueArray(fc.oneof({ arbitrary: user, weight: 4 }, { arbitrary: hashed, weight: 1 }), { maxLength: 3, selector: u => u.user }),
  cost: mostly(fc.constantFrom(4, 5), fc.constantFrom(0, 3, 20, 31, 4.5)),
  realm: mostly(fc.stringMatching(/^[A-Za-z0-9 ]{0,20}$/), fc.string({ maxLength: 10 })),
  ingressClassName: fc.option(dnsName, { nil: undefined }),
  dashboardReplicas: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
  prometheus: fc.constantFrom(VizPrometheus.bundled(), VizPrometheus.none(), VizPrometheus.external('http://prometheus.monitoring:9090')),
  ha: fc.boolean(),
  existing: fc.boolean(),
});

describe(`viz and dashboard family, ${RUNS} cases (seed ${SEED})`, () => {
  test('LinkerdViz, BasicAuthSecret and DashboardIngress: valid output or a typed error', () => {
    validOrTypedError(dashboardProps, (chart, p) => {
      const cp = new LinkerdControlPlane(chart, 'cp', { identity: new LinkerdIdentity(chart, 'identity') });
      const viz = new LinkerdViz(chart, 'viz', { controlPlane: cp, ha: p.ha, prometheus: p.prometheus, dashboardReplicas: p.dashboardReplicas });
      const auth = p.existing ? BasicAuthSecret.fromSecretName(chart, 'auth', 'dashboard-auth', { namespace: viz.namespace })
        : new BasicAuthSecret(chart, 'auth', { name: 'dashboard-auth', namespace: viz.namespace, users: p.users, cost: p.cost });
      new DashboardIngress(chart, 'dashboard', { viz, hosts: p.hosts, auth, realm: p.realm, ingressClassName: p.ingressClassName });
      viz.addRelease('release');
    });
  });

  test('the enforced-host regex built from any DNS hosts passes the Go check the synth applies to a given one', () => {
    // the synth checks only a regex given through values: this is why it need not check the one it builds
    fc.assert(fc.property(fc.uniqueArray(validHost, { minLength: 1, maxLength: 4 }), hosts => {
      expect(hostRegexProblems(enforcedHostRegexp(hosts, 'linkerd-viz', 'cluster.local'), hosts, false)).toEqual([]);
    }), { numRuns: RUNS, seed: SEED });
  });
});
