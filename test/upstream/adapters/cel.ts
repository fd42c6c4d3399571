import { celProblems } from '../../../src/gate/cel';
import { sharedGate } from '../../_gate';
import { Adapter } from '../_conformance';

/**
 * A whole object (`apiVersion`, `kind`, `metadata`, `spec`), checked as the API server does on create: the schema gate
 * (OpenAPI: types, enums, patterns, sizes) and the CEL rules (`x-kubernetes-validations`). A rule this library cannot
 * evaluate makes the case fail, so none is skipped silently.
 */
export const adapter: Adapter = (input: any) => {
  const cel = celProblems(input);
  if (cel.unevaluated.length > 0) throw new Error(`unevaluated CEL rules: ${cel.unevaluated.join('; ')}`);
  const problems = [...sharedGate().validate(input, { cel: false }).map(p => p.message), ...cel.problems];
  return problems.length === 0 ? { verdict: 'accepted' } : { verdict: 'rejected', message: problems.join('; ') };
};
