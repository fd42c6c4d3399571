import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { IServiceAccount } from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { Problems } from '../_internal/problems';
import { throwIfProblems } from '../_internal/errors';
import { keepNamespace, requireNamespace } from '../_internal/namespaced';
import { validateRendered } from '../_internal/validated';
import { AuthorizationPolicy as AuthorizationPolicyL1 } from '../../imports/policy.linkerd.io';
import type { MeshTLSAuthentication } from './meshtls-authentication';
import type { NetworkAuthentication } from './network-authentication';
import { targetsKind } from '../_internal/target-kind';
import type { Server } from './server';

const POLICY_GROUP = 'policy.linkerd.io';
const GATEWAY_GROUP = 'gateway.networking.k8s.io';

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
    this.apiObject = new AuthorizationPolicyL1(this, 'Resource', {
      metadata: { ...props.metadata, namespace },
      spec: {
        targetRef: props.targetRef._toKube(),
        requiredAuthenticationRefs: props.requiredAuthenticationRefs.map(r => r._toKube(namespace)),
      },
    });
    const own = this.namespace;
    if (props.targetRef.namespace !== undefined && props.targetRef.namespace !== own) {
      throwIfProblems([`targetRef ${props.targetRef.kind} ${props.targetRef.namespace}/${props.targetRef.name} is in another namespace than the policy (${own}): `
        + 'an AuthorizationPolicy can only target objects of its own namespace'], this);
    }
    keepNamespace(this, this.apiObject, 'AuthorizationPolicy');
    validateRendered(this, this.apiObject, authorizationPolicyRules);
  }

  /** The object name. */
  public get name(): string {
    return this.apiObject.name;
  }
}


const TARGET_KINDS: ReadonlyArray<[string, string]> = [
  [POLICY_GROUP, 'Server'], [POLICY_GROUP, 'HTTPRoute'], [GATEWAY_GROUP, 'HTTPRoute'], [GATEWAY_GROUP, 'GRPCRoute'], ['', 'Namespace'],
];
const AUTHENTICATION_KINDS: ReadonlyArray<[string, string]> = [
  [POLICY_GROUP, 'MeshTLSAuthentication'], [POLICY_GROUP, 'NetworkAuthentication'], ['', 'ServiceAccount'],
];

/**
 * Linkerd's admission rules for an AuthorizationPolicy, on the rendered object: the target kinds the index reads, a
 * Namespace target only of the policy's own namespace, at most one authentication of each kind, and not a
 * MeshTLSAuthentication with a ServiceAccount. Kinds compare as {@link targetsKind} does.
 *
 * @see linkerd/linkerd2@version-2.20:policy-controller/runtime/src/admission.rs:243-306
 * @see linkerd/linkerd2@version-2.20:policy-controller/k8s/index/src/inbound/authorization_policy.rs:64-107
 * @internal
 */
export function authorizationPolicyRules(obj: any): string[] {
  const problems = new Problems();
  const namespace = obj.metadata?.namespace ?? 'default';
  const target = obj.spec?.targetRef ?? {};
  const targetKind = TARGET_KINDS.find(([g, k]) => targetsKind(target, g, k));
  if (!targetKind) {
    problems.add(`targetRef ${JSON.stringify([target.group, target.kind].filter(Boolean).join('/'))} is not allowed: target a policy.linkerd.io Server or HTTPRoute, `
      + 'a gateway.networking.k8s.io HTTPRoute or GRPCRoute, or a Namespace');
  } else if (targetKind[1] === 'Namespace' && target.name !== namespace) {
    problems.add(`targetRef Namespace ${JSON.stringify(target.name)} cannot target another namespace: an AuthorizationPolicy in ${namespace} can only target Namespace ${namespace}`);
  }
  const refs = obj.spec?.requiredAuthenticationRefs;
  if (!Array.isArray(refs)) problems.add('requiredAuthenticationRefs must be a list (empty to deny every client)');
  const counts = new Map<string, number>();
  for (const ref of Array.isArray(refs) ? refs : []) {
    const kind = AUTHENTICATION_KINDS.find(([g, k]) => targetsKind(ref, g, k))?.[1];
    if (kind === undefined) {
      problems.add(`requiredAuthenticationRef ${JSON.stringify([ref.group, ref.kind].filter(Boolean).join('/'))} is not allowed: `
        + 'use a policy.linkerd.io MeshTLSAuthentication or NetworkAuthentication, or a ServiceAccount');
      continue;
    }
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  for (const [kind, count] of counts) {
    if (count > 1) problems.add(`requiredAuthenticationRefs has ${count} ${kind} refs: at most one of each kind is allowed (all of them must match)`);
  }
  if (counts.has('MeshTLSAuthentication') && counts.has('ServiceAccount')) {
    problems.add('requiredAuthenticationRefs has a MeshTLSAuthentication and a ServiceAccount: they may not be set together (put the ServiceAccount in the MeshTLSAuthentication)');
  }
  return [...problems.list];
}
