import { Problems } from '../_internal/problems';
import { IDENTITY_ISSUER_SECRET } from './identity';

/**
 * Linkerd's rules on the rendered identity issuer Certificate, re-checked at synth (escape-hatch patches included).
 *
 * @internal
 */
export function issuerRules(obj: any, namespace: string): string[] {
  const spec = obj.spec ?? {};
  const problems = new Problems();
  if (spec.isCA !== true) problems.add('the identity issuer certificate must have isCA: true: Linkerd signs workload certificates with it');
  const key = spec.privateKey ?? {};
  if (key.algorithm !== 'ECDSA' || ![undefined, 256].includes(key.size)) {
    problems.add(`the identity issuer key ${key.algorithm ?? 'RSA (algorithm unset)'}${key.size ? ` ${key.size}` : ''} is not allowed: Linkerd needs ECDSA P-256`);
  }
  if (spec.secretName !== IDENTITY_ISSUER_SECRET || obj.metadata?.namespace !== namespace) {
    problems.add(`the identity issuer must write Secret ${namespace}/${IDENTITY_ISSUER_SECRET}, got ${obj.metadata?.namespace}/${spec.secretName}`);
  }
  return [...problems.list];
}
