import { ApiObject, ApiObjectMetadata, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { Application as ApplicationL1 } from '../../imports/argoproj.io';
import { durationNanos, formatGoDuration } from '../_internal/duration';
import { throwIfProblems } from '../_internal/errors';
import { Problems } from '../_internal/problems';
import { validateRendered } from '../_internal/validated';
import { applicationProblems } from './application-rules';

/** Options for {@link ApplicationSource.helmChart}. */
export interface HelmChartSourceOptions {
  /** The Helm repository URL, e.g. `https://helm.linkerd.io/edge`. */
  readonly repoUrl: string;
  /** The chart name. */
  readonly chart: string;
  /** The chart version (`targetRevision`). */
  readonly version: string;
  /**
   * The Helm release name.
   *
   * @default - the Application's name
   */
  readonly releaseName?: string;
  /**
   * The chart values (`helm.valuesObject`).
   *
   * @default - the chart's defaults
   */
  readonly valuesObject?: Record<string, any>;
}

/** Options for {@link ApplicationSource.directory}. */
export interface DirectorySourceOptions {
  /** The Git repository URL. */
  readonly repoUrl: string;
  /** The folder of plain manifests, e.g. `dist`. */
  readonly path: string;
  /**
   * The branch, tag or commit.
   *
   * @default 'HEAD'
   */
  readonly targetRevision?: string;
  /**
   * Whether subfolders are read too. Off, so that non-manifest files in subfolders (Helm values) stay out.
   *
   * @default false
   */
  readonly recurse?: boolean;
}

/** Where an Application's manifests come from (`spec.source`). */
export class ApplicationSource {
  /** A chart from a Helm repository, with its values inline. */
  public static helmChart(options: HelmChartSourceOptions): ApplicationSource {
    return new ApplicationSource({
      repoUrl: options.repoUrl,
      chart: options.chart,
      targetRevision: options.version,
      helm: { releaseName: options.releaseName, valuesObject: options.valuesObject },
    });
  }

  /** A folder of plain YAML in a Git repository (a directory app). */
  public static directory(options: DirectorySourceOptions): ApplicationSource {
    return new ApplicationSource({
      repoUrl: options.repoUrl,
      path: options.path,
      targetRevision: options.targetRevision ?? 'HEAD',
      directory: { recurse: options.recurse ?? false },
    });
  }

  private constructor(private readonly spec: Record<string, any>) {}

  /** @internal */
  public _toSpec(): any {
    return this.spec;
  }
}

/** Argo CD sync options this library uses (`spec.syncPolicy.syncOptions`). */
export enum SyncOption {
  /** `kubectl apply --server-side`: needed for objects over the 262144-byte last-applied annotation limit (large CRDs). */
  SERVER_SIDE_APPLY = 'ServerSideApply=true',
  /** Skips the dry run for kinds whose CRD is installed by the same sync. */
  SKIP_DRY_RUN_ON_MISSING_RESOURCE = 'SkipDryRunOnMissingResource=true',
  /** Creates the destination namespace. */
  CREATE_NAMESPACE = 'CreateNamespace=true',
  /** Applies `ignoreDifferences` during sync too, so Argo CD does not overwrite fields others manage. */
  RESPECT_IGNORE_DIFFERENCES = 'RespectIgnoreDifferences=true',
  /** Prunes after everything else is applied. */
  PRUNE_LAST = 'PruneLast=true',
}

/** Options for {@link IgnoreDifference.jqPaths}. */
export interface IgnoreDifferenceOptions {
  /** The API group, without the version (`admissionregistration.k8s.io`; `''` for core). */
  readonly group: string;
  /** The kind. */
  readonly kind: string;
  /**
   * Only objects of this name.
   *
   * @default - every object of the kind
   */
  readonly name?: string;
  /** jq path expressions of the fields to ignore, e.g. `.webhooks[]?.clientConfig.caBundle`. */
  readonly expressions: string[];
  /** Why the field legitimately drifts; shown in the synth summary and required so none is added blindly. */
  readonly reason: string;
}

/** A field Argo CD should not diff (`spec.ignoreDifferences[]`), with the reason it drifts. */
export class IgnoreDifference {
  /** Ignores fields selected by jq path expressions. */
  public static jqPaths(options: IgnoreDifferenceOptions): IgnoreDifference {
    return new IgnoreDifference(options);
  }

  private constructor(private readonly options: IgnoreDifferenceOptions) {}

  /** Why the field drifts. */
  public get reason(): string {
    return this.options.reason;
  }

  /** @internal */
  public _toSpec(): any {
    const { group, kind, name, expressions } = this.options;
    return { group, kind, name, jqPathExpressions: expressions };
  }
}

/** Automated sync settings (`spec.syncPolicy.automated`). */
export interface AutomatedSync {
  /**
   * Deletes objects that are no longer in the source.
   *
   * @default false
   */
  readonly prune?: boolean;
  /**
   * Reverts changes made in the cluster.
   *
   * @default false
   */
  readonly selfHeal?: boolean;
}

/** Options for {@link SyncRetry.backoff}. */
export interface SyncRetryOptions {
  /**
   * How many times a failed sync is retried; a negative number retries forever.
   *
   * @default 10
   */
  readonly limit?: number;
  /**
   * The wait before the first retry.
   *
   * @default Duration.seconds(10)
   */
  readonly duration?: Duration;
  /**
   * The factor the wait grows by after each failed retry.
   *
   * @default 2
   */
  readonly factor?: number;
  /**
   * The longest wait between two retries.
   *
   * @default Duration.minutes(5)
   */
  readonly maxDuration?: Duration;
}

/**
 * How Argo CD retries a failed sync (`spec.syncPolicy.retry`).
 *
 * Argo CD does not auto-sync again a revision whose last sync failed
 * (argo-cd@v3.5.1:controller/appcontroller.go:2397 "Skipping auto-sync: failed previous sync attempt"). Without this
 * field an automated sync is retried 5 times (appcontroller.go:2383) with the default backoff of 5s doubling up to
 * 3m0s (pkg/apis/application/v1alpha1/application_defaults.go:6-8): about 2.5 minutes in all, less than a cold
 * cluster takes to pull the control plane's images, after which the install stops. The default here (10 retries from
 * 10s, doubling, at most 5m0s apart) keeps trying for about half an hour. Argo CD uses this for automated syncs
 * (appcontroller.go:2385-2386); a manual sync takes its own retry settings.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/auto_sync/
 */
export class SyncRetry {
  /** Retries with exponential backoff. */
  public static backoff(options: SyncRetryOptions = {}): SyncRetry {
    return new SyncRetry(options);
  }

  /** No retry: a failed sync stays failed until the next commit or a manual sync. */
  public static none(): SyncRetry {
    return new SyncRetry(undefined);
  }

  /** The options with their defaults, resolved once; undefined for no retry. */
  private readonly resolved?: { limit: number; factor: number; duration: bigint; maxDuration: bigint };

  private constructor(options: SyncRetryOptions | undefined) {
    this.resolved = options && {
      limit: options.limit ?? 10,
      factor: options.factor ?? 2,
      duration: durationNanos(options.duration ?? Duration.seconds(10)),
      maxDuration: durationNanos(options.maxDuration ?? Duration.minutes(5)),
    };
  }

  /** @internal */
  public _problems(): string[] {
    const r = this.resolved;
    if (!r) return [];
    const problems = new Problems();
    if (!Number.isInteger(r.limit) || r.limit === 0) {
      problems.add(`retry limit ${r.limit} must be a non-zero integer (negative: retry forever); use SyncRetry.none() for no retry`);
    }
    if (!Number.isInteger(r.factor) || r.factor < 1) {
      problems.add(`retry factor ${r.factor} must be an integer of at least 1 (Argo CD reads it as int64)`);
    }
    if (r.duration <= 0n) problems.add(`retry duration ${formatGoDuration(r.duration)} must be positive`);
    if (r.maxDuration < r.duration) {
      problems.add(`retry maxDuration ${formatGoDuration(r.maxDuration)} must be at least the duration ${formatGoDuration(r.duration)}`);
    }
    return [...problems.list];
  }

  /** @internal */
  public _toSpec(): any {
    const r = this.resolved;
    if (!r) return undefined;
    return { limit: r.limit, backoff: { duration: formatGoDuration(r.duration), factor: r.factor, maxDuration: formatGoDuration(r.maxDuration) } };
  }
}

/** Props for {@link Application}. */
export interface ApplicationProps {
  /**
   * Name (also the Helm release name by default), namespace and labels.
   *
   * @default - a name generated from the construct path, in namespace 'argocd'
   */
  readonly metadata?: ApiObjectMetadata;
  /**
   * The Argo CD project.
   *
   * @default 'default'
   */
  readonly project?: string;
  /** What to deploy. */
  readonly source: ApplicationSource;
  /**
   * The namespace namespaced objects without one go to.
   *
   * @default - none; every object must carry its namespace
   */
  readonly destinationNamespace?: string;
  /**
   * The cluster API server URL.
   *
   * @default 'https://kubernetes.default.svc' (the cluster Argo CD runs in)
   */
  readonly destinationServer?: string;
  /**
   * Sync options.
   *
   * @default - none
   */
  readonly syncOptions?: SyncOption[];
  /**
   * Automated sync.
   *
   * @default - manual sync
   */
  readonly automated?: AutomatedSync;
  /**
   * Fields Argo CD should not diff, each with its reason.
   *
   * @default - none
   */
  readonly ignoreDifferences?: IgnoreDifference[];
  /**
   * How a failed sync is retried.
   *
   * @default SyncRetry.backoff() (10 retries, 10s doubling up to 5m0s)
   */
  readonly retry?: SyncRetry;
}

/**
 * An Argo CD Application (`argoproj.io/v1alpha1`), checked against the rules Argo CD applies when it reads one.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#applications
 */
export class Application extends Construct {
  /** The generated `Application` object. */
  public readonly apiObject: ApiObject;
  /** The ignored differences, with their reasons. */
  public readonly ignoreDifferences: readonly IgnoreDifference[];
  /** The Application's namespace: `metadata.namespace`, else `argocd`. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: ApplicationProps) {
    super(scope, id);
    this.ignoreDifferences = props.ignoreDifferences ?? [];
    this.namespace = props.metadata?.namespace ?? 'argocd';
    const syncOptions = [...new Set(props.syncOptions ?? [])];
    const retry = props.retry ?? SyncRetry.backoff();
    throwIfProblems(retry._problems(), this);
    this.apiObject = new ApplicationL1(this, 'Resource', {
      metadata: { ...props.metadata, namespace: this.namespace },
      spec: {
        project: props.project ?? 'default',
        source: props.source._toSpec(),
        destination: { server: props.destinationServer ?? 'https://kubernetes.default.svc', namespace: props.destinationNamespace },
        syncPolicy: {
          automated: props.automated && { prune: props.automated.prune ?? false, selfHeal: props.automated.selfHeal ?? false },
          syncOptions: syncOptions.length > 0 ? syncOptions : undefined,
          retry: retry._toSpec(),
        },
        ignoreDifferences: this.ignoreDifferences.length > 0 ? this.ignoreDifferences.map(d => d._toSpec()) : undefined,
      },
    });
    validateRendered(this, this.apiObject, applicationProblems);
  }

  /** The Application's name. */
  public get name(): string {
    return this.apiObject.name;
  }
}
