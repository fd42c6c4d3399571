import { IConstruct } from 'constructs';
import { dns1123SubdomainProblem } from '../_internal/names';

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

const ISSUER_TYPES = ['acme', 'ca', 'selfSigned', 'vault', 'venafi'];

/**
 * cert-manager's webhook rules for an Issuer or ClusterIssuer (`ValidateIssuerConfig`), applied to the rendered object.
 *
 * @internal
 */
export function issuerProblems(obj: any): string[] {
  const problems: string[] = [];
  const name = obj?.metadata?.name;
  if (typeof name === 'string') {
    const bad = dns1123SubdomainProblem('name', name);
    if (bad) problems.push(bad);
  }
  const spec = obj?.spec ?? {};
  const types = ISSUER_TYPES.filter(t => spec[t] !== undefined && spec[t] !== null);
  if (types.length === 0) {
    problems.push(`at least one issuer type must be configured: one of ${ISSUER_TYPES.join(', ')}`);
  } else if (types.length > 1) {
    problems.push(`may not specify more than one issuer type, got ${types.join(' and ')}: choose exactly one`);
  }
  if (spec.ca !== undefined) {
    const secretName = spec.ca?.secretName;
    if (typeof secretName !== 'string' || secretName === '') {
      problems.push('ca.secretName must be specified: the Secret holding the CA\'s tls.crt and tls.key');
    } else {
      const bad = dns1123SubdomainProblem('ca.secretName', secretName);
      if (bad) problems.push(bad);
    }
    problems.push(...caUrlProblems(spec.ca));
  }
  return problems;
}

/**
 * A CA issuer's OCSP servers and issuing-certificate URLs must not be empty strings (cert-manager's
 * `ValidateCAIssuerConfig`, cert-manager/cert-manager@v1.21.1:internal/apis/certmanager/validation/issuer.go:272-281).
 */
function caUrlProblems(ca: any): string[] {
  const problems: string[] = [];
  for (const field of ['ocspServers', 'issuingCertificateURLs']) {
    const urls = ca?.[field];
    if (!Array.isArray(urls)) continue;
    urls.forEach((url: unknown, i: number) => {
      if (url === '' || typeof url !== 'string') problems.push(`ca.${field}[${i}] ${JSON.stringify(url)} must be a URL, e.g. http://ocsp.example.com`);
    });
  }
  return problems;
}
