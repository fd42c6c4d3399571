import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { applySyncWaves } from '../../src/argocd';
import { synthKind, testChart } from '../_util';

function configMap(scope: Construct, id: string): ApiObject {
  return new k8s.KubeConfigMap(scope, id, { metadata: { name: id } });
}

describe('applySyncWaves', () => {
  test('numbers waves from declared dependencies, through groups, and leaves wave 0 unannotated', () => {
    // GIVEN: namespace ← identity (two objects) ← release; crds independent
    const chart = testChart();
    const namespace = configMap(chart, 'namespace');
    const identity = new Construct(chart, 'identity');
    configMap(identity, 'issuer');
    configMap(identity, 'bundle');
    const crds = configMap(chart, 'crds');
    const release = configMap(chart, 'release');
    identity.node.addDependency(namespace);
    release.node.addDependency(identity, crds);
    // WHEN
    const waves = applySyncWaves(chart);
    // THEN
    expect(Object.fromEntries(waves)).toStrictEqual({ 'test/namespace': 0, 'test/identity/issuer': 1, 'test/identity/bundle': 1, 'test/crds': 0, 'test/release': 2 });
    const annotations = Object.fromEntries(synthKind(chart, 'ConfigMap').map(o => [o.metadata.name, o.metadata.annotations?.['argocd.argoproj.io/sync-wave']]));
    expect(annotations).toStrictEqual({ namespace: undefined, crds: undefined, issuer: '1', bundle: '1', release: '2' });
  });

  test('fails on a dependency cycle', () => {
    const chart = testChart();
    const a = configMap(chart, 'a');
    const b = configMap(chart, 'b');
    a.node.addDependency(b);
    b.node.addDependency(a);
    expect(() => applySyncWaves(chart)).toThrow(/^\[test\/(a|b)\] sync waves: dependency cycle through this object$/);
  });
});
