import {
  CertificateSpecPrivateKeyAlgorithm,
  CertificateSpecPrivateKeyEncoding,
  CertificateSpecPrivateKeyRotationPolicy,
} from '../../imports/cert-manager.io';

/** `spec.privateKey.algorithm`, as cert-manager's CRD defines it. */
export { CertificateSpecPrivateKeyAlgorithm as PrivateKeyAlgorithm };
/** `spec.privateKey.encoding`, as cert-manager's CRD defines it. */
export { CertificateSpecPrivateKeyEncoding as PrivateKeyEncoding };
/** `spec.privateKey.rotationPolicy`, as cert-manager's CRD defines it. */
export { CertificateSpecPrivateKeyRotationPolicy as RotationPolicy };

/** Options shared by every key algorithm. */
export interface PrivateKeyOptions {
  /**
   * The private key's encoding in the Secret.
   *
   * @default - PKCS1 (cert-manager's default; Ed25519 keys are always PKCS8)
   */
  readonly encoding?: CertificateSpecPrivateKeyEncoding;
  /**
   * Whether cert-manager generates a new key on every renewal.
   *
   * Always rendered explicitly: cert-manager 1.18 changed its default from `Never` to `Always`, and a CA that is
   * re-keyed by surprise breaks everything that trusts it.
   *
   * @default RotationPolicy.ALWAYS
   */
  readonly rotationPolicy?: CertificateSpecPrivateKeyRotationPolicy;
}

/** Options for an ECDSA key. */
export interface EcdsaPrivateKeyOptions extends PrivateKeyOptions {
  /**
   * The curve size: 256 (P-256), 384 (P-384) or 521 (P-521).
   *
   * @default 256
   */
  readonly size?: number;
}

/** Options for an RSA key. */
export interface RsaPrivateKeyOptions extends PrivateKeyOptions {
  /**
   * The modulus size in bits, 2048 to 8192.
   *
   * @default 2048
   */
  readonly size?: number;
}

/**
 * The private key of a Certificate (`spec.privateKey`).
 *
 * @see https://cert-manager.io/docs/reference/api-docs/#cert-manager.io/v1.CertificatePrivateKey
 */
export class PrivateKey {
  /** An ECDSA key (P-256 unless `size` says otherwise). */
  public static ecdsa(options: EcdsaPrivateKeyOptions = {}): PrivateKey {
    return new PrivateKey(CertificateSpecPrivateKeyAlgorithm.ECDSA, options.size ?? 256, options);
  }

  /** An RSA key (2048 bits unless `size` says otherwise). */
  public static rsa(options: RsaPrivateKeyOptions = {}): PrivateKey {
    return new PrivateKey(CertificateSpecPrivateKeyAlgorithm.RSA, options.size ?? 2048, options);
  }

  /** An Ed25519 key (always PKCS8-encoded). */
  public static ed25519(options: PrivateKeyOptions = {}): PrivateKey {
    return new PrivateKey(CertificateSpecPrivateKeyAlgorithm.ED25519, undefined, options);
  }

  /** Whether cert-manager re-keys on renewal. */
  public readonly rotationPolicy: CertificateSpecPrivateKeyRotationPolicy;
  /** The key encoding, when set. */
  public readonly encoding?: CertificateSpecPrivateKeyEncoding;

  private constructor(
    /** The key algorithm. */
    public readonly algorithm: CertificateSpecPrivateKeyAlgorithm,
    /** The key size; undefined for Ed25519. */
    public readonly size: number | undefined,
    options: PrivateKeyOptions,
  ) {
    this.encoding = options.encoding;
    this.rotationPolicy = options.rotationPolicy ?? CertificateSpecPrivateKeyRotationPolicy.ALWAYS;
  }

  /** A short description such as `ECDSA 256`, for messages. */
  public toString(): string {
    return this.size === undefined ? this.algorithm : `${this.algorithm} ${this.size}`;
  }

  /** @internal */
  public _toSpec(): Record<string, unknown> {
    return { algorithm: this.algorithm, size: this.size, encoding: this.encoding, rotationPolicy: this.rotationPolicy };
  }
}
