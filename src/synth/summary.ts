import * as path from 'node:path';
import { formatGoDuration, parseGoDuration } from '../_internal/duration';
import { compareStrings } from '../_internal/order';
import { formatRolloutPlan, RolloutPlan, ROLLOUT_REPORT_PATH } from '../argocd/rollout';
import { UNAUTHENTICATED_INBOUND_POLICIES } from '../linkerd/control-plane';
import { IDENTITY_ISSUER_SECRET } from '../linkerd/identity';
import { IDENTITY_RESTARTER_NAME } from '../linkerd/identity-restarter';
import { SynthReport } from './synthesize';

/**
 * A short, human-readable account of a synthesis: files, objects by kind, every Certificate's duration and
 * renewBefore, the Argo CD Applications, the rollout plan when `reports/rollout.json` was written, when each in-cluster
 * trust anchor renews and what that asks of the operator, the security posture, the warnings, and last the next steps
 * as a checklist.
 */
export function formatSummary(report: SynthReport): string {
  const total = report.files.reduce((n, f) => n + f.documents.length, 0);
  const lines = [`synthesized ${total} objects into ${path.relative(process.cwd(), report.outdir) || '.'}/`];
  for (const f of report.files) lines.push(`  ${f.file}: ${f.documents.length} objects`);
  for (const f of report.extraFiles) lines.push(`  ${f.file}`);
  const docs = report.files.flatMap(f => f.documents);
  const byKind = new Map<string, number>();
  for (const doc of docs) byKind.set(doc.kind, (byKind.get(doc.kind) ?? 0) + 1);
  lines.push(`objects by kind: ${[...byKind].sort(([a], [b]) => compareStrings(a, b)).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const certificates = docs.filter(d => d.kind === 'Certificate' && String(d.apiVersion).startsWith('cert-manager.io/'));
  if (certificates.length > 0) {
    lines.push('certificates:');
    for (const c of certificates) {
      const name = `${c.metadata.namespace ?? ''}/${c.metadata.name}`;
      const ca = c.spec.isCA ? ', CA' : '';
      const pk = c.spec.privateKey;
      const key = pk ? `, ${[pk.algorithm, pk.size, pk.rotationPolicy && `rotation ${pk.rotationPolicy}`].filter(Boolean).join(' ')}` : '';
      lines.push(`  ${name}: duration ${c.spec.duration ?? '2160h0m0s (default)'}, renewBefore ${c.spec.renewBefore ?? '1/3 of duration (default)'}${ca}${key}`);
    }
  }
  lines.push(...anchorRenewals(docs));
  const applications = docs.filter(d => d.kind === 'Application' && String(d.apiVersion).startsWith('argoproj.io/'));
  if (applications.length > 0) {
    lines.push('argo cd applications:');
    for (const a of applications) {
      const source = a.spec.source ?? {};
      const what = source.chart ? `chart ${source.chart} ${source.targetRevision}` : `${source.repoURL} ${source.path}@${source.targetRevision}`;
      const wave = a.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? '0';
      const ignored = (a.spec.ignoreDifferences ?? []).map((d: any) => `${d.kind} ${[...(d.jqPathExpressions ?? []), ...(d.jsonPointers ?? [])].join(' ')}`);
      lines.push(`  ${a.metadata.name} (wave ${wave}): ${what}${ignored.length > 0 ? `; ignores ${ignored.join(', ')}` : ''}`);
    }
  }
  const rollout = report.extraFiles.find(f => f.file === ROLLOUT_REPORT_PATH);
  if (rollout) lines.push(...formatRolloutPlan(rollout.documents[0] as RolloutPlan));
  const posture = securityPosture(docs, report.extraFiles.flatMap(f => f.documents));
  if (posture) lines.push(`security posture: ${posture}`);
  lines.push(report.warnings.length === 0 ? 'warnings: none' : `warnings (${report.warnings.length}):`);
  for (const w of report.warnings) lines.push(`  [${w.path}] ${w.message}`);
  lines.push(report.nextSteps.length === 0 ? 'next steps: none' : `next steps (${report.nextSteps.length}):`);
  for (const step of report.nextSteps) lines.push(`  [ ] ${step}`);
  return lines.join('\n');
}

/**
 * When each in-cluster trust anchor (a CA Certificate that a trust-manager Bundle publishes) renews, relative to
 * issuance since the date is only known in the cluster, and what the operator must do then: nothing when the
 * identity restarter is emitted, else restart identity, which reads the roots only at start-up
 * (linkerd/linkerd2@version-2.20:controller/cmd/identity/main.go:68-71), before the old root expires.
 */
function anchorRenewals(docs: any[]): string[] {
  const published = new Set(docs.filter(d => d.kind === 'Bundle' && String(d.apiVersion).startsWith('trust.cert-manager.io/'))
    .flatMap(b => (b.spec?.sources ?? []).map((s: any) => s.secret?.name).filter(Boolean)));
  const anchors = docs.filter(d => d.kind === 'Certificate' && String(d.apiVersion).startsWith('cert-manager.io/')
    && d.spec?.isCA && published.has(d.spec.secretName));
  if (anchors.length === 0) return [];
  const restarter = docs.find(d => d.kind === 'CronJob' && d.metadata?.name === IDENTITY_RESTARTER_NAME);
  const lines = ['trust anchor renewal:'];
  for (const c of anchors) {
    const { namespace, name } = c.metadata;
    const duration = parseGoDuration(c.spec.duration ?? '2160h');
    const before = c.spec.renewBefore !== undefined ? parseGoDuration(c.spec.renewBefore) : duration === undefined ? undefined : duration / 3n;
    const when = duration !== undefined && before !== undefined
      ? `renews ${formatGoDuration(duration - before)} after issuance (${formatGoDuration(before)} before expiry)` : 'renews';
    const rekeys = c.spec.privateKey?.rotationPolicy !== 'Never';
    lines.push(`  ${namespace}/${name}: ${when}, ${rekeys ? 'with a NEW key' : 'keeping its key'}; `
      + `date: kubectl get certificate -n ${namespace} ${name} -o jsonpath={.status.renewalTime}`);
    const window = before !== undefined ? ` within ${formatGoDuration(before)} of the renewal` : '';
    if (rekeys) {
      lines.push('    then: running proxies do not trust the new root; rotate keys with the staged rotation (nextTrustAnchor) instead');
    } else if (restarter) {
      lines.push(`    then: nothing to do; CronJob ${restarter.metadata.namespace}/${restarter.metadata.name} (${restarter.spec.schedule}) `
        + 'restarts linkerd-identity onto the renewed root; proxies keep working (same key)');
    } else {
      lines.push(`    then: restart identity${window}, before the old root expires, or it refuses every new issuer: `
        + `kubectl rollout restart deployment/linkerd-identity -n ${controlPlaneNamespace(docs)}`);
    }
  }
  return lines;
}

/** The control-plane namespace: where the identity issuer Certificate lives. */
function controlPlaneNamespace(docs: any[]): string {
  return docs.find(d => d.kind === 'Certificate' && d.spec?.secretName === IDENTITY_ISSUER_SECRET)?.metadata?.namespace ?? 'linkerd';
}

/**
 * One line on what the output lets others do: who can use the trust anchor (through the issuer of
 * `linkerd-identity-issuer`), the default inbound policy and the injector's failure policy, each with how to harden
 * it when it is open. Chart defaults: linkerd/linkerd2@version-2.20:charts/linkerd-control-plane/values.yaml:251
 * (`all-unauthenticated`) and :416 (`webhookFailurePolicy: Ignore`).
 */
function securityPosture(docs: any[], extraDocs: any[]): string | undefined {
  const parts: string[] = [];
  const issuer = docs.find(d => d.kind === 'Certificate' && d.spec?.secretName === IDENTITY_ISSUER_SECRET);
  if (issuer) {
    const ref = issuer.spec.issuerRef ?? {};
    parts.push(ref.kind === 'ClusterIssuer'
      ? `trust anchor behind ClusterIssuer ${ref.name} (any namespace that may create Certificates can mint mesh identities; use AnchorIssuerScope.CONTROL_PLANE_NAMESPACE)`
      : `trust anchor usable only in ${issuer.metadata.namespace} (Issuer ${ref.name})`);
  }
  const values = extraDocs.find(d => d && typeof d === 'object' && 'identityTrustDomain' in d);
  if (values) {
    const inbound = values.proxy?.defaultInboundPolicy ?? 'all-unauthenticated (chart default)';
    parts.push(`default inbound policy ${inbound}${UNAUTHENTICATED_INBOUND_POLICIES.some(p => inbound.startsWith(p))
      ? ': any client, meshed or not, may connect to meshed ports no Server covers (harden: defaultInboundPolicy cluster-authenticated, or Servers with AuthorizationPolicies)' : ''}`);
    const failure = values.webhookFailurePolicy ?? 'Ignore (chart default)';
    parts.push(`injector failurePolicy ${failure}${failure.startsWith('Ignore')
      ? ': pods start unmeshed while the injector is down (harden: webhookFailurePolicy Fail, or ha)' : ''}`);
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
}
