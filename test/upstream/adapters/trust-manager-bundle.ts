import { bundleProblems } from '../../../src/trust-manager/bundle-rules';
import { Adapter } from '../_conformance';

/**
 * A Bundle (`{ name?, spec }`), checked by the rules the Bundle construct applies to its rendered object (at
 * construction and again at synth).
 */
export const adapter: Adapter = (input: { name?: string; spec: unknown }) => {
  const problems = bundleProblems({
    apiVersion: 'trust.cert-manager.io/v1alpha1', kind: 'Bundle', metadata: { name: input.name ?? 'validation-test' }, spec: input.spec,
  });
  return problems.length === 0 ? { verdict: 'accepted' } : { verdict: 'rejected', message: problems.join('; ') };
};
