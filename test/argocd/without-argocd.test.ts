import * as fs from 'node:fs';
import * as path from 'node:path';
import { installWithoutArgoCd } from '../../src/argocd/without-argocd';

const wave = (n: number, extra: Record<string, string> = {}) => ({ annotations: { 'argocd.argoproj.io/sync-wave': String(n), ...extra } });

describe('installWithoutArgoCd', () => {
  const documents = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'linkerd', ...wave(0) } },
    { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'linkerd-crds', namespace: 'argocd', ...wave(0) },
      spec: { source: { repoURL: 'https://helm.linkerd.io/edge', chart: 'linkerd-crds', targetRevision: '2026.6.3' }, destination: { namespace: 'linkerd' } } },
    { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'root', namespace: 'argocd', ...wave(0) }, spec: { source: { repoURL: 'https://git.example/x.git', path: 'dist' } } },
    { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'p', namespace: 'argocd', ...wave(0) } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'gate', namespace: 'argocd', ...wave(0) } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'gate', ...wave(0) } },
    { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'gate', namespace: 'argocd', ...wave(1, { 'argocd.argoproj.io/hook': 'Sync' }) },
      spec: { template: { spec: {
        initContainers: [{ args: ['wait', '--cache-dir=/cache', '--for=condition=Established', 'crd/servers.policy.linkerd.io'] }],
        containers: [{ args: ['wait', '--cache-dir=/cache', '--for=condition=Available', '-n', 'linkerd', 'deployment/linkerd-proxy-injector'] }],
      } } } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'apps', ...wave(2) } },
    // a hook Job of the user's that is no gate (command only, no kubectl wait): nothing stands in for it
    { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'apps', ...wave(2, { 'argocd.argoproj.io/hook': 'PostSync' }) },
      spec: { template: { spec: { containers: [{ command: ['/bin/migrate'] }] } } } },
  ];

  test('applies each wave in order, installs chart Applications with helm --wait, runs the gates\' waits, and leaves Argo CD\'s own objects out', () => {
    expect(installWithoutArgoCd([{ file: 'platform.k8s.yaml', documents }])).toStrictEqual([
      'cd dist',
      '# wave 0',
      'yq \'select((.kind == "Namespace" and .metadata.name == "linkerd"))\' platform.k8s.yaml | kubectl apply -f -',
      'helm upgrade --install linkerd-crds linkerd-crds --repo https://helm.linkerd.io/edge --version 2026.6.3 --namespace linkerd --create-namespace --wait -f helm/linkerd-crds.values.yaml',
      '# wave 1',
      'kubectl wait --for=condition=Established crd/servers.policy.linkerd.io',
      'kubectl wait --for=condition=Available -n linkerd deployment/linkerd-proxy-injector',
      '# wave 2',
      'yq \'select((.kind == "Deployment" and .metadata.namespace == "apps" and .metadata.name == "web"))\' platform.k8s.yaml | kubectl apply -f -',
    ]);
  });
});

describe('README\'s "without Argo CD" block', () => {
  test('is what the default platform\'s rollout plan says (dist/reports/rollout.json)', () => {
    const root = path.resolve(__dirname, '..', '..');
    const plan = JSON.parse(fs.readFileSync(path.join(root, 'dist', 'reports', 'rollout.json'), 'utf8'));
    const pattern = /<!-- without-argocd:begin -->\n```sh\n([\s\S]*?)\n```\n<!-- without-argocd:end -->/;
    let readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    if (process.env.UPDATE_README) {
      readme = readme.replace(pattern, () => `<!-- without-argocd:begin -->\n\`\`\`sh\n${plan.withoutArgoCd.join('\n')}\n\`\`\`\n<!-- without-argocd:end -->`);
      fs.writeFileSync(path.join(root, 'README.md'), readme);
    }
    expect(pattern.exec(readme)?.[1].split('\n')).toStrictEqual(plan.withoutArgoCd);
  });
});
