import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';
import { Problems } from '../_internal/problems';
import { keepNamespace, requireNamespace } from '../_internal/namespaced';
import { validateRendered } from '../_internal/validated';
import { NetworkAuthentication as NetworkAuthenticationL1 } from '../../imports/policy.linkerd.io';
import { cidrContains, parseCidr } from '../_internal/cidr';

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

/**
 * Linkerd's admission rules for a NetworkAuthentication, on the rendered object.
 *
 * @see linkerd/linkerd2@version-2.20:policy-controller/runtime/src/admission.rs:367-426
 * @internal
 */
export function networkAuthenticationRules(obj: any): string[] {
  const networks: any[] = obj.spec?.networks ?? [];
  const problems = new Problems();
  if (networks.length === 0) problems.add('networks must not be empty: give at least one network');
  for (const network of networks) {
    const cidr = parseCidr(String(network.cidr));
    if (!cidr) {
      problems.add(`network cidr ${JSON.stringify(network.cidr)} is not a CIDR or an IP address (e.g. 10.0.0.0/8, fd00::/8)`);
      continue;
    }
    for (const text of network.except ?? []) {
      const except = parseCidr(String(text));
      if (!except) {
        problems.add(`network ${network.cidr} except ${JSON.stringify(text)} is not a CIDR or an IP address`);
      } else if (cidrContains(except, cidr)) {
        problems.add(`network ${network.cidr} except ${JSON.stringify(text)} covers the whole cidr: an exception must leave part of its cidr`);
      } else if (!cidrContains(cidr, except)) {
        problems.add(`network ${network.cidr} except ${JSON.stringify(text)} is outside its cidr: an exception must lie inside ${network.cidr}`);
      }
    }
  }
  return [...problems.list];
}
