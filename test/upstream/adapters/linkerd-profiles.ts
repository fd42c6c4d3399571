import { serviceProfileProblems } from '../../../src/traffic/service-profile-rules';
import { Adapter } from '../_conformance';

/**
 * A ServiceProfile (`{ metadata, spec }`), checked by the rules the ServiceProfile construct applies to its rendered
 * object (the sp-validator's, plus the proxy's silent drops), at construction and again at synth.
 */
export const adapter: Adapter = (input: { metadata: unknown; spec: unknown }) => {
  const problems = serviceProfileProblems({ apiVersion: 'linkerd.io/v1alpha2', kind: 'ServiceProfile', ...input });
  return problems.length === 0 ? { verdict: 'accepted' } : { verdict: 'rejected', message: problems.join('; ') };
};
