/**
 * Whether a reference's group and kind name a kind as the policy controller compares them: ASCII case-insensitively,
 * with an absent or empty group and `core` all meaning the core group.
 *
 * @see linkerd/linkerd2@version-2.20:policy-controller/k8s/api/src/policy.rs:31-48 (targets_kind)
 * @internal
 */
export function targetsKind(ref: { group?: unknown; kind?: unknown }, group: string, kind: string): boolean {
  const canonical = (g: unknown) => (typeof g === 'string' && g !== '' ? g : 'core').toLowerCase();
  return canonical(ref.group) === canonical(group) && typeof ref.kind === 'string' && ref.kind.toLowerCase() === kind.toLowerCase();
}
