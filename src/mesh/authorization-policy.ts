import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { IServiceAccount } from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { AuthorizationPolicy as AuthorizationPolicyL1 } from '../../imports/policy.linkerd.io';
import { throwIfProblems } from '../_internal/errors';
import { keepNamespace, requireNamespace } from '../_internal/namespaced';
import { validateWritten } from '../_internal/validated';
import { authorizationPolicyRules } from './authorization-policy-rules';
import type { MeshTLSAuthentication } from './meshtls-authentication';
import type { NetworkAuthentication } from './network-authentication';
import type { Server } from './server';

const POLICY_GROUP = 'policy.linkerd.io';

/** What an AuthorizationPolicy applies to: a Server, an HTTPRoute or GRPCRoute, or the policy's own Namespace. */
export class PolicyTarget {
  /** All traffic to a Server. */
  public static server(server: Server): PolicyTarget {
    return new PolicyTarget(POLICY_GROUP, 'Server', server.name, server.namespace);
  }

  /** The requests matching a route: a policy.linkerd.io or Gateway API HTTPRoute, or a Gateway API GRPCRoute, whose parent is a Server. */
  public static route(route: ApiObject): PolicyTarget {
    return new PolicyTarget(route.apiGroup, route.kind, route.name, route.metadata.namespace ?? 'default');
  }

  /** A policy.linkerd.io HTTPRoute of the policy's namespace, by name. */
  public static httpRoute(name: string): PolicyTarget {
    return new PolicyTarget(POLICY_GROUP, 'HTTPRoute', name, undefined);
  }

  /** Every Server of a namespace, which must be the policy's own. */
  public static namespace(name: string): PolicyTarget {
    return new PolicyTarget('', 'Namespace', name, undefined);
  }

  private constructor(
    /** The API group (`''` for core). */
    public readonly group: string,
    /** The kind. */
    public readonly kind: string,
    /** The name. */
    public readonly name: string,
    /** The referent's namespace, when the target is an object of this app. */
    public readonly namespace: string | undefined,
  ) {}

  /** @internal */
  public _toKube(): { group?: string; kind: string; name: string } {
    return { ...(this.group === '' ? {} : { group: this.group }), kind: this.kind, name: this.name };
  }
}

/** An authentication an AuthorizationPolicy requires: a MeshTLSAuthentication, a NetworkAuthentication or a ServiceAccount. */
export class AuthenticationRef {
  /** Clients with one of a MeshTLSAuthentication's identities. */
  public static meshTLS(authentication: MeshTLSAuthentication): AuthenticationRef {
    return new AuthenticationRef(POLICY_GROUP, 'MeshTLSAuthentication', authentication.name, authentication.namespace);
  }

  /** Clients from one of a NetworkAuthentication's networks. */
  public static network(authentication: NetworkAuthentication): AuthenticationRef {
    return new AuthenticationRef(POLICY_GROUP, 'NetworkAuthentication', authentication.name, authentication.namespace);
  }

  /** Meshed clients running as a ServiceAccount. */
  public static serviceAccount(name: string, namespace?: string): AuthenticationRef {
    return new AuthenticationRef('', 'ServiceAccount', name, namespace);
  }

  /** Meshed clients running as a cdk8s-plus ServiceAccount. */
  public static fromServiceAccount(serviceAccount: IServiceAccount): AuthenticationRef {
    const subject = serviceAccount.toSubjectConfiguration();
    return new AuthenticationRef('', 'ServiceAccount', subject.name, subject.namespace);
  }

  private constructor(
    /** The API group (`''` for core). */
    public readonly group: string,
    /** The kind. */
    public readonly kind: string,
    /** The name. */
    public readonly name: string,
    /** The namespace; undefined means the policy's own. */
    public readonly namespace: string | undefined,
  ) {}

  /** @internal */
  public _toKube(policyNamespace: string): { group?: string; kind: string; name: string; namespace?: string } {
    return {
      ...(this.group === '' ? {} : { group: this.group }),
      kind: this.kind,
      name: this.name,
      ...(this.namespace === undefined || this.namespace === policyNamespace ? {} : { namespace: this.namespace }),
    };
  }
}

/** Props for {@link AuthorizationPolicy}. */
export interface AuthorizationPolicyProps {
  /**
   * Name, namespace, labels and annotations.
   *
   * @default - a name generated from the construct path, in the target's namespace, else the chart's (one is required)
   */
  readonly metadata?: ApiObjectMetadata;
  /** What the policy applies to; it must be in the policy's namespace. */
  readonly targetRef: PolicyTarget;
  /** The authentications a client must ALL satisfy: at most one of each kind, and not a MeshTLSAuthentication together with a ServiceAccount. */
  readonly requiredAuthenticationRefs: AuthenticationRef[];
}

/**
 * Authorizes clients to reach a Server, a route or a namespace (`policy.linkerd.io/v1alpha1` AuthorizationPolicy).
 *
 * Linkerd's admission rules apply at construction and at synth: the target is in the policy's own namespace ("cannot
 * target another namespace"), at most one authentication of each kind, and a MeshTLSAuthentication and a
 * ServiceAccount never together.
 *
 * @see https://linkerd.io/2-edge/reference/authorization-policy/#authorizationpolicy
 */
export class AuthorizationPolicy extends Construct {
  /** The generated object. */
  public readonly apiObject: ApiObject;
  /** What the policy applies to. */
  public readonly targetRef: PolicyTarget;
  /** The namespace: `metadata.namespace`, else the target's, else the chart's. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: AuthorizationPolicyProps) {
    super(scope, id);
    this.targetRef = props.targetRef;
    const namespace = requireNamespace(this, 'AuthorizationPolicy', props.metadata?.namespace ?? props.targetRef.namespace);
    this.namespace = namespace;
    const metadata = { ...props.metadata, namespace };
    const spec = {
      targetRef: props.targetRef._toKube(),
      requiredAuthenticationRefs: props.requiredAuthenticationRefs.map(r => r._toKube(namespace)),
    };
    this.apiObject = new AuthorizationPolicyL1(this, 'Resource', { metadata, spec });
    const own = this.namespace;
    if (props.targetRef.namespace !== undefined && props.targetRef.namespace !== own) {
      throwIfProblems([`targetRef ${props.targetRef.kind} ${props.targetRef.namespace}/${props.targetRef.name} is in another namespace than the policy (${own}): `
        + 'an AuthorizationPolicy can only target objects of its own namespace'], this);
    }
    keepNamespace(this, this.apiObject, 'AuthorizationPolicy');
    // checked as written: the rules read the namespace and the refs' group, kind and name, which the CRD class passes
    // through as they are (imports/policy.linkerd.io.ts toJson_AuthorizationPolicySpec)
    validateWritten(this, this.apiObject, { metadata: { namespace }, spec }, authorizationPolicyRules, metadata);
  }

  /** The object name. */
  public get name(): string {
    return this.apiObject.name;
  }
}
