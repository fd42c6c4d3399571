import { Chart, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import { Deployment, k8s, LabelSelector, Probe, Protocol, ServiceAccount } from 'cdk8s-plus-25';
import { HttpRouteV1Beta3 } from '../../imports/policy.linkerd.io';
import { DefaultInboundPolicy, LinkerdVersion } from '../../src/linkerd';
import {
  allow, AuthenticationRef, AuthorizationPolicy, DemoWorkloads, IdentityRef, InjectMode, Mesh, MeshCoverageReport, MeshIdentity,
  MeshTLSAuthentication, NetworkAuthentication, PolicyTarget, PortRange, ProxyProtocol, Server, ServerPort,
} from '../../src/mesh';
import type { BadInput } from '../bad-inputs/cases';

const chart = () => new Chart(Testing.app(), 'platform', { namespace: 'demo' });

/**
 * A Deployment (`web` unless named) in namespace `demo`, with a ServiceAccount of its name and a named port `http` (8080),
 * optionally with an HTTP probe; unless `namespace` is false, it also makes namespace `demo`, meshed.
 */
function web(c: Chart, options: { name?: string; namespace?: boolean; probe?: string } = {}): Deployment {
  if (options.namespace ?? true) Mesh.inject(new k8s.KubeNamespace(c, 'ns', { metadata: { name: 'demo' } }));
  const name = options.name ?? 'web';
  const d = new Deployment(c, name, {
    metadata: { name, namespace: 'demo' },
    select: false,
    serviceAccount: new ServiceAccount(c, `${name}-sa`, { metadata: { name, namespace: 'demo' } }),
    containers: [{
      image: 'docker.io/hashicorp/http-echo:1.0.0',
      ports: [{ number: 8080, name: 'http' }],
      readiness: options.probe ? Probe.fromHttpGet(options.probe, { port: 8080 }) : undefined,
    }],
  });
  d.podMetadata.addLabel('app', name);
  d.select(LabelSelector.of({ labels: { app: name } }));
  return d;
}

const inject = (options: Parameters<typeof Mesh.inject>[1]) => () => Mesh.inject(web(chart(), { namespace: false }), options);
const server = (props: Partial<ConstructorParameters<typeof Server>[2]>) => () => {
  const c = chart();
  new Server(c, 'server', { workload: web(c), port: ServerPort.of(8080), ...props } as ConstructorParameters<typeof Server>[2]);
};
const network = (cidr: string, except?: string[]) => () => new NetworkAuthentication(chart(), 'office', { networks: [{ cidr, except }] });
const policy = (targetRef: PolicyTarget, refs: AuthenticationRef[], namespace = 'demo') => () =>
  new AuthorizationPolicy(chart(), 'policy', { metadata: { namespace }, targetRef, requiredAuthenticationRefs: refs });

/**
 * The mesh module's bad inputs, for the catalogue in test/bad-inputs/cases.ts (`...MESH_BAD_INPUTS`): one per rule of
 * src/mesh, each with the one error it produces.
 */
export const MESH_BAD_INPUTS: BadInput[] = [
  { id: 'mesh/inject-value', input: 'linkerd.io/inject "on"', run: inject({ mode: 'on' as InjectMode }) },
  { id: 'mesh/inject-target', input: 'meshing a ConfigMap', run: () => Mesh.inject(new k8s.KubeConfigMap(chart(), 'config', {})) },
  { id: 'mesh/port-range-reversed', input: 'skipInboundPorts 9000-8000', run: inject({ proxy: { skipInboundPorts: [PortRange.between(9000, 8000)] } }) },
  { id: 'mesh/port-range-bounds', input: 'opaquePorts 70000', run: inject({ proxy: { opaquePorts: [PortRange.of(70000)] } }) },
  { id: 'mesh/proxy-log-level', input: 'proxy logLevel "warn,linkerd=loud"', run: inject({ proxy: { logLevel: 'warn,linkerd=loud' } }) },
  {
    id: 'mesh/proxy-limit-below-request',
    input: 'proxy memory limit 64Mi under a 128Mi request',
    run: inject({ proxy: { memoryRequest: Size.mebibytes(128), memoryLimit: Size.mebibytes(64) } }),
  },
  {
    id: 'mesh/proxy-audit-version',
    input: 'proxy defaultInboundPolicy audit on Linkerd 2.14',
    run: inject({ version: LinkerdVersion.V2_14, proxy: { defaultInboundPolicy: DefaultInboundPolicy.AUDIT } }),
  },
  { id: 'mesh/proxy-native-sidecar-version', input: 'nativeSidecar on Linkerd 2.14', run: inject({ version: LinkerdVersion.V2_14, proxy: { nativeSidecar: true } }) },
  { id: 'mesh/proxy-default-inbound-policy', input: 'proxy defaultInboundPolicy "allow"', run: inject({ proxy: { defaultInboundPolicy: 'allow' as DefaultInboundPolicy } }) },
  { id: 'mesh/proxy-shutdown-grace-period', input: 'shutdownGracePeriod 0s', run: inject({ proxy: { shutdownGracePeriod: Duration.seconds(0) } }) },
  { id: 'mesh/proxy-settings-when-disabled', input: 'proxy settings with inject disabled', run: inject({ mode: InjectMode.DISABLED, proxy: { await: false } }) },
  {
    id: 'mesh/identity-syntax',
    input: 'MeshTLSAuthentication identity "Web_Clients.demo"',
    run: () => new MeshTLSAuthentication(chart(), 'clients', { identities: [MeshIdentity.of('Web_Clients.demo')] }),
  },
  {
    id: 'mesh/identity-spiffe-dot-segment',
    input: 'MeshTLSAuthentication identity "spiffe://corp.example/ns/../sa/api"',
    run: () => new MeshTLSAuthentication(chart(), 'clients', { identities: [MeshIdentity.of('spiffe://corp.example/ns/../sa/api')] }),
  },
  {
    id: 'mesh/identity-ref-group',
    input: 'a ServiceAccount identityRef patched to group apps',
    run: () => {
      const c = chart();
      new MeshTLSAuthentication(c, 'clients', { identityRefs: [IdentityRef.serviceAccount('api')] }).apiObject.addJsonPatch(JsonPatch.add('/spec/identityRefs/0/group', 'apps'));
      Testing.synth(c);
    },
  },
  {
    id: 'mesh/identities-and-identity-refs',
    input: 'identities and identityRefs together',
    run: () => new MeshTLSAuthentication(chart(), 'clients', { identities: [MeshIdentity.all()], identityRefs: [IdentityRef.namespace('demo')] }),
  },
  {
    id: 'mesh/identity-ref-namespace-scoped',
    input: 'a Namespace identityRef patched to have a namespace',
    run: () => {
      const c = chart();
      new MeshTLSAuthentication(c, 'clients', { identityRefs: [IdentityRef.namespace('demo')] }).apiObject.addJsonPatch(JsonPatch.add('/spec/identityRefs/0/namespace', 'x'));
      Testing.synth(c);
    },
  },
  {
    id: 'mesh/meshtls-authentication-empty',
    input: 'a MeshTLSAuthentication with no identities',
    run: () => {
      const c = chart();
      new MeshTLSAuthentication(c, 'clients');
      Testing.synth(c);
    },
  },
  { id: 'mesh/network-except-outside', input: 'except 10.1.0.0/24 outside cidr 10.0.0.0/16', run: network('10.0.0.0/16', ['10.1.0.0/24']) },
  { id: 'mesh/network-except-negates', input: 'except 10.0.0.0/8 covering cidr 10.0.0.0/16', run: network('10.0.0.0/16', ['10.0.0.0/8']) },
  { id: 'mesh/network-cidr', input: 'cidr 10.0.0.0/33', run: network('10.0.0.0/33') },
  { id: 'mesh/network-empty', input: 'no networks', run: () => new NetworkAuthentication(chart(), 'office', { networks: [] }) },
  {
    id: 'mesh/authentication-namespace',
    input: 'MeshTLSAuthentication in a chart without a namespace',
    run: () => new MeshTLSAuthentication(new Chart(Testing.app(), 'platform'), 'clients', { identities: [MeshIdentity.all()] }),
  },
  {
    id: 'mesh/network-authentication-namespace',
    input: 'NetworkAuthentication in a chart without a namespace',
    run: () => new NetworkAuthentication(new Chart(Testing.app(), 'platform'), 'office', { networks: [{ cidr: '10.0.0.0/8' }] }),
  },
  {
    id: 'mesh/policy-no-namespace',
    input: 'AuthorizationPolicy for an HTTPRoute by name, in a chart without a namespace',
    run: () => new AuthorizationPolicy(new Chart(Testing.app(), 'platform'), 'policy', { targetRef: PolicyTarget.httpRoute('route'), requiredAuthenticationRefs: [] }),
  },
  {
    id: 'mesh/policy-namespace-target',
    input: 'AuthorizationPolicy in demo targeting Namespace other',
    run: policy(PolicyTarget.namespace('other'), [AuthenticationRef.serviceAccount('api')]),
  },
  {
    id: 'mesh/policy-server-namespace',
    input: 'AuthorizationPolicy in other targeting a Server in demo',
    run: () => {
      const c = chart();
      const s = new Server(c, 'server', { workload: web(c), port: ServerPort.of(8080) });
      new AuthorizationPolicy(c, 'policy', { metadata: { namespace: 'other' }, targetRef: PolicyTarget.server(s), requiredAuthenticationRefs: [AuthenticationRef.serviceAccount('api')] });
    },
  },
  {
    id: 'mesh/policy-meshtls-and-service-account',
    input: 'a MeshTLSAuthentication and a ServiceAccount in one AuthorizationPolicy',
    run: () => {
      const c = chart();
      const clients = new MeshTLSAuthentication(c, 'clients', { identities: [MeshIdentity.all()] });
      new AuthorizationPolicy(c, 'policy', {
        targetRef: PolicyTarget.httpRoute('route'),
        requiredAuthenticationRefs: [AuthenticationRef.meshTLS(clients), AuthenticationRef.serviceAccount('api')],
      });
    },
  },
  {
    id: 'mesh/policy-refs-per-kind',
    input: 'two ServiceAccount refs in one AuthorizationPolicy',
    run: policy(PolicyTarget.httpRoute('route'), [AuthenticationRef.serviceAccount('api'), AuthenticationRef.serviceAccount('web')]),
  },
  {
    id: 'mesh/policy-target-kind',
    input: 'an AuthorizationPolicy patched to target a Service',
    run: () => {
      const c = chart();
      new AuthorizationPolicy(c, 'policy', { targetRef: PolicyTarget.httpRoute('route'), requiredAuthenticationRefs: [AuthenticationRef.serviceAccount('api')] })
        .apiObject.addJsonPatch(JsonPatch.replace('/spec/targetRef/kind', 'Service'), JsonPatch.remove('/spec/targetRef/group'));
      Testing.synth(c);
    },
  },
  { id: 'mesh/server-named-port', input: 'Server port "grpc" the pods do not name', run: server({ port: ServerPort.named('grpc') }) },
  { id: 'mesh/server-port-bounds', input: 'Server port 0', run: server({ port: ServerPort.of(0) }) },
  { id: 'mesh/server-port-name', input: 'Server port name "HTTP"', run: server({ port: ServerPort.named('HTTP') }) },
  { id: 'mesh/server-selector', input: 'Server with a workload and a podSelector', run: server({ podSelector: { app: 'web' } }) },
  { id: 'mesh/server-proxy-protocol', input: 'Server proxyProtocol "HTTP/3"', run: server({ proxyProtocol: 'HTTP/3' as ProxyProtocol }) },
  {
    id: 'mesh/server-access-policy-version',
    input: 'Server accessPolicy on Linkerd 2.14',
    run: server({ accessPolicy: DefaultInboundPolicy.DENY, version: LinkerdVersion.V2_14 }),
  },
  { id: 'mesh/server-namespace', input: 'Server in another namespace than its workload', run: server({ metadata: { namespace: 'other' } }) },
  {
    id: 'mesh/server-unmeshed',
    input: 'a Server on a workload that is not meshed',
    run: () => {
      const c = chart();
      new Server(c, 'server', { workload: web(c, { namespace: false }), port: ServerPort.of(8080) });
      Testing.synth(c);
    },
  },
  {
    id: 'mesh/server-overlap',
    input: 'two Servers selecting port 8080 of the same pods',
    run: () => {
      const c = chart();
      const w = web(c);
      new Server(c, 'a', { workload: w, port: ServerPort.named('http') });
      new Server(c, 'b', { workload: w, port: ServerPort.of(8080) });
      Testing.synth(c);
    },
  },
  {
    id: 'mesh/server-probes-with-routes',
    input: 'an HTTPRoute on a Server whose pods have HTTP probes, probes not authorized',
    run: () => {
      const c = chart();
      const s = allow(web(c, { name: 'api' }), web(c, { namespace: false, probe: '/health' }), ServerPort.named('http'));
      new HttpRouteV1Beta3(c, 'route', { metadata: { name: 'api', namespace: 'demo' }, spec: { parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: s.name }] } });
      Testing.synth(c);
    },
  },
  {
    id: 'mesh/server-probe-http2',
    input: 'an HTTP probe on the port of an HTTP/2 Server',
    run: () => {
      const c = chart();
      new Server(c, 'server', { workload: web(c, { probe: '/health' }), port: ServerPort.of(8080), proxyProtocol: ProxyProtocol.HTTP2 });
      Testing.synth(c);
    },
  },
  {
    id: 'mesh/server-probe-opaque',
    input: 'an HTTP probe on the port of an opaque Server that only meshed clients may call',
    run: () => {
      const c = chart();
      allow(web(c, { name: 'api' }), web(c, { namespace: false, probe: '/health' }), ServerPort.named('http'), { proxyProtocol: ProxyProtocol.OPAQUE });
      Testing.synth(c);
    },
  },
  {
    id: 'mesh/probes-without-routes',
    input: 'authorizeProbes on a Server no other HTTPRoute attaches to',
    run: () => {
      const c = chart();
      allow(web(c, { name: 'api' }), web(c, { namespace: false, probe: '/health' }), ServerPort.named('http')).authorizeProbes();
      Testing.synth(c);
    },
  },
  {
    id: 'mesh/probes-grpc',
    input: 'authorizeProbes on a gRPC Server',
    run: () => {
      const c = chart();
      new Server(c, 'server', { workload: web(c, { probe: '/health' }), port: ServerPort.of(8080), proxyProtocol: ProxyProtocol.GRPC }).authorizeProbes();
    },
  },
  {
    id: 'mesh/server-port-udp',
    input: 'a Server on a port name only a UDP container port has',
    run: () => {
      const c = chart();
      const w = web(c);
      w.containers[0].addPort({ number: 5353, name: 'dns', protocol: Protocol.UDP });
      new Server(c, 'server', { workload: w, port: ServerPort.named('dns') });
    },
  },
  {
    id: 'mesh/probes-not-found',
    input: 'authorizeProbes on pods without HTTP probes',
    run: () => {
      const c = chart();
      new Server(c, 'server', { workload: web(c), port: ServerPort.of(8080) }).authorizeProbes();
    },
  },
  {
    id: 'mesh/allow-peer',
    input: 'allowing a ConfigMap',
    run: () => {
      const c = chart();
      allow(new k8s.KubeConfigMap(c, 'config', {}), web(c), ServerPort.of(8080));
    },
  },
  {
    id: 'mesh/allow-protocol',
    input: 'two allows to one port with different protocols',
    run: () => {
      const c = chart();
      const w = web(c);
      allow(web(c, { namespace: false, name: 'api' }), w, ServerPort.of(8080), { proxyProtocol: ProxyProtocol.HTTP1 });
      allow(web(c, { namespace: false, name: 'ops' }), w, ServerPort.of(8080), { proxyProtocol: ProxyProtocol.GRPC });
    },
  },
  {
    id: 'mesh/coverage-strict',
    input: 'strict coverage with a Server port in skip-inbound-ports',
    run: () => {
      const c = chart();
      const w = web(c);
      Mesh.inject(w, { proxy: { skipInboundPorts: [PortRange.of(8080)] } });
      allow(web(c, { namespace: false, name: 'api' }), w, ServerPort.of(8080));
      new MeshCoverageReport(c, 'mtls', { strict: true });
      Testing.synth(c);
    },
  },
  {
    id: 'mesh/coverage-strict-default-policy',
    input: 'strict coverage, a Service to a meshed port no Server selects (default policy all-unauthenticated)',
    run: () => {
      const c = chart();
      web(c);
      new k8s.KubeService(c, 'svc', { metadata: { name: 'web', namespace: 'demo' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: k8s.IntOrString.fromNumber(8080) }] } });
      new MeshCoverageReport(c, 'mtls', { strict: true });
      Testing.synth(c);
    },
  },
  { id: 'mesh/coverage-path', input: 'coverage report path "mtls.json"', run: () => new MeshCoverageReport(chart(), 'mtls', { path: 'mtls.json' }) },
  { id: 'mesh/demo-namespace', input: 'DemoWorkloads namespace "Mesh_Demo"', run: () => new DemoWorkloads(chart(), 'demo', { namespace: 'Mesh_Demo' }) },
];
