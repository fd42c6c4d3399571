import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AnchorIssuerScope, DefaultInboundPolicy, WebhookFailurePolicy } from '../../src/linkerd';
import { LinkerdPlatform, LinkerdPlatformProps } from '../../src/platform';
import { formatSummary, synthesize } from '../../src/synth';

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'posture-test-')); });
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The summary's security-posture lines for a platform. */
function posture(props: LinkerdPlatformProps = {}): string[] {
  const report = synthesize(app => { new LinkerdPlatform(app, 'platform', { demo: false, ...props }); }, { outdir: path.join(tmp, 'dist') });
  return formatSummary(report).split('\n').filter(l => l.startsWith('security posture:'));
}

describe('the synth summary states the security posture in one line (issue 13 §5)', () => {
  test('the defaults: a namespaced anchor, and upstream\'s open inbound policy and Ignore, each with how to harden it', () => {
    expect(posture()).toStrictEqual(['security posture: trust anchor usable only in linkerd (Issuer linkerd-identity-issuer); '
      + 'default inbound policy all-unauthenticated (chart default): any client, meshed or not, may connect to meshed ports no Server covers '
      + '(harden: defaultInboundPolicy cluster-authenticated, or Servers with AuthorizationPolicies); '
      + 'injector failurePolicy Ignore (chart default): pods start unmeshed while the injector is down (harden: webhookFailurePolicy Fail, or ha)']);
  });

  test('the ClusterIssuer opt-in is named as a way for any namespace to mint identities', () => {
    expect(posture({ identity: { anchorIssuerScope: AnchorIssuerScope.CLUSTER } })[0])
      .toMatch(/^security posture: trust anchor behind ClusterIssuer linkerd-identity-issuer \(any namespace that may create Certificates can mint mesh identities/);
  });

  test('a hardened control plane has nothing left to harden', () => {
    const [line] = posture({
      controlPlane: { defaultInboundPolicy: DefaultInboundPolicy.CLUSTER_AUTHENTICATED, webhookFailurePolicy: WebhookFailurePolicy.FAIL },
    });
    expect(line).toBe('security posture: trust anchor usable only in linkerd (Issuer linkerd-identity-issuer); '
      + 'default inbound policy cluster-authenticated; injector failurePolicy Fail');
  });
});
