import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { ControlPlaneNamespace } from './linkerd/control-plane-namespace';
import { LinkerdIdentity, LinkerdIdentityProps } from './linkerd/identity';

/** Props for {@link LinkerdPlatform}. */
export interface LinkerdPlatformProps extends ChartProps {
  /**
   * The identity chain.
   *
   * @default - LinkerdIdentity's defaults: an in-cluster self-signed anchor, a 48h identity issuer, a trust-manager Bundle
   */
  readonly identity?: LinkerdIdentityProps;
}

/**
 * The default platform that `npm run synth` renders into dist/: the control-plane namespace and Linkerd's identity
 * chain from cert-manager and trust-manager.
 *
 * Every object has an explicit name, so the output does not depend on construct paths.
 */
export class LinkerdPlatform extends Chart {
  /** The control-plane namespace. */
  public readonly controlPlaneNamespace: ControlPlaneNamespace;
  /** The identity chain. */
  public readonly identity: LinkerdIdentity;

  constructor(scope: Construct, id: string, props: LinkerdPlatformProps = {}) {
    super(scope, id, props);
    this.controlPlaneNamespace = new ControlPlaneNamespace(this, 'namespace', { name: props.identity?.namespace });
    this.identity = new LinkerdIdentity(this, 'identity', props.identity);
  }
}
