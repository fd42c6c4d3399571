/**
 * cert-manager webhook rules for the parts of a Certificate spec this library does not render itself but a user can
 * patch in (literalSubject, emailAddresses, nameConstraints, keystores, renewal windows, …). Each follows
 * `cert-manager/cert-manager@v1.21.1:internal/apis/certmanager/validation/certificate.go` at the cited line, with the
 * feature gates at their v1.21.1 defaults (`internal/webhook/feature/features.go:103-105`: LiteralCertificateSubject,
 * NameConstraints and OtherNames on).
 *
 * @internal
 */
import { cronProblem, isTimeZone } from '../_internal/cron';
import { Problems } from '../_internal/problems';

/** The RDN attribute names cert-manager knows (`pkg/util/pki/subject.go:56-65`); anything else must be an OID. */
const SUBJECT_KEYS = new Set(['C', 'O', 'OU', 'CN', 'SERIALNUMBER', 'L', 'ST', 'STREET', 'DC', 'UID']);
const OID = /^[0-2](\.(0|[1-9][0-9]*))+$/;

/** One attribute of a parsed RFC 4514 distinguished name. */
interface Attribute { readonly type: string; readonly value: string }

/**
 * Parses an RFC 4514 distinguished name the way go-ldap's `ParseDN` does for the cases that matter here: `,` (or `;`)
 * between RDNs, `+` between attributes, `\` escapes, quoted values; a type without `=` is an error.
 */
export function parseDistinguishedName(dn: string): Attribute[] | string {
  const attributes: Attribute[] = [];
  let type = '';
  let value = '';
  let inValue = false;
  let quoted = false;
  const flush = (): string | undefined => {
    if (!inValue) return `DN ended with incomplete type, value pair: ${JSON.stringify(type.trim())}`;
    attributes.push({ type: type.trim(), value: value.trim() });
    type = ''; value = ''; inValue = false;
    return undefined;
  };
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i];
    if (c === '\\') {
      const next = dn[i + 1];
      if (next === undefined) return 'DN ends with a lone backslash';
      if (/^[0-9a-fA-F]{2}$/.test(dn.slice(i + 1, i + 3))) {
        value += String.fromCharCode(parseInt(dn.slice(i + 1, i + 3), 16)); i += 2;
      } else {
        value += next; i++;
      }
    } else if (c === '"' && inValue) {
      quoted = !quoted;
    } else if (quoted) {
      value += c;
    } else if (!inValue && c === '=') {
      inValue = true;
    } else if (!inValue) {
      if (c === ',' || c === '+' || c === ';') return `incomplete type, value pair before ${JSON.stringify(c)}`;
      type += c;
    } else if (c === ',' || c === '+' || c === ';') {
      const bad = flush();
      if (bad) return bad;
    } else {
      value += c;
    }
  }
  if (quoted) return 'DN has an unclosed quote';
  if (type !== '' || inValue) {
    const bad = flush();
    if (bad) return bad;
  }
  return attributes;
}

/**
 * `spec.literalSubject` (certificate.go:77-133): no commonName or subject fields beside it, a parseable DN, only known
 * attribute types or OIDs. Returns the problems and the common name the literal subject carries.
 */
export function literalSubjectProblems(spec: any): { problems: string[]; commonName: string } {
  const problems = new Problems();
  let commonName = typeof spec.commonName === 'string' ? spec.commonName : '';
  const literal = spec.literalSubject;
  if (typeof literal !== 'string' || literal === '') return { problems: [...problems.list], commonName };
  if (commonName !== '') problems.add(`commonName ${JSON.stringify(commonName)} is not allowed with literalSubject: put the CN in the literalSubject`);
  const subject = spec.subject ?? {};
  const set = ['organizations', 'countries', 'organizationalUnits', 'localities', 'provinces', 'streetAddresses', 'postalCodes', 'serialNumber']
    .filter(f => (Array.isArray(subject[f]) ? subject[f].length > 0 : Boolean(subject[f])));
  if (set.length > 0) problems.add(`subject.${set.join(', subject.')} is not allowed with literalSubject: write every subject attribute in the literalSubject`);
  const parsed = parseDistinguishedName(literal);
  if (typeof parsed === 'string') {
    problems.add(`literalSubject ${JSON.stringify(literal)} is not an RFC 4514 distinguished name: ${parsed}`);
    return { problems: [...problems.list], commonName };
  }
  for (const { type, value } of parsed) {
    if (type === 'CN') commonName = value;
    else if (!SUBJECT_KEYS.has(type) && !OID.test(type)) {
      problems.add(`literalSubject ${JSON.stringify(literal)} has the unknown attribute type ${JSON.stringify(type)} (value ${JSON.stringify(value)}): use ${[...SUBJECT_KEYS].join(', ')} or a dotted OID`);
    }
  }
  return { problems: [...problems.list], commonName };
}

const ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+$/;

/** Whether every dot-separated part of a dot-atom is non-empty RFC 5322 atext. */
function isDotAtom(text: string): boolean {
  return text.split('.').every(part => ATEXT.test(part));
}

/**
 * `spec.emailAddresses` (certificate.go:310-327): each entry must parse as an RFC 5322 address (Go `mail.ParseAddress`)
 * and be nothing but the bare address (no display name, no `mailto:`).
 */
export function emailAddressProblems(emails: unknown): string[] {
  if (!Array.isArray(emails)) return [];
  return emails.flatMap((email, i) => {
    const at = typeof email === 'string' ? email.lastIndexOf('@') : -1;
    const ok = at > 0 && isDotAtom(email.slice(0, at))
      && (isDotAtom(email.slice(at + 1)) || /^\[[^[\]\\\s]*\]$/.test(email.slice(at + 1)));
    return ok ? [] : [`emailAddresses[${i}] ${JSON.stringify(email)} is not a bare email address such as alice@example.com (no display name, no mailto:)`];
  });
}

/**
 * `spec.renewBeforePercentage` (certificate.go:367-403): not together with renewBefore, and the renew time it yields
 * from the duration must be at least 5 minutes and shorter than the duration.
 *
 * @param duration the certificate's duration in nanoseconds (cert-manager's default when unset)
 */
export function renewBeforePercentageProblems(spec: any, duration: bigint): string[] {
  const pct = spec.renewBeforePercentage;
  if (pct === undefined || pct === null) return [];
  const problems = new Problems();
  if (spec.renewBefore !== undefined && spec.renewBefore !== null) {
    problems.add(`renewBefore ${JSON.stringify(spec.renewBefore)} and renewBeforePercentage ${pct} cannot both be set: choose one`);
  }
  if (!Number.isInteger(pct)) return [...problems.list, `renewBeforePercentage ${JSON.stringify(pct)} must be a whole number`];
  // cert-manager computes in float64 to avoid an int64 overflow (certificate.go:394); so do we, in bigint
  const renewBefore = duration * BigInt(100 - pct) / 100n;
  if (renewBefore < 300_000_000_000n) problems.add(`renewBeforePercentage ${pct} leaves less than 5m0s before expiry: use a smaller percentage or a longer duration`);
  if (renewBefore >= duration) problems.add(`renewBeforePercentage ${pct} makes the renewal time the whole duration: use a percentage above 0`);
  return [...problems.list];
}

/** `spec.nameConstraints` (certificate.go:215-229): only on a CA, and with permitted or excluded set. */
export function nameConstraintsProblems(spec: any): string[] {
  const nc = spec.nameConstraints;
  if (nc === undefined || nc === null) return [];
  const problems = new Problems();
  if (spec.isCA !== true) problems.add('nameConstraints needs isCA: true: name constraints only apply to a CA certificate');
  if ((nc.permitted ?? null) === null && (nc.excluded ?? null) === null) problems.add('nameConstraints must set permitted or excluded');
  return [...problems.list];
}

/** `spec.revisionHistoryLimit` (certificate.go:202-204): at least 1. */
export function revisionHistoryLimitProblems(spec: any): string[] {
  const limit = spec.revisionHistoryLimit;
  return limit !== undefined && limit !== null && limit < 1 ? [`revisionHistoryLimit ${limit} must be at least 1`] : [];
}

/** `spec.additionalOutputFormats` (certificate.go:406-420): each type at most once. */
export function additionalOutputFormatsProblems(spec: any): string[] {
  const seen = new Set<string>();
  const problems = new Problems();
  for (const format of Array.isArray(spec.additionalOutputFormats) ? spec.additionalOutputFormats : []) {
    const type = String(format?.type);
    if (seen.has(type)) problems.add(`additionalOutputFormats type ${JSON.stringify(type)} is listed more than once`);
    seen.add(type);
  }
  return [...problems.list];
}

/** `spec.keystores` (certificate.go:430-462): exactly one of a non-empty literal password and a password Secret. */
export function keystoreProblems(spec: any): string[] {
  const problems = new Problems();
  for (const [field, label] of [['jks', 'JKS'], ['pkcs12', 'PKCS#12']]) {
    const ks = spec.keystores?.[field];
    if (ks === undefined || ks === null) continue;
    const hasPassword = ks.password !== undefined && ks.password !== null;
    const hasRef = Boolean(ks.passwordSecretRef?.name);
    if (hasPassword && hasRef) problems.add(`keystores.${field} sets both password and passwordSecretRef: a ${label} keystore takes exactly one`);
    if (!hasPassword && !hasRef) problems.add(`keystores.${field} needs passwordSecretRef (or password): a ${label} keystore takes exactly one`);
    if (hasPassword && ks.password === '') problems.add(`keystores.${field}.password must not be empty`);
  }
  return [...problems.list];
}

/** `spec.renewal` (certificate.go:464-500): policy RenewBefore or Disabled; windows only with RenewBefore, each valid. */
export function renewalProblems(spec: any): string[] {
  const renewal = spec.renewal;
  if (renewal === undefined || renewal === null) return [];
  const problems = new Problems();
  if (renewal.policy === 'Disabled') {
    if (Array.isArray(renewal.windows) && renewal.windows.length > 0) problems.add('renewal.windows cannot be set when renewal.policy is Disabled');
    return [...problems.list];
  }
  if (renewal.policy !== 'RenewBefore') problems.add(`renewal.policy ${JSON.stringify(renewal.policy)} must be RenewBefore or Disabled`);
  (Array.isArray(renewal.windows) ? renewal.windows : []).forEach((w: any, i: number) => {
    if (w?.windowDuration === undefined || w?.windowDuration === null) problems.add(`renewal.windows[${i}].windowDuration must be set (greater than 0)`);
    const tz = w?.timezone ?? '';
    if (tz !== '' && !isTimeZone(tz)) problems.add(`renewal.windows[${i}].timezone ${JSON.stringify(tz)} is not an IANA time zone`);
    const cron = typeof w?.cron === 'string' ? w.cron : '';
    const bad = cronProblem(tz === '' ? cron : `CRON_TZ=${tz} ${cron}`);
    if (bad) problems.add(`renewal.windows[${i}].cron ${JSON.stringify(cron)} is not a cron spec: ${bad}`);
  });
  return [...problems.list];
}
