import { Chart, Testing } from 'cdk8s';
import { HttpRouteV1Beta3, HttpRouteV1Beta3SpecRulesMatchesPathType } from '../../imports/policy.linkerd.io';
import { SchemaGate } from '../../src/gate/schema-gate';
import { LinkerdVersion } from '../../src/linkerd';
import {
  allow, AuthenticationRef, AuthorizationPolicy, DemoWorkloads, IdentityRef, Mesh, MeshCoverage, MeshIdentity, MeshTLSAuthentication,
  NetworkAuthentication, PolicyTarget, ServerPort,
} from '../../src/mesh';
import { testChart } from '../_util';

let gate: SchemaGate;
beforeAll(() => { gate = SchemaGate.load(); });

describe('DemoWorkloads', () => {
  test('emits a meshed namespace, the server and client with their ServiceAccounts, the server Service and the policy', () => {
    const chart = testChart();
    new DemoWorkloads(chart, 'demo');
    expect(Testing.synth(chart).map(o => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toStrictEqual([
      'v1 Namespace /mesh-demo',
      'v1 ServiceAccount mesh-demo/server',
      'apps/v1 Deployment mesh-demo/server',
      'policy.linkerd.io/v1beta3 Server mesh-demo/server-http',
      'policy.linkerd.io/v1alpha1 MeshTLSAuthentication mesh-demo/server-http-clients',
      'policy.linkerd.io/v1alpha1 AuthorizationPolicy mesh-demo/server-http',
      'v1 Service mesh-demo/server',
      'v1 ServiceAccount mesh-demo/client',
      'apps/v1 Deployment mesh-demo/client',
    ]);
  });

  test('the namespace enables injection, and the client calls the server through its Service', () => {
    const chart = testChart();
    const demo = new DemoWorkloads(chart, 'demo');
    const objects = Testing.synth(chart);
    expect(objects.find(o => o.kind === 'Namespace').metadata.annotations).toStrictEqual({ 'linkerd.io/inject': 'enabled' });
    const service = objects.find(o => o.kind === 'Service');
    expect(service.spec).toMatchObject({ selector: { app: 'server' }, ports: [{ name: 'http', port: 80, targetPort: 5678 }] });
    const client = objects.find(o => o.kind === 'Deployment' && o.metadata.name === 'client').spec.template.spec.containers[0];
    expect(client.image).toBe('docker.io/curlimages/curl:8.10.1@sha256:d9b4541e214bcd85196d6e92e2753ac6d0ea699f0af5741f8c6cccbfcf00ef4b');
    expect(client.args).toStrictEqual(['while true; do curl -sS --max-time 2 http://server.mesh-demo.svc/ || true; sleep 5; done']);
    expect(demo.serverService.name).toBe('server');
    expect(demo.serverPolicy.name).toBe('server-http');
  });

  test('pins every image by tag and digest (issue 13 §5)', () => {
    const chart = testChart();
    new DemoWorkloads(chart, 'demo');
    const images = Testing.synth(chart).filter(o => o.kind === 'Deployment').flatMap(d => d.spec.template.spec.containers.map((c: any) => c.image));
    expect(images).toStrictEqual(['docker.io/hashicorp/http-echo:1.0.0@sha256:fcb75f691c8b0414d670ae570240cbf95502cc18a9ba57e982ecac589760a186', 'docker.io/curlimages/curl:8.10.1@sha256:d9b4541e214bcd85196d6e92e2753ac6d0ea699f0af5741f8c6cccbfcf00ef4b']);
    for (const image of images) expect(image).toMatch(/:[0-9][^:@]*@sha256:[0-9a-f]{64}$/);
  });

  test('the output does not depend on where the construct sits', () => {
    const shallow = testChart();
    new DemoWorkloads(shallow, 'demo');
    const deep = new Chart(Testing.app(), 'test');
    new DemoWorkloads(new Chart(deep, 'nested'), 'somewhere-else');
    expect(JSON.stringify(Testing.synth(shallow))).not.toMatch(/cdk8s\.io\/metadata\.addr/);
    expect(Testing.synth(deep)).toStrictEqual([]);
    expect(Testing.synth(deep.node.findChild('nested') as Chart)).toStrictEqual(Testing.synth(shallow));
  });

  test('passes the schema gate, on the newest and on the oldest catalog version', () => {
    for (const version of [LinkerdVersion.LATEST, LinkerdVersion.V2_14, LinkerdVersion.V2_12]) {
      const chart = testChart();
      new DemoWorkloads(chart, 'demo', { version });
      const objects = Testing.synth(chart);
      expect(gate.validateAll(objects)).toStrictEqual([]);
      expect(objects.find(o => o.kind === 'Server').apiVersion).toBe(version === LinkerdVersion.LATEST ? 'policy.linkerd.io/v1beta3' : 'policy.linkerd.io/v1beta1');
    }
  });

  test('the coverage report lists the pair as mTLS', () => {
    const chart = testChart();
    new DemoWorkloads(chart, 'demo', { namespace: 'practice' });
    const data = MeshCoverage.of(chart);
    expect(data.workloads.map(w => [w.name, w.meshed])).toStrictEqual([['client', true], ['server', true]]);
    expect(data.summary).toStrictEqual({ workloads: 2, meshed: 2, flows: 2, mtls: 2 });
  });

  test('exposes its namespace as a name and its Namespace as namespaceObject', () => {
    const demo = new DemoWorkloads(testChart(), 'demo', { namespace: 'practice' });
    expect(demo.namespace).toBe('practice');
    expect(demo.namespaceObject.name).toBe('practice');
  });

  test('fails on a namespace that is not a DNS-1123 label', () => {
    expect(() => new DemoWorkloads(testChart(), 'demo', { namespace: 'Mesh_Demo' })).toThrow(/^\[test\/demo\] namespace "Mesh_Demo" must be a DNS-1123 label/);
  });
});

test('every kind of object this module emits passes the schema gate', () => {
  const chart = testChart();
  const demo = new DemoWorkloads(chart, 'demo');
  // a route on the Server, so that authorizeProbes() helps (without one it would take away Linkerd's default route)
  new HttpRouteV1Beta3(chart, 'route', {
    metadata: { name: 'server-root', namespace: 'mesh-demo' },
    spec: { parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: demo.serverPolicy.name }], rules: [{ matches: [{ path: { type: HttpRouteV1Beta3SpecRulesMatchesPathType.PATH_PREFIX, value: '/' } }] }] },
  });
  demo.serverPolicy.authorizeProbes();
  Mesh.inject(demo.client, { proxy: { nativeSidecar: true } });
  allow(demo.server, demo.client, ServerPort.of(9000));
  const ids = new MeshTLSAuthentication(chart, 'ids', { metadata: { name: 'ids', namespace: 'mesh-demo' }, identities: [MeshIdentity.serviceAccount('client', 'mesh-demo')] });
  const refs = new MeshTLSAuthentication(chart, 'refs', { metadata: { name: 'refs', namespace: 'mesh-demo' }, identityRefs: [IdentityRef.namespace('mesh-demo')] });
  const office = new NetworkAuthentication(chart, 'office', { metadata: { name: 'office', namespace: 'mesh-demo' }, networks: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }] });
  new AuthorizationPolicy(chart, 'p1', { metadata: { name: 'p1' }, targetRef: PolicyTarget.server(demo.serverPolicy), requiredAuthenticationRefs: [AuthenticationRef.meshTLS(ids), AuthenticationRef.network(office)] });
  new AuthorizationPolicy(chart, 'p2', { metadata: { name: 'p2', namespace: 'mesh-demo' }, targetRef: PolicyTarget.namespace('mesh-demo'), requiredAuthenticationRefs: [AuthenticationRef.meshTLS(refs)] });
  new AuthorizationPolicy(chart, 'p3', { metadata: { name: 'p3', namespace: 'mesh-demo' }, targetRef: PolicyTarget.httpRoute('server-http-probes'), requiredAuthenticationRefs: [AuthenticationRef.serviceAccount('client')] });
  expect(gate.validateAll(Testing.synth(chart))).toStrictEqual([]);
});
