import { trafficAnnotationProblems } from '../../../src/traffic/_annotations';
import { parsePolicyDuration } from '../../../src/traffic/_policy-grammar';
import { Adapter, OurVerdict } from '../_conformance';

type AnnotationInput = { readonly duration: string } | { readonly annotations: Record<string, string> };

/**
 * A duration through the policy controller's grammar as the library implements it, or a Service's annotations
 * through the rule the library applies to every Service it annotates (`annotateService`).
 */
export const adapter: Adapter = (input: AnnotationInput): OurVerdict => {
  if ('duration' in input) {
    const parsed = parsePolicyDuration(input.duration);
    return parsed.error !== undefined ? { verdict: 'rejected', message: parsed.error } : { verdict: 'accepted', parsed: Number(parsed.value) };
  }
  const problems = trafficAnnotationProblems(input.annotations, 'Service');
  return problems.length > 0 ? { verdict: 'rejected', message: problems.join('\n') } : { verdict: 'accepted' };
};
