import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { DefaultInboundPolicy, LinkerdControlPlane, LinkerdIdentity, LinkerdVersion } from '../../src/linkerd';
import {
  allow, AuthenticationRef, AuthorizationPolicy, DemoWorkloads, MeshCoverage, MeshCoverageData, MeshCoverageReport, Mesh, MeshIdentity,
  MeshTLSAuthentication, NetworkAuthentication, PolicyTarget, PortRange, Server, ServerPort,
} from '../../src/mesh';
import { OutputFile, synthesize } from '../../src/synth';
import { testChart } from '../_util';
import { deployment, namespace } from './_fixtures';

function pair(options: { serverSkip?: number; clientSkip?: number; clientMeshed?: boolean } = {}): Chart {
  const chart = testChart();
  namespace(chart, 'demo');
  const server = deployment(chart, 'server', { port: 8080 });
  const client = deployment(chart, 'client');
  new k8s.KubeService(chart, 'svc', { metadata: { name: 'server', namespace: 'demo' }, spec: { selector: { app: 'server' }, ports: [{ port: 80, targetPort: k8s.IntOrString.fromString('http') }] } });
  Mesh.inject(server, { proxy: options.serverSkip ? { skipInboundPorts: [PortRange.of(options.serverSkip)] } : {} });
  if (options.clientMeshed ?? true) {
    Mesh.inject(client, { proxy: options.clientSkip ? { skipOutboundPorts: [PortRange.of(options.clientSkip)] } : {} });
  }
  allow(client, server, ServerPort.named('http'));
  return chart;
}

function callers(data: MeshCoverageData, name: string) {
  return data.workloads.find(w => w.name === name)!.callers.map(c => [c.mtls, c.from, c.via, c.port, c.why]);
}

describe('MeshCoverage', () => {
  test('the demo pair is meshed and every declared flow is mTLS', () => {
    // GIVEN
    const chart = testChart();
    new DemoWorkloads(chart, 'demo');
    // WHEN
    const data = MeshCoverage.of(chart);
    // THEN
    expect(data.summary).toStrictEqual({ workloads: 2, meshed: 2, flows: 2, mtls: 2 });
    expect(MeshCoverage.problems(data)).toStrictEqual([]);
    expect(MeshCoverage.format(data)).toBe([
      'mtls coverage (Linkerd 2.20): 2 workloads, 2 meshed; 2 declared flows, 2 mTLS, 0 not mTLS',
      '  Deployment mesh-demo/client: meshed (namespace mesh-demo has linkerd.io/inject: enabled); identity client.mesh-demo.serviceaccount.identity.linkerd.cluster.local',
      '  Deployment mesh-demo/server: meshed (namespace mesh-demo has linkerd.io/inject: enabled); identity server.mesh-demo.serviceaccount.identity.linkerd.cluster.local',
      '    ports: 5678/http mtls',
      '    mTLS     Deployment mesh-demo/client -> port 5678 via AuthorizationPolicy mesh-demo/server-http',
      '    mTLS     clients of Service mesh-demo/server -> port 5678 via Service mesh-demo/server port 80',
    ].join('\n'));
    expect(data.workloads[1]).toStrictEqual({
      kind: 'Deployment',
      namespace: 'mesh-demo',
      name: 'server',
      meshed: true,
      injection: 'namespace mesh-demo has linkerd.io/inject: enabled',
      serviceAccount: 'server',
      identity: 'server.mesh-demo.serviceaccount.identity.linkerd.cluster.local',
      defaultInboundPolicy: 'all-unauthenticated (cluster default)',
      skipOutboundPorts: '4567,4568',
      ports: [{ port: 5678, name: 'http', inbound: 'mtls' }],
      callers: [
        { from: 'Deployment mesh-demo/client', via: 'AuthorizationPolicy mesh-demo/server-http', port: 5678, mtls: true,
          why: 'both ends are meshed and only meshed identities are admitted, besides the kubelet on its probe paths; mTLS through the proxies' },
        { from: 'clients of Service mesh-demo/server', via: 'Service mesh-demo/server port 80', port: 5678, mtls: true,
          why: 'only meshed identities are admitted, besides the kubelet on its probe paths; mTLS through the proxies' },
      ],
      notes: [],
    });
  });

  test('a skip-inbound port makes declared traffic plaintext', () => {
    const data = MeshCoverage.of(pair({ serverSkip: 8080 }));
    expect(data.workloads.find(w => w.name === 'server')!.ports).toStrictEqual([{ port: 8080, name: 'http', inbound: 'skipped' }]);
    expect(callers(data, 'server')).toStrictEqual([
      [false, 'Deployment demo/client', 'AuthorizationPolicy demo/server-http', 8080, 'port 8080 bypasses the proxy of Deployment demo/server (skip-inbound-ports)'],
      [false, 'clients of Service demo/server', 'Service demo/server port 80', 8080, 'port 8080 bypasses the proxy of Deployment demo/server (skip-inbound-ports)'],
    ]);
    expect(MeshCoverage.problems(data)).toStrictEqual([
      'declared traffic would not be mTLS: Deployment demo/client -> Deployment demo/server port 8080 (AuthorizationPolicy demo/server-http): '
        + 'port 8080 bypasses the proxy of Deployment demo/server (skip-inbound-ports)',
      'declared traffic would not be mTLS: clients of Service demo/server -> Deployment demo/server port 8080 (Service demo/server port 80): '
        + 'port 8080 bypasses the proxy of Deployment demo/server (skip-inbound-ports)',
    ]);
  });

  test('a client that skips the Service port outbound, or is not meshed, is not mTLS', () => {
    expect(callers(MeshCoverage.of(pair({ clientSkip: 80 })), 'server')[0])
      .toStrictEqual([false, 'Deployment demo/client', 'AuthorizationPolicy demo/server-http', 8080, 'Deployment demo/client sends port 80 around its proxy (skip-outbound-ports)']);
    const unmeshed = MeshCoverage.of(pair({ clientMeshed: false }));
    expect(callers(unmeshed, 'server')[0]).toStrictEqual([false, 'Deployment demo/client', 'AuthorizationPolicy demo/server-http', 8080,
      'Deployment demo/client is not meshed (neither its pod template nor namespace demo has linkerd.io/inject: enabled), so it has no identity and would be denied']);
    expect(unmeshed.workloads.find(w => w.name === 'client')).toMatchObject({ meshed: false, ports: [] });
    expect(unmeshed.workloads.find(w => w.name === 'client')!.identity).toBeUndefined();
  });

  test('a policy authorizing networks only is declared plaintext, and so is every flow to its port; identities, ServiceAccount refs and opaque ports resolve', () => {
    // GIVEN
    const build = (withOffice: boolean) => {
      const chart = testChart();
      Mesh.inject(namespace(chart, 'data'));
      const db = deployment(chart, 'db', { namespace: 'data', port: 3306 });
      deployment(chart, 'app', { namespace: 'data' });
      const server = allow(new k8s.KubeServiceAccount(chart, 'ops', { metadata: { name: 'ops', namespace: 'data' } }), db, ServerPort.of(3306));
      if (withOffice) {
        const office = new NetworkAuthentication(chart, 'office', { metadata: { name: 'office', namespace: 'data' }, networks: [{ cidr: '10.0.0.0/8' }] });
        new AuthorizationPolicy(chart, 'net', { metadata: { name: 'office' }, targetRef: PolicyTarget.server(server), requiredAuthenticationRefs: [AuthenticationRef.network(office)] });
      }
      const ids = new MeshTLSAuthentication(chart, 'ids', {
        metadata: { name: 'ids', namespace: 'data' },
        identities: [MeshIdentity.serviceAccount('app', 'data'), MeshIdentity.all()],
      });
      new AuthorizationPolicy(chart, 'ids-policy', { metadata: { name: 'ids' }, targetRef: PolicyTarget.server(server), requiredAuthenticationRefs: [AuthenticationRef.meshTLS(ids)] });
      new AuthorizationPolicy(chart, 'sa-policy', { metadata: { name: 'sa' }, targetRef: PolicyTarget.server(server), requiredAuthenticationRefs: [AuthenticationRef.serviceAccount('app')] });
      return chart;
    };
    // WHEN
    const data = MeshCoverage.of(build(true));
    // THEN
    expect(data.workloads.find(w => w.name === 'db')!.ports).toStrictEqual([{ port: 3306, name: 'http', inbound: 'opaque' }]);
    // the office policy admits clients without identity on the same port (policy-controller/k8s/index/src/inbound/index.rs:2121-2123)
    const open = 'port 3306 of Deployment data/db admits clients without a mesh identity: AuthorizationPolicy data/office';
    expect(callers(data, 'db')).toStrictEqual([
      [false, 'Deployment data/app', 'AuthorizationPolicy data/ids', 3306, open],
      [false, 'Deployment data/app', 'AuthorizationPolicy data/sa', 3306, open],
      [false, 'ServiceAccount data/ops (no workload in this app)', 'AuthorizationPolicy data/db-3306', 3306, open],
      [false, 'any meshed client', 'AuthorizationPolicy data/ids', 3306, open],
      [false, 'unauthenticated clients from 10.0.0.0/8', 'AuthorizationPolicy data/office', 3306,
        'authorized without an mTLS identity: clients need not be meshed, so this traffic is not mTLS'],
    ]);
    // without it, the identity flows are mTLS
    expect(callers(MeshCoverage.of(build(false)), 'db').map(c => [c[0], c[4]])).toStrictEqual([
      [true, 'both ends are meshed and only meshed identities are admitted; opaque TCP over mTLS'],
      [true, 'both ends are meshed and only meshed identities are admitted; opaque TCP over mTLS'],
      [true, 'only meshed identities are admitted; opaque TCP over mTLS'],
      [true, 'only meshed identities are admitted; opaque TCP over mTLS'],
    ]);
  });

  /** A meshed `web` (port 8080, named http) behind Service `web`, with no Server unless one is added. */
  function exposed(configure: (chart: Chart, web: ReturnType<typeof deployment>) => void = () => {}) {
    const chart = testChart();
    const ns = namespace(chart, 'demo');
    Mesh.inject(ns);
    const web = deployment(chart, 'web', { port: 8080 });
    new k8s.KubeService(chart, 'svc', { metadata: { name: 'web', namespace: 'demo' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: k8s.IntOrString.fromNumber(8080) }] } });
    configure(chart, web);
    return callers(MeshCoverage.of(chart), 'web');
  }

  // policy-controller/k8s/index/src/defaults.rs:88-123 and inbound/index.rs:1767: a port no Server selects follows the default inbound policy
  test('a port no Server selects follows the default inbound policy: all-unauthenticated (the chart default) admits plaintext', () => {
    expect(exposed()).toStrictEqual([[false, 'clients of Service demo/web', 'Service demo/web port 80', 8080,
      'port 8080 of Deployment demo/web admits clients without a mesh identity: the default inbound policy all-unauthenticated (cluster default) (no Server selects the port)']]);
  });

  test('the default policy comes from the pod template, else the namespace (the injector copies it), else the control plane', () => {
    const verdicts = (configure: (chart: Chart, web: ReturnType<typeof deployment>) => void) => exposed(configure).map(c => [c[0], c[4]]);
    expect(verdicts(chart => (chart.node.findChild('ns-demo') as any).metadata.addAnnotation('config.linkerd.io/default-inbound-policy', 'all-authenticated')))
      .toStrictEqual([[true, 'only meshed identities are admitted; mTLS through the proxies']]);
    expect(verdicts((chart, web) => {
      (chart.node.findChild('ns-demo') as any).metadata.addAnnotation('config.linkerd.io/default-inbound-policy', 'all-authenticated');
      Mesh.inject(web, { proxy: { defaultInboundPolicy: DefaultInboundPolicy.CLUSTER_UNAUTHENTICATED } });
    })).toStrictEqual([[false, 'port 8080 of Deployment demo/web admits clients without a mesh identity: '
      + 'the default inbound policy cluster-unauthenticated (pod template) (no Server selects the port)']]);
    expect(verdicts((_, web) => web.podMetadata.addAnnotation('config.linkerd.io/proxy-require-identity-inbound-ports', '8080'))).toStrictEqual([[true,
      'only meshed identities are admitted; mTLS through the proxies']]);
    expect(verdicts((_, web) => web.podMetadata.addAnnotation('config.linkerd.io/default-inbound-policy', 'deny'))).toStrictEqual([[false,
      'the default inbound policy deny (pod template) refuses every client on port 8080 of Deployment demo/web (no Server selects the port), so this traffic would be refused']]);
    const chart = testChart();
    const controlPlane = new LinkerdControlPlane(chart, 'cp', { identity: new LinkerdIdentity(chart, 'identity'), defaultInboundPolicy: DefaultInboundPolicy.ALL_AUTHENTICATED });
    Mesh.inject(namespace(chart, 'demo'));
    deployment(chart, 'web', { port: 8080 });
    new k8s.KubeService(chart, 'svc', { metadata: { name: 'web', namespace: 'demo' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: k8s.IntOrString.fromNumber(8080) }] } });
    expect(MeshCoverage.of(chart, { controlPlane }).summary).toMatchObject({ flows: 1, mtls: 1 });
  });

  // policy-controller/k8s/index/src/inbound/index.rs:1883-1885: a Server's accessPolicy adds its default authorization
  test('a Server with an accessPolicy that admits unauthenticated clients is not mTLS; with deny (the CRD default) only its authorizations count', () => {
    expect(exposed((chart, web) => { new Server(chart, 'server', { workload: web, port: ServerPort.of(8080), accessPolicy: DefaultInboundPolicy.AUDIT }); }))
      .toStrictEqual([[false, 'clients of Service demo/web', 'Service demo/web port 80', 8080, 'port 8080 of Deployment demo/web admits clients without a mesh identity: accessPolicy audit of Server demo/web-8080']]);
    expect(exposed((chart, web) => { allow(deployment(chart, 'api'), web, ServerPort.of(8080)); }).map(c => c[0])).toStrictEqual([true, true]);
    expect(exposed((chart, web) => { new Server(chart, 'server', { workload: web, port: ServerPort.of(8080) }); })).toStrictEqual([[false, 'clients of Service demo/web', 'Service demo/web port 80', 8080,
      'Server demo/web-8080 authorizes no client on port 8080 of Deployment demo/web, so this traffic would be refused']]);
  });

  // policy-controller/k8s/index/src/inbound/index.rs:1824-1830: legacy ServerAuthorizations select Servers by name or label
  test('a ServerAuthorization admitting unauthenticated clients, by Server name or label, opens the port', () => {
    const legacy = (server: Record<string, unknown>, client: Record<string, unknown>) => exposed((chart, web) => {
      new Server(chart, 'server', { workload: web, port: ServerPort.of(8080), metadata: { labels: { tier: 'web' } } });
      new ApiObject(chart, 'saz', { apiVersion: 'policy.linkerd.io/v1beta1', kind: 'ServerAuthorization', metadata: { name: 'legacy', namespace: 'demo' }, spec: { server, client } });
    }).map(c => [c[0], c[4]]);
    const open = [false, 'port 8080 of Deployment demo/web admits clients without a mesh identity: ServerAuthorization demo/legacy'];
    expect(legacy({ name: 'web-8080' }, { unauthenticated: true })).toStrictEqual([open]);
    expect(legacy({ selector: { matchLabels: { tier: 'web' } } }, { meshTLS: { unauthenticatedTLS: true } })).toStrictEqual([open]);
    expect(legacy({ name: 'web-8080' }, { meshTLS: { serviceAccounts: [{ name: 'api' }] } })).toStrictEqual([[true, 'only meshed identities are admitted; mTLS through the proxies']]);
  });

  // policy-controller/k8s/index/src/inbound/index.rs:1848: a Namespace target adds to every Server's authorizations, and to nothing else
  test('a Namespace-targeted policy covers only the ports a Server selects', () => {
    const nsPolicy = (chart: Chart) => new AuthorizationPolicy(chart, 'ns-policy', {
      metadata: { name: 'all', namespace: 'demo' }, targetRef: PolicyTarget.namespace('demo'), requiredAuthenticationRefs: [AuthenticationRef.serviceAccount('api')],
    });
    expect(exposed((chart) => { deployment(chart, 'api'); nsPolicy(chart); })).toStrictEqual([
      [false, 'clients of Service demo/web', 'Service demo/web port 80', 8080,
        'port 8080 of Deployment demo/web admits clients without a mesh identity: the default inbound policy all-unauthenticated (cluster default) (no Server selects the port)'],
      [false, 'ServiceAccount demo/api (no workload in this app)', 'AuthorizationPolicy demo/all', '*',
        'it targets Namespace demo, which covers only ports a Server selects, and no Server selects Deployment demo/web: its ports follow its default inbound policy instead'],
    ]);
    expect(exposed((chart, web) => { new Server(chart, 'server', { workload: web, port: ServerPort.named('http') }); nsPolicy(chart); })).toStrictEqual([
      [true, 'ServiceAccount demo/api (no workload in this app)', 'AuthorizationPolicy demo/all', 8080, 'only meshed identities are admitted; mTLS through the proxies'],
      [true, 'clients of Service demo/web', 'Service demo/web port 80', 8080, 'only meshed identities are admitted; mTLS through the proxies'],
    ]);
  });

  // policy-controller/grpc/src/inbound.rs:190-212: a detecting or HTTP Server uses HTTPRoutes, a gRPC Server GRPCRoutes
  test('a policy on a route the Server\'s protocol does not use authorizes nothing', () => {
    const flows = exposed((chart, web) => {
      const server = allow(deployment(chart, 'api'), web, ServerPort.of(8080));
      const route = new ApiObject(chart, 'grpc', {
        apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute', metadata: { name: 'web-grpc', namespace: 'demo' },
        spec: { parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: server.name }], rules: [{}] },
      });
      const office = new NetworkAuthentication(chart, 'office', { metadata: { name: 'office', namespace: 'demo' }, networks: [{ cidr: '10.0.0.0/8' }] });
      new AuthorizationPolicy(chart, 'grpc-policy', { metadata: { name: 'grpc' }, targetRef: PolicyTarget.route(route), requiredAuthenticationRefs: [AuthenticationRef.network(office)] });
    });
    expect(flows.map(c => [c[0], c[2], c[3], c[4]])).toStrictEqual([
      [true, 'AuthorizationPolicy demo/web-8080', 8080, 'both ends are meshed and only meshed identities are admitted; mTLS through the proxies'],
      [true, 'Service demo/web port 80', 8080, 'only meshed identities are admitted; mTLS through the proxies'],
      [false, 'AuthorizationPolicy demo/grpc', '*', 'its GRPCRoute demo/web-grpc attaches to Server demo/web-8080, whose proxyProtocol unknown does not use GRPCRoutes, so it authorizes nothing'],
    ]);
  });

  test('a Server port name shared by two containers covers both ports', () => {
    const chart = testChart();
    Mesh.inject(namespace(chart, 'demo'));
    const web = deployment(chart, 'web', { port: 8080 });
    web.addContainer({ name: 'admin', image: 'docker.io/hashicorp/http-echo:1.0.0', ports: [{ number: 9090, name: 'http' }] });
    allow(deployment(chart, 'api'), web, ServerPort.named('http'));
    expect(callers(MeshCoverage.of(chart), 'web').map(c => [c[0], c[3]])).toStrictEqual([[true, 8080], [true, 9090]]);
  });

  // policy-controller/k8s/index/src/inbound/index.rs:1758-1782: an opaque default server has no HTTP routes, hence no probe route
  test('notes an HTTP probe on an opaque port no Server selects that the default policy refuses', () => {
    const notes = (policy: string) => {
      const chart = testChart();
      const ns = namespace(chart, 'data');
      Mesh.inject(ns);
      ns.metadata.addAnnotation('config.linkerd.io/default-inbound-policy', policy);
      deployment(chart, 'db', { namespace: 'data', port: 3306, probe: '/health' });
      return MeshCoverage.of(chart).workloads[0].notes;
    };
    expect(notes('all-authenticated')).toStrictEqual(['the kubelet\'s probe GET /health on port 3306 would be refused: port 3306 is opaque, so Linkerd adds no probe route, '
      + 'and the default inbound policy all-authenticated (namespace data) admits only meshed clients']);
    expect(notes('deny')).toStrictEqual([expect.stringMatching(/the default inbound policy deny \(namespace data\) admits no client$/)]);
    expect(notes('all-unauthenticated')).toStrictEqual([]);
  });

  test('explains why workloads are not meshed, and notes the mistakes the injector ignores silently', () => {
    const chart = testChart();
    namespace(chart, 'kube-system');
    deployment(chart, 'dns', { namespace: 'kube-system' });
    const own = deployment(chart, 'own', { namespace: 'apps' });
    own.metadata.addAnnotation('linkerd.io/inject', 'enabled');
    new k8s.KubeDeployment(chart, 'host', {
      metadata: { name: 'host', namespace: 'apps' },
      spec: { selector: { matchLabels: { app: 'host' } }, template: { metadata: { labels: { app: 'host' }, annotations: { 'linkerd.io/inject': 'enabled' } },
        spec: { hostNetwork: true, containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
    });
    new k8s.KubeDeployment(chart, 'typo', {
      metadata: { name: 'typo', namespace: 'apps' },
      spec: { selector: { matchLabels: { app: 'typo' } }, template: { metadata: { labels: { app: 'typo' }, annotations: { 'linkerd.io/inject': 'enable' } },
        spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
    });
    Mesh.inject(namespace(chart, 'batch'), { version: LinkerdVersion.V2_14 });
    new k8s.KubeJob(chart, 'job', { metadata: { name: 'job', namespace: 'batch' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] } } } });
    const data = MeshCoverage.of(chart, { version: LinkerdVersion.V2_14 });
    expect(data.workloads.map(w => [`${w.namespace}/${w.name}`, w.meshed, w.injection, w.notes])).toStrictEqual([
      ['apps/host', false, 'its pods use hostNetwork, which the proxy injector skips', []],
      ['apps/own', false, 'neither its pod template nor namespace apps (not declared in this app) has linkerd.io/inject: enabled',
        ['linkerd.io/inject on the Deployment\'s own metadata is ignored: the injector reads the pod template and the namespace']],
      ['apps/typo', false, 'its pod template has an invalid linkerd.io/inject value "enable"', []],
      ['batch/job', true, 'namespace batch has linkerd.io/inject: enabled',
        ['its proxy is not a native sidecar, so it keeps running after the Job\'s containers exit and the Job never completes']],
      ['kube-system/dns', false, 'namespace kube-system is excluded by the proxy injector webhook', []],
    ]);
  });

  test('takes port lists, the default policy and the identity domain from the control plane', () => {
    const chart = testChart();
    const identity = new LinkerdIdentity(chart, 'identity', { namespace: 'mesh', trustDomain: 'corp.example' });
    const controlPlane = new LinkerdControlPlane(chart, 'cp', { identity, values: { proxyInit: { ignoreOutboundPorts: '25' }, proxy: { opaquePorts: '' } } });
    Mesh.inject(deployment(chart, 'db', { port: 3306 }));
    const [db] = MeshCoverage.of(chart, { controlPlane }).workloads;
    expect(db).toMatchObject({
      identity: 'db.demo.serviceaccount.identity.mesh.corp.example',
      skipOutboundPorts: '25',
      ports: [{ port: 3306, name: 'http', inbound: 'mtls' }],
    });
  });
});

describe('MeshCoverageReport', () => {
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-coverage-')); });
  afterEach(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

  test('writes the report outside the manifests folder, deterministically', () => {
    const outdir = path.join(tmp, 'dist');
    const define = (app: any) => {
      const chart = new Chart(app, 'demo');
      new DemoWorkloads(chart, 'demo');
      new MeshCoverageReport(chart, 'mtls', { strict: true });
    };
    const report = synthesize(define, { outdir });
    const text = fs.readFileSync(path.join(outdir, 'reports', 'mtls-coverage.json'), 'utf8');
    expect(report.extraFiles.map(f => f.file)).toStrictEqual(['reports/mtls-coverage.json']);
    expect(JSON.parse(text).summary).toStrictEqual({ workloads: 2, meshed: 2, flows: 2, mtls: 2 });
    expect(MeshCoverage.format(report.extraFiles[0].documents[0])).toMatch(/^mtls coverage \(Linkerd 2\.20\): 2 workloads, 2 meshed; 2 declared flows, 2 mTLS, 0 not mTLS\n/);
    synthesize(define, { outdir });
    expect(fs.readFileSync(path.join(outdir, 'reports', 'mtls-coverage.json'), 'utf8')).toBe(text);
  });

  test('strict mode fails synth when declared traffic skips the proxy', () => {
    const chart = pair({ serverSkip: 8080 });
    new MeshCoverageReport(chart, 'mtls', { strict: true });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/mtls\] declared traffic would not be mTLS: Deployment demo\/client -> Deployment demo\/server port 8080 \(AuthorizationPolicy demo\/server-http\): port 8080 bypasses the proxy of Deployment demo\/server \(skip-inbound-ports\)/);
  });

  test('strict mode fails synth on a Service to a meshed port that the default policy leaves open', () => {
    const chart = testChart();
    Mesh.inject(namespace(chart, 'demo'));
    deployment(chart, 'web', { port: 8080 });
    new k8s.KubeService(chart, 'svc', { metadata: { name: 'web', namespace: 'demo' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: k8s.IntOrString.fromNumber(8080) }] } });
    new MeshCoverageReport(chart, 'mtls', { strict: true });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/mtls\] declared traffic would not be mTLS: clients of Service demo\/web -> Deployment demo\/web port 8080 \(Service demo\/web port 80\): port 8080 of Deployment demo\/web admits clients without a mesh identity: the default inbound policy all-unauthenticated \(cluster default\)/);
  });

  test('without strict, the same app synthesizes and the report records the plaintext flows', () => {
    const chart = pair({ serverSkip: 8080 });
    const report = new MeshCoverageReport(chart, 'mtls');
    expect(() => Testing.synth(chart)).not.toThrow();
    expect(report.compute().summary).toStrictEqual({ workloads: 2, meshed: 2, flows: 2, mtls: 0 });
  });

  test('validation leaves the tree alone: the file is made with the report, and its content follows the app at each synth', async () => {
    const chart = pair({});
    const report = new MeshCoverageReport(chart, 'mtls');
    const file = report.node.findChild('File') as OutputFile;
    const before = chart.node.findAll().length;
    Testing.synth(chart);
    expect(report.node.findChild('File')).toBe(file);
    expect(chart.node.findAll().length).toBe(before);
    expect(JSON.parse(file.content).summary.workloads).toBe(2);
    // a synthesis's results are shared until the next microtask (perSynth)
    await Promise.resolve();
    deployment(chart, 'extra', { port: 9090 });
    Testing.synth(chart);
    expect(JSON.parse(file.content).summary.workloads).toBe(3);
  });

  test('fails on a path that is not in a subfolder of the output', () => {
    expect(() => new MeshCoverageReport(testChart(), 'mtls', { path: 'mtls.json' }))
      .toThrow(/^\[test\/mtls\] path "mtls\.json" must be relative and inside a subfolder of the output folder \(e\.g\. reports\/mtls-coverage\.json\)$/);
    expect(() => new MeshCoverageReport(testChart(), 'up', { path: '../reports/mtls.json' })).toThrow(/path "\.\.\/reports\/mtls\.json" must be relative/);
  });
});
