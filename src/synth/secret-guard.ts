/** A synthesized YAML file: its path relative to the output folder and its documents. */
export interface SynthesizedFile {
  /** The file's path relative to the output folder, e.g. `platform.k8s.yaml`. */
  readonly file: string;
  /** The file's text. */
  readonly text: string;
  /** The parsed documents, in order (parsed on first use by `synthesize`'s files). */
  readonly documents: readonly any[];
}

// A document can only hold a Secret or a password field if its text says so: the rest need not be parsed.
const MAY_HOLD_CREDENTIALS = /\bkind"?\s*:\s*"?Secret\b|pass(word|wd)/i;

const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const CREDENTIAL_KEY = /(^|[-_.])(pass(word|wd)?|secret|token|api[-_]?key|credentials?|private[-_]?key)$/i;
const PASSWORD_FIELD = /pass(word|wd)$/i;
const HTPASSWD_HASH = /^[^:\s]+:(\$2[abxy]\$\d\d\$[./A-Za-z0-9]{53}|\$apr1\$[./A-Za-z0-9]{0,8}\$[./A-Za-z0-9]{22}|\{SHA\}[A-Za-z0-9+/]{27}=)$/;

/**
 * The secret guard: finds private keys and plaintext credentials in synthesized output.
 *
 * Fails on: a PEM private key anywhere (also base64-encoded in a Secret's `data`); a Secret with `stringData`; a
 * Secret data key that names a credential (`password`, `token`, `api-key`, …); a `kubernetes.io/basic-auth` Secret
 * with a password; an htpasswd `auth` key holding anything but bcrypt, apr1 or {SHA} hashes; any field named
 * `*password` holding a string (e.g. in Helm values).
 */
export function secretProblems(files: readonly SynthesizedFile[]): string[] {
  const problems: string[] = [];
  for (const f of files) {
    const { file, text } = f;
    if (PEM_PRIVATE_KEY.test(text)) problems.push(`${file}: contains a PEM private key`);
    if (!MAY_HOLD_CREDENTIALS.test(text)) continue;
    for (const doc of f.documents) {
      const what = doc?.kind ? `${file}: ${doc.kind} ${[doc.metadata?.namespace, doc.metadata?.name].filter(Boolean).join('/')}` : file;
      if (doc?.kind === 'Secret' && doc.apiVersion === 'v1') {
        problems.push(...secretObjectProblems(doc, what));
        continue;
      }
      walk(doc, '', (path, value) => {
        if (typeof value === 'string' && value !== '' && PASSWORD_FIELD.test(path.split('.').pop() ?? '')) {
          problems.push(`${what}: ${path} holds a plaintext password`);
        }
      });
    }
  }
  return problems;
}

function secretObjectProblems(secret: any, what: string): string[] {
  const problems: string[] = [];
  if (secret.stringData !== undefined) {
    problems.push(`${what}: stringData holds plaintext values; synthesized Secrets may only carry hashes or public data`);
  }
  for (const [key, encoded] of Object.entries<string>(secret.data ?? {})) {
    const value = Buffer.from(String(encoded), 'base64').toString('utf8');
    if (PEM_PRIVATE_KEY.test(value)) {
      problems.push(`${what}: data.${key} holds a PEM private key`);
    } else if (key === 'auth' || key === 'users' || key === '.htpasswd') {
      const bad = value.split('\n').map(l => l.trim()).filter(l => l !== '' && !HTPASSWD_HASH.test(l));
      if (bad.length > 0) problems.push(`${what}: data.${key} has ${bad.length} htpasswd line(s) that are not bcrypt, apr1 or {SHA} hashes`);
    } else if (CREDENTIAL_KEY.test(key) || (secret.type === 'kubernetes.io/basic-auth' && key === 'password')) {
      problems.push(`${what}: data.${key} holds a plaintext credential`);
    }
  }
  return problems;
}

function walk(value: unknown, path: string, visit: (path: string, value: unknown) => void): void {
  visit(path, value);
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, `${path}[${i}]`, visit));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k, visit);
  }
}
