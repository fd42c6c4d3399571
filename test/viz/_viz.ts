import { Chart } from 'cdk8s';
import { LinkerdControlPlane, LinkerdControlPlaneOptions, LinkerdIdentity, LinkerdVersion, TrustAnchor } from '../../src/linkerd';
import { LinkerdViz, LinkerdVizOptions } from '../../src/viz';

/** A control plane and a viz extension in a chart; 2.12 uses the 2.12 identity recipe (a PEM anchor, no Bundle). */
export function vizFor(
  chart: Chart, options: LinkerdVizOptions = {}, version = LinkerdVersion.LATEST, cp: LinkerdControlPlaneOptions = {}, pem?: string,
): LinkerdViz {
  const identity = new LinkerdIdentity(chart, 'identity', pem ? { trustBundle: false, trustAnchor: TrustAnchor.fromPem(pem, 'root') } : {});
  const controlPlane = new LinkerdControlPlane(chart, 'cp', { identity, version, ...cp });
  return new LinkerdViz(chart, 'viz', { controlPlane, ...options });
}
