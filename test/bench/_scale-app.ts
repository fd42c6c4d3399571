import { Chart, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { AuthenticationRef, AuthorizationPolicy, IdentityRef, MeshTLSAuthentication, PolicyTarget, ProxyProtocol, Server, ServerPort } from '../../src/mesh';
import { ResponseClass, RouteCondition, ServiceProfile } from '../../src/traffic';

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
    service: { name, namespace },
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

/** A chart with `count` meshed services. */
export function scaleChart(scope: Construct, count: number): Chart {
  const chart = new Chart(scope, 'scale');
  for (let i = 0; i < count; i++) addMeshedService(chart, i);
  return chart;
}
