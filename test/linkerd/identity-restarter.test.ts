import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { IdentityRestarter, LinkerdIdentity, TRUST_ROOTS_HASH_ANNOTATION, TrustAnchor } from '../../src/linkerd';
import { testCertificate } from '../_certs';
import { synthKind, testChart } from '../_util';

function restarterObjects(props: ConstructorParameters<typeof IdentityRestarter>[2] = {}): any[] {
  const chart = testChart();
  new IdentityRestarter(chart, 'restarter', props);
  return Testing.synth(chart);
}

describe('IdentityRestarter objects', () => {
  const objects = restarterObjects();
  const [serviceAccount, role, binding, cronJob] = objects;

  test('a ServiceAccount, Role, RoleBinding and CronJob, all linkerd/linkerd-identity-restarter', () => {
    expect(objects.map(o => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toStrictEqual([
      'ServiceAccount linkerd/linkerd-identity-restarter',
      'Role linkerd/linkerd-identity-restarter',
      'RoleBinding linkerd/linkerd-identity-restarter',
      'CronJob linkerd/linkerd-identity-restarter',
    ]);
  });

  test('the Role can get the trust-roots ConfigMap and get/patch the identity Deployment, by name, and nothing else', () => {
    expect(role.rules).toStrictEqual([
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['linkerd-identity-trust-roots'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['linkerd-identity'], verbs: ['get', 'patch'] },
    ]);
    expect(binding.roleRef).toStrictEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'linkerd-identity-restarter' });
    expect(binding.subjects).toStrictEqual([{ kind: 'ServiceAccount', name: 'linkerd-identity-restarter', namespace: 'linkerd' }]);
    expect(objects.some(o => /^Cluster/.test(o.kind))).toBe(false);
  });

  test('only the CronJob\'s pods mount the token', () => {
    expect(serviceAccount.automountServiceAccountToken).toBe(false);
    expect(cronJob.spec.jobTemplate.spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(cronJob.spec.jobTemplate.spec.template.spec.serviceAccountName).toBe('linkerd-identity-restarter');
  });

  test('runs hourly, one at a time, with a bounded job, as a restricted pod', () => {
    expect(cronJob.spec).toMatchObject({ schedule: '0 * * * *', concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 3 });
    expect(cronJob.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 300 });
    const pod = cronJob.spec.jobTemplate.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.securityContext).toStrictEqual({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toStrictEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.containers[0].image).toMatch(/^docker\.io\/curlimages\/curl:8\.10\.1@sha256:[0-9a-f]{64}$/);
  });

  test('takes a schedule, an image and a namespace', () => {
    const [, role2, , cron2] = restarterObjects({ namespace: 'mesh', schedule: '@daily', image: 'registry.example/curl:1' });
    expect(role2.metadata.namespace).toBe('mesh');
    expect(cron2.spec.schedule).toBe('@daily');
    expect(cron2.spec.jobTemplate.spec.template.spec.containers[0].image).toBe('registry.example/curl:1');
    expect(cron2.spec.jobTemplate.spec.template.spec.containers[0].env).toContainEqual({ name: 'NAMESPACE', value: 'mesh' });
  });

  test('fails on a schedule that is not cron', () => {
    expect(() => restarterObjects({ schedule: 'every hour' })).toThrow(/^\[test\/restarter\] schedule "every hour" is not a cron schedule: give five fields/);
    expect(() => restarterObjects({ schedule: '0 * * *' })).toThrow(/schedule "0 \* \* \*" is not a cron schedule/);
    // the same robfig/cron reading as cert-manager's renewal windows: ranges are checked, and Kubernetes takes no time zone here
    expect(() => restarterObjects({ schedule: '99 * * * *' })).toThrow(/schedule "99 \* \* \* \*" is not a cron schedule: .*\(minute "99" is outside 0-59\)/);
    expect(() => restarterObjects({ schedule: 'TZ=UTC 0 * * * *' })).toThrow(/is not a cron schedule: .*\(a time zone prefix is not allowed here\)/);
    expect(() => restarterObjects({ schedule: '0 * * JAN MON' })).not.toThrow();
  });

  test('fails on an image reference with spaces', () => {
    expect(() => restarterObjects({ image: 'curl latest' })).toThrow(/^\[test\/restarter\] image "curl latest" is not an image reference/);
  });

  test('fails on a namespace that is not a DNS-1123 label', () => {
    expect(() => restarterObjects({ namespace: 'Linkerd' })).toThrow(/^\[test\/restarter\] namespace "Linkerd" must be a DNS-1123 label/);
  });
});

describe('LinkerdIdentity emits the restarter', () => {
  function kinds(props: ConstructorParameters<typeof LinkerdIdentity>[2]): string[] {
    const chart = testChart();
    new LinkerdIdentity(chart, 'identity', props);
    return Testing.synth(chart).map(o => o.kind);
  }

  test('by default (trust roots written by trust-manager), in the control-plane namespace', () => {
    const chart = testChart();
    const id = new LinkerdIdentity(chart, 'identity', { namespace: 'mesh' });
    expect(id.restarter).toBeDefined();
    expect(synthKind(chart, 'CronJob').map(c => `${c.metadata.namespace}/${c.metadata.name} ${c.spec.schedule}`)).toStrictEqual(['mesh/linkerd-identity-restarter 0 * * * *']);
  });

  test('not with trustBundle false, where the chart\'s trust-root-sha256 pod annotation rolls the pods; on request yes', async () => {
    const { certPem } = await testCertificate({ ca: true });
    const anchor = TrustAnchor.fromPem(certPem, 'linkerd-trust-anchor');
    expect(kinds({ trustAnchor: anchor, trustBundle: false })).not.toContain('CronJob');
    expect(kinds({ trustAnchor: anchor, trustBundle: false, identityRestarter: { enabled: true } })).toContain('CronJob');
  });

  test('not when disabled; with the given schedule otherwise', () => {
    expect(kinds({ identityRestarter: { enabled: false } })).not.toContain('CronJob');
    const chart = testChart();
    new LinkerdIdentity(chart, 'identity', { identityRestarter: { schedule: '*/15 * * * *' } });
    expect(synthKind(chart, 'CronJob')[0].spec.schedule).toBe('*/15 * * * *');
  });
});

/**
 * The emitted script, run by /bin/sh against a fake `curl` that plays the API server: it serves the ConfigMap and the
 * Deployment as compact JSON (as the API server does) and records every call.
 */
describe('IdentityRestarter script', () => {
  const cronJob = restarterObjects()[3];
  const container = cronJob.spec.jobTemplate.spec.template.spec.containers[0];
  const PEM_A = '-----BEGIN CERTIFICATE-----\nMIIBAAAA+/=\n-----END CERTIFICATE-----\n';
  const PEM_B = '-----BEGIN CERTIFICATE-----\nMIIBBBBB+/=\n-----END CERTIFICATE-----\n';
  const FAKE_CURL = `#!/bin/sh
printf '%s\\n' "$*" >> "$FAKE/calls"
method=GET; url=; data=; format=
while [ $# -gt 0 ]; do
  case "$1" in -X) method=$2; shift ;; --data) data=$2; shift ;; --write-out) format=$2; shift ;; -H|--cacert) shift ;; https://*) url=$1 ;; esac
  shift
done
case "$method $url" in
  "GET "*/configmaps/linkerd-identity-trust-roots) name=configmap ;;
  "GET "*/deployments/linkerd-identity) name=deployment ;;
  "PATCH "*/deployments/linkerd-identity\\?*) printf '%s' "$data" > "$FAKE/patch"; echo '{}'; exit 0 ;;
  *) echo "unexpected call" >&2; exit 2 ;;
esac
[ "$format" = ' %{http_code}' ] || { echo "unexpected --write-out $format" >&2; exit 2; }
if [ -f "$FAKE/$name.json" ]; then cat "$FAKE/$name.json"; code=200; else echo '{"kind":"Status","code":404}'; code=404; fi
[ -f "$FAKE/$name.code" ] && code=$(cat "$FAKE/$name.code")
printf ' %s' "$code"
`;

  function configMap(pem: string | undefined): string {
    return JSON.stringify({
      kind: 'ConfigMap', apiVersion: 'v1',
      metadata: {
        name: 'linkerd-identity-trust-roots', namespace: 'linkerd', resourceVersion: '42',
        annotations: { 'trust.cert-manager.io/hash': 'ffff' },
        managedFields: [{ manager: 'trust-manager', operation: 'Apply', fieldsV1: { 'f:data': { 'f:ca-bundle.crt': {} } } }],
      },
      ...(pem === undefined ? {} : { data: { 'ca-bundle.crt': pem } }),
    }) + '\n';
  }

  function deployment(recorded: string | undefined): string {
    const annotations = { 'linkerd.io/created-by': 'linkerd/helm', ...(recorded ? { [TRUST_ROOTS_HASH_ANNOTATION]: recorded } : {}) };
    return JSON.stringify({
      kind: 'Deployment', apiVersion: 'apps/v1',
      metadata: {
        name: 'linkerd-identity', namespace: 'linkerd',
        // client-side apply's copy holds the key too, JSON-escaped: it must not be taken for the recorded hash
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ spec: { template: { metadata: { annotations: { [TRUST_ROOTS_HASH_ANNOTATION]: 'abc' } } } } }) },
      },
      spec: { replicas: 1, template: { metadata: { annotations }, spec: { containers: [{ name: 'identity' }] } } },
    }) + '\n';
  }

  /** What the script hashes: the ConfigMap value as the API server's JSON spells it. */
  const hashOf = (pem: string) => createHash('sha256').update(JSON.stringify(pem).slice(1, -1)).digest('hex');

  interface Cluster {
    readonly cm?: string;
    readonly cmCode?: number;
    readonly deploy?: string;
    readonly deployCode?: number;
    readonly host?: string;
  }

  function run(cluster: Cluster) {
    const fake = fs.mkdtempSync(path.join(os.tmpdir(), 'restarter-'));
    const bin = path.join(fake, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'curl'), FAKE_CURL, { mode: 0o755 });
    fs.writeFileSync(path.join(fake, 'token'), 'the-token');
    if (cluster.cm !== undefined) fs.writeFileSync(path.join(fake, 'configmap.json'), cluster.cm);
    if (cluster.cmCode !== undefined) fs.writeFileSync(path.join(fake, 'configmap.code'), String(cluster.cmCode));
    if (cluster.deploy !== undefined) fs.writeFileSync(path.join(fake, 'deployment.json'), cluster.deploy);
    if (cluster.deployCode !== undefined) fs.writeFileSync(path.join(fake, 'deployment.code'), String(cluster.deployCode));
    const env: Record<string, string> = {
      PATH: `${bin}:${process.env.PATH}`, FAKE: fake, SERVICEACCOUNT_DIR: fake,
      KUBERNETES_SERVICE_HOST: cluster.host ?? '10.96.0.1', KUBERNETES_SERVICE_PORT: '443',
    };
    for (const e of container.env) env[e.name] = e.value;
    expect(container.command.slice(0, 2)).toStrictEqual(['/bin/sh', '-c']);
    const result = spawnSync(container.command[0], container.command.slice(1), { env, encoding: 'utf8' });
    const read = (f: string) => fs.existsSync(path.join(fake, f)) ? fs.readFileSync(path.join(fake, f), 'utf8') : undefined;
    const out = { status: result.status, stdout: result.stdout, stderr: result.stderr, calls: read('calls')?.trim().split('\n') ?? [], patch: read('patch') };
    fs.rmSync(fake, { recursive: true });
    return { ...out, ca: path.join(fake, 'ca.crt') };
  }

  const AUTH = '--silent --show-error --cacert CA -H Authorization: Bearer the-token';
  /** The calls, with the temporary CA path replaced by CA. */
  const calls = (r: ReturnType<typeof run>) => r.calls.map(c => c.replace(r.ca, 'CA'));

  test('leaves identity alone when the recorded hash matches the trust roots', () => {
    const r = run({ cm: configMap(PEM_A), deploy: deployment(hashOf(PEM_A)) });
    expect(r).toMatchObject({ status: 0, patch: undefined, stdout: `trust roots unchanged (sha256 ${hashOf(PEM_A)})\n`, stderr: '' });
    expect(calls(r)).toStrictEqual([
      `${AUTH} --write-out  %{http_code} https://10.96.0.1:443/api/v1/namespaces/linkerd/configmaps/linkerd-identity-trust-roots`,
      `${AUTH} --write-out  %{http_code} https://10.96.0.1:443/apis/apps/v1/namespaces/linkerd/deployments/linkerd-identity`,
    ]);
  });

  test('patches the new hash into the pod template (which rolls identity) when the roots changed', () => {
    const r = run({ cm: configMap(PEM_B), deploy: deployment(hashOf(PEM_A)) });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.patch!))
      .toStrictEqual({ spec: { template: { metadata: { annotations: { [TRUST_ROOTS_HASH_ANNOTATION]: hashOf(PEM_B) } } } } });
    expect(calls(r)[2]).toBe(`${AUTH} --fail -X PATCH -H Content-Type: application/strategic-merge-patch+json --data ${r.patch} `
      + 'https://10.96.0.1:443/apis/apps/v1/namespaces/linkerd/deployments/linkerd-identity?fieldManager=linkerd-identity-restarter');
    expect(r.stdout).toBe(`trust roots changed (sha256 ${hashOf(PEM_A)} -> ${hashOf(PEM_B)}): rolling linkerd/linkerd-identity\n`);
  });

  test('records the hash once when nothing is recorded yet (ignoring the escaped copy in last-applied-configuration)', () => {
    const r = run({ cm: configMap(PEM_A), deploy: deployment(undefined) });
    expect(JSON.parse(r.patch!).spec.template.metadata.annotations[TRUST_ROOTS_HASH_ANNOTATION]).toBe(hashOf(PEM_A));
    expect(r.stdout).toContain('(sha256 none -> ');
  });

  test('does nothing, successfully, before the first sync made the ConfigMap or the Deployment', () => {
    expect(run({ deploy: deployment(undefined) })).toMatchObject({ status: 0, patch: undefined, stdout: 'ConfigMap linkerd/linkerd-identity-trust-roots does not exist yet: nothing to do\n' });
    expect(run({ cm: configMap(PEM_A) })).toMatchObject({ status: 0, patch: undefined, stdout: 'Deployment linkerd/linkerd-identity does not exist yet: nothing to do\n' });
  });

  test('fails without patching when the ConfigMap has no ca-bundle.crt', () => {
    const r = run({ cm: configMap(undefined), deploy: deployment(hashOf(PEM_A)) });
    expect(r).toMatchObject({ status: 1, patch: undefined, stderr: 'ConfigMap linkerd/linkerd-identity-trust-roots has no ca-bundle.crt\n' });
  });

  test('fails without patching when the API server refuses to read the Deployment', () => {
    const r = run({ cm: configMap(PEM_B), deploy: deployment(hashOf(PEM_A)), deployCode: 403 });
    expect(r).toMatchObject({ status: 1, patch: undefined, stderr: 'reading Deployment linkerd/linkerd-identity: HTTP 403\n' });
  });

  test('fails without patching when the API server refuses to read the ConfigMap', () => {
    const r = run({ cm: configMap(PEM_B), cmCode: 403, deploy: deployment(undefined) });
    expect(r).toMatchObject({ status: 1, patch: undefined, stderr: 'reading ConfigMap linkerd/linkerd-identity-trust-roots: HTTP 403\n' });
    expect(r.calls).toHaveLength(1);
  });

  test('brackets an IPv6 API server address', () => {
    const r = run({ cm: configMap(PEM_A), deploy: deployment(hashOf(PEM_A)), host: 'fd00:10:96::1' });
    expect(r.status).toBe(0);
    expect(r.calls[0]).toMatch(/ https:\/\/\[fd00:10:96::1\]:443\/api\/v1\/namespaces\/linkerd\/configmaps\/linkerd-identity-trust-roots$/);
  });
});
