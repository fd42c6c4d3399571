import { ApiObject } from 'cdk8s';

/**
 * What a construct of this library vouches a v1 Secret holds, so that the secret guard lets it through after checking
 * the content again: one htpasswd line per user under the key `auth` and nothing else, `htpasswd-bcrypt` with bcrypt
 * hashes only, `htpasswd-hashes` also with the apr1 and `{SHA}` hashes the construct was explicitly given.
 */
export type SecretContent = 'htpasswd-bcrypt' | 'htpasswd-hashes';

// Kept here, not on the object, so that a Secret can only be vouched for by code of this library.
const VOUCHED = new WeakMap<ApiObject, SecretContent>();

/** Records that `secret` (a v1 Secret this library made) holds only `content`. */
export function vouchForSecret(secret: ApiObject, content: SecretContent): void {
  VOUCHED.set(secret, content);
}

/** What `secret` was vouched for, if anything. */
export function vouchedContent(secret: ApiObject): SecretContent | undefined {
  return VOUCHED.get(secret);
}
