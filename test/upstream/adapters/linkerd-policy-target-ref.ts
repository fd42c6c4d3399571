import { Adapter } from '../_conformance';
import { admit } from './_policy';

interface TargetRefInput {
  readonly as: 'targetRef' | 'authenticationRef';
  readonly ref: Record<string, string>;
}

const SERVER = { group: 'policy.linkerd.io', kind: 'Server', name: 'api' };

/** A reference, as the targetRef or the only required authentication of an AuthorizationPolicy in namespace appns. */
export const adapter: Adapter = (input: TargetRefInput) => admit({
  kind: 'AuthorizationPolicy',
  namespace: 'appns',
  spec: input.as === 'targetRef'
    ? { targetRef: input.ref, requiredAuthenticationRefs: [] }
    : { targetRef: SERVER, requiredAuthenticationRefs: [input.ref] },
});
