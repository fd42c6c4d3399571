import { IServiceAccount } from 'cdk8s-plus-25';

// l5d:policy-controller/runtime/src/validation.rs: a DNS-like name whose first label may be `*`
const DNS_LIKE = /^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// SPIFFE ID: a trust domain of [a-z0-9._-], then /-separated path segments of [A-Za-z0-9._-], none empty, `.` or `..`
// (linkerd/linkerd2@version-2.20:policy-controller/runtime/src/validation.rs:55-113)
const SPIFFE = /^spiffe:\/\/[a-z0-9._-]+(\/(?!\.\.?(\/|$))[A-Za-z0-9._-]+)*$/;

/** Where a ServiceAccount's mTLS identity is issued. */
export interface ServiceAccountIdentityOptions {
  /**
   * The control-plane namespace (`LinkerdIdentity.namespace`).
   *
   * @default 'linkerd'
   */
  readonly controlPlaneNamespace?: string;
  /**
   * The trust domain (`LinkerdIdentity.trustDomain`).
   *
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
}

/**
 * An mTLS identity string for a MeshTLSAuthentication: a DNS-like name (a ServiceAccount's
 * `<sa>.<ns>.serviceaccount.identity.<control-plane-ns>.<trust-domain>`, optionally with a leading `*` label) or a
 * `spiffe://` ID.
 *
 * @see https://linkerd.io/2-edge/reference/authorization-policy/#meshtlsauthentication
 */
export class MeshIdentity {
  /** An identity string, checked where it is used: DNS-like (`*.demo.serviceaccount.identity.linkerd.cluster.local`) or `spiffe://…`. */
  public static of(identity: string): MeshIdentity {
    return new MeshIdentity(identity);
  }

  /** `*`: every meshed client. */
  public static all(): MeshIdentity {
    return new MeshIdentity('*');
  }

  /** The identity the control plane issues to pods running as a ServiceAccount. */
  public static serviceAccount(name: string, namespace: string, options: ServiceAccountIdentityOptions = {}): MeshIdentity {
    const controlPlane = options.controlPlaneNamespace ?? 'linkerd';
    const trustDomain = options.trustDomain ?? 'cluster.local';
    return new MeshIdentity(`${name}.${namespace}.serviceaccount.identity.${controlPlane}.${trustDomain}`);
  }

  private constructor(public readonly value: string) {}

  /** The identity string. */
  public toString(): string {
    return this.value;
  }
}

/**
 * The problem with an identity string, or undefined when Linkerd accepts it.
 *
 * @internal
 */
export function identityProblem(identity: string): string | undefined {
  if (identity.startsWith('spiffe://') ? SPIFFE.test(identity) : DNS_LIKE.test(identity)) return undefined;
  return `identity ${JSON.stringify(identity)} is not allowed: use a DNS-like name (lowercase alphanumerics and '-' in dot-separated labels, the first may be '*') or a spiffe:// ID whose path has no empty, '.' or '..' segment`;
}

/** The kinds an identityRef may name. */
enum IdentityRefKind {
  SERVICE_ACCOUNT = 'ServiceAccount',
  NAMESPACE = 'Namespace',
}

/**
 * A reference from a MeshTLSAuthentication to the identities of a ServiceAccount, or of every ServiceAccount of a
 * Namespace, resolved by the policy controller (no trust domain needed).
 */
export class IdentityRef {
  /** The pods running as a ServiceAccount. */
  public static serviceAccount(name: string, namespace?: string): IdentityRef {
    return new IdentityRef(IdentityRefKind.SERVICE_ACCOUNT, name, namespace);
  }

  /** The pods running as a cdk8s-plus ServiceAccount (or one imported with `ServiceAccount.fromServiceAccountName`). */
  public static fromServiceAccount(serviceAccount: IServiceAccount): IdentityRef {
    const subject = serviceAccount.toSubjectConfiguration();
    return new IdentityRef(IdentityRefKind.SERVICE_ACCOUNT, subject.name, subject.namespace);
  }

  /** Every pod of a namespace. */
  public static namespace(name: string): IdentityRef {
    return new IdentityRef(IdentityRefKind.NAMESPACE, name, undefined);
  }

  private constructor(
    /** `ServiceAccount` or `Namespace`. */
    public readonly kind: string,
    /** The referent's name. */
    public readonly name: string,
    /** The ServiceAccount's namespace; undefined means the authentication's own namespace. */
    public readonly namespace: string | undefined,
  ) {}

  /** @internal */
  public _toKube(): { kind: string; name: string; namespace?: string } {
    return { kind: this.kind, name: this.name, ...(this.namespace === undefined ? {} : { namespace: this.namespace }) };
  }

  /** Whether two references name the same thing. @internal */
  public _equals(other: IdentityRef): boolean {
    return this.kind === other.kind && this.name === other.name && this.namespace === other.namespace;
  }
}
