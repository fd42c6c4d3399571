import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { clusterScoped } from '../_internal/cluster-scoped';
import { dns1123LabelProblem } from '../_internal/names';
import { Problems } from '../_internal/problems';

/** Pod Security Standard levels for `pod-security.kubernetes.io/enforce`. */
export enum PodSecurityLevel {
  /** No restrictions: what the proxy-init container (NET_ADMIN) needs. */
  PRIVILEGED = 'privileged',
  /** Restricted: possible when the Linkerd CNI plugin replaces proxy-init. */
  RESTRICTED = 'restricted',
}

/** Props for {@link ControlPlaneNamespace}. */
export interface ControlPlaneNamespaceProps {
  /**
   * The namespace name.
   *
   * @default 'linkerd'
   */
  readonly name?: string;
  /**
   * The Pod Security Standard enforced in the namespace.
   *
   * @default PodSecurityLevel.PRIVILEGED
   */
  readonly podSecurity?: PodSecurityLevel;
}

/**
 * The control-plane Namespace with the labels `linkerd install` would set.
 *
 * The chart renders it only for the CLI; under Helm or Argo CD it must come from elsewhere. The
 * `linkerd.io/is-control-plane: "true"` label is what the identity trust-roots Bundle selects.
 */
export class ControlPlaneNamespace extends Construct {
  /** The generated `Namespace` object. */
  public readonly apiObject: ApiObject;
  /** The namespace name. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: ControlPlaneNamespaceProps = {}) {
    super(scope, id);
    this.name = props.name ?? 'linkerd';
    new Problems().add(dns1123LabelProblem('name', this.name)).throwIfAny(this);
    this.apiObject = new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: this.name,
        annotations: { 'linkerd.io/inject': 'disabled' },
        labels: {
          'linkerd.io/is-control-plane': 'true',
          'config.linkerd.io/admission-webhooks': 'disabled',
          'linkerd.io/control-plane-ns': this.name,
          'pod-security.kubernetes.io/enforce': props.podSecurity ?? PodSecurityLevel.PRIVILEGED,
        },
      },
    });
    clusterScoped(this.apiObject);
  }
}
