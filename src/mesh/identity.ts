import { IServiceAccount } from 'cdk8s-plus-25';
import { IConstruct } from 'constructs';
import { LinkerdContext, serviceAccountIdentity } from '../linkerd/context';

/**
 * Where a ServiceAccount's mTLS identity is issued. Leave both unset to take them from the construct tree of the
 * MeshTLSAuthentication the identity is used in; a MeshTLSAuthentication fails on an identity its tree's control plane
 * cannot issue.
 */
export interface ServiceAccountIdentityOptions {
  /**
   * The control-plane namespace (`LinkerdIdentity.namespace`).
   *
   * @default - the control-plane namespace of the tree it is used in ({@link LinkerdContext}), else 'linkerd'
   */
  readonly controlPlaneNamespace?: string;
  /**
   * The trust domain (`LinkerdIdentity.trustDomain`).
   *
   * @default - the trust domain of the tree it is used in ({@link LinkerdContext}), else 'cluster.local'
   */
  readonly trustDomain?: string;
}

/** A ServiceAccount whose identity string is made where it is used. */
interface ServiceAccountIdentity {
  readonly name: string;
  readonly namespace: string;
  readonly options: ServiceAccountIdentityOptions;
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
    return new MeshIdentity(identity, undefined);
  }

  /** `*`: every meshed client. */
  public static all(): MeshIdentity {
    return new MeshIdentity('*', undefined);
  }

  /**
   * The identity the control plane issues to pods running as a ServiceAccount,
   * `<name>.<namespace>.serviceaccount.identity.<controlPlaneNamespace>.<trustDomain>`; the control-plane namespace and
   * trust domain not given come from the tree where it is used.
   */
  public static serviceAccount(name: string, namespace: string, options: ServiceAccountIdentityOptions = {}): MeshIdentity {
    return new MeshIdentity(undefined, { name, namespace, options });
  }

  private constructor(private readonly literal: string | undefined, private readonly serviceAccount: ServiceAccountIdentity | undefined) {}

  /**
   * The identity string outside any construct tree: a ServiceAccount identity with the documented defaults for what
   * it was not given. Use {@link resolve} for the string a construct renders.
   */
  public get value(): string {
    return this.resolve();
  }

  /**
   * The identity string as a construct renders it: a ServiceAccount identity takes the control-plane namespace and
   * trust domain it was not given from the construct's tree ({@link LinkerdContext.of}).
   *
   * @param scope the construct that uses the identity; without one, the documented defaults apply
   */
  public resolve(scope?: IConstruct): string {
    if (this.serviceAccount === undefined) return this.literal!;
    const { name, namespace, options } = this.serviceAccount;
    const context = scope ? LinkerdContext.of(scope) : LinkerdContext.DEFAULTS;
    const controlPlane = options.controlPlaneNamespace ?? context.controlPlaneNamespace;
    const trustDomain = options.trustDomain ?? context.trustDomain;
    return serviceAccountIdentity(name, namespace, controlPlane, trustDomain);
  }

  /** The identity string, with the documented defaults ({@link value}). */
  public toString(): string {
    return this.value;
  }
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
