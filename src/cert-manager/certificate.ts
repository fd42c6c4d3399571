import { isIP } from 'node:net';
import { ApiObject, ApiObjectMetadata, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Certificate as CertificateL1,
  CertificateSpecSignatureAlgorithm,
  CertificateSpecUsages,
} from '../../imports/cert-manager.io';
import { formatGoDuration, goDuration, parseGoDuration } from '../_internal/duration';
import { throwIfProblems, ValidationError } from '../_internal/errors';
import { annotationProblems, dns1123SubdomainProblem, labelProblems } from '../_internal/names';
import { keepNamespace, requireNamespace } from '../_internal/namespaced';
import { validateRendered } from '../_internal/validated';
import {
  additionalOutputFormatsProblems, emailAddressProblems, keystoreProblems, literalSubjectProblems, nameConstraintsProblems,
  renewalProblems, renewBeforePercentageProblems, revisionHistoryLimitProblems,
} from './_spec-rules';
import { IIssuer } from './issuer-type';
import { PrivateKey } from './private-key';

/** `spec.usages` entries, as cert-manager's CRD defines them. */
export { CertificateSpecUsages as KeyUsage };
/** `spec.signatureAlgorithm`, as cert-manager's CRD defines it. */
export { CertificateSpecSignatureAlgorithm as SignatureAlgorithm };

/** Labels and annotations cert-manager copies onto the Certificate's Secret. */
export interface SecretTemplate {
  /**
   * Labels for the Secret.
   *
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Annotations for the Secret; `cert-manager.io/*` keys are reserved for cert-manager.
   *
   * @default - none
   */
  readonly annotations?: Record<string, string>;
}

/** Props for {@link Certificate}. */
export interface CertificateProps {
  /**
   * Name, namespace, labels and annotations.
   *
   * @default - a name generated from the construct path; the namespace of a namespaced issuer, else the chart's (a
   * namespace is required)
   */
  readonly metadata?: ApiObjectMetadata;
  /** The issuer that signs this Certificate: an Issuer (same namespace only) or a ClusterIssuer. */
  readonly issuer: IIssuer;
  /** The Secret cert-manager writes the key pair to (`tls.crt`, `tls.key`, `ca.crt`), in the Certificate's namespace. */
  readonly secretName: string;
  /**
   * The subject common name, at most 64 characters.
   *
   * @default - none; then at least one of dnsNames or ipAddresses must be set
   */
  readonly commonName?: string;
  /**
   * DNS subject alternative names.
   *
   * @default - none
   */
  readonly dnsNames?: string[];
  /**
   * IP address subject alternative names.
   *
   * @default - none
   */
  readonly ipAddresses?: string[];
  /**
   * Whether the certificate is a CA (cert-manager then adds the `cert sign` usage).
   *
   * @default false
   */
  readonly isCA?: boolean;
  /**
   * The certificate's lifetime, at least 1 hour. Rendered in Go's form (`2160h0m0s`).
   *
   * @default - cert-manager's default, 90 days
   */
  readonly duration?: Duration;
  /**
   * How long before expiry cert-manager renews: at least 5 minutes, and shorter than the duration.
   *
   * @default - cert-manager's default, a third of the duration
   */
  readonly renewBefore?: Duration;
  /**
   * The private key: algorithm, size, encoding and rotation policy.
   *
   * @default PrivateKey.ecdsa() (P-256, rotationPolicy Always)
   */
  readonly privateKey?: PrivateKey;
  /**
   * Key usages and extended key usages.
   *
   * @default - cert-manager's default: digital signature and key encipherment
   */
  readonly usages?: CertificateSpecUsages[];
  /**
   * The signature algorithm the issuer should use; it must fit the issuer's key type.
   *
   * @default - chosen by the issuer from its key
   */
  readonly signatureAlgorithm?: CertificateSpecSignatureAlgorithm;
  /**
   * Labels and annotations for the Secret.
   *
   * @default - none
   */
  readonly secretTemplate?: SecretTemplate;
}

/**
 * A cert-manager Certificate (`cert-manager.io/v1`), checked at synth against the rules cert-manager's webhook applies.
 *
 * @see https://cert-manager.io/docs/usage/certificate/
 * @example
 * new Certificate(chart, 'web', { issuer, secretName: 'web-tls', dnsNames: ['web.example.com'], duration: Duration.days(30) });
 */
export class Certificate extends Construct {
  /** The generated `Certificate` object; `ApiObject.of(certificate)` returns it too. */
  public readonly apiObject: ApiObject;
  /** The issuer that signs this Certificate. */
  public readonly issuer: IIssuer;
  /** The Secret cert-manager writes. */
  public readonly secretName: string;
  /** Whether the certificate is a CA. */
  public readonly isCA: boolean;
  /** The private key settings. */
  public readonly privateKey: PrivateKey;
  /** The lifetime, if set. */
  public readonly duration?: Duration;
  /** The renewal lead time, if set. */
  public readonly renewBefore?: Duration;
  /** The subject common name, if set. */
  public readonly commonName?: string;
  /** The key usages, if set. */
  public readonly usages?: readonly CertificateSpecUsages[];

  constructor(scope: Construct, id: string, props: CertificateProps) {
    super(scope, id);
    this.issuer = props.issuer;
    this.secretName = props.secretName;
    this.isCA = props.isCA ?? false;
    this.privateKey = props.privateKey ?? PrivateKey.ecdsa();
    this.duration = props.duration;
    this.renewBefore = props.renewBefore;
    this.commonName = props.commonName;
    this.usages = props.usages;

    const issuerNamespace = this.issuer.issuerNamespace;
    const namespace = requireNamespace(this, 'Certificate', props.metadata?.namespace ?? issuerNamespace);
    if (issuerNamespace !== undefined && namespace !== issuerNamespace) {
      throw new ValidationError(`namespace ${JSON.stringify(namespace)} cannot use Issuer ${issuerNamespace}/${this.issuer.issuerRef.name}: `
        + `an Issuer only issues Certificates in its own namespace (${JSON.stringify(issuerNamespace)}); use a ClusterIssuer`, this);
    }

    // maps are checked before rendering: cdk8s cannot even serialize some keys (`__proto__`)
    throwIfProblems([
      ...labelProblems('secretTemplate label', props.secretTemplate?.labels),
      ...annotationProblems('secretTemplate annotation', props.secretTemplate?.annotations),
    ], this);
    this.apiObject = new CertificateL1(this, 'Resource', {
      metadata: { ...props.metadata, namespace },
      spec: {
        secretName: this.secretName,
        issuerRef: { ...this.issuer.issuerRef },
        commonName: this.commonName,
        dnsNames: props.dnsNames,
        ipAddresses: props.ipAddresses,
        isCa: props.isCA,
        duration: this.duration && goDuration(this.duration),
        renewBefore: this.renewBefore && goDuration(this.renewBefore),
        privateKey: this.privateKey._toSpec(),
        usages: props.usages,
        signatureAlgorithm: props.signatureAlgorithm,
        secretTemplate: props.secretTemplate,
      },
    });
    validateRendered(this, this.apiObject, certificateProblems);
    keepNamespace(this, this.apiObject, 'Certificate');
  }

  /** The Certificate's name. */
  public get name(): string {
    return this.apiObject.name;
  }

  /** The Certificate's namespace (and its Secret's). */
  public get namespace(): string {
    return this.apiObject.metadata.namespace!;
  }
}

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
  const problems: string[] = [];
  const add = (p: string | undefined) => { if (p) problems.push(p); };
  const spec = obj?.spec ?? {};

  if (typeof obj?.metadata?.name === 'string') add(dns1123SubdomainProblem('name', obj.metadata.name));
  if (!spec.secretName) add('secretName must be specified');
  else add(dns1123SubdomainProblem('secretName', spec.secretName));

  const ref = spec.issuerRef ?? {};
  if (!ref.name) add('issuerRef.name must be specified');
  if ((ref.group ?? '') === '' || ref.group === 'cert-manager.io') {
    if (![undefined, '', 'Issuer', 'ClusterIssuer'].includes(ref.kind)) {
      add(`issuerRef.kind ${JSON.stringify(ref.kind)} must be one of Issuer or ClusterIssuer`);
    }
  }

  // a literalSubject's CN counts as the common name (certificate.go:77-133)
  const literal = literalSubjectProblems(spec);
  problems.push(...literal.problems);
  const commonName = literal.commonName;
  const identities = ['dnsNames', 'ipAddresses', 'uris', 'emailAddresses', 'otherNames'];
  if (commonName === '' && !identities.some(f => Array.isArray(spec[f]) && spec[f].length > 0)) {
    add('at least one of commonName (or a CN in literalSubject), dnsNames, ipAddresses, uris, emailAddresses or otherNames must be set');
  }
  // cert-manager counts bytes (Go len), not characters (certificate.go:135)
  if (Buffer.byteLength(commonName, 'utf8') > 64) {
    add(`commonName ${JSON.stringify(commonName)} is ${Buffer.byteLength(commonName, 'utf8')} bytes long: at most 64 are allowed`);
  }
  (spec.ipAddresses ?? []).forEach((ip: string, i: number) => {
    if (isIP(ip) === 0) add(`ipAddresses[${i}] ${JSON.stringify(ip)} is not a valid IP address`);
  });
  problems.push(...emailAddressProblems(spec.emailAddresses));
  problems.push(...revisionHistoryLimitProblems(spec));
  problems.push(...nameConstraintsProblems(spec));
  problems.push(...additionalOutputFormatsProblems(spec));
  problems.push(...keystoreProblems(spec));
  problems.push(...renewalProblems(spec));

  problems.push(...privateKeyProblems(spec.privateKey ?? {}, spec.signatureAlgorithm));
  problems.push(...durationProblems(spec.duration, spec.renewBefore, spec.renewBeforePercentage));

  (spec.usages ?? []).forEach((usage: string, i: number) => {
    if (!KNOWN_USAGES.has(usage)) add(`usages[${i}] ${JSON.stringify(usage)} is not a key usage cert-manager knows: use one of ${[...KNOWN_USAGES].join(', ')}`);
  });

  const template = spec.secretTemplate ?? {};
  problems.push(...labelProblems('secretTemplate label', template.labels));
  problems.push(...annotationProblems('secretTemplate annotation', template.annotations));
  // Kubernetes ValidateAnnotations: keys and values together at most 256 KiB (certificate.go:354 calls it)
  const annotationBytes = Object.entries(template.annotations ?? {})
    .reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
  if (annotationBytes > 262_144) add(`secretTemplate annotations take ${annotationBytes} bytes: at most 262144 (256 KiB) are allowed`);
  for (const key of Object.keys(template.annotations ?? {})) {
    if (key.startsWith('cert-manager.io/') && key !== ALLOWED_CERT_MANAGER_ANNOTATION) {
      add(`secretTemplate annotation ${JSON.stringify(key)} is not allowed: cert-manager.io/* annotations are reserved for cert-manager`);
    }
  }
  return problems;
}

function privateKeyProblems(key: any, signatureAlgorithm: string | undefined): string[] {
  const problems: string[] = [];
  // an empty algorithm means RSA (certificate.go:169)
  const algorithm = key.algorithm || 'RSA';
  const size = key.size;
  if (algorithm === 'RSA' && size !== undefined && size !== 0 && (size < 2048 || size > 8192)) {
    problems.push(`privateKey.size ${size} is not allowed for RSA: use 2048 to 8192 bits (2048, 4096 or 8192 in practice)`);
  }
  if (algorithm === 'ECDSA' && size !== undefined && size !== 0 && ![256, 384, 521].includes(size)) {
    problems.push(`privateKey.size ${size} is not allowed for ECDSA: use 256, 384 or 521`);
  }
  // the CRD's enum (cert-manager/cert-manager@v1.21.1:pkg/apis/certmanager/v1/types_certificate.go:398)
  if (key.rotationPolicy !== undefined && !['Never', 'Always'].includes(key.rotationPolicy)) {
    problems.push(`privateKey.rotationPolicy ${JSON.stringify(key.rotationPolicy)} is not allowed: use Never or Always`);
  }
  const allowed = SIGNATURES_BY_KEY[algorithm];
  if (allowed === undefined) {
    problems.push(`privateKey.algorithm ${JSON.stringify(algorithm)} is not allowed: use RSA, ECDSA or Ed25519`);
  } else if (signatureAlgorithm !== undefined && !allowed.includes(signatureAlgorithm)) {
    problems.push(`signatureAlgorithm ${signatureAlgorithm} does not fit privateKey.algorithm ${algorithm}: use one of ${allowed.join(', ')}`);
  }
  return problems;
}

function durationProblems(durationText: unknown, renewBeforeText: unknown, renewBeforePercentage: unknown): string[] {
  const problems: string[] = [];
  const parse = (field: string, text: unknown): bigint | undefined => {
    if (text === undefined) return undefined;
    const nanos = typeof text === 'string' ? parseGoDuration(text) : undefined;
    if (nanos === undefined) problems.push(`${field} ${JSON.stringify(text)} is not a Go duration (units h, m, s, ms, us, ns; e.g. 48h0m0s)`);
    return nanos;
  };
  const parsedDuration = parse('duration', durationText);
  const renewBefore = parse('renewBefore', renewBeforeText);
  if (problems.length > 0) return problems;
  const duration = parsedDuration ?? DEFAULT_DURATION;
  if (duration < MIN_DURATION) {
    problems.push(`duration ${formatGoDuration(duration)} must be at least ${formatGoDuration(MIN_DURATION)}`);
  }
  if (renewBefore !== undefined) {
    if (renewBefore < MIN_RENEW_BEFORE) {
      problems.push(`renewBefore ${formatGoDuration(renewBefore)} must be at least ${formatGoDuration(MIN_RENEW_BEFORE)}`);
    }
    if (renewBefore >= duration) {
      const of = parsedDuration === undefined ? ' (cert-manager\'s default)' : '';
      problems.push(`renewBefore ${formatGoDuration(renewBefore)} must be shorter than duration ${formatGoDuration(duration)}${of}`);
    }
  }
  problems.push(...renewBeforePercentageProblems({ renewBefore: renewBeforeText, renewBeforePercentage }, duration));
  return problems;
}
