import type { Finding, RuleFamily, SourceObject } from '../../src/check/_types';
import { certManagerRules } from '../../src/check/cert-manager';
import { trustManagerRules } from '../../src/check/trust-manager';
import { loadSources } from '../upstream/_conformance';

/** Expands the data's `{ repeat, times }` (a value too large to keep) into the string it stands for. */
function expand(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expand);
  if (value === null || typeof value !== 'object') return value;
  const v = value as Record<string, unknown>;
  if (typeof v.repeat === 'string' && typeof v.times === 'number' && Object.keys(v).length === 2) return v.repeat.repeat(v.times);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expand(x)]));
}

/** Each upstream data file of a family: how its case's input becomes the object `check` reads. */
const SOURCES: Record<string, { family: RuleFamily; object: (input: any) => SourceObject['object'] }> = {
  'cert-manager-certificate': {
    family: certManagerRules,
    object: spec => ({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'test', namespace: 'default' }, spec: expand(spec) }),
  },
  'cert-manager-issuer': {
    family: certManagerRules,
    object: spec => ({ apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'test', namespace: 'default' }, spec }),
  },
  'trust-manager-bundle': {
    family: trustManagerRules,
    object: input => ({ apiVersion: 'trust.cert-manager.io/v1alpha1', kind: 'Bundle', metadata: { name: input.name ?? 'validation-test' }, spec: input.spec }),
  },
};

// The verdicts of `check` on upstream's own admission test cases (the conformance data of test/upstream/data): an
// input the webhook rejects must give an error, one it accepts no error (a missing issuer or CA Secret is a note,
// never an error), except where the data records a deliberate difference.
describe('check verdicts on upstream\'s admission test cases', () => {
  const sources = loadSources().filter(s => SOURCES[s.name] !== undefined);

  test('the cert-manager and trust-manager data are all here', () => {
    expect(sources.map(s => s.name).sort()).toStrictEqual(Object.keys(SOURCES).sort());
  });

  for (const source of sources) {
    test(`${source.name}: ${source.cases.length} cases, an error exactly where upstream rejects`, () => {
      const { family, object } = SOURCES[source.name];
      const disagreements = source.cases.flatMap(c => {
        const findings: Finding[] = family.run([{ object: object(c.input), file: `${c.id}.yaml`, line: 1 }]);
        const verdict = findings.some(f => f.severity === 'error') ? 'rejected' : 'accepted';
        const expected = c.deliberate ? (c.upstream === 'accepted' ? 'rejected' : 'accepted') : c.upstream;
        return verdict === expected ? [] : [`${c.id} (${c.cite}): upstream ${c.upstream}, check ${verdict}: ${findings.map(f => f.message).join('; ')}`];
      });
      expect(disagreements).toStrictEqual([]);
    });
  }
});
