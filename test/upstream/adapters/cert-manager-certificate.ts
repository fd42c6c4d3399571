import { certificateProblems } from '../../../src/cert-manager/certificate-rules';
import { Adapter } from '../_conformance';

/** Expands `{ repeat, times }` (a value too large to keep in the data) into the string it stands for. */
function expand(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expand);
  if (value !== null && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.repeat === 'string' && typeof v.times === 'number' && Object.keys(v).length === 2) return v.repeat.repeat(v.times);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expand(x)]));
  }
  return value;
}

/**
 * A Certificate spec, checked by the rules the Certificate construct applies to its rendered object (at construction
 * and again at synth, so the same rules catch what the escape hatch patches in).
 */
export const adapter: Adapter = (spec: unknown) => {
  const problems = certificateProblems({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'test' }, spec: expand(spec) });
  return problems.length === 0 ? { verdict: 'accepted' } : { verdict: 'rejected', message: problems.join('; ') };
};
