import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-25';

/**
 * Resource requests and limits of the Linkerd proxy: cluster-wide on {@link LinkerdControlPlane} (`proxyResources`,
 * the chart's `proxy.resources`), and per namespace or workload in the mesh's `ProxyOptions`
 * (`config.linkerd.io/proxy-{cpu,memory}-{request,limit}`), which wins over the control plane's. Both are checked by
 * the same rules, with the same messages.
 *
 * @see https://linkerd.io/2-edge/reference/proxy-configuration/
 */
export interface ProxyResources {
  /**
   * CPU request.
   *
   * @default - unset: on the control plane the chart's default (none); on a namespace or workload the control plane's
   */
  readonly cpuRequest?: Cpu;
  /**
   * CPU limit; not below the request.
   *
   * @default - unset: on the control plane the chart's default (none); on a namespace or workload the control plane's
   */
  readonly cpuLimit?: Cpu;
  /**
   * Memory request.
   *
   * @default - unset: on the control plane the chart's default (none; the HA profile: 20Mi); on a namespace or
   * workload the control plane's
   */
  readonly memoryRequest?: Size;
  /**
   * Memory limit; not below the request.
   *
   * @default - unset: on the control plane the chart's default (none; the HA profile: 250Mi); on a namespace or
   * workload the control plane's
   */
  readonly memoryLimit?: Size;
}
