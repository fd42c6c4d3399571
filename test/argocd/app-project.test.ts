import { ApiObject, JsonPatch, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { Application, ApplicationSource, AppProject, AppProjectProps } from '../../src/argocd';
import { LinkerdPlatform } from '../../src/platform';
import { synthKind, testChart } from '../_util';

const REPO = 'https://git.example.com/platform/cdk8s-linkerd.git';

function project(props: Partial<AppProjectProps>): () => AppProject {
  const chart = testChart();
  return () => new AppProject(chart, 'project', { metadata: { name: 'platform' }, sourceRepos: [REPO], destinationNamespaces: ['linkerd'], ...props });
}

describe('AppProject', () => {
  test('renders a project restricted to named repositories, namespaces and cluster-scoped kinds', () => {
    const chart = testChart();
    new AppProject(chart, 'project', {
      metadata: { name: 'platform' },
      description: 'd',
      sourceRepos: [REPO, REPO],
      destinationNamespaces: ['linkerd', 'argocd', 'linkerd'],
      clusterResources: [{ group: '', kind: 'Namespace' }],
    });
    expect(synthKind(chart, 'AppProject')).toStrictEqual([{
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: 'platform', namespace: 'argocd' },
      spec: {
        description: 'd',
        sourceRepos: [REPO],
        destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'linkerd' }, { server: 'https://kubernetes.default.svc', namespace: 'argocd' }],
        clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
      },
    }]);
  });

  test('scopeOf collects namespaces, cluster-scoped kinds (core as \'\') and the Applications\' repositories and destinations', () => {
    const chart = testChart();
    new k8s.KubeNamespace(chart, 'ns', { metadata: { name: 'apps' } });
    new k8s.KubeConfigMap(chart, 'cm', { metadata: { name: 'cm', namespace: 'apps' } });
    new Application(chart, 'app', {
      metadata: { name: 'crds' },
      source: ApplicationSource.helmChart({ repoUrl: 'https://helm.linkerd.io/edge', chart: 'linkerd-crds', version: '1' }),
      destinationNamespace: 'linkerd',
    });
    expect(AppProject.scopeOf(chart)).toStrictEqual({
      sourceRepos: ['https://helm.linkerd.io/edge'],
      namespaces: ['apps', 'argocd', 'linkerd'],
      clusterResources: [{ group: '', kind: 'Namespace' }],
    });
  });

  test('fails without a repository', () => {
    expect(project({ sourceRepos: [] })).toThrow(/sourceRepos must name at least one repository/);
  });

  test('fails on a wildcard repository', () => {
    expect(project({ sourceRepos: ['*'] })).toThrow(/sourceRepos "\*" is not allowed: name the repository, without wildcards/);
  });

  test('fails without a namespace', () => {
    expect(project({ destinationNamespaces: [] })).toThrow(/destinationNamespaces must name at least one namespace/);
  });

  test('fails on a wildcard namespace', () => {
    expect(project({ destinationNamespaces: ['team-*'] })).toThrow(/destination namespace "team-\*" is not allowed: name the namespace, without wildcards/);
  });

  test('fails on a namespace that is not a DNS-1123 label', () => {
    expect(project({ destinationNamespaces: ['Linkerd'] })).toThrow(/destination namespace "Linkerd" must be a DNS-1123 label/);
  });

  test('fails on a wildcard destination server', () => {
    expect(project({ destinationServer: '*' })).toThrow(/destination server "\*" is not allowed: name the cluster, without wildcards/);
  });

  test('fails on a wildcard cluster-scoped kind', () => {
    expect(project({ clusterResources: [{ group: '*', kind: '*' }] })).toThrow(/clusterResources "\*\/\*" is not allowed: name each cluster-scoped kind/);
  });

  test('fails when named default, Argo CD\'s unrestricted project', () => {
    expect(project({ metadata: { name: 'default' } })).toThrow(/name "default" is not allowed: that is Argo CD's unrestricted built-in project/);
  });

  test('fails at synth when a patch widens it', () => {
    const chart = testChart();
    const p = new AppProject(chart, 'project', { metadata: { name: 'platform' }, sourceRepos: [REPO], destinationNamespaces: ['linkerd'] });
    ApiObject.of(p).addJsonPatch(JsonPatch.replace('/spec/sourceRepos', ['*']));
    expect(() => Testing.synth(chart)).toThrow(/sourceRepos "\*" is not allowed/);
  });
});

describe('the platform in its own project (issue 13 §5)', () => {
  test.each([false, true])('prerequisites %s: the project admits every object, namespace, chart and cluster-scoped kind the platform deploys', prerequisites => {
    const platform = new LinkerdPlatform(Testing.app(), 'platform', { prerequisites, argoCdProject: 'platform', demo: true });
    const scope = platform.projectScope();
    const objects = Testing.synth(platform);
    for (const o of objects) {
      if (o.metadata.namespace) expect(scope.namespaces).toContain(o.metadata.namespace);
      else expect(scope.clusterResources).toContainEqual({ group: o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '', kind: o.kind });
    }
    const apps = objects.filter(o => o.kind === 'Application');
    for (const a of apps) {
      expect(a.spec.project).toBe('platform');
      expect(scope.sourceRepos).toContain(a.spec.source.repoURL);
      expect(scope.namespaces).toContain(a.spec.destination.namespace);
    }
    expect(scope.clusterResources).toContainEqual({ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' });
    expect(scope.clusterResources.filter(k => k.kind === 'ClusterIssuer')).toStrictEqual([]);
    expect(scope.namespaces.includes('kube-system')).toBe(prerequisites);
    expect(scope.sourceRepos.includes('https://charts.jetstack.io')).toBe(prerequisites);
  });
});
