import { Chart, Testing } from 'cdk8s';
import { MeshIdentity, MeshTLSAuthentication } from '../../../src/mesh';
import { Adapter, verdictOf } from '../_conformance';

/** One identity string, in a MeshTLSAuthentication construct (its rules run at construction). */
export const adapter: Adapter = (identity: string) => verdictOf(() => {
  new MeshTLSAuthentication(new Chart(Testing.app(), 'conformance', { namespace: 'ns' }), 'authn', { identities: [MeshIdentity.of(identity)] });
});
