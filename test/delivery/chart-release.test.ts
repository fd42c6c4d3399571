import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { ChartRelease } from '../../src/delivery';
import { synthKind, testChart } from '../_util';

describe('ChartRelease', () => {
  const values = { controllerReplicas: 3, proxy: { logLevel: 'warn,linkerd=info' }, clusterNetworks: '10.0.0.0/8' };

  test('the values file and the Application carry the same values', () => {
    const chart = testChart();
    const release = new ChartRelease(chart, 'cp', {
      repository: 'https://helm.linkerd.io/edge', chart: 'linkerd-control-plane', version: '2026.6.3',
      releaseName: 'linkerd-control-plane', namespace: 'linkerd', values,
    });
    const app = synthKind(chart, 'Application')[0];
    expect(app.metadata.name).toBe('linkerd-control-plane');
    expect(app.spec.source).toMatchObject({ chart: 'linkerd-control-plane', targetRevision: '2026.6.3', repoURL: 'https://helm.linkerd.io/edge' });
    expect(parse(release.valuesFile.content)).toStrictEqual(app.spec.source.helm.valuesObject);
    expect(parse(release.valuesFile.content)).toStrictEqual(values);
    expect(release.valuesFile.path).toBe('helm/linkerd-control-plane.values.yaml');
  });

  test('the values file tells Argo CD to skip it and carries the helm commands', () => {
    const release = new ChartRelease(testChart(), 'cp', {
      repository: 'https://helm.linkerd.io/edge', chart: 'linkerd-control-plane', version: '2026.6.3',
      releaseName: 'linkerd-control-plane', namespace: 'linkerd', values,
    });
    expect(release.helmCommands).toStrictEqual([
      'helm repo add linkerd https://helm.linkerd.io/edge',
      'helm upgrade --install linkerd-control-plane linkerd/linkerd-control-plane --version 2026.6.3 --namespace linkerd -f helm/linkerd-control-plane.values.yaml',
    ]);
    expect(release.valuesFile.content.split('\n').slice(0, 4)).toStrictEqual([
      '# +argocd:skip-file-rendering',
      '# Values for the linkerd-control-plane chart 2026.6.3, identical to the valuesObject of Argo CD Application linkerd-control-plane.',
      '#   helm repo add linkerd https://helm.linkerd.io/edge',
      '#   helm upgrade --install linkerd-control-plane linkerd/linkerd-control-plane --version 2026.6.3 --namespace linkerd -f helm/linkerd-control-plane.values.yaml',
    ]);
    expect(Testing.synth(release.node.scope as any)).toHaveLength(1);
  });
});
