import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { AppProject as AppProjectL1 } from '../../imports/argoproj.io';
import { compareStrings } from '../_internal/order';
import { validateRendered } from '../_internal/validated';
import { appProjectProblems } from './app-project-rules';

/** A Kubernetes kind by API group (`''` for the core group). */
export interface GroupKind {
  /** The API group, without the version. */
  readonly group: string;
  /** The kind. */
  readonly kind: string;
}

/** What a set of constructs deploys, as an AppProject must allow it ({@link AppProject.scopeOf}). */
export interface ProjectScope {
  /** The repositories of the Applications among them, sorted. */
  readonly sourceRepos: string[];
  /** The namespaces of their namespaced objects and the destination namespaces of their Applications, sorted. */
  readonly namespaces: string[];
  /** The kinds of their cluster-scoped objects (those without a namespace), sorted. */
  readonly clusterResources: GroupKind[];
}

/** Props for {@link AppProject}. */
export interface AppProjectProps {
  /**
   * Name, namespace and labels.
   *
   * @default - a name generated from the construct path, in namespace 'argocd'
   */
  readonly metadata?: ApiObjectMetadata;
  /**
   * What the project is for.
   *
   * @default - none
   */
  readonly description?: string;
  /** The repositories its Applications may use: at least one, no wildcard. */
  readonly sourceRepos: string[];
  /** The namespaces its Applications may deploy to: at least one, each a DNS-1123 label, no wildcard. */
  readonly destinationNamespaces: string[];
  /**
   * The cluster API server URL of every destination.
   *
   * @default 'https://kubernetes.default.svc' (the cluster Argo CD runs in)
   */
  readonly destinationServer?: string;
  /**
   * The cluster-scoped kinds its Applications may create (`clusterResourceWhitelist`).
   *
   * @default - none: Argo CD then denies every cluster-scoped object
   */
  readonly clusterResources?: GroupKind[];
}

/**
 * An Argo CD AppProject (`argoproj.io/v1alpha1`) restricted to named repositories, namespaces and cluster-scoped kinds,
 * instead of the `default` project, which allows any repository, any destination and every kind.
 *
 * An empty `clusterResourceWhitelist` denies all cluster-scoped kinds, and an unset namespaced list allows every
 * namespaced kind (argoproj/argo-cd@v3.5.1:pkg/apis/application/v1alpha1/app_project_types.go:399-417).
 *
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/projects/
 */
export class AppProject extends Construct {
  /**
   * What the constructs deploy: the namespaces and cluster-scoped kinds of every ApiObject under them, and the
   * repositories and destination namespaces of the Argo CD Applications among them. Objects without a namespace are
   * taken as cluster-scoped, as every object this library emits names its namespace.
   */
  public static scopeOf(...constructs: IConstruct[]): ProjectScope {
    const repos = new Set<string>();
    const namespaces = new Set<string>();
    const kinds = new Map<string, GroupKind>();
    for (const obj of constructs.flatMap(c => c.node.findAll()).filter((c): c is ApiObject => c instanceof ApiObject)) {
      const namespace = obj.metadata.namespace;
      if (namespace) namespaces.add(namespace);
      else {
        // cdk8s names the core group 'core'; Argo CD matches it as ''
        const group = obj.apiGroup === 'core' ? '' : obj.apiGroup;
        kinds.set(`${group}/${obj.kind}`, { group, kind: obj.kind });
      }
      if (obj.apiGroup === 'argoproj.io' && obj.kind === 'Application') {
        const spec = obj.toJson().spec ?? {};
        for (const source of [spec.source, ...(spec.sources ?? [])].filter(Boolean)) repos.add(source.repoURL);
        if (spec.destination?.namespace) namespaces.add(spec.destination.namespace);
      }
    }
    const sorted = (values: Iterable<string>) => [...values].sort(compareStrings);
    return {
      sourceRepos: sorted(repos),
      namespaces: sorted(namespaces),
      clusterResources: sorted(kinds.keys()).map(k => kinds.get(k)!),
    };
  }

  /** The generated `AppProject` object; `ApiObject.of(project)` returns it too. */
  public readonly apiObject: ApiObject;
  /** The AppProject's namespace: `metadata.namespace`, else `argocd` (Argo CD's own). */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: AppProjectProps) {
    super(scope, id);
    this.namespace = props.metadata?.namespace ?? 'argocd';
    const server = props.destinationServer ?? 'https://kubernetes.default.svc';
    const unique = <T>(values: T[], key: (v: T) => string) => [...new Map(values.map(v => [key(v), v])).values()];
    this.apiObject = new AppProjectL1(this, 'Resource', {
      metadata: { ...props.metadata, namespace: this.namespace },
      spec: {
        description: props.description,
        sourceRepos: unique(props.sourceRepos, r => r),
        destinations: unique(props.destinationNamespaces, n => n).map(namespace => ({ server, namespace })),
        clusterResourceWhitelist: unique(props.clusterResources ?? [], k => `${k.group}/${k.kind}`).map(k => ({ group: k.group, kind: k.kind })),
      },
    });
    validateRendered(this, this.apiObject, appProjectProblems);
  }

  /** The project's name, for `Application`'s `project`. */
  public get name(): string {
    return this.apiObject.name;
  }
}
