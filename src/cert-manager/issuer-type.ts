import { IConstruct } from 'constructs';

/** How a Certificate points at its issuer (`spec.issuerRef`). */
export interface IssuerReference {
  /** The issuer's name. */
  readonly name: string;
  /** `Issuer` or `ClusterIssuer`. */
  readonly kind: string;
  /** The API group, `cert-manager.io`. */
  readonly group: string;
}

/**
 * A cert-manager issuer a Certificate can reference: an {@link Issuer}, a {@link ClusterIssuer}, or an existing one
 * imported with `Issuer.fromIssuerName` / `ClusterIssuer.fromClusterIssuerName`.
 */
export interface IIssuer extends IConstruct {
  /** The reference a Certificate renders as `spec.issuerRef`. */
  readonly issuerRef: IssuerReference;
  /**
   * The namespace of a namespaced Issuer; undefined for a ClusterIssuer.
   *
   * A namespaced Issuer can only issue Certificates in its own namespace.
   */
  readonly issuerNamespace?: string;
}

/** Options for a CA issuer. */
export interface CaIssuerOptions {
  /**
   * The Secret holding the CA's `tls.crt` and `tls.key`.
   *
   * An Issuer reads it from its own namespace; a ClusterIssuer from cert-manager's cluster-resource namespace
   * (`cert-manager` with the Helm chart's defaults).
   */
  readonly secretName: string;
}

/**
 * The kind of issuer (`spec.selfSigned`, `spec.ca`, …): exactly one per Issuer or ClusterIssuer.
 *
 * @see https://cert-manager.io/docs/configuration/
 */
export class IssuerType {
  /**
   * A self-signed issuer: each Certificate is signed by its own private key.
   *
   * @see https://cert-manager.io/docs/configuration/selfsigned/
   */
  public static selfSigned(): IssuerType {
    return new IssuerType('selfSigned', {});
  }

  /**
   * A CA issuer: signs Certificates with the CA key pair stored in a Secret.
   *
   * @see https://cert-manager.io/docs/configuration/ca/
   */
  public static ca(options: CaIssuerOptions): IssuerType {
    return new IssuerType('ca', { secretName: options.secretName });
  }

  private constructor(
    /** The issuer type's field name in `spec`, e.g. `selfSigned` or `ca`. */
    public readonly type: string,
    private readonly config: Record<string, unknown>,
  ) {}

  /** The CA Secret of a CA issuer; undefined for other types. */
  public get caSecretName(): string | undefined {
    return this.config.secretName as string | undefined;
  }

  /** @internal */
  public _toSpec(): Record<string, any> {
    return { [this.type]: { ...this.config } };
  }
}
