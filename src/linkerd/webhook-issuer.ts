import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { dns1123LabelProblem } from '../_internal/names';
import { Problems } from '../_internal/problems';
import { Certificate, KeyUsage } from '../cert-manager/certificate';
import { Issuer } from '../cert-manager/issuer';
import { IssuerType } from '../cert-manager/issuer-type';
import { PrivateKey, PrivateKeyEncoding, RotationPolicy } from '../cert-manager/private-key';

/** The chart values that make a webhook use a cert-manager Certificate instead of a chart-generated one. */
export interface WebhookHelmValues {
  /** `externalSecret: true`: the chart does not render the `<name>-k8s-tls` Secret. */
  readonly externalSecret: boolean;
  /** `injectCaFrom: <namespace>/<certificate>`: cert-manager's cainjector writes the webhook's CA bundle. */
  readonly injectCaFrom: string;
}

/** Options for {@link WebhookIssuer.addWebhook}. */
export interface WebhookCertificateOptions {
  /** The webhook's name, e.g. `linkerd-proxy-injector`; also the Certificate's name. */
  readonly name: string;
  /**
   * The webhook's Service; the certificate is for `<service>.<namespace>.svc`.
   *
   * @default - the webhook's name
   */
  readonly service?: string;
  /**
   * The Secret the chart mounts.
   *
   * @default - `<name>-k8s-tls`
   */
  readonly secretName?: string;
  /**
   * The key encoding; the policy validator (rustls) needs PKCS8.
   *
   * @default PrivateKeyEncoding.PKCS1
   */
  readonly encoding?: PrivateKeyEncoding;
}

/** A webhook serving certificate and the chart values that use it. */
export interface WebhookCertificate {
  /** The Certificate. */
  readonly certificate: Certificate;
  /** The chart values for the webhook's block (`proxyInjector`, `tap`, …). */
  readonly helmValues: WebhookHelmValues;
}

/** Props for {@link WebhookIssuer}. */
export interface WebhookIssuerProps {
  /** The namespace of the webhooks (`linkerd`, `linkerd-viz`): Issuers are namespaced. */
  readonly namespace: string;
  /**
   * The webhook CA's lifetime. The CA keeps its key on renewal, so webhook certificates signed before a renewal
   * still verify against the CA bundle cainjector wrote.
   *
   * @default Duration.hours(8760)
   */
  readonly caDuration?: Duration;
  /**
   * The lifetime of each webhook certificate (Linkerd's docs: 24h).
   *
   * @default Duration.hours(24)
   */
  readonly certificateDuration?: Duration;
  /**
   * How long before expiry webhook certificates are renewed (Linkerd's docs: 1h).
   *
   * @default Duration.hours(1)
   */
  readonly certificateRenewBefore?: Duration;
}

/**
 * A cert-manager CA for the admission webhooks of one namespace, and a Certificate per webhook, following Linkerd's
 * "Automatically Rotating Webhook TLS Credentials": self-signed Issuer → CA Certificate `webhook-issuer-tls` → CA
 * Issuer `webhook-issuer` → `<webhook>` Certificates for `<service>.<namespace>.svc` with `usages: [server auth]`.
 *
 * Charts then get `externalSecret: true` and `injectCaFrom`, so nothing random is rendered: the chart's own
 * `genSelfSignedCert` would change on every render, and Argo CD would never settle.
 *
 * @see https://linkerd.io/2-edge/tasks/automatically-rotating-webhook-tls-credentials/
 */
export class WebhookIssuer extends Construct {
  /** The namespace. */
  public readonly namespace: string;
  /** The CA Issuer that signs the webhook certificates. */
  public readonly issuer: Issuer;
  private readonly certificateDuration: Duration;
  private readonly certificateRenewBefore: Duration;

  constructor(scope: Construct, id: string, props: WebhookIssuerProps) {
    super(scope, id);
    this.namespace = props.namespace;
    new Problems().add(dns1123LabelProblem('namespace', this.namespace)).throwIfAny(this);
    this.certificateDuration = props.certificateDuration ?? Duration.hours(24);
    this.certificateRenewBefore = props.certificateRenewBefore ?? Duration.hours(1);
    const selfSigned = new Issuer(this, 'selfsigned-issuer', {
      metadata: { name: 'webhook-selfsigned-issuer', namespace: this.namespace },
      type: IssuerType.selfSigned(),
    });
    const ca = new Certificate(this, 'ca', {
      metadata: { name: 'webhook-issuer-tls', namespace: this.namespace },
      issuer: selfSigned,
      secretName: 'webhook-issuer-tls',
      isCA: true,
      commonName: `webhook.${this.namespace}.cluster.local`,
      duration: props.caDuration ?? Duration.hours(8760),
      renewBefore: Duration.hours(1440),
      privateKey: PrivateKey.ecdsa({ rotationPolicy: RotationPolicy.NEVER }),
    });
    this.issuer = new Issuer(this, 'issuer', {
      metadata: { name: 'webhook-issuer', namespace: this.namespace },
      type: IssuerType.ca({ secretName: ca.secretName }),
    });
  }

  /** Adds the serving certificate of one webhook. */
  public addWebhook(id: string, options: WebhookCertificateOptions): WebhookCertificate {
    const host = `${options.service ?? options.name}.${this.namespace}.svc`;
    const certificate = new Certificate(this, id, {
      metadata: { name: options.name, namespace: this.namespace },
      issuer: this.issuer,
      secretName: options.secretName ?? `${options.name}-k8s-tls`,
      commonName: host,
      dnsNames: [host],
      usages: [KeyUsage.SERVER_AUTH],
      duration: this.certificateDuration,
      renewBefore: this.certificateRenewBefore,
      privateKey: PrivateKey.ecdsa({ encoding: options.encoding }),
    });
    return { certificate, helmValues: { externalSecret: true, injectCaFrom: `${this.namespace}/${options.name}` } };
  }
}
