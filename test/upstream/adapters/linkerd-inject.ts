import { Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { LinkerdVersion } from '../../../src/linkerd';
import { MeshCoverage } from '../../../src/mesh';
import { nativeSidecarOf } from '../../../src/mesh/_annotations';
import { parsePortList } from '../../../src/mesh/port-range';
import { Adapter, OurVerdict } from '../_conformance';

interface InjectInput {
  /** `meshed`, `nativeSidecar`, or a port-list annotation key. */
  readonly read: string;
  readonly pod: Record<string, string>;
  /** The namespace's annotations; absent means the namespace is not declared in the app. */
  readonly namespace?: Record<string, string>;
  readonly hostNetwork?: boolean;
}

const VERSION = LinkerdVersion.V2_20;

/** The pod template (of a Deployment in namespace `demo`) and namespace, through the mesh model or the injector rules it uses. */
export const adapter: Adapter = (input: InjectInput): OurVerdict => {
  if (input.read === 'meshed') {
    const chart = new Chart(Testing.app(), 'conformance');
    if (input.namespace) new k8s.KubeNamespace(chart, 'ns', { metadata: { name: 'demo', annotations: input.namespace } });
    new k8s.KubeDeployment(chart, 'web', {
      metadata: { name: 'web', namespace: 'demo' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' }, annotations: input.pod },
          spec: { hostNetwork: input.hostNetwork, containers: [{ name: 'web', image: 'busybox:1.36' }] },
        },
      },
    });
    const [web] = MeshCoverage.of(chart, { version: VERSION }).workloads;
    return { verdict: 'accepted', parsed: web.meshed };
  }
  if (input.read === 'nativeSidecar') {
    return { verdict: 'accepted', parsed: nativeSidecarOf(VERSION, input.pod, input.namespace ?? {}, VERSION.nativeSidecarDefault) };
  }
  // a port list: the pod template's annotation, else the namespace's (AppendNamespaceAnnotations)
  const { ranges, invalid } = parsePortList(input.pod[input.read] ?? input.namespace?.[input.read] ?? '');
  return invalid.length > 0 ? { verdict: 'rejected', message: `invalid ports ${invalid.join(',')}` } : { verdict: 'accepted', parsed: ranges.join(',') };
};
