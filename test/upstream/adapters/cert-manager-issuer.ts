import { issuerProblems } from '../../../src/cert-manager/issuer-rules';
import { Adapter } from '../_conformance';

/** An Issuer spec, checked by the rules Issuer and ClusterIssuer apply to their rendered object. */
export const adapter: Adapter = (spec: unknown) => {
  const problems = issuerProblems({ apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'test' }, spec });
  return problems.length === 0 ? { verdict: 'accepted' } : { verdict: 'rejected', message: problems.join('; ') };
};
