import { k8s } from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { cronProblem, DESCRIPTORS } from '../_internal/cron';
import { CURL_IMAGE } from '../_internal/images';
import { dns1123LabelProblem } from '../_internal/names';
import { Problems } from '../_internal/problems';
import { IDENTITY_DEPLOYMENT } from './_chart-objects';
import { LinkerdContext } from './context';

/** Props for {@link IdentityRestarter}. */
export interface IdentityRestarterProps {
  /**
   * The control-plane namespace, where `linkerd-identity` and `linkerd-identity-trust-roots` live.
   *
   * @default - the control-plane namespace of the tree ({@link LinkerdContext}), else 'linkerd'
   */
  readonly namespace?: string;
  /**
   * The CronJob's schedule (five cron fields, or a macro such as `@hourly`). A renewed anchor keeps the old one valid
   * for its `renewBefore` (60 days by default), so any schedule well inside that is safe.
   *
   * @default '0 * * * *' (hourly)
   */
  readonly schedule?: string;
  /**
   * The image: it needs `sh`, `curl`, `sed`, `tr`, `cut` and `sha256sum` (the script talks to the API server with
   * the pod's ServiceAccount token, no kubectl).
   *
   * @default - `docker.io/curlimages/curl:8.10.1`, pinned by the digest `DemoWorkloads` uses
   */
  readonly image?: string;
}

/** `LinkerdIdentity`'s `identityRestarter` prop: {@link IdentityRestarter}'s props, the namespace being identity's. */
export interface IdentityRestarterOptions extends Omit<IdentityRestarterProps, 'namespace'> {
  /**
   * Whether to emit the restarter.
   *
   * @default - true when a trust-manager Bundle writes the trust roots (`trustBundle`, the default); with
   * `trustBundle: false` the chart's `linkerd.io/trust-root-sha256` pod annotation already rolls the pods
   */
  readonly enabled?: boolean;
}

/** The pod-template annotation on `linkerd-identity` that records the SHA-256 of the trust roots it was started with. */
export const TRUST_ROOTS_HASH_ANNOTATION = 'cdk8s-linkerd/trust-roots-sha256';
/** The name of the restarter's CronJob, ServiceAccount, Role and RoleBinding. */
export const IDENTITY_RESTARTER_NAME = 'linkerd-identity-restarter';
const TRUST_ROOTS = 'linkerd-identity-trust-roots';

/**
 * The script the CronJob runs: hash `ca-bundle.crt` of the trust-roots ConfigMap, compare it with the hash recorded on
 * the identity Deployment's pod template, and on a difference patch the new hash in, which rolls the identity pods.
 * The tests run it, taken from the synthesized CronJob, against a fake `curl`.
 */
const RESTART_SCRIPT = `set -eu
# no pipefail in every sh: each API call is its own command substitution, so set -e stops on a failed call
sa="\${SERVICEACCOUNT_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}"
host="$KUBERNETES_SERVICE_HOST"
case "$host" in *:*) host="[$host]" ;; esac
api="https://$host:$KUBERNETES_SERVICE_PORT"
kube() { curl --silent --show-error --cacert "$sa/ca.crt" -H "Authorization: Bearer $(cat "$sa/token")" "$@"; }
# get WHAT URL: the body in $body; absent (before the first sync) ends the run, any other error fails it
get() {
  out=$(kube --write-out ' %{http_code}' "$2")
  code="\${out##* }"
  body=$(printf '%s' "\${out% *}" | tr -d '\\n')
  if [ "$code" = 404 ]; then echo "$1 does not exist yet: nothing to do"; exit 0; fi
  if [ "$code" != 200 ]; then echo "reading $1: HTTP $code" >&2; exit 1; fi
}
get "ConfigMap $NAMESPACE/$CONFIGMAP" "$api/api/v1/namespaces/$NAMESPACE/configmaps/$CONFIGMAP"
roots=$(printf '%s' "$body" | sed -n 's/.*"ca-bundle\\.crt":"\\([^"]*\\)".*/\\1/p')
if [ -z "$roots" ]; then echo "ConfigMap $NAMESPACE/$CONFIGMAP has no ca-bundle.crt" >&2; exit 1; fi
want=$(printf '%s' "$roots" | sha256sum | cut -d ' ' -f 1)
get "Deployment $NAMESPACE/$DEPLOYMENT" "$api/apis/apps/v1/namespaces/$NAMESPACE/deployments/$DEPLOYMENT"
have=$(printf '%s' "$body" | sed -n 's|.*"${TRUST_ROOTS_HASH_ANNOTATION}":"\\([0-9a-f]*\\)".*|\\1|p')
if [ "$have" = "$want" ]; then echo "trust roots unchanged (sha256 $want)"; exit 0; fi
patch="{\\"spec\\":{\\"template\\":{\\"metadata\\":{\\"annotations\\":{\\"${TRUST_ROOTS_HASH_ANNOTATION}\\":\\"$want\\"}}}}}"
kube --fail -X PATCH -H 'Content-Type: application/strategic-merge-patch+json' --data "$patch" \\
  "$api/apis/apps/v1/namespaces/$NAMESPACE/deployments/$DEPLOYMENT?fieldManager=${IDENTITY_RESTARTER_NAME}" >/dev/null
echo "trust roots changed (sha256 \${have:-none} -> $want): rolling $NAMESPACE/$DEPLOYMENT"
`;

/**
 * Restarts Linkerd's identity controller when the trust roots change, so a renewed anchor cannot strand it.
 *
 * Identity reads `linkerd-identity-trust-roots` once, at start-up (linkerd/linkerd2@version-2.20:
 * controller/cmd/identity/main.go:68-71,96-100; the same in every catalog version back to stable-2.12.6), and verifies
 * each new issuer against those roots at the current time (pkg/identity/service.go:125-138, pkg/tls/cred.go:88-104:
 * Go's x509 verification rejects an expired root), skipping the update otherwise (service.go:111). A self-signed
 * anchor renews with the same key 60 days before it expires, so an identity pod not restarted in those 60 days
 * refuses every issuer once the old root expires, and proxies then cannot renew their certificates. With a
 * trust-manager Bundle (`identity.externalCA`) the chart's restart trigger, the pod annotation
 * `linkerd.io/trust-root-sha256` (charts/partials/templates/_metadata.tpl:8), hashes the empty
 * `identityTrustAnchorsPEM` and never changes.
 *
 * This emits, in the control-plane namespace, a CronJob that hashes the ConfigMap's `ca-bundle.crt` and, when the
 * hash differs from the {@link TRUST_ROOTS_HASH_ANNOTATION} pod-template annotation of `linkerd-identity`, patches
 * the new hash in, which rolls identity onto the current roots (once after install too, when nothing is recorded yet;
 * a run before the first sync made both ends quietly).
 * Its Role can read that one ConfigMap and read and patch that one Deployment, nothing else. Proxies need no
 * restart: they keep only the roots' subjects and keys (a rustls RootCertStore,
 * linkerd/linkerd2-proxy@release/v2.359.0:linkerd/meshtls/src/creds.rs:25-42), which a same-key renewal keeps.
 *
 * The patch adds a field the GitOps source does not set, which Argo CD's diff keeps: it predicts the live object by
 * applying the source's changes onto it (argoproj/argo-cd@v3.5.1:gitops-engine/pkg/diff/diff.go:554-559,731-760).
 */
export class IdentityRestarter extends Construct {
  /** The CronJob's schedule. */
  public readonly schedule: string;
  /** The CronJob. */
  public readonly cronJob: k8s.KubeCronJob;
  /** The namespace of the CronJob and its RBAC: the control-plane namespace. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: IdentityRestarterProps = {}) {
    super(scope, id);
    const namespace = props.namespace ?? LinkerdContext.of(this).controlPlaneNamespace;
    this.namespace = namespace;
    this.schedule = props.schedule ?? '0 * * * *';
    const image = props.image ?? CURL_IMAGE;
    const problems = new Problems();
    const nsProblem = dns1123LabelProblem('namespace', namespace);
    if (nsProblem) problems.add(nsProblem);
    // Kubernetes parses the schedule with robfig/cron and refuses a time zone in it (spec.timeZone holds that)
    const bad = /^(CRON_TZ|TZ)=/.test(this.schedule.trim()) ? 'a time zone prefix is not allowed here' : cronProblem(this.schedule);
    if (bad !== undefined) {
      problems.add(`schedule ${JSON.stringify(this.schedule)} is not a cron schedule: give five fields (minute hour day month weekday) or one of ${DESCRIPTORS.join(', ')} (${bad})`);
    }
    if (image.trim() === '' || /\s/.test(image)) problems.add(`image ${JSON.stringify(image)} is not an image reference`);
    problems.throwIfAny(this);

    const metadata = { name: IDENTITY_RESTARTER_NAME, namespace, labels: { 'app.kubernetes.io/name': IDENTITY_RESTARTER_NAME } };
    new k8s.KubeServiceAccount(this, 'service-account', { metadata, automountServiceAccountToken: false });
    new k8s.KubeRole(this, 'role', {
      metadata,
      rules: [
        { apiGroups: [''], resources: ['configmaps'], resourceNames: [TRUST_ROOTS], verbs: ['get'] },
        { apiGroups: ['apps'], resources: ['deployments'], resourceNames: [IDENTITY_DEPLOYMENT], verbs: ['get', 'patch'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'role-binding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: IDENTITY_RESTARTER_NAME },
      subjects: [{ kind: 'ServiceAccount', name: IDENTITY_RESTARTER_NAME, namespace }],
    });
    this.cronJob = new k8s.KubeCronJob(this, 'cron-job', {
      metadata,
      spec: {
        schedule: this.schedule,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 600,
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: 300,
            template: {
              metadata: { labels: { 'app.kubernetes.io/name': IDENTITY_RESTARTER_NAME } },
              spec: {
                serviceAccountName: IDENTITY_RESTARTER_NAME,
                // the token is mounted here only, not in every pod of the ServiceAccount
                automountServiceAccountToken: true,
                restartPolicy: 'Never',
                securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
                containers: [{
                  name: 'restart',
                  image,
                  imagePullPolicy: 'IfNotPresent',
                  command: ['/bin/sh', '-c', RESTART_SCRIPT],
                  env: [
                    { name: 'NAMESPACE', value: namespace },
                    { name: 'CONFIGMAP', value: TRUST_ROOTS },
                    { name: 'DEPLOYMENT', value: IDENTITY_DEPLOYMENT },
                  ],
                  resources: {
                    requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('16Mi') },
                    limits: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('64Mi') },
                  },
                  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                }],
              },
            },
          },
        },
      },
    });
  }
}
