import { dns1123LabelProblem, dns1123SubdomainProblem } from '../_internal/names';
import { Problems } from '../_internal/problems';
import { targetsKind } from '../_internal/target-kind';
import type { LinkerdContext } from '../linkerd/context';
import { identityProblem } from './identity-rules';

/**
 * Linkerd's admission rules for a MeshTLSAuthentication, on the rendered object: identities or identityRefs, not
 * both; each identity DNS-like or a SPIFFE ID; each identityRef a ServiceAccount or a cluster-scoped Namespace (kinds
 * compared as {@link targetsKind} does); and, in the tree of a control plane, that every DNS-like identity is one it
 * can issue.
 *
 * @see linkerd/linkerd2@version-2.20:policy-controller/runtime/src/admission.rs:309-345
 * @internal
 */
export function meshTlsAuthenticationRules(obj: any, context?: LinkerdContext): string[] {
  const spec = obj.spec ?? {};
  const problems = new Problems();
  if (spec.identities !== undefined && spec.identityRefs !== undefined) {
    problems.add('identities and identityRefs may not be set together: use one of them');
  }
  for (const identity of spec.identities ?? []) {
    const problem = identityProblem(String(identity)) ?? context?.identityProblem(String(identity));
    problems.add(problem);
  }
  for (const ref of spec.identityRefs ?? []) {
    const namespaceRef = targetsKind(ref, '', 'Namespace');
    if (namespaceRef && ref.namespace !== undefined) {
      problems.add(`identityRef Namespace ${JSON.stringify(ref.name)} has namespace ${JSON.stringify(ref.namespace)}: a Namespace identityRef is cluster-scoped and cannot have a namespace`);
    } else if (!namespaceRef && !targetsKind(ref, '', 'ServiceAccount')) {
      problems.add(`identityRef ${JSON.stringify([ref.group, ref.kind].filter(Boolean).join('/'))} is not allowed: use a core ServiceAccount or Namespace`);
    }
    for (const p of [dns1123SubdomainProblem(`identityRef ${ref.kind} name`, String(ref.name)),
      ref.namespace === undefined ? undefined : dns1123LabelProblem(`identityRef ${ref.kind} namespace`, String(ref.namespace))]) {
      problems.add(p);
    }
  }
  return [...problems.list];
}
