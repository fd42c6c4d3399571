import { caSecretOf } from '../_internal/cert-manager-secrets';
import { certificateProblems } from '../cert-manager/certificate-rules';
import { issuerProblems } from '../cert-manager/issuer-rules';
import { isKind, nameOf, namespaceOf } from './_object';
import type { Finding, RuleFamily, SourceObject } from './_types';

/**
 * cert-manager's admission webhook rules, the same functions the {@link Certificate}, {@link Issuer} and
 * {@link ClusterIssuer} constructs apply to their rendered objects ({@link certificateProblems}, {@link issuerProblems},
 * after cert-manager/cert-manager@v1.21.1:internal/apis/certmanager/validation/{certificate,issuer}.go): errors, the
 * webhook rejects them. A Certificate's issuer or a CA issuer's Secret that is not in the input is a note: the input may
 * be a partial view of the cluster.
 *
 * @internal
 */
export const certManagerRules: RuleFamily = {
  name: 'cert-manager',
  run(objects: readonly SourceObject[]): Finding[] {
    const findings: Finding[] = [];
    const issuers = objects.filter(o => isKind(o, 'cert-manager.io', 'Issuer', 'ClusterIssuer'));
    // by kind and name: a repository may hold thousands of each
    const issuersByName = groupBy(issuers, i => `${i.object.kind}/${nameOf(i)}`);
    const certificates = objects.filter(o => isKind(o, 'cert-manager.io', 'Certificate'));
    // an object without a namespace gets one when applied (kubectl -n, kustomize, Argo CD's destination): it matches any
    const sameNamespace = (a: string, b: string) => a === '' || b === '' || a === b;

    for (const source of certificates) {
      for (const message of certificateProblems(source.object)) findings.push({ severity: 'error', rule: 'cert-manager/certificate', source, message });
      const ref = source.object.spec?.issuerRef;
      if (typeof ref?.name !== 'string' || ref.name === '' || ![undefined, '', 'cert-manager.io'].includes(ref.group)) continue;
      const kind = ref.kind === 'ClusterIssuer' ? 'ClusterIssuer' : 'Issuer';
      const found = (issuersByName.get(`${kind}/${ref.name}`) ?? [])
        .some(i => kind === 'ClusterIssuer' || sameNamespace(namespaceOf(i), namespaceOf(source)));
      if (!found) {
        findings.push({ severity: 'note', rule: 'cert-manager/issuer-not-in-input', source, message: `issuerRef names ${kind} ${ref.name}, which is not in the input: not checked` });
      }
    }

    // the Secrets a CA issuer may read: those in the input, and those a Certificate of the input writes
    const secrets = groupBy([
      ...objects.filter(o => isKind(o, '', 'Secret')).map(o => ({ namespace: namespaceOf(o), name: nameOf(o) })),
      ...certificates.map(o => ({ namespace: namespaceOf(o), name: String(o.object.spec?.secretName ?? '') })),
    ], s => s.name);
    for (const source of issuers) {
      for (const message of issuerProblems(source.object)) findings.push({ severity: 'error', rule: 'cert-manager/issuer', source, message });
      const key = caSecretOf(source.object);
      if (key === undefined) continue;
      const [namespace, name] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
      if (!(secrets.get(name) ?? []).some(s => sameNamespace(s.namespace, namespace))) {
        findings.push({
          severity: 'note', rule: 'cert-manager/ca-secret-not-in-input', source,
          message: `ca.secretName names Secret ${key}, which neither a Secret nor a Certificate of the input provides: not checked`,
        });
      }
    }
    return findings;
  },
};

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item); else groups.set(k, [item]);
  }
  return groups;
}
