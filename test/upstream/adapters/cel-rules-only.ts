import { celProblems } from '../../../src/gate/cel';
import { Adapter } from '../_conformance';

/**
 * A whole object checked by its CRD's CEL rules alone (no schema gate), for upstream tests that state a CEL rule's
 * constraint on fragments that are not complete objects. A rule this library cannot evaluate makes the case fail.
 */
export const adapter: Adapter = (input: any) => {
  const cel = celProblems(input);
  if (cel.unevaluated.length > 0) throw new Error(`unevaluated CEL rules: ${cel.unevaluated.join('; ')}`);
  return cel.problems.length === 0 ? { verdict: 'accepted' } : { verdict: 'rejected', message: cel.problems.join('; ') };
};
