import { linkerdRules } from '../../../src/check/linkerd';
import { Adapter } from '../_conformance';

/**
 * An object upstream's admission test sends (apiVersion, kind, spec), run through the Linkerd rule family of
 * `cdk8s-linkerd check` in the test's namespace: an error finding is a rejection.
 */
export const adapter: Adapter = (input: { apiVersion: string; kind: string; spec: unknown }) => {
  const object = { ...input, metadata: { name: 'test', namespace: 'ns' } };
  const errors = linkerdRules.run([{ object, file: 'case.yaml', line: 1 }]).filter(f => f.severity === 'error');
  return errors.length === 0 ? { verdict: 'accepted' } : { verdict: 'rejected', message: errors.map(f => f.message).join('; ') };
};
