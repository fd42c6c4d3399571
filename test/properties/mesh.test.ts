import { Size } from 'cdk8s';
import { Cpu, Deployment, ServiceAccount, k8s } from 'cdk8s-plus-25';
import * as fc from 'fast-check';
import {
  allow, AuthenticationRef, AuthorizationPolicy, IdentityRef, Mesh, MeshIdentity, MeshTLSAuthentication, NetworkAuthentication, PolicyTarget,
  PortRange, ProxyProtocol, Server, ServerPort,
} from '../../src/mesh';
import { dnsLabel, mostly, RUNS, SEED, validOrTypedError } from './_property';

const port = mostly(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: -5, max: 70_000 }));
const portRange = fc.oneof(port.map(p => PortRange.of(p)), fc.tuple(port, port).map(([a, b]) => PortRange.between(a, b)));
const cidr = mostly(fc.tuple(fc.ipV4(), fc.integer({ min: 8, max: 32 })).map(([a, p]) => `${a}/${p}`), fc.string({ maxLength: 16 }));

const props = fc.record({
  namespace: mostly(dnsLabel, fc.string({ maxLength: 8 })),
  inject: fc.boolean(),
  skipInbound: fc.option(fc.array(portRange, { maxLength: 2 }), { nil: undefined }),
  opaque: fc.option(fc.array(portRange, { maxLength: 2 }), { nil: undefined }),
  cpuMillis: fc.option(fc.integer({ min: 1, max: 2000 }), { nil: undefined }),
  memoryMi: fc.option(fc.integer({ min: 1, max: 2000 }), { nil: undefined }),
  serverPort: mostly(fc.constant(ServerPort.named('http')), port.map(p => ServerPort.of(p))),
  protocol: fc.constantFrom(...Object.values(ProxyProtocol)),
  identities: fc.array(mostly(fc.stringMatching(/^[a-z]{1,6}\.[a-z]{1,6}\.serviceaccount\.identity\.linkerd\.cluster\.local$/), fc.string({ maxLength: 10 })), { maxLength: 2 }),
  networks: fc.array(fc.record({ cidr, except: fc.option(fc.array(cidr, { maxLength: 1 }), { nil: undefined }) }), { minLength: 1, maxLength: 2 }),
  useAllow: fc.boolean(),
});

describe(`mesh family, ${RUNS} cases (seed ${SEED})`, () => {
  test('injection, proxy options and policy: valid output or a typed error', () => {
    validOrTypedError(props, (chart, p) => {
      const ns = new k8s.KubeNamespace(chart, 'ns', { metadata: { name: p.namespace } });
      if (p.inject) Mesh.inject(ns);
      const sa = new ServiceAccount(chart, 'client-sa', { metadata: { name: 'client', namespace: p.namespace } });
      const server = new Deployment(chart, 'web', { metadata: { name: 'web', namespace: p.namespace }, containers: [{ image: 'nginx:1.27', ports: [{ number: 8080, name: 'http' }], securityContext: { ensureNonRoot: false } }] });
      Mesh.inject(server, { proxy: {
        skipInboundPorts: p.skipInbound, opaquePorts: p.opaque,
        cpuRequest: p.cpuMillis === undefined ? undefined : Cpu.millis(p.cpuMillis),
        memoryRequest: p.memoryMi === undefined ? undefined : Size.mebibytes(p.memoryMi),
      } });
      if (p.useAllow) {
        allow(sa, server, p.serverPort, { proxyProtocol: p.protocol });
      } else {
        const s = new Server(chart, 'server', { metadata: { name: 'web', namespace: p.namespace }, workload: server, port: p.serverPort, proxyProtocol: p.protocol });
        const tls = new MeshTLSAuthentication(chart, 'tls', { metadata: { name: 'clients', namespace: p.namespace },
          identities: p.identities.map(i => MeshIdentity.of(i)), identityRefs: p.identities.length === 0 ? [IdentityRef.serviceAccount('client', p.namespace)] : undefined });
        const net = new NetworkAuthentication(chart, 'net', { metadata: { name: 'nets', namespace: p.namespace }, networks: p.networks });
        new AuthorizationPolicy(chart, 'policy', { metadata: { name: 'web', namespace: p.namespace }, targetRef: PolicyTarget.server(s),
          requiredAuthenticationRefs: [AuthenticationRef.meshTLS(tls), AuthenticationRef.network(net)] });
      }
    });
  });
});
