import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { dns1123LabelProblem, dns1123SubdomainProblem } from '../_internal/names';
import { compareStrings } from '../_internal/order';
import { Problems } from '../_internal/problems';

/** A Deployment a {@link SyncGate} waits for. */
export interface GateDeployment {
  /** The Deployment's namespace. */
  readonly namespace: string;
  /** The Deployment's name. */
  readonly name: string;
}

/** Props for {@link SyncGate}. */
export interface SyncGateProps {
  /** The name of the Job, its ServiceAccount, ClusterRole and ClusterRoleBinding. */
  readonly name: string;
  /**
   * The namespace of the Job and its ServiceAccount: one that exists before the sync.
   *
   * @default 'argocd'
   */
  readonly namespace?: string;
  /**
   * CustomResourceDefinitions (`<plural>.<group>`) that must be `Established`.
   *
   * @default - none
   */
  readonly crds?: string[];
  /**
   * Deployments that must be `Available`.
   *
   * @default - none
   */
  readonly deployments?: GateDeployment[];
  /**
   * The kubectl image (its entrypoint is `kubectl`).
   *
   * @default 'registry.k8s.io/kubectl:v1.34.3'
   */
  readonly image?: string;
  /**
   * How long one `kubectl wait` waits.
   *
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
  /**
   * How many times the Job's pod is retried (a Deployment that does not exist yet makes `kubectl wait` fail at once;
   * the Job controller retries with a backoff of 10s doubling up to 6m).
   *
   * @default 10
   */
  readonly backoffLimit?: number;
}

/**
 * A wave of the root Application that ends only when other Applications' objects are ready: an Argo CD `Sync` hook
 * Job running `kubectl wait` for CRDs (`Established`) and Deployments (`Available`).
 *
 * Argo CD does not assess an Application's health (argo-cd@v3.5.1:docs/operator-manual/health.md:31), so without this,
 * the wave after a child Application starts as soon as the Application object exists. A hook Job is assessed: the
 * next wave starts only when every resource and hook of this one is healthy
 * (argo-cd@v3.5.1:docs/user-guide/sync-waves.md:130-132), and a failed Job fails the sync, which the Application's
 * retry runs again (the hook is deleted before it is created again: `BeforeHookCreation`).
 *
 * This needs nothing in `argocd-cm`. Read-only access: `get`, `list`, `watch` of CRDs and Deployments.
 */
export class SyncGate extends Construct {
  /** The hook Job. */
  public readonly job: ApiObject;
  /** The namespace of the Job and its ServiceAccount. */
  public readonly namespace: string;
  /** The CRDs the gate waits for. */
  public readonly crds: readonly string[];
  /** The Deployments the gate waits for. */
  public readonly deployments: readonly GateDeployment[];

  constructor(scope: Construct, id: string, props: SyncGateProps) {
    super(scope, id);
    const namespace = props.namespace ?? 'argocd';
    this.namespace = namespace;
    this.crds = [...new Set(props.crds ?? [])].sort();
    this.deployments = props.deployments ?? [];
    const backoffLimit = props.backoffLimit ?? 10;
    const problems = new Problems().add(dns1123SubdomainProblem('name', props.name), dns1123LabelProblem('namespace', namespace));
    if (this.crds.length === 0 && this.deployments.length === 0) problems.add('a sync gate must wait for at least one CRD or Deployment');
    if (!Number.isInteger(backoffLimit) || backoffLimit < 0) problems.add(`backoffLimit ${backoffLimit} must be a non-negative integer`);
    problems.throwIfAny(this);

    const timeout = `--timeout=${Math.round((props.timeout ?? Duration.minutes(10)).toSeconds())}s`;
    const image = props.image ?? 'registry.k8s.io/kubectl:v1.34.3';
    const securityContext = {
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 65532,
      capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    };
    // the root filesystem is read-only: kubectl's discovery cache goes to an emptyDir
    const container = (name: string, args: string[]) => ({
      name, image, args: [args[0], '--cache-dir=/cache', ...args.slice(1)], securityContext, volumeMounts: [{ name: 'cache', mountPath: '/cache' }],
    });
    const byNamespace = new Map<string, string[]>();
    for (const d of this.deployments) byNamespace.set(d.namespace, [...byNamespace.get(d.namespace) ?? [], `deployment/${d.name}`]);
    // CRDs first (init container), so a Deployment wait never starts before the kinds its chart needs exist
    const crdWait = this.crds.length > 0 ? [container('crds', ['wait', '--for=condition=Established', timeout, ...this.crds.map(c => `crd/${c}`)])] : [];
    const deploymentWaits = [...byNamespace].sort(([a], [b]) => compareStrings(a, b)).map(([ns, names], i) =>
      container(`deployments-${i}`, ['wait', '--for=condition=Available', timeout, '-n', ns, ...names]));
    const containers = deploymentWaits.length > 0 ? deploymentWaits : crdWait;
    const initContainers = deploymentWaits.length > 0 ? crdWait : [];

    const serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', { metadata: { name: props.name, namespace } });
    const role = new k8s.KubeClusterRole(this, 'cluster-role', {
      metadata: { name: props.name },
      rules: [
        ...this.crds.length > 0 ? [{ apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get', 'list', 'watch'] }] : [],
        ...this.deployments.length > 0 ? [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch'] }] : [],
      ],
    });
    const binding = new k8s.KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name: props.name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: props.name },
      subjects: [{ kind: 'ServiceAccount', name: props.name, namespace }],
    });
    this.job = new k8s.KubeJob(this, 'job', {
      metadata: {
        name: props.name,
        namespace,
        annotations: { 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' },
      },
      spec: {
        backoffLimit,
        template: {
          // never meshed, even in a meshed namespace: a proxy sidecar would keep the Job from completing
          metadata: { annotations: { 'linkerd.io/inject': 'disabled' } },
          spec: {
            serviceAccountName: props.name,
            restartPolicy: 'Never',
            initContainers: initContainers.length > 0 ? initContainers : undefined,
            containers,
            volumes: [{ name: 'cache', emptyDir: {} }],
          },
        },
      },
    });
    this.job.node.addDependency(serviceAccount, role, binding);
  }
}

/**
 * The CRDs (`Established`) and Deployments (`Available`, `namespace/name`) a Job's `kubectl wait` containers wait for,
 * and the first `--timeout=` given; empty for a Job that runs no `kubectl wait`.
 *
 * @internal
 */
export function gateWaits(job: any): { crds: string[]; deployments: string[]; timeout?: string } {
  const crds: string[] = [];
  const deployments: string[] = [];
  let timeout: string | undefined;
  const pod = job.spec?.template?.spec ?? {};
  for (const c of [...pod.initContainers ?? [], ...pod.containers ?? []]) {
    const argv: string[] = [...c.command ?? [], ...c.args ?? []].filter((a: string) => a !== 'kubectl');
    if (argv[0] !== 'wait') continue;
    const nsIndex = argv.findIndex(a => a === '-n' || a === '--namespace');
    const ns = nsIndex >= 0 ? argv[nsIndex + 1] : argv.find(a => a.startsWith('--namespace='))?.slice('--namespace='.length) ?? job.metadata?.namespace ?? 'default';
    timeout ??= argv.find(a => a.startsWith('--timeout='));
    const condition = argv.find(a => a.startsWith('--for=condition='))?.slice('--for=condition='.length);
    for (const a of argv.slice(1)) {
      if (condition === 'Established' && /^(crd|customresourcedefinitions?(\.apiextensions\.k8s\.io)?)\//.test(a)) crds.push(a.split('/')[1]);
      if (condition === 'Available' && /^(deployments?|deploy)(\.apps)?\//.test(a)) deployments.push(`${ns}/${a.split('/')[1]}`);
    }
  }
  return { crds, deployments, timeout };
}
