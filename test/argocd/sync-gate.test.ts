import { Duration } from 'cdk8s';
import { SyncGate } from '../../src/argocd';
import { synthKind, testChart } from '../_util';

describe('SyncGate', () => {
  test('renders a Sync hook Job that waits for CRDs (init container) and Deployments per namespace, with read-only RBAC', () => {
    const chart = testChart();
    new SyncGate(chart, 'gate', {
      name: 'mesh-ready',
      crds: ['servers.policy.linkerd.io', 'authorizationpolicies.policy.linkerd.io'],
      deployments: [{ namespace: 'linkerd', name: 'linkerd-proxy-injector' }, { namespace: 'linkerd', name: 'linkerd-destination' }],
      timeout: Duration.minutes(5),
    });
    const [job] = synthKind(chart, 'Job');
    // argo-cd@v3.5.1:docs/user-guide/sync-waves.md:130-132: the next wave waits for this one's hooks and resources
    expect([job.metadata.name, job.metadata.namespace]).toStrictEqual(['mesh-ready', 'argocd']);
    expect(job.metadata.annotations).toStrictEqual({ 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' });
    expect(job.spec.backoffLimit).toBe(10);
    const pod = job.spec.template;
    expect(pod.metadata.annotations).toStrictEqual({ 'linkerd.io/inject': 'disabled' });
    expect(pod.spec.serviceAccountName).toBe('mesh-ready');
    expect(pod.spec.volumes).toStrictEqual([{ name: 'cache', emptyDir: {} }]);
    expect(pod.spec.containers[0].image).toBe('registry.k8s.io/kubectl:v1.34.3');
    expect(pod.spec.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true });
    expect(pod.spec.initContainers.map((c: any) => c.args)).toStrictEqual([
      ['wait', '--cache-dir=/cache', '--for=condition=Established', '--timeout=300s', 'crd/authorizationpolicies.policy.linkerd.io', 'crd/servers.policy.linkerd.io'],
    ]);
    expect(pod.spec.containers.map((c: any) => c.args)).toStrictEqual([
      ['wait', '--cache-dir=/cache', '--for=condition=Available', '--timeout=300s', '-n', 'linkerd', 'deployment/linkerd-proxy-injector', 'deployment/linkerd-destination'],
    ]);
    expect(synthKind(chart, 'ClusterRole')[0].rules).toStrictEqual([
      { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(synthKind(chart, 'ClusterRoleBinding')[0].subjects).toStrictEqual([{ kind: 'ServiceAccount', name: 'mesh-ready', namespace: 'argocd' }]);
  });

  test('fails when it waits for nothing', () => {
    expect(() => new SyncGate(testChart(), 'gate', { name: 'g' })).toThrow(/^\[test\/gate\] a sync gate must wait for at least one CRD or Deployment$/);
  });

  test('fails on a negative backoffLimit and a bad name', () => {
    expect(() => new SyncGate(testChart(), 'gate', { name: 'g', crds: ['a.b'], backoffLimit: -1 })).toThrow(/backoffLimit -1 must be a non-negative integer/);
    expect(() => new SyncGate(testChart(), 'gate', { name: 'G_1', crds: ['a.b'] })).toThrow(/name "G_1" must be a DNS-1123 subdomain/);
  });
});
