import { secretProblems } from '../synth/secret-guard';
import { isKind } from './_object';
import type { Finding, RuleFamily, SourceObject } from './_types';

/** What the guard says about key material: a private key committed to Git is compromised, whatever reads it. */
const KEY_MATERIAL = /private key|JSON Web Key with its private part/;
const UNVOUCHED = /^is a Secret with data or stringData/;

/**
 * The secret guard `synthesize()` runs on this library's output ({@link secretProblems}), over each object and each
 * file's text (a key in a comment). Without constructs to vouch for them, every Secret with `data` or `stringData` is a
 * plaintext secret in the repository.
 *
 * - A private key (PEM, PGP, DER, a JSON Web Key with `d`) is an error: whoever can read the repository holds it.
 * - Other credentials (passwords, tokens, plaintext Secrets) are warnings: the guard's stricter lint, an error with
 *   `--strict`.
 *
 * @internal
 */
export const secretRules: RuleFamily = {
  name: 'secrets',
  run(objects: readonly SourceObject[]): Finding[] {
    const findings: Finding[] = [];
    for (const source of objects) {
      const messages = guard(source.file, '', source.object);
      // the guard stops at an unvouched Secret; a repository check also says what is in it (a tls.key, a token): under
      // another apiVersion the guard's Secret allowlist does not apply and it scans the object like any other
      if (isKind(source, '', 'Secret') && messages.some(m => UNVOUCHED.test(m))) {
        messages.push(...guard(source.file, '', { ...source.object, apiVersion: 'v1 (contents)' }));
      }
      for (const message of messages) {
        const key = KEY_MATERIAL.test(message);
        findings.push({
          severity: key ? 'error' : 'warning',
          rule: key ? 'secrets/private-key' : UNVOUCHED.test(message) ? 'secrets/plaintext-secret' : 'secrets/credential',
          source,
          message,
        });
      }
    }
    return findings;
  },
};

/**
 * The guard over files' text, for what their documents do not show: a private key in a comment. Run it on the files
 * where {@link secretRules} found nothing (the guard reads a file's text only then).
 *
 * @internal
 */
export function fileSecretFindings(files: readonly { readonly file: string; readonly text: string }[]): Finding[] {
  return files.flatMap(({ file, text }) => guard(file, text, undefined).map((message): Finding => ({
    severity: 'error', rule: 'secrets/private-key', message, location: { file, line: lineOf(text, text.indexOf('-----BEGIN')) },
  })));
}

/** The guard's messages about one object (or, without one, a file's text), without the file and object prefix. */
function guard(file: string, text: string, object: unknown): string[] {
  const prefix = `${file}: `;
  return secretProblems([{ file, text, documents: object === undefined ? [] : [object] }]).map(m => {
    const rest = m.startsWith(prefix) ? m.slice(prefix.length) : m;
    // "Kind namespace/name: what" → "what"; a file-level message has no object part
    return object === undefined ? rest : rest.slice(rest.indexOf(': ') + 2);
  });
}

function lineOf(text: string, offset: number): number {
  if (offset < 0) return 1;
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
