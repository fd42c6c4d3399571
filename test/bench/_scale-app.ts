import { Chart, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { AuthenticationRef, AuthorizationPolicy, IdentityRef, MeshCoverageReport, MeshTLSAuthentication, PolicyTarget, ProxyProtocol, Server, ServerPort } from '../../src/mesh';
import { ResponseClass, RouteCondition, ServiceProfile, ServiceReference } from '../../src/traffic';

/**
 * The benchmark's unit of scale, one meshed service: a Service, a ServiceProfile with 10 routes, a Server, a
 * MeshTLSAuthentication and an AuthorizationPolicy.
 */
export function addMeshedService(scope: Construct, i: number): void {
  const name = `svc-${i}`;
  const namespace = `team-${i % 20}`;
  const group = new Construct(scope, name);
  new k8s.KubeService(group, 'service', {
    metadata: { name, namespace },
    spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: k8s.IntOrString.fromNumber(8080) }] },
  });
  new ServiceProfile(group, 'profile', {
    service: ServiceReference.fromName(name, namespace),
    routes: Array.from({ length: 10 }, (_, r) => ({
      name: `GET /api/v1/resource-${r}/{id}`,
      condition: RouteCondition.all(RouteCondition.method('GET'), RouteCondition.path(`/api/v1/resource-${r}/{id}`)),
      responseClasses: [ResponseClass.status(500, 599, { isFailure: true })],
      isRetryable: r % 2 === 0,
      timeout: Duration.millis(300 + r * 100),
    })),
  });
  const server = new Server(group, 'server', { metadata: { name, namespace }, podSelector: { app: name }, port: ServerPort.named('http'), proxyProtocol: ProxyProtocol.HTTP1 });
  const clients = new MeshTLSAuthentication(group, 'clients', { metadata: { name: `${name}-clients`, namespace }, identityRefs: [IdentityRef.serviceAccount(`client-${i}`, namespace)] });
  new AuthorizationPolicy(group, 'policy', { metadata: { name, namespace }, targetRef: PolicyTarget.server(server), requiredAuthenticationRefs: [AuthenticationRef.meshTLS(clients)] });
}

/** Options for {@link scaleChart}. */
export interface ScaleOptions {
  /**
   * Also a Deployment behind each service (in namespaces with injection enabled, so the Servers' meshing checks and
   * the coverage verdicts have pods to look at) and the app's mTLS coverage report, as the default platform has.
   *
   * @default false
   */
  readonly workloads?: boolean;
}

/** A chart with `count` meshed services. */
export function scaleChart(scope: Construct, count: number, options: ScaleOptions = {}): Chart {
  const chart = new Chart(scope, 'scale');
  for (let i = 0; i < count; i++) addMeshedService(chart, i);
  if (options.workloads) {
    for (let team = 0; team < Math.min(count, 20); team++) {
      new k8s.KubeNamespace(chart, `team-${team}`, { metadata: { name: `team-${team}`, annotations: { 'linkerd.io/inject': 'enabled' } } });
    }
    for (let i = 0; i < count; i++) addWorkload(chart, i, count);
    new MeshCoverageReport(chart, 'coverage');
  }
  return chart;
}

/**
 * The Deployment behind service `i`. It runs as the ServiceAccount that the AuthorizationPolicy of service `i + 20`
 * (same namespace) admits, so every workload is also a declared client of another.
 */
function addWorkload(scope: Construct, i: number, count: number): void {
  const name = `svc-${i}`;
  const labels = { app: name };
  new k8s.KubeDeployment(scope, `${name}-deployment`, {
    metadata: { name, namespace: `team-${i % 20}` },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { serviceAccountName: `client-${(i + 20) % count}`, containers: [{ name: 'app', image: 'registry.example.com/app:1.0.0', ports: [{ name: 'http', containerPort: 8080 }] }] },
      },
    },
  });
}
