import { Chart, Testing } from 'cdk8s';
import { ControlPlaneNamespace, PodSecurityLevel } from '../../src/linkerd';
import { synthKind, testChart } from '../_util';

describe('ControlPlaneNamespace', () => {
  test('carries the labels and annotation linkerd install sets, without a namespace of its own', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'ignored' });
    new ControlPlaneNamespace(chart, 'ns');
    expect(synthKind(chart, 'Namespace')).toStrictEqual([{
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'linkerd',
        annotations: { 'linkerd.io/inject': 'disabled' },
        labels: {
          'linkerd.io/is-control-plane': 'true',
          'config.linkerd.io/admission-webhooks': 'disabled',
          'linkerd.io/control-plane-ns': 'linkerd',
          'pod-security.kubernetes.io/enforce': 'privileged',
        },
      },
    }]);
  });

  test('a custom name and the restricted level (with the CNI plugin)', () => {
    const chart = testChart();
    new ControlPlaneNamespace(chart, 'ns', { name: 'mesh', podSecurity: PodSecurityLevel.RESTRICTED });
    expect(synthKind(chart, 'Namespace')[0].metadata.labels).toMatchObject({
      'linkerd.io/control-plane-ns': 'mesh',
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
  });

  test('fails when the name is not a DNS-1123 label', () => {
    expect(() => new ControlPlaneNamespace(testChart(), 'ns', { name: 'mesh.system' }))
      .toThrow(/^\[test\/ns\] name "mesh\.system" must be a DNS-1123 label/);
  });
});
