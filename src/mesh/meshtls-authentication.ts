import { ApiObject, ApiObjectMetadata, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { MeshTlsAuthentication as MeshTlsAuthenticationL1 } from '../../imports/policy.linkerd.io';
import { throwIfProblems } from '../_internal/errors';
import { keepNamespace, requireNamespace } from '../_internal/namespaced';
import { validateRendered, validateWritten } from '../_internal/validated';
import { LinkerdContext } from '../linkerd/context';
import { IdentityRef, MeshIdentity } from './identity';
import { meshTlsAuthenticationRules } from './meshtls-authentication-rules';

/** Props for {@link MeshTLSAuthentication}. */
export interface MeshTLSAuthenticationProps {
  /**
   * Name, namespace, labels and annotations.
   *
   * @default - a name generated from the construct path, in the chart's namespace (one of the two is required)
   */
  readonly metadata?: ApiObjectMetadata;
  /**
   * The client identities, as strings. Give identities or identityRefs, not both.
   *
   * @default - none
   */
  readonly identities?: MeshIdentity[];
  /**
   * The client identities, as references to ServiceAccounts or Namespaces. Give identities or identityRefs, not both.
   *
   * @default - none
   */
  readonly identityRefs?: IdentityRef[];
}

/**
 * The meshed clients an AuthorizationPolicy requires (`policy.linkerd.io/v1alpha1` MeshTLSAuthentication): a
 * connection is authenticated when its mTLS identity matches any of them.
 *
 * Identities must be DNS-like or `spiffe://` IDs; identities and identityRefs are mutually exclusive, and one of them
 * must have at least one entry by synth time. In the tree of a control plane ({@link LinkerdContext}), ServiceAccount
 * identities take its control-plane namespace and trust domain, and a DNS-like identity it cannot issue (another trust
 * domain or namespace) fails.
 *
 * @see https://linkerd.io/2-edge/reference/authorization-policy/#meshtlsauthentication
 */
export class MeshTLSAuthentication extends Construct {
  /** The generated object. */
  public readonly apiObject: ApiObject;
  /** The namespace: `metadata.namespace`, else the chart's. */
  public readonly namespace: string;
  private readonly identities: MeshIdentity[] = [];
  private readonly identityRefs: IdentityRef[] = [];

  constructor(scope: Construct, id: string, props: MeshTLSAuthenticationProps = {}) {
    super(scope, id);
    this.identities.push(...props.identities ?? []);
    this.identityRefs.push(...props.identityRefs ?? []);
    this.namespace = requireNamespace(this, 'MeshTLSAuthentication', props.metadata?.namespace);
    this.apiObject = new MeshTlsAuthenticationL1(this, 'Resource', {
      metadata: { ...props.metadata, namespace: this.namespace },
      spec: {
        identities: Lazy.any({ produce: () => this.writtenIdentities() }),
        identityRefs: Lazy.any({ produce: () => this.writtenIdentityRefs() }),
      },
    });
    keepNamespace(this, this.apiObject, 'MeshTLSAuthentication');
    const rules = (obj: any) => meshTlsAuthenticationRules(obj, LinkerdContext.tryOf(this));
    let spec: object | undefined;
    try {
      spec = { identities: this.writtenIdentities(), identityRefs: this.writtenIdentityRefs() };
    } catch {
      // what the Lazy values cannot produce, rendering reports ("cannot be rendered")
    }
    // checked as written: the rules read only the spec, which the CRD class passes through as the Lazy values produce it
    // (imports/policy.linkerd.io.ts toJson_MeshTlsAuthenticationSpec)
    if (spec === undefined) validateRendered(this, this.apiObject, rules);
    else validateWritten(this, this.apiObject, { spec }, rules, props.metadata);
    this.node.addValidation({
      validate: () => this.identities.length + this.identityRefs.length === 0 ? ['has no identities and no identityRefs: it would authenticate nobody'] : [],
    });
  }

  /** The object name. */
  public get name(): string {
    return this.apiObject.name;
  }

  /** Adds identity strings; checked at once. */
  public addIdentities(...identities: MeshIdentity[]): void {
    this.identities.push(...identities);
    throwIfProblems(meshTlsAuthenticationRules(this.apiObject.toJson(), LinkerdContext.tryOf(this)), this);
  }

  /** Adds references to ServiceAccounts or Namespaces; one already there is skipped. */
  public addIdentityRefs(...refs: IdentityRef[]): void {
    for (const ref of refs) if (!this.identityRefs.some(r => r._equals(ref))) this.identityRefs.push(ref);
    throwIfProblems(meshTlsAuthenticationRules(this.apiObject.toJson(), LinkerdContext.tryOf(this)), this);
  }

  /** The identities as rendered: each resolved in this tree ({@link MeshIdentity.resolve}); omitted when none. */
  private writtenIdentities(): string[] | undefined {
    return this.identities.length > 0 ? this.identities.map(i => i.resolve(this)) : undefined;
  }

  /** The identityRefs as rendered; omitted when none. */
  private writtenIdentityRefs(): object[] | undefined {
    return this.identityRefs.length > 0 ? this.identityRefs.map(r => r._toKube()) : undefined;
  }
}
