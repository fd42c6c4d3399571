import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';
import { NetworkAuthentication as NetworkAuthenticationL1 } from '../../imports/policy.linkerd.io';
import { keepNamespace, requireNamespace } from '../_internal/namespaced';
import { validateRendered } from '../_internal/validated';
import { networkAuthenticationRules } from './network-authentication-rules';

/** A client network: a CIDR, minus exceptions inside it. */
export interface Network {
  /** The network, as a CIDR (`10.0.0.0/8`, `fd00::/8`) or a single address. */
  readonly cidr: string;
  /**
   * Networks or addresses inside `cidr` that are not included.
   *
   * @default - none
   */
  readonly except?: string[];
}

/** Props for {@link NetworkAuthentication}. */
export interface NetworkAuthenticationProps {
  /**
   * Name, namespace, labels and annotations.
   *
   * @default - a name generated from the construct path, in the chart's namespace (one of the two is required)
   */
  readonly metadata?: ApiObjectMetadata;
  /** The client networks; at least one. */
  readonly networks: Network[];
}

/**
 * Client networks an AuthorizationPolicy requires (`policy.linkerd.io/v1alpha1` NetworkAuthentication): a connection
 * is authenticated when it comes from any of them. On its own this authorizes clients that are not meshed, so the
 * traffic is not mTLS; combine it with a MeshTLSAuthentication to restrict meshed clients by network.
 *
 * Each `except` must lie inside its `cidr` without covering all of it.
 *
 * @see https://linkerd.io/2-edge/reference/authorization-policy/#networkauthentication
 */
export class NetworkAuthentication extends Construct {
  /** The generated object. */
  public readonly apiObject: ApiObject;
  /** The namespace: `metadata.namespace`, else the chart's. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: NetworkAuthenticationProps) {
    super(scope, id);
    this.namespace = requireNamespace(this, 'NetworkAuthentication', props.metadata?.namespace);
    this.apiObject = new NetworkAuthenticationL1(this, 'Resource', {
      metadata: { ...props.metadata, namespace: this.namespace },
      spec: { networks: props.networks.map(n => ({ cidr: n.cidr, except: n.except })) },
    });
    keepNamespace(this, this.apiObject, 'NetworkAuthentication');
    validateRendered(this, this.apiObject, networkAuthenticationRules);
  }

  /** The object name. */
  public get name(): string {
    return this.apiObject.name;
  }
}
