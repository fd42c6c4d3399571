import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-25';
import { DefaultInboundPolicy, LinkerdControlPlane, LinkerdIdentity, LinkerdVersion } from '../../src/linkerd';
import { ProxyOptions } from '../../src/mesh';
import { proxyAnnotations } from '../../src/mesh/proxy-options';
import { testChart } from '../_util';

/** The problem the control plane reports for proxy settings, without its construct path. */
function controlPlaneProblem(proxy: ProxyOptions, version = LinkerdVersion.LATEST): string {
  const chart = testChart();
  const identity = new LinkerdIdentity(chart, 'identity');
  try {
    new LinkerdControlPlane(chart, 'cp', {
      identity, version,
      proxyResources: { cpuRequest: proxy.cpuRequest, cpuLimit: proxy.cpuLimit, memoryRequest: proxy.memoryRequest, memoryLimit: proxy.memoryLimit },
      proxyLogLevel: proxy.logLevel,
      defaultInboundPolicy: proxy.defaultInboundPolicy,
    });
  } catch (e) {
    return (e as Error).message.replace(/^\[test\/cp\] /, '');
  }
  throw new Error('the control plane accepted the settings');
}

// issue 14 §2: one definition of the proxy's resources, log level and default inbound policy, one message per rule,
// whether the control plane (chart values) or ProxyOptions (annotations) sets it
describe('proxy settings: the control plane and ProxyOptions share each rule and its message', () => {
  test.each<[string, ProxyOptions, LinkerdVersion?]>([
    ['a CPU limit below the request', { cpuRequest: Cpu.millis(500), cpuLimit: Cpu.millis(100) }],
    ['a memory limit below the request', { memoryRequest: Size.gibibytes(1), memoryLimit: Size.mebibytes(512) }],
    ['an empty log level', { logLevel: '' }],
    ['a log level that is not env_logger syntax', { logLevel: 'warn,linkerd=loud' }],
    ['an unknown default inbound policy', { defaultInboundPolicy: 'allow' as DefaultInboundPolicy }],
    ['audit before 2.16', { defaultInboundPolicy: DefaultInboundPolicy.AUDIT }, LinkerdVersion.V2_14],
  ])('fails on %s with one message', (_what, proxy, version = LinkerdVersion.LATEST) => {
    const { problems } = proxyAnnotations(proxy, version);
    expect(problems).toHaveLength(1);
    expect(controlPlaneProblem(proxy, version)).toBe(problems[0]);
  });

  test('valid settings pass both, and render the same quantities', () => {
    const proxy: ProxyOptions = { cpuRequest: Cpu.millis(100), cpuLimit: Cpu.units(1), memoryRequest: Size.mebibytes(20), memoryLimit: Size.mebibytes(250), logLevel: 'warn,linkerd=info' };
    const { annotations, problems } = proxyAnnotations(proxy, LinkerdVersion.LATEST);
    expect(problems).toStrictEqual([]);
    const chart = testChart();
    const cp = new LinkerdControlPlane(chart, 'cp', { identity: new LinkerdIdentity(chart, 'identity'), proxyResources: proxy, proxyLogLevel: proxy.logLevel });
    expect(cp.helmValues.proxy.resources).toStrictEqual({
      cpu: { request: annotations['config.linkerd.io/proxy-cpu-request'], limit: annotations['config.linkerd.io/proxy-cpu-limit'] },
      memory: { request: annotations['config.linkerd.io/proxy-memory-request'], limit: annotations['config.linkerd.io/proxy-memory-limit'] },
    });
    expect(cp.helmValues.proxy.resources).toStrictEqual({ cpu: { request: '100m', limit: '1' }, memory: { request: '20Mi', limit: '250Mi' } });
  });
});
