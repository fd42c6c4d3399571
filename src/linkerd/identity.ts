import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { recordTrustNamespace } from '../_internal/cert-manager-secrets';
import { durationNanos, goDuration } from '../_internal/duration';
import { dns1123LabelProblem, dns1123SubdomainProblem } from '../_internal/names';
import { Problems } from '../_internal/problems';
import { addWarning } from '../_internal/warnings';
import { Certificate, KeyUsage } from '../cert-manager/certificate';
import { ClusterIssuer } from '../cert-manager/cluster-issuer';
import { Issuer } from '../cert-manager/issuer';
import { IIssuer, IssuerType } from '../cert-manager/issuer-type';
import { PrivateKey, PrivateKeyAlgorithm } from '../cert-manager/private-key';
import { Bundle, BundleSource } from '../trust-manager/bundle';
import { checkTrustAnchorPem } from './_pem';
import { IdentityRestarter, IdentityRestarterOptions } from './identity-restarter';
import { issuerRules } from './identity-rules';
import { TrustAnchor } from './trust-anchor';

/** The identity part of the linkerd-control-plane chart's values. */
export interface IdentityHelmValues {
  /** `identityTrustDomain`. */
  readonly identityTrustDomain: string;
  /** `identityTrustAnchorsPEM`, when every anchor's public PEM is known. */
  readonly identityTrustAnchorsPEM?: string;
  /** `identity.*`. */
  readonly identity: {
    /** `identity.externalCA`: true when a trust-manager Bundle, not the chart, writes `linkerd-identity-trust-roots`. */
    readonly externalCA: boolean;
    /** `identity.issuer.*`. */
    readonly issuer: {
      /** `kubernetes.io/tls`: identity reads cert-manager's `linkerd-identity-issuer` Secret, which the chart must not render. */
      readonly scheme: string;
    };
  };
}

/**
 * Who can use the trust anchor's key: where {@link LinkerdIdentity} puts the CA issuer that signs the identity issuer.
 *
 * cert-manager approves every CertificateRequest by default (cert-manager/cert-manager@v1.21.1:
 * pkg/controller/certificaterequests/approver/sync.go:35) and its chart aggregates `certificates` create into the
 * `edit` and `admin` roles (deploy/charts/cert-manager/templates/rbac.yaml:463-469), so whoever may use the anchor's
 * issuer can mint `<sa>.<ns>.serviceaccount.identity.linkerd.<trustDomain>` or a CA that every proxy trusts.
 */
export enum AnchorIssuerScope {
  /**
   * A namespaced CA Issuer in the control-plane namespace, next to the anchor Secrets: only who may create
   * Certificates (or read Secrets) in that namespace can use the anchor. A namespaced Issuer reads its CA Secret from
   * its own namespace (cert-manager/cert-manager@v1.21.1:pkg/controller/helper.go:26), and trust-manager reads a
   * Bundle's Secret sources from its trust namespace only (cert-manager/trust-manager@v0.24.0:
   * pkg/bundle/internal/source/source.go:79,229; cmd/trust-manager/app/options/options.go:240), so trust-manager must
   * run with the control-plane namespace as its trust namespace (`app.trust.namespace`).
   */
  CONTROL_PLANE_NAMESPACE = 'control-plane-namespace',
  /**
   * Linkerd's documented recipe: a CA ClusterIssuer that reads the anchor from cert-manager's cluster-resource
   * namespace, the trust namespace of a default trust-manager install. Any namespace editor can then use the anchor:
   * synth warns. Use it only with cert-manager's approver-policy (or another approver) restricting the ClusterIssuer.
   */
  CLUSTER = 'cluster',
}

/** Props for {@link LinkerdIdentity}. */
export interface LinkerdIdentityProps {
  /**
   * The control-plane namespace (a DNS-1123 label); the identity issuer Certificate lives here.
   *
   * @default 'linkerd'
   */
  readonly namespace?: string;
  /**
   * The identity trust domain (a DNS-1123 subdomain), the chart's `identityTrustDomain`.
   *
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * The root that signs the identity issuer.
   *
   * @default TrustAnchor.selfSigned()
   */
  readonly trustAnchor?: TrustAnchor;
  /**
   * The identity issuer certificate's lifetime.
   *
   * @default Duration.hours(48)
   */
  readonly issuerDuration?: Duration;
  /**
   * How long before expiry cert-manager renews the identity issuer. It must be longer than the 24h lifetime of the
   * workload certificates the issuer signs, or proxies end up with certificates clamped to a dying issuer.
   *
   * @default Duration.hours(25)
   */
  readonly issuerRenewBefore?: Duration;
  /**
   * The identity issuer's private key: Linkerd accepts ECDSA P-256 only.
   *
   * @default PrivateKey.ecdsa() (P-256, rotationPolicy Always, as Linkerd's docs require)
   */
  readonly issuerPrivateKey?: PrivateKey;
  /**
   * Key usages of the identity issuer certificate. A list with extended key usages must include `server auth`:
   * Linkerd verifies the issuer chain for server authentication.
   *
   * @default - none set (cert-manager's defaults plus `cert sign`), as in Linkerd's 2.14+ docs
   */
  readonly issuerUsages?: KeyUsage[];
  /**
   * Rotation stage 1 ("add new"): a new anchor that joins the trust bundle while `trustAnchor` still signs the issuer.
   *
   * Rotation is three reviewable diffs of dist/: (1) `nextTrustAnchor: B`; (2) `trustAnchor: B, previousTrustAnchor: A`
   * (the issuer switches to B; restart the data plane once proxies hold B); (3) `trustAnchor: B` (A leaves the bundle).
   *
   * @default - no rotation in progress
   */
  readonly nextTrustAnchor?: TrustAnchor;
  /**
   * Rotation stage 2 ("switch issuer"): the old anchor, kept in the trust bundle so proxies still holding
   * certificates it signed keep working. See `nextTrustAnchor`.
   *
   * @default - no rotation in progress
   */
  readonly previousTrustAnchor?: TrustAnchor;
  /**
   * Where the CA issuer backed by the trust anchor's key lives, which decides who can mint mesh identities.
   *
   * @default AnchorIssuerScope.CONTROL_PLANE_NAMESPACE (a namespaced Issuer; trust-manager's trust namespace must be the control-plane namespace)
   */
  readonly anchorIssuerScope?: AnchorIssuerScope;
  /**
   * cert-manager's cluster-resource namespace, which is also trust-manager's trust namespace: with
   * `AnchorIssuerScope.CLUSTER`, the anchor Secrets, the self-signed root Issuer and the anchor Certificates live here.
   * Unused with the default scope, where they live in the control-plane namespace.
   *
   * @default 'cert-manager'
   */
  readonly certManagerNamespace?: string;
  /**
   * Whether a trust-manager Bundle writes `linkerd-identity-trust-roots` (`identity.externalCA: true`).
   * Every catalog version reads the roots from that ConfigMap: the chart skips it with `externalCA`
   * (linkerd/linkerd2@stable-2.12.6:charts/linkerd-control-plane/templates/identity.yaml:22-36), control-plane proxies
   * load it (`loadTrustBundleFromConfigMap`, …/templates/identity.yaml:193) and the injector mounts it for the
   * workloads it injects (linkerd/linkerd2@stable-2.12.6:controller/proxy-injector/webhook.go:48-52).
   * Without it the chart renders the ConfigMap from `identityTrustAnchorsPEM`, so every anchor needs its PEM.
   *
   * @default true
   */
  readonly trustBundle?: boolean;
  /**
   * The CronJob that restarts `linkerd-identity` when the trust roots change (a renewed or rotated anchor), since
   * identity reads them only at start-up; see {@link IdentityRestarter}.
   *
   * @default - enabled with `trustBundle`, hourly
   */
  readonly identityRestarter?: IdentityRestarterOptions;
}

const WORKLOAD_CERT_LIFETIME = Duration.hours(24);
/**
 * The Secret of the identity issuer, as the chart reads it.
 *
 * @internal
 */
export const IDENTITY_ISSUER_SECRET = 'linkerd-identity-issuer';
const TRUST_ROOTS = 'linkerd-identity-trust-roots';
const TRUST_ROOTS_KEY = 'ca-bundle.crt';
const EXTENDED_KEY_USAGES = new Set<string>([
  KeyUsage.ANY, KeyUsage.SERVER_AUTH, KeyUsage.CLIENT_AUTH, KeyUsage.CODE_SIGNING, KeyUsage.EMAIL_PROTECTION,
  KeyUsage.S_FORWARD_SLASH_MIME, KeyUsage.IPSEC_END_SYSTEM, KeyUsage.IPSEC_TUNNEL, KeyUsage.IPSEC_USER,
  KeyUsage.TIMESTAMPING, KeyUsage.OCSP_SIGNING, KeyUsage.MICROSOFT_SGC, KeyUsage.NETSCAPE_SGC,
]);

interface AnchorSlot {
  readonly prop: string;
  readonly id: string;
  readonly anchor: TrustAnchor;
}

/**
 * Linkerd's identity chain, wired once: trust anchor → CA Issuer in the control-plane namespace (or, opted in, the
 * upstream recipe's ClusterIssuer; see {@link AnchorIssuerScope}) → identity issuer Certificate
 * (`linkerd-identity-issuer` in the control-plane namespace) → trust-manager Bundle (`linkerd-identity-trust-roots`),
 * plus the matching chart values in {@link helmValues}.
 *
 * Linkerd's own rules are checked at synth: issuer ECDSA P-256 and a CA, `server auth` among any extended key usages,
 * issuer renewal before the 24h workload-certificate lifetime, an anchor that outlives the issuer, distinct anchor and
 * issuer names, `linkerd check`'s trust-anchor checks on a known PEM, DNS-1123 namespace and trust domain.
 *
 * @see https://linkerd.io/2-edge/tasks/automatically-rotating-control-plane-tls-credentials/
 * @example
 * const identity = new LinkerdIdentity(chart, 'identity', { trustAnchor: TrustAnchor.fromSecret('linkerd-trust-anchor') });
 * identity.helmValues; // { identityTrustDomain, identity: { externalCA: true, issuer: { scheme: 'kubernetes.io/tls' } } }
 */
export class LinkerdIdentity extends Construct {
  /** The control-plane namespace. */
  public readonly namespace: string;
  /** The identity trust domain. */
  public readonly trustDomain: string;
  /** The anchor that signs the identity issuer. */
  public readonly trustAnchor: TrustAnchor;
  /** Who can use the anchor's key. */
  public readonly anchorIssuerScope: AnchorIssuerScope;
  /**
   * The namespace of the anchor Secrets, the self-signed root Issuer and the anchor Certificates; trust-manager must
   * use it as its trust namespace, since it reads the Bundle's Secret sources there.
   */
  public readonly anchorNamespace: string;
  /**
   * The CA issuer `linkerd-identity-issuer` that signs the identity issuer with the anchor's key: an Issuer in the
   * control-plane namespace, or a ClusterIssuer with `AnchorIssuerScope.CLUSTER`.
   */
  public readonly anchorIssuer: IIssuer;
  /** The identity issuer Certificate (`linkerd-identity-issuer` in the control-plane namespace). */
  public readonly issuerCertificate: Certificate;
  /** The trust-roots Bundle; undefined when `trustBundle` is false. */
  public readonly bundle?: Bundle;
  /** The identity part of the linkerd-control-plane chart's values. */
  public readonly helmValues: IdentityHelmValues;
  /** The CronJob that restarts identity when the trust roots change, when enabled. */
  public readonly restarter?: IdentityRestarter;

  constructor(scope: Construct, id: string, props: LinkerdIdentityProps = {}) {
    super(scope, id);
    this.namespace = props.namespace ?? 'linkerd';
    this.trustDomain = props.trustDomain ?? 'cluster.local';
    this.trustAnchor = props.trustAnchor ?? TrustAnchor.selfSigned();
    const issuerDuration = props.issuerDuration ?? Duration.hours(48);
    const issuerRenewBefore = props.issuerRenewBefore ?? Duration.hours(25);
    const issuerPrivateKey = props.issuerPrivateKey ?? PrivateKey.ecdsa();
    const certManagerNamespace = props.certManagerNamespace ?? 'cert-manager';
    this.anchorIssuerScope = props.anchorIssuerScope ?? AnchorIssuerScope.CONTROL_PLANE_NAMESPACE;
    const clusterWide = this.anchorIssuerScope === AnchorIssuerScope.CLUSTER;
    this.anchorNamespace = clusterWide ? certManagerNamespace : this.namespace;
    const trustBundle = props.trustBundle ?? true;
    const issuerCommonName = `identity.${this.namespace}.${this.trustDomain}`;

    const slots: AnchorSlot[] = [
      { prop: 'trustAnchor', id: 'trust-anchor', anchor: this.trustAnchor },
      ...(props.nextTrustAnchor ? [{ prop: 'nextTrustAnchor', id: 'next-trust-anchor', anchor: props.nextTrustAnchor }] : []),
      ...(props.previousTrustAnchor ? [{ prop: 'previousTrustAnchor', id: 'previous-trust-anchor', anchor: props.previousTrustAnchor }] : []),
    ];

    const problems = new Problems();
    problems.add(dns1123LabelProblem('namespace', this.namespace));
    problems.add(dns1123SubdomainProblem('trustDomain', this.trustDomain));
    problems.add(dns1123LabelProblem('certManagerNamespace', certManagerNamespace));
    if (!Object.values(AnchorIssuerScope).includes(this.anchorIssuerScope)) {
      problems.add(`anchorIssuerScope ${JSON.stringify(this.anchorIssuerScope)} is not one of ${Object.values(AnchorIssuerScope).map(v => JSON.stringify(v)).join(', ')}`);
    }
    if (props.nextTrustAnchor && props.previousTrustAnchor) {
      problems.add('nextTrustAnchor and previousTrustAnchor cannot both be set: rotate in stages (add the next anchor, then switch and keep the previous one)');
    }
    slots.forEach((slot, i) => slots.slice(0, i).filter(other => other.anchor.secretName === slot.anchor.secretName).forEach(other =>
      problems.add(`${slot.prop} uses Secret ${JSON.stringify(slot.anchor.secretName)}, like ${other.prop}: each trust anchor needs its own Secret`)));
    if (durationNanos(issuerRenewBefore) <= durationNanos(WORKLOAD_CERT_LIFETIME)) {
      problems.add(`issuerRenewBefore ${goDuration(issuerRenewBefore)} must be longer than ${goDuration(WORKLOAD_CERT_LIFETIME)}, `
        + 'the lifetime of the workload certificates the issuer signs');
    }
    if (issuerPrivateKey.algorithm !== PrivateKeyAlgorithm.ECDSA || issuerPrivateKey.size !== 256) {
      problems.add(`issuerPrivateKey ${issuerPrivateKey} is not allowed: Linkerd's identity issuer must be ECDSA P-256 (PrivateKey.ecdsa())`);
    }
    const usages = props.issuerUsages ?? [];
    if (usages.some(u => EXTENDED_KEY_USAGES.has(u)) && !usages.includes(KeyUsage.SERVER_AUTH) && !usages.includes(KeyUsage.ANY)) {
      problems.add(`issuerUsages [${usages.join(', ')}] has extended key usages without "server auth": Linkerd verifies the issuer for server authentication`);
    }

    const now = new Date();
    const anchorCommonNames = new Map<AnchorSlot, string[]>();
    const normalizedPems = new Map<AnchorSlot, string>();
    for (const slot of slots) {
      const { anchor } = slot;
      if (anchor.isSelfSigned) {
        const d = anchor._selfSignedDefaults(this.trustDomain);
        anchorCommonNames.set(slot, [d.commonName]);
        if (slot.prop === 'trustAnchor' && durationNanos(d.duration) <= durationNanos(issuerDuration)) {
          problems.add(`trustAnchor duration ${goDuration(d.duration)} must be longer than issuerDuration ${goDuration(issuerDuration)}: the anchor must outlive the issuer it signs`);
        }
        if (d.privateKey.algorithm === PrivateKeyAlgorithm.ECDSA ? d.privateKey.size !== 256
          : d.privateKey.algorithm !== PrivateKeyAlgorithm.RSA || ![2048, 4096].includes(d.privateKey.size ?? 0)) {
          problems.add(`${slot.prop} privateKey ${d.privateKey} is not allowed: a Linkerd trust anchor must be ECDSA P-256 or RSA 2048/4096`);
        }
      } else if (anchor.pem !== undefined) {
        const report = checkTrustAnchorPem(anchor.pem, now, anchor._expiryWarningThreshold.toMilliseconds());
        report.problems.forEach(p => problems.add(`${slot.prop} PEM ${p}`));
        report.warnings.forEach(w => addWarning(this, `${slot.prop} PEM ${w}`));
        anchorCommonNames.set(slot, report.certificates.map(c => c.commonName ?? ''));
        normalizedPems.set(slot, report.normalizedPem);
        const outlives = now.getTime() + issuerDuration.toMilliseconds();
        for (const cert of slot.prop === 'trustAnchor' && report.problems.length === 0 ? report.certificates : []) {
          if (cert.notAfter.getTime() <= outlives) {
            problems.add(`trustAnchor PEM certificate (${cert.subject}) expires on ${cert.notAfter.toISOString()}, before an identity issuer `
              + `signed now (issuerDuration ${goDuration(issuerDuration)}) would: the anchor must outlive the issuer it signs`);
          }
        }
      } else if (!trustBundle) {
        problems.add(`${slot.prop} needs its PEM (TrustAnchor.fromPem) when trustBundle is false: the chart renders the trust roots from identityTrustAnchorsPEM`);
      }
    }
    for (const [slot, names] of anchorCommonNames) {
      if (names.includes(issuerCommonName)) {
        problems.add(`${slot.prop} has the common name ${JSON.stringify(issuerCommonName)}, like the identity issuer: anchor and issuer need distinct subjects`);
      }
    }
    problems.throwIfAny(this);

    if (slots.some(s => s.anchor.isSelfSigned)) {
      const rootIssuer = new Issuer(this, 'trust-root-issuer', {
        metadata: { name: 'linkerd-trust-root-issuer', namespace: this.anchorNamespace },
        type: IssuerType.selfSigned(),
      });
      for (const slot of slots.filter(s => s.anchor.isSelfSigned)) {
        const d = slot.anchor._selfSignedDefaults(this.trustDomain);
        new Certificate(this, slot.id, {
          metadata: { name: slot.anchor.secretName, namespace: this.anchorNamespace },
          issuer: rootIssuer,
          secretName: slot.anchor.secretName,
          isCA: true,
          commonName: d.commonName,
          duration: d.duration,
          renewBefore: d.renewBefore,
          privateKey: d.privateKey,
        });
      }
    }

    const anchorIssuerType = IssuerType.ca({ secretName: this.trustAnchor.secretName });
    if (clusterWide) {
      this.anchorIssuer = new ClusterIssuer(this, 'issuer-ca', { metadata: { name: IDENTITY_ISSUER_SECRET }, type: anchorIssuerType });
      addWarning(this, `anchorIssuerScope CLUSTER: the ClusterIssuer ${IDENTITY_ISSUER_SECRET} signs with the trust anchor's key, and cert-manager `
        + 'approves requests automatically while its edit role aggregates into edit/admin: anyone who can create a Certificate in any '
        + `namespace can mint <sa>.<ns>.serviceaccount.identity.linkerd.${this.trustDomain} or a CA every proxy trusts. Restrict the `
        + 'ClusterIssuer with cert-manager approver-policy, or use AnchorIssuerScope.CONTROL_PLANE_NAMESPACE (the default)');
    } else {
      this.anchorIssuer = new Issuer(this, 'issuer-ca', { metadata: { name: IDENTITY_ISSUER_SECRET, namespace: this.namespace }, type: anchorIssuerType });
    }
    this.issuerCertificate = new Certificate(this, 'issuer', {
      metadata: { name: IDENTITY_ISSUER_SECRET, namespace: this.namespace },
      issuer: this.anchorIssuer,
      secretName: IDENTITY_ISSUER_SECRET,
      isCA: true,
      commonName: issuerCommonName,
      duration: issuerDuration,
      renewBefore: issuerRenewBefore,
      privateKey: issuerPrivateKey,
      usages: props.issuerUsages,
    });
    if (trustBundle) {
      this.bundle = new Bundle(this, 'trust-roots', {
        metadata: { name: TRUST_ROOTS },
        sources: slots.map(s => BundleSource.secret(s.anchor.secretName, 'tls.crt')),
        targetConfigMapKey: TRUST_ROOTS_KEY,
        namespaceSelector: { 'linkerd.io/is-control-plane': 'true' },
      });
      // trust-manager must run with the anchor's namespace as its trust namespace to read the sources
      recordTrustNamespace(this.bundle, this.anchorNamespace);
    }
    if (props.identityRestarter?.enabled ?? trustBundle) {
      this.restarter = new IdentityRestarter(this, 'restarter', {
        schedule: props.identityRestarter?.schedule, image: props.identityRestarter?.image, namespace: this.namespace,
      });
    }

    const pems = slots.map(s => normalizedPems.get(s));
    this.helmValues = {
      identityTrustDomain: this.trustDomain,
      ...(pems.every(p => p !== undefined) ? { identityTrustAnchorsPEM: pems.join('') } : {}),
      identity: { externalCA: trustBundle, issuer: { scheme: 'kubernetes.io/tls' } },
    };

    const issuerObject = ApiObject.of(this.issuerCertificate);
    this.node.addValidation({ validate: () => issuerRules(issuerObject.toJson(), this.namespace) });
  }
}
