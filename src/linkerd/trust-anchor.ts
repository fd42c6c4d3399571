import { Duration } from 'cdk8s';
import { PrivateKey, RotationPolicy } from '../cert-manager/private-key';

/** Options for {@link TrustAnchor.selfSigned}. */
export interface SelfSignedTrustAnchorOptions {
  /**
   * The Secret (in LinkerdIdentity's `anchorNamespace`, the control-plane namespace by default) that holds the anchor;
   * also the anchor Certificate's name.
   *
   * Give each anchor its own name when rotating.
   *
   * @default 'linkerd-trust-anchor'
   */
  readonly secretName?: string;
  /**
   * The anchor's common name; it must differ from the identity issuer's.
   *
   * @default - `root.linkerd.<trustDomain>`, as in Linkerd's docs
   */
  readonly commonName?: string;
  /**
   * The anchor's lifetime.
   *
   * @default Duration.hours(8760) (one year, as in Linkerd's docs)
   */
  readonly duration?: Duration;
  /**
   * How long before expiry cert-manager renews the anchor.
   *
   * Linkerd's docs pair `duration: 8760h0m0s` with `renewBefore: 7320h0m0s` and call it "rotating two months before
   * expiry", but cert-manager's `renewBefore` counts back from expiry, so that renews 60 days *after* issuance. We
   * follow the stated intent, 60 days before expiry, and pair it with `rotationPolicy: Never` (see `privateKey`).
   *
   * @default Duration.hours(1440) (60 days)
   */
  readonly renewBefore?: Duration;
  /**
   * The anchor's private key: ECDSA P-256 or RSA 2048/4096.
   *
   * The default keeps the key on renewal (`rotationPolicy: Never`): a renewed anchor with the same key still verifies
   * every issuer and proxy certificate signed before, so proxies need no restart; identity, which reads the roots only
   * at start-up, is restarted by `LinkerdIdentity`'s `identityRestarter`. A re-keyed anchor (`Always`, the
   * cert-manager 1.18+ default) is a new root that proxies do not trust until they restart: rotate keys with the
   * staged `nextTrustAnchor` / `previousTrustAnchor` props instead.
   *
   * @default PrivateKey.ecdsa({ rotationPolicy: RotationPolicy.NEVER })
   */
  readonly privateKey?: PrivateKey;
}

/** Options for a trust anchor made outside the cluster ({@link TrustAnchor.fromSecret}, {@link TrustAnchor.fromPem}). */
export interface ExistingTrustAnchorOptions {
  /**
   * Less validity left than this is a synth warning, as in `linkerd check` (checked when the PEM is known).
   *
   * @default Duration.days(60)
   */
  readonly expiryWarningThreshold?: Duration;
}

/**
 * The root of Linkerd's identity chain: the CA that signs the identity issuer and that every proxy trusts.
 *
 * @see https://linkerd.io/2-edge/tasks/automatically-rotating-control-plane-tls-credentials/
 */
export class TrustAnchor {
  /**
   * A root made in the cluster by cert-manager: a self-signed Issuer and a CA Certificate in LinkerdIdentity's
   * `anchorNamespace` (the control-plane namespace by default; the root key lives in the cluster).
   */
  public static selfSigned(options: SelfSignedTrustAnchorOptions = {}): TrustAnchor {
    return new TrustAnchor(options.secretName ?? 'linkerd-trust-anchor', undefined, options, {});
  }

  /**
   * A root made offline (`npm run trust-anchor`, or `step`) and stored by the operator as a TLS Secret in
   * LinkerdIdentity's `anchorNamespace`: `kubectl create secret tls <secretName> --cert=ca.crt --key=ca.key -n linkerd`
   * by default (`-n cert-manager` with `AnchorIssuerScope.CLUSTER`). Nothing of the Secret is emitted.
   */
  public static fromSecret(secretName: string, options: ExistingTrustAnchorOptions = {}): TrustAnchor {
    return new TrustAnchor(secretName, undefined, undefined, options);
  }

  /**
   * Like {@link fromSecret}, plus the anchor's public certificate (`ca.crt`), which is checked at synth the way
   * `linkerd check` does and rendered as the chart's `identityTrustAnchorsPEM`.
   */
  public static fromPem(pem: string, secretName: string, options: ExistingTrustAnchorOptions = {}): TrustAnchor {
    return new TrustAnchor(secretName, pem, undefined, options);
  }

  private constructor(
    /** The Secret holding the anchor (`tls.crt`, `tls.key`) in LinkerdIdentity's `anchorNamespace`. */
    public readonly secretName: string,
    /** The anchor's public PEM, when known. */
    public readonly pem: string | undefined,
    /** The cert-manager settings of an in-cluster root; undefined for an offline one. */
    public readonly selfSignedOptions: SelfSignedTrustAnchorOptions | undefined,
    private readonly existingOptions: ExistingTrustAnchorOptions,
  ) {}

  /** Whether cert-manager makes this anchor in the cluster. */
  public get isSelfSigned(): boolean {
    return this.selfSignedOptions !== undefined;
  }

  /** @internal */
  public get _expiryWarningThreshold(): Duration {
    return this.existingOptions.expiryWarningThreshold ?? Duration.days(60);
  }

  /** @internal */
  public _selfSignedDefaults(trustDomain: string) {
    const o = this.selfSignedOptions ?? {};
    return {
      commonName: o.commonName ?? `root.linkerd.${trustDomain}`,
      duration: o.duration ?? Duration.hours(8760),
      renewBefore: o.renewBefore ?? Duration.hours(1440),
      privateKey: o.privateKey ?? PrivateKey.ecdsa({ rotationPolicy: RotationPolicy.NEVER }),
    };
  }
}
