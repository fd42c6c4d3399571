import { ApiObject, JsonPatch, Testing, Duration } from 'cdk8s';
import { Application, ApplicationProps, ApplicationSource, IgnoreDifference, SyncOption, SyncRetry } from '../../src/argocd';
import { synthKind, testChart } from '../_util';

const helm = ApplicationSource.helmChart({ repoUrl: 'https://helm.linkerd.io/edge', chart: 'linkerd-crds', version: '2026.6.3', valuesObject: { a: 1 } });

function application(props: Partial<ApplicationProps>): () => Application {
  const chart = testChart();
  return () => new Application(chart, 'app', { metadata: { name: 'app' }, source: helm, ...props });
}

describe('Application', () => {
  test('renders a Helm chart source with valuesObject, sync options, automation and ignored differences', () => {
    const chart = testChart();
    new Application(chart, 'app', {
      metadata: { name: 'linkerd-crds' },
      source: helm,
      destinationNamespace: 'linkerd',
      syncOptions: [SyncOption.SERVER_SIDE_APPLY, SyncOption.SERVER_SIDE_APPLY],
      automated: { prune: true },
      ignoreDifferences: [IgnoreDifference.jqPaths({ group: 'apps', kind: 'Deployment', expressions: ['.spec.replicas'], reason: 'an autoscaler owns replicas' })],
    });
    expect(synthKind(chart, 'Application')).toStrictEqual([{
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'linkerd-crds', namespace: 'argocd' },
      spec: {
        project: 'default',
        source: { repoURL: 'https://helm.linkerd.io/edge', chart: 'linkerd-crds', targetRevision: '2026.6.3', helm: { valuesObject: { a: 1 } } },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'linkerd' },
        syncPolicy: { automated: { prune: true, selfHeal: false }, syncOptions: ['ServerSideApply=true'], retry: { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m0s' } } },
        ignoreDifferences: [{ group: 'apps', kind: 'Deployment', jqPathExpressions: ['.spec.replicas'] }],
      },
    }]);
  });

  test('renders a directory source that does not recurse into subfolders', () => {
    const chart = testChart();
    new Application(chart, 'root', { metadata: { name: 'root' }, source: ApplicationSource.directory({ repoUrl: 'https://git.example.com/p.git', path: 'dist' }) });
    expect(synthKind(chart, 'Application')[0].spec.source).toStrictEqual({ repoURL: 'https://git.example.com/p.git', path: 'dist', targetRevision: 'HEAD', directory: { recurse: false } });
  });

  test('fails when the name is not a DNS-1123 subdomain', () => {
    expect(application({ metadata: { name: 'Linkerd_CRDs' } })).toThrow(/^\[test\/app\] name "Linkerd_CRDs" must be a DNS-1123 subdomain/);
  });

  test('fails without a project', () => {
    expect(application({ project: '' })).toThrow(/^\[test\/app\] project must be specified$/);
  });

  test('fails when ignoreDifferences names a group with its version', () => {
    expect(application({ ignoreDifferences: [IgnoreDifference.jqPaths({ group: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', expressions: ['.x'], reason: 'r' })] }))
      .toThrow(/^\[test\/app\] ignoreDifferences\[0\]\.group "admissionregistration\.k8s\.io\/v1" must be an API group without its version \("admissionregistration\.k8s\.io"\)$/);
  });

  test('fails when ignoreDifferences has no kind', () => {
    expect(application({ ignoreDifferences: [IgnoreDifference.jqPaths({ group: 'apps', kind: '', expressions: ['.x'], reason: 'r' })] }))
      .toThrow(/ignoreDifferences\[0\]\.kind must be specified/);
  });

  test('fails when the destination namespace is not a DNS-1123 label', () => {
    expect(application({ destinationNamespace: 'Linkerd' })).toThrow(/destination\.namespace "Linkerd" must be a DNS-1123 label/);
  });

  test('fails when a Helm chart source has no version', () => {
    expect(application({ source: ApplicationSource.helmChart({ repoUrl: 'https://x.example', chart: 'c', version: '' }) }))
      .toThrow(/source\.targetRevision must be the version of chart c/);
  });

  test('fails when a Git source has no path', () => {
    expect(application({ source: ApplicationSource.directory({ repoUrl: 'https://x.example/r.git', path: '' }) }))
      .toThrow(/source\.path must be specified for a Git source/);
  });

  test('fails without a repository URL', () => {
    expect(application({ source: ApplicationSource.directory({ repoUrl: '', path: 'dist' }) })).toThrow(/source\.repoURL must be specified/);
  });

  test('fails without a destination server', () => {
    expect(application({ destinationServer: '' })).toThrow(/destination server missing: set a server URL or a cluster name/);
  });

  describe('at synth, on what a patch renders', () => {
    test('fails when the destination has both a name and a server', () => {
      const chart = testChart();
      const app = new Application(chart, 'app', { metadata: { name: 'app' }, source: helm });
      ApiObject.of(app).addJsonPatch(JsonPatch.add('/spec/destination/name', 'in-cluster'));
      expect(() => Testing.synth(chart)).toThrow(/\[test\/app\] destination can't have both name and server defined: in-cluster https:\/\/kubernetes\.default\.svc/);
    });

    test('fails when helm has both values and valuesObject', () => {
      const chart = testChart();
      const app = new Application(chart, 'app', { metadata: { name: 'app' }, source: helm });
      ApiObject.of(app).addJsonPatch(JsonPatch.add('/spec/source/helm/values', 'a: 2'));
      expect(() => Testing.synth(chart)).toThrow(/source\.helm has both values and valuesObject: Argo CD uses valuesObject alone, set only one/);
    });

    test('fails on a JSON pointer that does not start with /', () => {
      const chart = testChart();
      const app = new Application(chart, 'app', { metadata: { name: 'app' }, source: helm });
      ApiObject.of(app).addJsonPatch(JsonPatch.add('/spec/ignoreDifferences', [{ kind: 'Secret', jsonPointers: ['data'] }]));
      expect(() => Testing.synth(chart)).toThrow(/ignoreDifferences\[0\]\.jsonPointers\[0\] "data" must start with "\/"/);
    });
  });

  describe('retry', () => {
    // argo-cd@v3.5.1:controller/appcontroller.go:2397 skips auto-sync of a revision whose last sync failed; without
    // syncPolicy.retry, appcontroller.go:2383 retries 5 times from 5s (about 2.5 minutes in all)
    test('every Application retries with backoff by default (10 times, 10s doubling to 5m0s)', () => {
      const chart = testChart();
      new Application(chart, 'app', { metadata: { name: 'app' }, source: helm });
      expect(synthKind(chart, 'Application')[0].spec.syncPolicy).toStrictEqual({ retry: { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m0s' } } });
    });

    test('renders a custom backoff in Go duration form, and none() drops it', () => {
      const chart = testChart();
      new Application(chart, 'a', { metadata: { name: 'a' }, source: helm, retry: SyncRetry.backoff({ limit: -1, duration: Duration.seconds(5), factor: 3, maxDuration: Duration.hours(1) }) });
      new Application(chart, 'b', { metadata: { name: 'b' }, source: helm, retry: SyncRetry.none() });
      const [a, b] = synthKind(chart, 'Application');
      expect(a.spec.syncPolicy.retry).toStrictEqual({ limit: -1, backoff: { duration: '5s', factor: 3, maxDuration: '1h0m0s' } });
      expect(b.spec.syncPolicy).toStrictEqual({});
    });

    test('fails on a zero or fractional limit', () => {
      expect(application({ retry: SyncRetry.backoff({ limit: 0 }) })).toThrow(/^\[test\/app\] retry limit 0 must be a non-zero integer \(negative: retry forever\); use SyncRetry.none\(\) for no retry$/);
      expect(application({ retry: SyncRetry.backoff({ limit: 1.5 }) })).toThrow(/retry limit 1.5 must be a non-zero integer/);
    });

    test('fails on a factor below 1', () => {
      expect(application({ retry: SyncRetry.backoff({ factor: 0 }) })).toThrow(/^\[test\/app\] retry factor 0 must be an integer of at least 1 \(Argo CD reads it as int64\)$/);
    });

    test('fails on a maxDuration below the duration', () => {
      expect(application({ retry: SyncRetry.backoff({ duration: Duration.minutes(10) }) }))
        .toThrow(/^\[test\/app\] retry maxDuration 5m0s must be at least the duration 10m0s$/);
    });

    test('fails on a non-positive duration', () => {
      expect(application({ retry: SyncRetry.backoff({ duration: Duration.millis(0) }) })).toThrow(/retry duration 0s must be positive/);
    });
  });
});
