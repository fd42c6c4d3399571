import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { SecretContent, vouchedContent } from '../_internal/vouch';
import { parseYamlDocuments } from '../_internal/yaml-documents';

/** A synthesized YAML file: its path relative to the output folder and its documents. */
export interface SynthesizedFile {
  /** The file's path relative to the output folder, e.g. `platform.k8s.yaml`. */
  readonly file: string;
  /** The file's text. */
  readonly text: string;
  /** The parsed documents, in order (parsed on first use by `synthesize`'s files). */
  readonly documents: readonly any[];
}

/**
 * The secret guard: denies what it cannot vouch for, and recognises keys and tokens wherever they are.
 *
 * - A `v1` Secret with `data` or `stringData` fails, also inside a `List`, unless a construct of this library made it
 *   (found in `app`) and its content is what that construct vouches for: today only {@link BasicAuthSecret}, whose
 *   `data` must be exactly one key `auth` of bcrypt htpasswd lines (apr1 and `{SHA}` lines only when the construct
 *   was given them as hashes). Deliver other secrets with a SealedSecret
 *   (`spec.encryptedData` is not read) or an ExternalSecret (its templates and key names are not credentials).
 * - Every string, and the decoding of every string that is base64, is scanned for: PEM private keys and PGP private
 *   key blocks; DER private keys (PKCS#8, PKCS#1, SEC1 and encrypted PKCS#8 ASN.1 prefixes); JSON Web Tokens; AWS
 *   access key IDs and `aws…secret…=` assignments; URLs with user info (`user:password@`, or any user in http(s)
 *   URLs); `name=value` assignments and `--flag value` pairs whose name is a credential's. A string holding YAML or
 *   JSON that mentions a credential (Helm values, kubeconfigs, docker configs) is parsed and scanned the same way.
 * - Every field whose name is a credential's (`password`, `adminPassword`, `clientSecret`, `apiToken`,
 *   `AWS_SECRET_ACCESS_KEY`, `client-key-data`, …, also as an env var's `name` beside its `value`) fails when it holds
 *   a non-empty string that is not a reference (`$VAR`, `$(VAR)`, `${VAR}`, `{{ template }}`, or for `…secret` a
 *   Secret's name); so do a JSON Web Key with its private part `d` and a docker config `auths` entry with an `auth`.
 *
 * Messages name the file, the object and the path, never the value.
 *
 * @param files the files to check, manifests and extra files alike (`synthesize` parses extra files from their text)
 * @param app the app the files were synthesized from, where vouched-for Secrets are looked up; without it, every
 *   Secret with data fails
 */
export function secretProblems(files: readonly SynthesizedFile[], app?: IConstruct): string[] {
  const vouched = vouchedSecrets(app);
  const problems: string[] = [];
  for (const f of files) {
    const before = problems.length;
    f.documents.forEach((doc, i) => checkDocument(doc, `${f.file}: ${describe(doc, `document ${i + 1}`)}`, vouched, problems));
    // what the documents do not show, such as a YAML comment
    if (problems.length === before && f.text.includes('-----BEGIN') && PRIVATE_KEY_PEM.test(f.text)) {
      problems.push(`${f.file}: contains a private key outside its documents (e.g. in a comment)`);
    }
  }
  return problems;
}

/** The vouched-for Secrets of an app, by namespace/name (the duplicate-object check keeps these unique). */
function vouchedSecrets(app: IConstruct | undefined): Map<string, SecretContent> {
  const vouched = new Map<string, SecretContent>();
  for (const c of app?.node.findAll() ?? []) {
    const content = c instanceof ApiObject ? vouchedContent(c) : undefined;
    if (content !== undefined) vouched.set(`${(c as ApiObject).metadata.namespace ?? ''}/${(c as ApiObject).name}`, content);
  }
  return vouched;
}

function describe(doc: any, fallback: string): string {
  if (!isObject(doc) || typeof doc.kind !== 'string') return fallback;
  const meta = isObject(doc.metadata) ? doc.metadata : {};
  return `${doc.kind} ${[meta.namespace, meta.name].filter(x => typeof x === 'string').join('/')}`.trim();
}

function checkDocument(doc: unknown, what: string, vouched: Map<string, SecretContent>, problems: string[]): void {
  if (isObject(doc) && typeof doc.kind === 'string' && doc.kind.endsWith('List') && Array.isArray(doc.items)) {
    doc.items.forEach((item, i) => checkDocument(item, `${what} items[${i}]: ${describe(item, 'item')}`, vouched, problems));
    return;
  }
  const report = (path: string, message: string) => problems.push(`${what}: ${path === '' ? '' : `${path} `}${message}`);
  let scanned = doc;
  if (isObject(doc) && doc.apiVersion === 'v1' && doc.kind === 'Secret' && (doc.data !== undefined || doc.stringData !== undefined)) {
    const meta = isObject(doc.metadata) ? doc.metadata : {};
    const content = vouched.get(`${meta.namespace ?? ''}/${meta.name}`);
    const problem = content === undefined ? UNVOUCHED : vouchedContentProblem(doc, content);
    if (problem !== undefined) {
      report('', problem);
      return;
    }
    scanned = { ...doc, data: undefined };
  }
  const apiGroup = isObject(doc) && typeof doc.apiVersion === 'string' ? doc.apiVersion.split('/')[0] : '';
  walk(scanned, [], {
    report,
    depth: 0,
    // an ExternalSecret names keys (`secretKey: password`) and templates, never values
    keyNames: apiGroup !== 'external-secrets.io',
    // a SealedSecret's encryptedData is ciphertext
    skip: apiGroup === 'bitnami.com' && isObject(doc) && doc.kind === 'SealedSecret' ? ['spec', 'encryptedData'] : undefined,
  });
}

const UNVOUCHED = 'is a Secret with data or stringData that no construct of this library vouches for: plaintext secrets '
  + 'must not be committed; deliver them with a SealedSecret (encryptedData) or an ExternalSecret';

const BCRYPT_LINE = /^[^:\s#][^:\s]*:\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;
const HASHED_LINE = /^[^:\s#][^:\s]*:(\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}|\$apr1\$[./A-Za-z0-9]{1,8}\$[./A-Za-z0-9]{22}|\{SHA\}[A-Za-z0-9+/]{27}=)$/;

/** Checks again what the constructing code vouched for, so that a later override (`addJsonPatch`) cannot slip by. */
function vouchedContentProblem(secret: any, content: SecretContent): string | undefined {
  const keys = Object.keys(secret.data ?? {});
  if (secret.stringData !== undefined || keys.length !== 1 || keys[0] !== 'auth') {
    return `must hold exactly one data key "auth" (htpasswd lines), not ${JSON.stringify([...keys, ...Object.keys(secret.stringData ?? {})])}`;
  }
  const encoded = String(secret.data.auth);
  const decoded = Buffer.from(encoded, 'base64');
  const lines = decoded.toString('utf8').split('\n').filter(l => l !== '');
  const line = content === 'htpasswd-bcrypt' ? BCRYPT_LINE : HASHED_LINE;
  if (decoded.toString('base64') !== encoded || lines.length === 0 || !lines.every(l => line.test(l))) {
    return content === 'htpasswd-bcrypt' ? 'data.auth must hold only bcrypt htpasswd lines (user:$2y$…), one per user'
      : 'data.auth must hold only hashed htpasswd lines (bcrypt, apr1 or {SHA}), one per user';
  }
  return undefined;
}

interface WalkContext {
  readonly report: (path: string, message: string) => void;
  /** How many strings deep the walk has parsed (YAML in a string, base64 in a string). */
  readonly depth: number;
  /** Whether field names that name a credential are checked. */
  readonly keyNames: boolean;
  /** A path whose subtree is not read. */
  readonly skip?: readonly string[];
}

const MAX_DEPTH = 2;

/**
 * The path to a value, as a stack of keys, indexes and `(parsed)`-style markers: formatted only for a problem, since
 * building a string per value made the guard allocation-bound on large apps.
 */
type Path = (string | number)[];

function formatPath(path: Path, last?: string | number): string {
  let out = '';
  for (const k of last === undefined ? path : [...path, last]) {
    out += typeof k === 'number' ? `[${k}]` : k.startsWith('(') || out === '' ? k : `.${k}`;
  }
  return out;
}

function isSkipped(path: Path, skip: readonly string[] | undefined): boolean {
  return skip !== undefined && path.length === skip.length && skip.every((k, i) => path[i] === k);
}

function walk(value: unknown, path: Path, ctx: WalkContext): void {
  if (typeof value === 'string') {
    scanString(value, path, ctx);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      path.push(i);
      walk(v, path, ctx);
      path.pop();
      if (ctx.keyNames && typeof v === 'string' && v.startsWith('-')) {
        const flag = /^--?([A-Za-z][\w-]*)$/.exec(v);
        const next = value[i + 1];
        if (flag && isCredentialName(flag[1]) && typeof next === 'string' && !next.startsWith('-') && !isReference(flag[1], next)) {
          ctx.report(formatPath(path, i + 1), `follows ${v}: a plaintext credential`);
        }
      }
    }
  } else if (isObject(value)) {
    if (isSkipped(path, ctx.skip)) return;
    // one pass over the keys; the shapes below are looked at only when their keys are there
    let shaped = false;
    for (const k in value) {
      const v = value[k];
      if (typeof v === 'string') {
        if (k === 'kty' || k === 'name') shaped = true;
        if (ctx.keyNames && isCredentialName(k) && !isReference(k, v)) {
          ctx.report(formatPath(path, k), 'holds a plaintext credential');
          continue;
        }
      } else if (v === null || typeof v !== 'object') {
        continue;
      } else if (k === 'auths') {
        shaped = true;
      }
      path.push(k);
      walk(v, path, ctx);
      path.pop();
    }
    if (shaped) checkShapes(value, path, ctx);
  }
}

/** A JSON Web Key with its private part, a docker config with registry auth, an env var named like a credential. */
function checkShapes(value: Record<string, any>, path: Path, ctx: WalkContext): void {
  if (typeof value.kty === 'string' && typeof value.d === 'string' && value.d !== '') {
    ctx.report(formatPath(path), 'is a JSON Web Key with its private part (d)');
  }
  if (isObject(value.auths)) {
    for (const registry of Object.keys(value.auths)) {
      const entry = value.auths[registry];
      if (isObject(entry) && typeof entry.auth === 'string' && entry.auth !== '') {
        ctx.report(`${formatPath(path, 'auths')}.${registry}.auth`, 'holds registry credentials (a docker config auth)');
      }
    }
  }
  if (ctx.keyNames && typeof value.name === 'string' && typeof value.value === 'string' && isCredentialName(value.name) && !isReference(value.name, value.value)) {
    ctx.report(formatPath(path, 'value'), `is the value of ${value.name}: a plaintext credential`);
  }
}

const PRIVATE_KEY_PEM = /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----/;
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/;
const AWS_ACCESS_KEY_ID = /\b(AKIA|ASIA|A3T[A-Z0-9])[A-Z2-7]{16}\b/;
const AWS_SECRET_ASSIGNMENT = /aws[\w.-]{0,20}secret[\w.-]{0,20}["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/i;
const URL_USER_INFO = /\b([a-z][a-z0-9+.-]*):\/\/([^\s/?#@"'<>]*)@/gi;
const ASSIGNMENT = /(?:^|[\s,;&?"'{(])-{0,2}([A-Za-z_][\w.-]*)\s*=\s*["']?([^\s"'&;,)]+)/g;
// only then can a string hold a structure with a credential in it
const EMBEDDED_CREDENTIAL = /(pass(word|wd|phrase)?|secret|token|api[-_]?key|credentials?|private[-_]?key|client-key-data|auths|kty|"d")["']?\s*:/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function scanString(value: string, path: Path, ctx: WalkContext): void {
  if (value.length < 8) return;
  if (value.includes('-----BEGIN') && PRIVATE_KEY_PEM.test(value)) {
    ctx.report(formatPath(path), value.includes('PGP PRIVATE KEY BLOCK') ? 'holds a PGP private key block' : 'holds a PEM private key');
  }
  if (value.includes('eyJ') && JWT.test(value)) ctx.report(formatPath(path), 'holds a JSON Web Token');
  if (AWS_ACCESS_KEY_ID.test(value)) ctx.report(formatPath(path), 'holds an AWS access key ID');
  if (AWS_SECRET_ASSIGNMENT.test(value)) ctx.report(formatPath(path), 'holds an AWS secret access key');
  if (value.includes('://') && value.includes('@')) {
    for (const m of value.matchAll(URL_USER_INFO)) {
      const [user, password] = m[2].split(/:(.*)/s);
      if (password !== undefined ? !isReference('password', password) : /^(https?|wss?)$/i.test(m[1]) && user !== '') {
        ctx.report(formatPath(path), `holds a ${m[1]} URL with user info (user${password !== undefined ? ':password' : ''}@): pass credentials another way`);
        break;
      }
    }
  }
  if (ctx.keyNames && value.includes('=')) {
    for (const m of value.matchAll(ASSIGNMENT)) {
      if (isCredentialName(m[1]) && !isReference(m[1], m[2])) {
        ctx.report(formatPath(path), `sets ${m[1]}= to a plaintext credential`);
        break;
      }
    }
  }
  if (ctx.depth >= MAX_DEPTH) return;
  const inner = { ...ctx, depth: ctx.depth + 1 };
  if ((value.includes('\n') || /^\s*[{[]/.test(value)) && EMBEDDED_CREDENTIAL.test(value)) {
    for (const doc of parseEmbedded(value)) walk(doc, [...path, '(parsed)'], inner);
  }
  const compact = value.length >= 40 ? value.replace(/\s+/g, '') : '';
  if (compact.length >= 40 && compact.length % 4 === 0 && BASE64.test(compact)) {
    const bytes = Buffer.from(compact, 'base64');
    if (isDerPrivateKey(bytes)) ctx.report(formatPath(path), 'holds a DER-encoded private key (base64)');
    const text = bytes.toString('utf8');
    if (/^[\t\n\r\x20-\x7e\u00a0-\uffef]*$/.test(text) && !text.includes('\ufffd')) scanString(text, [...path, '(base64-decoded)'], inner);
  }
}

// the YAML parser recurses per nesting level and slows down on deep input: larger strings are read line by line
const MAX_EMBEDDED_PARSE = 256 * 1024;
const KEY_VALUE_LINE = /^[ \t-]*["']?([\w.-]+)["']?[ \t]*:[ \t]*["']?([^\s"']+)/gm;

/**
 * YAML (and so JSON) documents in a string; when it is too large or does not parse, its `key: value` lines, so that a
 * credential in a snippet that is not valid YAML is still found.
 */
function parseEmbedded(value: string): unknown[] {
  if (value.length <= MAX_EMBEDDED_PARSE) {
    try {
      const parsed = parseYamlDocuments(value);
      if (parsed !== undefined) return parsed;
    } catch {
      // read line by line below
    }
  }
  const pairs: Record<string, string>[] = [];
  for (const m of value.matchAll(KEY_VALUE_LINE)) pairs.push({ [m[1]]: m[2] });
  return pairs;
}

/**
 * Whether bytes start like an unencrypted or encrypted private key in DER: a SEQUENCE spanning the whole buffer whose
 * first element is `INTEGER 0` followed by a SEQUENCE (PKCS#8 PrivateKeyInfo, RFC 5208 §5) or an INTEGER (PKCS#1
 * RSAPrivateKey, RFC 8017 A.1.2), `INTEGER 1` followed by a SEQUENCE (PKCS#8 v2, RFC 5958 §2) or an OCTET STRING
 * (SEC1 ECPrivateKey, RFC 5915 §3), or a SEQUENCE starting with the PBES2 OID (EncryptedPrivateKeyInfo, RFC 5208 §6).
 * A certificate starts with a SEQUENCE inside the SEQUENCE, so CA bundles pass.
 */
function isDerPrivateKey(b: Buffer): boolean {
  if (b.length < 16 || b[0] !== 0x30) return false;
  let offset = 2;
  let length = b[1];
  if (length === 0x81) {
    length = b[2];
    offset = 3;
  } else if (length === 0x82) {
    length = b.readUInt16BE(2);
    offset = 4;
  } else if (length > 0x80) {
    return false;
  }
  if (offset + length !== b.length) return false;
  const body = b.subarray(offset, offset + 6);
  if (body[0] === 0x02 && body[1] === 0x01 && body[2] === 0x00) return body[3] === 0x30 || body[3] === 0x02;
  if (body[0] === 0x02 && body[1] === 0x01 && body[2] === 0x01) return body[3] === 0x30 || body[3] === 0x04;
  return body[0] === 0x30 && b.subarray(offset, offset + 20).includes(PBES2_OID);
}

// 1.2.840.113549.1.5.13
const PBES2_OID = Buffer.from('06092a864886f70d01050d', 'hex');

const CREDENTIAL_NAME = /(password|passwd|passphrase|secret|token|apikey|privatekey|clientkeydata|credentials?|secretaccesskey|secretkey)$/;
const nameCache = new Map<string, boolean>();

/** Whether a field or variable name says it holds a credential: by its end, ignoring case and separators. */
function isCredentialName(name: string): boolean {
  let known = nameCache.get(name);
  if (known === undefined) {
    known = CREDENTIAL_NAME.test(name.toLowerCase().replace(/[^a-z0-9]/g, ''));
    if (nameCache.size < 10_000) nameCache.set(name, known);
  }
  return known;
}

const PLACEHOLDER = /^\s*(\$[A-Za-z_][\w.:-]*|\$\([^)]*\)|\$\{[^}]*\}|\{\{[^}]*\}\})\s*$/;
const SECRET_NAME_REFERENCE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * Whether a credential-named field's value is a reference rather than the credential: empty, a variable or template,
 * bcrypt htpasswd lines, or, for names ending in `secret` (`auth-secret`, `existingSecret`, not `clientSecret`), a
 * Secret's `[namespace/]name`.
 */
function isReference(name: string, value: string): boolean {
  if (value === '' || PLACEHOLDER.test(value)) return true;
  // htpasswd lines hold hashes, not passwords
  if (value.split('\n').every(l => l === '' || BCRYPT_LINE.test(l))) return true;
  const normalized = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return normalized.endsWith('secret') && !normalized.endsWith('clientsecret') && SECRET_NAME_REFERENCE.test(value);
}

function isObject(x: unknown): x is Record<string, any> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}
