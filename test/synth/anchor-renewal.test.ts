import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Duration } from 'cdk8s';
import { PrivateKey, RotationPolicy } from '../../src/cert-manager';
import { AnchorIssuerScope, TrustAnchor } from '../../src/linkerd';
import { LinkerdPlatform, LinkerdPlatformProps } from '../../src/platform';
import { formatSummary, synthesize } from '../../src/synth';

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'anchor-renewal-test-')); });
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The summary's trust-anchor renewal section for a platform. */
function renewal(props: LinkerdPlatformProps = {}): string[] {
  const report = synthesize(app => { new LinkerdPlatform(app, 'platform', { demo: false, ...props }); }, { outdir: path.join(tmp, 'dist') });
  const lines = formatSummary(report).split('\n');
  const start = lines.indexOf('trust anchor renewal:');
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('  '));
  return lines.slice(start, end);
}

describe('the synth summary says when the trust anchor renews and what the operator must do (issue 12 §2)', () => {
  test('the defaults: 60 days before the year ends, same key, and the restarter takes care of identity', () => {
    expect(renewal()).toStrictEqual([
      'trust anchor renewal:',
      '  linkerd/linkerd-trust-anchor: renews 7320h0m0s after issuance (1440h0m0s before expiry), keeping its key; '
        + 'date: kubectl get certificate -n linkerd linkerd-trust-anchor -o jsonpath={.status.renewalTime}',
      '    then: nothing to do; CronJob linkerd/linkerd-identity-restarter (0 * * * *) restarts linkerd-identity onto the renewed root; proxies keep working (same key)',
    ]);
  });

  test('without the restarter the operator must restart identity inside the renewBefore window', () => {
    const lines = renewal({
      identity: {
        identityRestarter: { enabled: false },
        trustAnchor: TrustAnchor.selfSigned({ duration: Duration.hours(17520), renewBefore: Duration.hours(2160) }),
      },
    });
    expect(lines[1]).toMatch(/^ {2}linkerd\/linkerd-trust-anchor: renews 15360h0m0s after issuance \(2160h0m0s before expiry\), keeping its key;/);
    expect(lines[2]).toBe('    then: restart identity within 2160h0m0s of the renewal, before the old root expires, or it refuses every new issuer: '
      + 'kubectl rollout restart deployment/linkerd-identity -n linkerd');
  });

  test('a re-keyed anchor is called out, in its namespace', () => {
    const lines = renewal({
      identity: {
        anchorIssuerScope: AnchorIssuerScope.CLUSTER,
        trustAnchor: TrustAnchor.selfSigned({ privateKey: PrivateKey.ecdsa({ rotationPolicy: RotationPolicy.ALWAYS }) }),
      },
    });
    expect(lines[1]).toMatch(/^ {2}cert-manager\/linkerd-trust-anchor: renews 7320h0m0s after issuance \(1440h0m0s before expiry\), with a NEW key; date: kubectl get certificate -n cert-manager linkerd-trust-anchor/);
    expect(lines[2]).toBe('    then: running proxies do not trust the new root; rotate keys with the staged rotation (nextTrustAnchor) instead');
  });

  test('an offline anchor has no renewal to report', () => {
    expect(renewal({ identity: { trustAnchor: TrustAnchor.fromSecret('linkerd-trust-anchor') } })).toStrictEqual([]);
  });
});
