import { ApiObject, ApiObjectMetadata, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { Certificate as CertificateL1, CertificateSpecSignatureAlgorithm, CertificateSpecUsages } from '../../imports/cert-manager.io';
import { goDuration } from '../_internal/duration';
import { throwIfProblems, ValidationError } from '../_internal/errors';
import { annotationProblems, labelProblems } from '../_internal/names';
import { keepNamespace, requireNamespace } from '../_internal/namespaced';
import { validateRendered } from '../_internal/validated';
import { certificateProblems } from './certificate-rules';
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
