import { Problems } from '../_internal/problems';
import { targetsKind } from '../_internal/target-kind';

const POLICY_GROUP = 'policy.linkerd.io';
const GATEWAY_GROUP = 'gateway.networking.k8s.io';

const TARGET_KINDS: ReadonlyArray<[string, string]> = [
  [POLICY_GROUP, 'Server'], [POLICY_GROUP, 'HTTPRoute'], [GATEWAY_GROUP, 'HTTPRoute'], [GATEWAY_GROUP, 'GRPCRoute'], ['', 'Namespace'],
];
const AUTHENTICATION_KINDS: ReadonlyArray<[string, string]> = [
  [POLICY_GROUP, 'MeshTLSAuthentication'], [POLICY_GROUP, 'NetworkAuthentication'], ['', 'ServiceAccount'],
];

/**
 * Linkerd's admission rules for an AuthorizationPolicy, on the rendered object: the target kinds the index reads, a
 * Namespace target only of the policy's own namespace, at most one authentication of each kind, and not a
 * MeshTLSAuthentication with a ServiceAccount. Kinds compare as {@link targetsKind} does.
 *
 * @see linkerd/linkerd2@version-2.20:policy-controller/runtime/src/admission.rs:243-306
 * @see linkerd/linkerd2@version-2.20:policy-controller/k8s/index/src/inbound/authorization_policy.rs:64-107
 * @internal
 */
export function authorizationPolicyRules(obj: any): string[] {
  const problems = new Problems();
  const namespace = obj.metadata?.namespace ?? 'default';
  const target = obj.spec?.targetRef ?? {};
  const targetKind = TARGET_KINDS.find(([g, k]) => targetsKind(target, g, k));
  if (!targetKind) {
    problems.add(`targetRef ${JSON.stringify([target.group, target.kind].filter(Boolean).join('/'))} is not allowed: target a policy.linkerd.io Server or HTTPRoute, `
      + 'a gateway.networking.k8s.io HTTPRoute or GRPCRoute, or a Namespace');
  } else if (targetKind[1] === 'Namespace' && target.name !== namespace) {
    problems.add(`targetRef Namespace ${JSON.stringify(target.name)} cannot target another namespace: an AuthorizationPolicy in ${namespace} can only target Namespace ${namespace}`);
  }
  const refs = obj.spec?.requiredAuthenticationRefs;
  if (!Array.isArray(refs)) problems.add('requiredAuthenticationRefs must be a list (empty to deny every client)');
  const counts = new Map<string, number>();
  for (const ref of Array.isArray(refs) ? refs : []) {
    const kind = AUTHENTICATION_KINDS.find(([g, k]) => targetsKind(ref, g, k))?.[1];
    if (kind === undefined) {
      problems.add(`requiredAuthenticationRef ${JSON.stringify([ref.group, ref.kind].filter(Boolean).join('/'))} is not allowed: `
        + 'use a policy.linkerd.io MeshTLSAuthentication or NetworkAuthentication, or a ServiceAccount');
      continue;
    }
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  for (const [kind, count] of counts) {
    if (count > 1) problems.add(`requiredAuthenticationRefs has ${count} ${kind} refs: at most one of each kind is allowed (all of them must match)`);
  }
  if (counts.has('MeshTLSAuthentication') && counts.has('ServiceAccount')) {
    problems.add('requiredAuthenticationRefs has a MeshTLSAuthentication and a ServiceAccount: they may not be set together (put the ServiceAccount in the MeshTLSAuthentication)');
  }
  return [...problems.list];
}
