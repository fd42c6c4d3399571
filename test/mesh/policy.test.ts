import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import { k8s, Protocol, ServiceAccount } from 'cdk8s-plus-25';
import { HttpRouteV1Beta3, HttpRouteV1Beta3SpecRulesMatchesPathType } from '../../imports/policy.linkerd.io';
import { DefaultInboundPolicy, LinkerdVersion } from '../../src/linkerd';
import {
  allow, AuthenticationRef, AuthorizationPolicy, InjectMode, IdentityRef, Mesh, MeshTLSAuthentication, NetworkAuthentication, PolicyTarget,
  PortRange, ProxyProtocol, Server, ServerPort,
} from '../../src/mesh';
import { synthKind, testChart } from '../_util';
import { deployment, namespace, synthOne, warnings } from './_fixtures';

function meshedChart() {
  const chart = testChart();
  Mesh.inject(namespace(chart, 'demo'));
  return chart;
}

describe('AuthorizationPolicy', () => {
  test('targets a Server in its own namespace with the required authentications', () => {
    // GIVEN
    const chart = meshedChart();
    const web = deployment(chart, 'web', { port: 8080 });
    const server = new Server(chart, 'server', { workload: web, port: ServerPort.of(8080) });
    const clients = new MeshTLSAuthentication(chart, 'clients', { metadata: { name: 'web-clients', namespace: 'demo' }, identityRefs: [IdentityRef.serviceAccount('api')] });
    const office = new NetworkAuthentication(chart, 'office', { metadata: { name: 'office', namespace: 'demo' }, networks: [{ cidr: '10.0.0.0/8' }] });
    // WHEN
    new AuthorizationPolicy(chart, 'policy', {
      metadata: { name: 'web' },
      targetRef: PolicyTarget.server(server),
      requiredAuthenticationRefs: [AuthenticationRef.meshTLS(clients), AuthenticationRef.network(office)],
    });
    // THEN the policy inherits the target's namespace
    expect(synthOne(chart, 'AuthorizationPolicy', 'web')).toStrictEqual({
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'web', namespace: 'demo' },
      spec: {
        targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'web-8080' },
        requiredAuthenticationRefs: [
          { group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'web-clients' },
          { group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'office' },
        ],
      },
    });
  });

  test('targets its own Namespace, or a ServiceAccount of another namespace', () => {
    const chart = testChart();
    const sa = new ServiceAccount(chart, 'sa', { metadata: { name: 'api', namespace: 'other' } });
    new AuthorizationPolicy(chart, 'policy', {
      metadata: { name: 'all', namespace: 'demo' },
      targetRef: PolicyTarget.namespace('demo'),
      requiredAuthenticationRefs: [AuthenticationRef.fromServiceAccount(sa)],
    });
    expect(synthOne(chart, 'AuthorizationPolicy', 'all').spec).toStrictEqual({
      targetRef: { kind: 'Namespace', name: 'demo' },
      requiredAuthenticationRefs: [{ kind: 'ServiceAccount', name: 'api', namespace: 'other' }],
    });
  });

  test('fails on a Namespace target that is not its own namespace', () => {
    expect(() => new AuthorizationPolicy(testChart(), 'policy', {
      metadata: { namespace: 'demo' },
      targetRef: PolicyTarget.namespace('other'),
      requiredAuthenticationRefs: [AuthenticationRef.serviceAccount('api')],
    })).toThrow(/^\[test\/policy\] targetRef Namespace "other" cannot target another namespace: an AuthorizationPolicy in demo can only target Namespace demo$/);
  });

  test('fails on a Server of another namespace', () => {
    const chart = meshedChart();
    const server = new Server(chart, 'server', { workload: deployment(chart, 'web', { port: 8080 }), port: ServerPort.of(8080) });
    expect(() => new AuthorizationPolicy(chart, 'policy', {
      metadata: { namespace: 'other' },
      targetRef: PolicyTarget.server(server),
      requiredAuthenticationRefs: [AuthenticationRef.serviceAccount('api')],
    })).toThrow(/^\[test\/policy\] targetRef Server demo\/web-8080 is in another namespace than the policy \(other\): an AuthorizationPolicy can only target objects of its own namespace$/);
  });

  test('fails on a MeshTLSAuthentication together with a ServiceAccount', () => {
    const chart = testChart();
    const clients = new MeshTLSAuthentication(chart, 'clients', { metadata: { namespace: 'demo' }, identities: [] });
    clients.addIdentityRefs(IdentityRef.namespace('demo'));
    expect(() => new AuthorizationPolicy(chart, 'policy', {
      metadata: { namespace: 'demo' },
      targetRef: PolicyTarget.httpRoute('route'),
      requiredAuthenticationRefs: [AuthenticationRef.meshTLS(clients), AuthenticationRef.serviceAccount('api')],
    })).toThrow(/^\[test\/policy\] requiredAuthenticationRefs has a MeshTLSAuthentication and a ServiceAccount: they may not be set together \(put the ServiceAccount in the MeshTLSAuthentication\)$/);
  });

  test('fails on two refs of one kind', () => {
    expect(() => new AuthorizationPolicy(testChart(), 'policy', {
      metadata: { namespace: 'demo' },
      targetRef: PolicyTarget.httpRoute('route'),
      requiredAuthenticationRefs: [AuthenticationRef.serviceAccount('api'), AuthenticationRef.serviceAccount('web')],
    })).toThrow(/^\[test\/policy\] requiredAuthenticationRefs has 2 ServiceAccount refs: at most one of each kind is allowed \(all of them must match\)$/);
  });

  test('fails at synth on a target kind Linkerd does not know, set through the escape hatch', () => {
    const chart = testChart();
    const policy = new AuthorizationPolicy(chart, 'policy', {
      metadata: { namespace: 'demo' }, targetRef: PolicyTarget.httpRoute('route'), requiredAuthenticationRefs: [AuthenticationRef.serviceAccount('api')],
    });
    policy.apiObject.addJsonPatch(JsonPatch.replace('/spec/targetRef/kind', 'Service'), JsonPatch.remove('/spec/targetRef/group'));
    expect(() => Testing.synth(chart)).toThrow(/\[test\/policy\] targetRef "Service" is not allowed: target a policy\.linkerd\.io Server or HTTPRoute, a gateway\.networking\.k8s\.io HTTPRoute or GRPCRoute, or a Namespace/);
  });

  test('takes its target\'s namespace, else the chart\'s, and fails without one', () => {
    const chart = meshedChart();
    const server = new Server(chart, 'server', { workload: deployment(chart, 'web', { port: 8080 }), port: ServerPort.of(8080) });
    expect(new AuthorizationPolicy(chart, 'policy', { targetRef: PolicyTarget.server(server), requiredAuthenticationRefs: [] }).namespace).toBe('demo');
    const namespaced = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    const policy = new AuthorizationPolicy(namespaced, 'policy', { targetRef: PolicyTarget.httpRoute('route'), requiredAuthenticationRefs: [] });
    expect(policy.namespace).toBe('shop');
    expect(synthKind(namespaced, 'AuthorizationPolicy')[0].metadata.namespace).toBe('shop');
    expect(() => new AuthorizationPolicy(testChart(), 'policy', { targetRef: PolicyTarget.httpRoute('route'), requiredAuthenticationRefs: [] }))
      .toThrow(/^\[test\/policy\] an AuthorizationPolicy is namespaced and has no namespace: set metadata\.namespace or the chart's namespace/);
  });
});

describe('Server', () => {
  test('selects a workload\'s pods on a named port, as policy.linkerd.io/v1beta3 on 2.20', () => {
    const chart = meshedChart();
    const web = deployment(chart, 'web', { port: 8080 });
    new Server(chart, 'server', { workload: web, port: ServerPort.named('http'), proxyProtocol: ProxyProtocol.HTTP2, accessPolicy: DefaultInboundPolicy.AUDIT });
    expect(synthKind(chart, 'Server')).toStrictEqual([{
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: 'web-http', namespace: 'demo' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, port: 'http', proxyProtocol: 'HTTP/2', accessPolicy: 'audit' },
    }]);
  });

  test('is policy.linkerd.io/v1beta1 before 2.16, and selects by labels', () => {
    const chart = testChart();
    new Server(chart, 'server', { metadata: { name: 'db', namespace: 'data' }, podSelector: { app: 'db' }, port: ServerPort.of(5432), version: LinkerdVersion.V2_14 });
    expect(synthKind(chart, 'Server')).toStrictEqual([{
      apiVersion: 'policy.linkerd.io/v1beta1',
      kind: 'Server',
      metadata: { name: 'db', namespace: 'data' },
      spec: { podSelector: { matchLabels: { app: 'db' } }, port: 5432 },
    }]);
  });

  test('fails on accessPolicy before 2.16', () => {
    expect(() => new Server(testChart(), 'server', { podSelector: { app: 'db' }, port: ServerPort.of(5432), accessPolicy: DefaultInboundPolicy.DENY, version: LinkerdVersion.V2_14 }))
      .toThrow(/^\[test\/server\] accessPolicy needs Linkerd 2\.16 or later \(Server v1beta3 with accessPolicy\), but this is Linkerd 2\.14$/);
  });

  test('fails on a named port the workload does not have', () => {
    const chart = meshedChart();
    const web = deployment(chart, 'web', { port: 8080 });
    expect(() => new Server(chart, 'server', { workload: web, port: ServerPort.named('grpc') }))
      .toThrow(/^\[test\/server\] port "grpc" is not a container port of Deployment demo\/web: name one of http$/);
  });

  // policy-controller/k8s/index/src/inbound/workload.rs:27-39 (named TCP ports, a name may map to several) and inbound/index.rs:1379-1390
  test('fails on a port name only non-TCP container ports have: a Server port selects TCP ports', () => {
    const chart = meshedChart();
    const web = deployment(chart, 'web', { port: 8080 });
    web.containers[0].addPort({ number: 5353, name: 'dns', protocol: Protocol.UDP });
    expect(() => new Server(chart, 'server', { workload: web, port: ServerPort.named('dns') }))
      .toThrow(/^\[test\/server\] port "dns" names only UDP container ports of Deployment demo\/web: a Server selects TCP ports; name one of http$/);
  });

  test('a port name shared by two containers selects both ports', () => {
    const chart = meshedChart();
    const web = deployment(chart, 'web', { port: 8080 });
    web.addContainer({ name: 'sidecar', image: 'docker.io/hashicorp/http-echo:1.0.0', ports: [{ number: 9090, name: 'http' }] });
    new Server(chart, 'named', { workload: web, port: ServerPort.named('http') });
    new Server(chart, 'numbered', { workload: web, port: ServerPort.of(9090) });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/numbered\] selects port 9090 of Deployment demo\/web, which Server demo\/web-http also selects: Linkerd allows one Server per pod port/);
  });

  test('fails on a port out of range or a port name that is not one', () => {
    expect(() => new Server(testChart(), 'server', { podSelector: { app: 'db' }, port: ServerPort.of(0) }))
      .toThrow(/^\[test\/server\] port 0 is not allowed: use a port from 1 to 65535$/);
    expect(() => new Server(testChart(), 'server', { podSelector: { app: 'db' }, port: ServerPort.named('HTTP') }))
      .toThrow(/^\[test\/server\] port name "HTTP" is not a port name: use at most 15 lowercase alphanumerics or '-', with at least one letter$/);
  });

  test('fails without a workload or podSelector, and with both', () => {
    const chart = meshedChart();
    expect(() => new Server(chart, 'none', { port: ServerPort.of(80) })).toThrow(/^\[test\/none\] give exactly one of workload and podSelector$/);
    expect(() => new Server(chart, 'both', { workload: deployment(chart, 'web'), podSelector: { app: 'web' }, port: ServerPort.of(80) }))
      .toThrow(/^\[test\/both\] give exactly one of workload and podSelector$/);
  });

  test('fails on a namespace other than the workload\'s', () => {
    const chart = meshedChart();
    expect(() => new Server(chart, 'server', { metadata: { namespace: 'other' }, workload: deployment(chart, 'web', { port: 8080 }), port: ServerPort.of(8080) }))
      .toThrow(/^\[test\/server\] namespace other is not the namespace of Deployment demo\/web: a Server selects pods of its own namespace only$/);
  });

  test('fails on a proxyProtocol outside the enum', () => {
    expect(() => new Server(testChart(), 'server', { podSelector: { app: 'db' }, port: ServerPort.of(80), proxyProtocol: 'HTTP/3' as ProxyProtocol }))
      .toThrow(/^\[test\/server\] proxyProtocol "HTTP\/3" is not allowed: use one of unknown, HTTP\/1, HTTP\/2, gRPC, opaque, TLS$/);
  });

  test('fails at synth on a workload that is not meshed (policy needs a proxy to enforce it)', () => {
    const chart = testChart();
    namespace(chart, 'demo');
    new Server(chart, 'server', { workload: deployment(chart, 'web', { port: 8080 }), port: ServerPort.of(8080) });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/server\] selects Deployment demo\/web, which is not meshed \(neither its pod template nor namespace demo has linkerd\.io\/inject: enabled\): the proxy enforces policy, so this Server would protect nothing; mesh the workload \(Mesh\.inject\) or drop the Server/);
  });

  test('fails at synth on a workload opted out of a meshed namespace, found by podSelector', () => {
    const chart = meshedChart();
    Mesh.inject(deployment(chart, 'web', { port: 8080 }), { mode: InjectMode.DISABLED });
    new Server(chart, 'server', { metadata: { namespace: 'demo' }, podSelector: { app: 'web' }, port: ServerPort.of(8080) });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/server\] selects Deployment demo\/web, which is not meshed \(its pod template has linkerd\.io\/inject: disabled\)/);
  });

  test('fails at synth on two Servers selecting the same pod port, by number and by name', () => {
    const chart = meshedChart();
    const web = deployment(chart, 'web', { port: 8080 });
    new Server(chart, 'first', { workload: web, port: ServerPort.named('http') });
    new Server(chart, 'second', { metadata: { name: 'web-all', namespace: 'demo' }, podSelector: { app: 'web' }, port: ServerPort.of(8080) });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/second\] selects port 8080 of Deployment demo\/web, which Server demo\/web-http also selects: Linkerd allows one Server per pod port/);
    expect(() => Testing.synth(chart)).not.toThrow(/\[test\/first\]/);
  });

  test('fails at synth on two Servers with the same selector and port, even without a workload in the app', () => {
    const chart = testChart();
    new Server(chart, 'a', { metadata: { name: 'a', namespace: 'x' }, podSelector: { app: 'db' }, port: ServerPort.of(5432) });
    new Server(chart, 'b', { metadata: { name: 'b', namespace: 'x' }, podSelector: { app: 'db' }, port: ServerPort.of(5432) });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/b\] has the same podSelector and port as Server x\/a: Linkerd allows one Server per pod port/);
  });

  test('Servers on different ports of one workload are fine', () => {
    const chart = meshedChart();
    const web = deployment(chart, 'web', { port: 8080 });
    new Server(chart, 'http', { workload: web, port: ServerPort.of(8080) });
    new Server(chart, 'admin', { workload: web, port: ServerPort.of(9990) });
    expect(() => Testing.synth(chart)).not.toThrow();
  });
});

describe('Server probes', () => {
  function routed(authorize: boolean) {
    const chart = meshedChart();
    const web = deployment(chart, 'web', { port: 8080, probe: '/ready' });
    const server = allow(deployment(chart, 'api'), web, ServerPort.named('http'));
    new HttpRouteV1Beta3(chart, 'route', {
      metadata: { name: 'web-api', namespace: 'demo' },
      spec: { parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: 'web-http' }], rules: [{ matches: [{ path: { type: HttpRouteV1Beta3SpecRulesMatchesPathType.PATH_PREFIX, value: '/api' } }] }] },
    });
    if (authorize) server.authorizeProbes();
    return chart;
  }

  // linkerd/linkerd2@version-2.20:policy-controller/k8s/index/src/inbound/index.rs:1997-2018: the probe route only while no HTTPRoute attaches
  test('fails at synth when a route attaches to the Server and the probes are not authorized', () => {
    expect(() => Testing.synth(routed(false))).toThrow(/\[test\/web\/Server-http\] HTTPRoute demo\/web-api attaches to this Server, so Linkerd no longer authorizes the kubelet probes \(GET \/ready on port 8080 of Deployment demo\/web\): call authorizeProbes\(\) on the Server/);
  });

  // the proxy adds the Server's authorizations to every route (linkerd/linkerd2-proxy@release/v2.359.0:linkerd/proxy/server-policy/src/authz.rs:80-89)
  test('a probe that a route matches and an authorization without identity admits needs no authorizeProbes()', () => {
    const open = (prefix: string) => {
      const chart = meshedChart();
      const web = deployment(chart, 'web', { port: 8080, probe: '/ready' });
      const server = allow(deployment(chart, 'api'), web, ServerPort.named('http'));
      const route = new HttpRouteV1Beta3(chart, 'route', {
        metadata: { name: 'web-all', namespace: 'demo' },
        spec: { parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: server.name }], rules: [{ matches: [{ path: { type: HttpRouteV1Beta3SpecRulesMatchesPathType.PATH_PREFIX, value: prefix } }] }] },
      });
      const nodes = new NetworkAuthentication(chart, 'nodes', { metadata: { name: 'nodes', namespace: 'demo' }, networks: [{ cidr: '10.0.0.0/8' }] });
      new AuthorizationPolicy(chart, 'kubelet', { metadata: { name: 'kubelet' }, targetRef: PolicyTarget.route(route), requiredAuthenticationRefs: [AuthenticationRef.network(nodes)] });
      return chart;
    };
    expect(() => Testing.synth(open('/'))).not.toThrow();
    expect(() => Testing.synth(open('/rea'))).toThrow(/HTTPRoute demo\/web-all attaches to this Server, so Linkerd no longer authorizes the kubelet probes \(GET \/ready on port 8080 of Deployment demo\/web\)/);
  });

  function probed(proxyProtocol?: ProxyProtocol, probe = '/ready') {
    const chart = meshedChart();
    const web = deployment(chart, 'web', { port: 8080, probe });
    const server = allow(deployment(chart, 'api'), web, ServerPort.named('http'), { proxyProtocol });
    return { chart, web, server };
  }

  test('a detecting or HTTP/1 Server without HTTPRoutes needs nothing: Linkerd adds the probe route', () => {
    for (const protocol of [undefined, ProxyProtocol.HTTP1]) expect(() => Testing.synth(probed(protocol).chart)).not.toThrow();
  });

  // policy-controller/grpc/src/inbound.rs:190-195: a detecting Server sends its HTTP routes only; GRPCRoutes do not touch them (index.rs:2020-2040)
  test('a GRPCRoute does not remove the probe route of a detecting Server', () => {
    const { chart } = probed();
    new ApiObject(chart, 'grpc', {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute', metadata: { name: 'web-grpc', namespace: 'demo' },
      spec: { parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: 'web-http' }], rules: [{}] },
    });
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  // linkerd/linkerd2-proxy@release/v2.359.0:linkerd/app/inbound/src/detect.rs:204: HTTP/2 and gRPC hints skip detection for unmeshed clients
  test('fails at synth on an HTTP probe on the port of an HTTP/2 or gRPC Server', () => {
    expect(() => Testing.synth(probed(ProxyProtocol.HTTP2).chart)).toThrow(/\[test\/web\/Server-http\] the kubelet's HTTP\/1\.1 probes \(GET \/ready on port 8080 of Deployment demo\/web\) would fail: the proxy reads the port of a proxyProtocol HTTP\/2 Server as HTTP\/2 without detection; use ProxyProtocol\.UNKNOWN or HTTP1 if the app also serves HTTP\/1\.1, or probe a port this Server does not select/);
    expect(() => Testing.synth(probed(ProxyProtocol.GRPC).chart)).toThrow(/proxyProtocol gRPC Server as HTTP\/2 without detection/);
  });

  test('a probe on a skip-inbound port bypasses the proxy, so an HTTP/2 Server there is fine', () => {
    const { chart, web } = probed(ProxyProtocol.HTTP2);
    Mesh.inject(web, { proxy: { skipInboundPorts: [PortRange.of(8080)] } });
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  // policy-controller/grpc/src/inbound.rs:214-219: opaque and TLS Servers carry no routes, only the Server's authorizations
  test('fails at synth on an HTTP probe on an opaque or TLS Server that admits only meshed clients; an authorization without identity lets it in', () => {
    expect(() => Testing.synth(probed(ProxyProtocol.OPAQUE).chart)).toThrow(/\[test\/web\/Server-http\] the kubelet's probes \(GET \/ready on port 8080 of Deployment demo\/web\) would be refused: a proxyProtocol opaque Server has no probe route, and no authorization of the Server admits clients without a mesh identity; authorize the probe networks on the Server \(an AuthorizationPolicy with only a NetworkAuthentication\), or probe a port this Server does not select/);
    expect(() => Testing.synth(probed(ProxyProtocol.TLS).chart)).toThrow(/a proxyProtocol TLS Server has no probe route/);
    const { chart, server } = probed(ProxyProtocol.OPAQUE);
    const nodes = new NetworkAuthentication(chart, 'nodes', { metadata: { name: 'nodes', namespace: 'demo' }, networks: [{ cidr: '10.0.0.0/8' }] });
    new AuthorizationPolicy(chart, 'kubelet', { metadata: { name: 'kubelet' }, targetRef: PolicyTarget.server(server), requiredAuthenticationRefs: [AuthenticationRef.network(nodes)] });
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test('an HTTPS probe is not HTTP to the proxy: refused on a detecting Server without an authorization without identity, broken on an HTTP/1 Server', () => {
    const https = (protocol?: ProxyProtocol) => {
      const { chart, web } = probed(protocol);
      ApiObject.of(web).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/readinessProbe/httpGet/scheme', 'HTTPS'));
      return chart;
    };
    expect(() => Testing.synth(https())).toThrow(/the kubelet's probes \(HTTPS GET \/ready on port 8080 of Deployment demo\/web\) would be refused: HTTPS is not HTTP to the proxy, so the probe route does not apply/);
    expect(() => Testing.synth(https(ProxyProtocol.HTTP1))).toThrow(/the kubelet's HTTPS probes \(HTTPS GET \/ready on port 8080 of Deployment demo\/web\) would fail: the proxy reads the port of a proxyProtocol HTTP\/1 Server as plaintext HTTP\/1 without detection/);
  });

  test('fails at synth on authorizeProbes on a Server no other HTTPRoute attaches to: it would take away the default route', () => {
    const { chart, server } = probed();
    server.authorizeProbes();
    expect(() => Testing.synth(chart)).toThrow(/\[test\/web\/Server-http\] authorizeProbes\(\) attached HTTPRoute demo\/web-http-probes, the only HTTPRoute of this Server: Linkerd then drops its default route, so every request but the probes would fail with 404; drop authorizeProbes\(\), Linkerd authorizes the probes itself on a Server without HTTPRoutes/);
  });

  test('fails on authorizeProbes on an HTTP/2, gRPC, opaque or TLS Server, where no HTTP route serves the probes', () => {
    expect(() => probed(ProxyProtocol.GRPC).server.authorizeProbes()).toThrow(/^\[test\/web\/Server-http\] authorizeProbes\(\) cannot help a proxyProtocol gRPC Server: the proxy reads its port as HTTP\/2 without detection, so the kubelet's HTTP\/1\.1 probes fail before any route applies; probe a port this Server does not select$/);
    expect(() => probed(ProxyProtocol.HTTP2).server.authorizeProbes()).toThrow(/cannot help a proxyProtocol HTTP\/2 Server/);
    expect(() => probed(ProxyProtocol.OPAQUE).server.authorizeProbes()).toThrow(/^\[test\/web\/Server-http\] authorizeProbes\(\) cannot help a proxyProtocol opaque Server: its proxy uses no HTTP routes, only the Server's own authorizations; probe a port this Server does not select$/);
    expect(() => probed(ProxyProtocol.TLS).server.authorizeProbes()).toThrow(/cannot help a proxyProtocol TLS Server/);
  });

  test('fails at synth when authorizeProbes was given paths that miss a probe', () => {
    const chart = routed(false);
    (chart.node.findChild('web').node.findChild('Server-http') as Server).authorizeProbes({ paths: ['/live'] });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/web\/Server-http\] HTTPRoute demo\/web-api attaches to this Server, so Linkerd no longer authorizes the kubelet probes, and authorizeProbes\(\) was not given GET \/ready on port 8080 of Deployment demo\/web: add the paths/);
  });

  // policy-controller/k8s/index/src/inbound/workload.rs:78-110: a named probe port resolves in its own container, ignoring case; the path loses its query
  test('reads probes as the policy controller does: named port ignoring case, path without its query', () => {
    const chart = meshedChart();
    const web = new k8s.KubeDeployment(chart, 'web', {
      metadata: { name: 'web', namespace: 'demo' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [
        { name: 'sidecar', image: 'busybox:1.36', ports: [{ name: 'HTTP', containerPort: 9090 }] },
        { name: 'web', image: 'busybox:1.36', ports: [{ name: 'http', containerPort: 8080 }],
          readinessProbe: { httpGet: { path: '/ready?verbose=1', port: k8s.IntOrString.fromString('HTTP') } } },
      ] } } },
    });
    const server = allow(deployment(chart, 'api'), web, ServerPort.named('http'));
    server.authorizeProbes();
    new HttpRouteV1Beta3(chart, 'route', {
      metadata: { name: 'web-api', namespace: 'demo' },
      spec: { parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: 'web-http' }] },
    });
    expect(synthOne(chart, 'HTTPRoute', 'web-http-probes').spec.rules).toStrictEqual([{ matches: [{ path: { type: 'Exact', value: '/ready' }, method: 'GET' }] }]);
  });

  test('authorizeProbes emits a probe route, the probe networks and a policy tying them, as the per-route policy guide does', () => {
    const chart = routed(true);
    const objects = Testing.synth(chart).filter(o => o.metadata?.name === 'web-http-probes');
    expect(objects).toStrictEqual([
      {
        apiVersion: 'policy.linkerd.io/v1beta3',
        kind: 'HTTPRoute',
        metadata: { name: 'web-http-probes', namespace: 'demo' },
        spec: {
          parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: 'web-http' }],
          rules: [{ matches: [{ path: { type: 'Exact', value: '/ready' }, method: 'GET' }] }],
        },
      },
      {
        apiVersion: 'policy.linkerd.io/v1alpha1',
        kind: 'NetworkAuthentication',
        metadata: { name: 'web-http-probes', namespace: 'demo' },
        spec: { networks: [{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }] },
      },
      {
        apiVersion: 'policy.linkerd.io/v1alpha1',
        kind: 'AuthorizationPolicy',
        metadata: { name: 'web-http-probes', namespace: 'demo' },
        spec: {
          targetRef: { group: 'policy.linkerd.io', kind: 'HTTPRoute', name: 'web-http-probes' },
          requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'web-http-probes' }],
        },
      },
    ]);
  });

  test('fails without a namespace when it selects by podSelector in a chart without one', () => {
    expect(() => new Server(testChart(), 'server', { podSelector: { app: 'db' }, port: ServerPort.of(5432) }))
      .toThrow(/^\[test\/server\] a Server is namespaced and has no namespace: set metadata\.namespace or the chart's namespace/);
    const namespaced = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    expect(new Server(namespaced, 'server', { podSelector: { app: 'db' }, port: ServerPort.of(5432) }).namespace).toBe('shop');
  });

  test('fails on authorizeProbes without probes on the port, or twice', () => {
    const chart = meshedChart();
    const server = new Server(chart, 'server', { workload: deployment(chart, 'web', { port: 8080 }), port: ServerPort.of(8080) });
    expect(() => server.authorizeProbes()).toThrow(/^\[test\/server\] Deployment demo\/web has no HTTP probes on port 8080: pass paths$/);
    server.authorizeProbes({ paths: ['/healthz'] });
    expect(() => server.authorizeProbes({ paths: ['/healthz'] })).toThrow(/^\[test\/server\] probes are already authorized on this Server$/);
    expect(() => new Server(chart, 'other', { metadata: { namespace: 'demo' }, podSelector: { app: 'x' }, port: ServerPort.of(80) }).authorizeProbes())
      .toThrow(/^\[test\/other\] this Server selects pods by podSelector: pass the probe paths$/);
  });
});

describe('allow', () => {
  test('emits a Server, a MeshTLSAuthentication for the client\'s ServiceAccount and an AuthorizationPolicy', () => {
    // GIVEN
    const chart = meshedChart();
    const web = deployment(chart, 'web', { port: 8080 });
    const api = deployment(chart, 'api');
    // WHEN
    const server = allow(api, web, ServerPort.named('http'), { proxyProtocol: ProxyProtocol.HTTP1 });
    // THEN
    expect(server.node.path).toBe('test/web/Server-http');
    expect(Testing.synth(chart).filter(o => o.apiVersion.startsWith('policy.linkerd.io/'))).toStrictEqual([
      {
        apiVersion: 'policy.linkerd.io/v1beta3',
        kind: 'Server',
        metadata: { name: 'web-http', namespace: 'demo' },
        spec: { podSelector: { matchLabels: { app: 'web' } }, port: 'http', proxyProtocol: 'HTTP/1' },
      },
      {
        apiVersion: 'policy.linkerd.io/v1alpha1',
        kind: 'MeshTLSAuthentication',
        metadata: { name: 'web-http-clients', namespace: 'demo' },
        spec: { identityRefs: [{ kind: 'ServiceAccount', name: 'api', namespace: 'demo' }] },
      },
      {
        apiVersion: 'policy.linkerd.io/v1alpha1',
        kind: 'AuthorizationPolicy',
        metadata: { name: 'web-http', namespace: 'demo' },
        spec: {
          targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'web-http' },
          requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'web-http-clients' }],
        },
      },
    ]);
  });

  test('a second client of the same port joins the same MeshTLSAuthentication; a ServiceAccount of another namespace works too', () => {
    const chart = meshedChart();
    const web = deployment(chart, 'web', { port: 8080 });
    const first = allow(deployment(chart, 'api'), web, ServerPort.named('http'));
    const second = allow(new ServiceAccount(chart, 'ops', { metadata: { name: 'ops', namespace: 'tools' } }), web, ServerPort.named('http'));
    allow(deployment(chart, 'api2', { serviceAccount: false }), web, ServerPort.named('http'));
    expect(second).toBe(first);
    expect(synthOne(chart, 'MeshTLSAuthentication', 'web-http-clients').spec.identityRefs).toStrictEqual([
      { kind: 'ServiceAccount', name: 'api', namespace: 'demo' },
      { kind: 'ServiceAccount', name: 'ops', namespace: 'tools' },
      { kind: 'ServiceAccount', name: 'default', namespace: 'demo' },
    ]);
    expect(warnings(chart)).toStrictEqual([
      '[test/web/Server-http] Deployment demo/api2 runs as the default ServiceAccount of demo: allowing it allows every pod there that has no ServiceAccount of its own',
    ]);
  });

  test('fails on a client that is neither a workload nor a ServiceAccount', () => {
    const chart = meshedChart();
    const web = deployment(chart, 'web', { port: 8080 });
    const map = new k8s.KubeConfigMap(chart, 'config', {});
    expect(() => allow(map, web, ServerPort.of(8080)))
      .toThrow(/^\[test\/web\/Server-8080\] cannot allow test\/config: allow workloads \(Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod\) or ServiceAccounts$/);
  });

  test('fails on a second allow to the same port with another protocol', () => {
    const chart = meshedChart();
    const web = deployment(chart, 'web', { port: 8080 });
    allow(deployment(chart, 'api'), web, ServerPort.of(8080), { proxyProtocol: ProxyProtocol.HTTP1 });
    expect(() => allow(deployment(chart, 'b'), web, ServerPort.of(8080), { proxyProtocol: ProxyProtocol.GRPC }))
      .toThrow(/^\[test\/web\/Server-8080\] proxyProtocol gRPC differs from HTTP\/1, given by an earlier allow to port 8080: use the same protocol$/);
  });

  test('fails on a target that is not a workload', () => {
    const chart = meshedChart();
    const map = new k8s.KubeConfigMap(chart, 'config', {});
    expect(() => allow(deployment(chart, 'api'), map, ServerPort.of(8080)))
      .toThrow(/^\[test\/config\/Server-8080\] workload test\/config is not a workload: pass a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod$/);
  });
});
