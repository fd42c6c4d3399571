// l5d:policy-controller/runtime/src/validation.rs: a DNS-like name whose first label may be `*`
const DNS_LIKE = /^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// SPIFFE ID: a trust domain of [a-z0-9._-], then /-separated path segments of [A-Za-z0-9._-], none empty, `.` or `..`
// (linkerd/linkerd2@version-2.20:policy-controller/runtime/src/validation.rs:55-113)
const SPIFFE = /^spiffe:\/\/[a-z0-9._-]+(\/(?!\.\.?(\/|$))[A-Za-z0-9._-]+)*$/;

/**
 * The problem with an identity string, or undefined when Linkerd accepts it.
 *
 * @internal
 */
export function identityProblem(identity: string): string | undefined {
  if (identity.startsWith('spiffe://') ? SPIFFE.test(identity) : DNS_LIKE.test(identity)) return undefined;
  return `identity ${JSON.stringify(identity)} is not allowed: use a DNS-like name (lowercase alphanumerics and '-' in dot-separated labels, the first may be '*') or a spiffe:// ID whose path has no empty, '.' or '..' segment`;
}
