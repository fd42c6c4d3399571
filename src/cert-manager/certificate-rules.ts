import { isIP } from 'node:net';
import { CertificateSpecUsages } from '../../imports/cert-manager.io';
import { formatGoDuration, parseGoDuration } from '../_internal/duration';
import { annotationProblems, dns1123SubdomainProblem, labelProblems } from '../_internal/names';
import { Problems } from '../_internal/problems';
import {
  additionalOutputFormatsProblems, emailAddressProblems, keystoreProblems, literalSubjectProblems, nameConstraintsProblems,
  renewalProblems, renewBeforePercentageProblems, revisionHistoryLimitProblems,
} from './_spec-rules';

const MIN_DURATION = 3_600_000_000_000n;
const MIN_RENEW_BEFORE = 300_000_000_000n;
const DEFAULT_DURATION = 90n * 24n * MIN_DURATION;
const RSA_SIGNATURES = ['SHA256WithRSA', 'SHA384WithRSA', 'SHA512WithRSA'];
const SIGNATURES_BY_KEY: Record<string, string[]> = {
  RSA: RSA_SIGNATURES,
  ECDSA: ['ECDSAWithSHA256', 'ECDSAWithSHA384', 'ECDSAWithSHA512'],
  Ed25519: ['PureEd25519'],
};
const KNOWN_USAGES = new Set<string>(Object.values(CertificateSpecUsages));
const ALLOWED_CERT_MANAGER_ANNOTATION = 'cert-manager.io/allow-direct-injection';

/**
 * cert-manager's webhook rules for a Certificate (`ValidateCertificateSpec` and `ValidateDuration`), applied to the
 * rendered object, so they also hold for anything patched in through the escape hatch.
 *
 * @internal
 */
export function certificateProblems(obj: any): string[] {
  const problems = new Problems();
  const spec = obj?.spec ?? {};

  if (typeof obj?.metadata?.name === 'string') problems.add(dns1123SubdomainProblem('name', obj.metadata.name));
  if (!spec.secretName) problems.add('secretName must be specified');
  else problems.add(dns1123SubdomainProblem('secretName', spec.secretName));

  const ref = spec.issuerRef ?? {};
  if (!ref.name) problems.add('issuerRef.name must be specified');
  if ((ref.group ?? '') === '' || ref.group === 'cert-manager.io') {
    if (![undefined, '', 'Issuer', 'ClusterIssuer'].includes(ref.kind)) {
      problems.add(`issuerRef.kind ${JSON.stringify(ref.kind)} must be one of Issuer or ClusterIssuer`);
    }
  }

  // a literalSubject's CN counts as the common name (certificate.go:77-133)
  const literal = literalSubjectProblems(spec);
  problems.addAll(literal.problems);
  const commonName = literal.commonName;
  const identities = ['dnsNames', 'ipAddresses', 'uris', 'emailAddresses', 'otherNames'];
  if (commonName === '' && !identities.some(f => Array.isArray(spec[f]) && spec[f].length > 0)) {
    problems.add('at least one of commonName (or a CN in literalSubject), dnsNames, ipAddresses, uris, emailAddresses or otherNames must be set');
  }
  // cert-manager counts bytes (Go len), not characters (certificate.go:135)
  if (Buffer.byteLength(commonName, 'utf8') > 64) {
    problems.add(`commonName ${JSON.stringify(commonName)} is ${Buffer.byteLength(commonName, 'utf8')} bytes long: at most 64 are allowed`);
  }
  (spec.ipAddresses ?? []).forEach((ip: string, i: number) => {
    if (isIP(ip) === 0) problems.add(`ipAddresses[${i}] ${JSON.stringify(ip)} is not a valid IP address`);
  });
  problems.addAll(emailAddressProblems(spec.emailAddresses));
  problems.addAll(revisionHistoryLimitProblems(spec));
  problems.addAll(nameConstraintsProblems(spec));
  problems.addAll(additionalOutputFormatsProblems(spec));
  problems.addAll(keystoreProblems(spec));
  problems.addAll(renewalProblems(spec));

  problems.addAll(privateKeyProblems(spec.privateKey ?? {}, spec.signatureAlgorithm));
  problems.addAll(durationProblems(spec.duration, spec.renewBefore, spec.renewBeforePercentage));

  (spec.usages ?? []).forEach((usage: string, i: number) => {
    if (!KNOWN_USAGES.has(usage)) problems.add(`usages[${i}] ${JSON.stringify(usage)} is not a key usage cert-manager knows: use one of ${[...KNOWN_USAGES].join(', ')}`);
  });

  const template = spec.secretTemplate ?? {};
  problems.addAll(labelProblems('secretTemplate label', template.labels));
  problems.addAll(annotationProblems('secretTemplate annotation', template.annotations));
  // Kubernetes ValidateAnnotations: keys and values together at most 256 KiB (certificate.go:354 calls it)
  const annotationBytes = Object.entries(template.annotations ?? {})
    .reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
  if (annotationBytes > 262_144) problems.add(`secretTemplate annotations take ${annotationBytes} bytes: at most 262144 (256 KiB) are allowed`);
  for (const key of Object.keys(template.annotations ?? {})) {
    if (key.startsWith('cert-manager.io/') && key !== ALLOWED_CERT_MANAGER_ANNOTATION) {
      problems.add(`secretTemplate annotation ${JSON.stringify(key)} is not allowed: cert-manager.io/* annotations are reserved for cert-manager`);
    }
  }
  return [...problems.list];
}

function privateKeyProblems(key: any, signatureAlgorithm: string | undefined): string[] {
  const problems = new Problems();
  // an empty algorithm means RSA (certificate.go:169)
  const algorithm = key.algorithm || 'RSA';
  const size = key.size;
  if (algorithm === 'RSA' && size !== undefined && size !== 0 && (size < 2048 || size > 8192)) {
    problems.add(`privateKey.size ${size} is not allowed for RSA: use 2048 to 8192 bits (2048, 4096 or 8192 in practice)`);
  }
  if (algorithm === 'ECDSA' && size !== undefined && size !== 0 && ![256, 384, 521].includes(size)) {
    problems.add(`privateKey.size ${size} is not allowed for ECDSA: use 256, 384 or 521`);
  }
  // the CRD's enum (cert-manager/cert-manager@v1.21.1:pkg/apis/certmanager/v1/types_certificate.go:398)
  if (key.rotationPolicy !== undefined && !['Never', 'Always'].includes(key.rotationPolicy)) {
    problems.add(`privateKey.rotationPolicy ${JSON.stringify(key.rotationPolicy)} is not allowed: use Never or Always`);
  }
  const allowed = SIGNATURES_BY_KEY[algorithm];
  if (allowed === undefined) {
    problems.add(`privateKey.algorithm ${JSON.stringify(algorithm)} is not allowed: use RSA, ECDSA or Ed25519`);
  } else if (signatureAlgorithm !== undefined && !allowed.includes(signatureAlgorithm)) {
    problems.add(`signatureAlgorithm ${signatureAlgorithm} does not fit privateKey.algorithm ${algorithm}: use one of ${allowed.join(', ')}`);
  }
  return [...problems.list];
}

function durationProblems(durationText: unknown, renewBeforeText: unknown, renewBeforePercentage: unknown): string[] {
  const problems = new Problems();
  const parse = (field: string, text: unknown): bigint | undefined => {
    if (text === undefined) return undefined;
    const nanos = typeof text === 'string' ? parseGoDuration(text) : undefined;
    if (nanos === undefined) problems.add(`${field} ${JSON.stringify(text)} is not a Go duration (units h, m, s, ms, us, ns; e.g. 48h0m0s)`);
    return nanos;
  };
  const parsedDuration = parse('duration', durationText);
  const renewBefore = parse('renewBefore', renewBeforeText);
  if (problems.list.length > 0) return [...problems.list];
  const duration = parsedDuration ?? DEFAULT_DURATION;
  if (duration < MIN_DURATION) {
    problems.add(`duration ${formatGoDuration(duration)} must be at least ${formatGoDuration(MIN_DURATION)}`);
  }
  if (renewBefore !== undefined) {
    if (renewBefore < MIN_RENEW_BEFORE) {
      problems.add(`renewBefore ${formatGoDuration(renewBefore)} must be at least ${formatGoDuration(MIN_RENEW_BEFORE)}`);
    }
    if (renewBefore >= duration) {
      const of = parsedDuration === undefined ? ' (cert-manager\'s default)' : '';
      problems.add(`renewBefore ${formatGoDuration(renewBefore)} must be shorter than duration ${formatGoDuration(duration)}${of}`);
    }
  }
  problems.addAll(renewBeforePercentageProblems({ renewBefore: renewBeforeText, renewBeforePercentage }, duration));
  return [...problems.list];
}
