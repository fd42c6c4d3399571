import { Construct } from 'constructs';
import { Certificate } from '../cert-manager/certificate';
import { IIssuer } from '../cert-manager/issuer-type';

/** TLS for the dashboard's external hosts. */
export class DashboardTls {
  /** A cert-manager Certificate for the hosts, from the given issuer (e.g. an ACME ClusterIssuer). */
  public static certificate(issuer: IIssuer, secretName = 'linkerd-dashboard-tls'): DashboardTls {
    return new DashboardTls(secretName, issuer);
  }

  /** An existing TLS Secret in the viz namespace. */
  public static existingSecret(secretName: string): DashboardTls {
    return new DashboardTls(secretName, undefined);
  }

  private constructor(
    /** The TLS Secret the Ingress or Gateway serves. */
    public readonly secretName: string,
    private readonly issuer: IIssuer | undefined,
  ) {}

  /** Emits the Certificate, if any; returns the Secret name. @internal */
  public _bind(scope: Construct, namespace: string, hosts: string[]): string {
    if (this.issuer) {
      new Certificate(scope, 'tls', {
        metadata: { name: this.secretName, namespace },
        issuer: this.issuer,
        secretName: this.secretName,
        dnsNames: hosts,
      });
    }
    return this.secretName;
  }
}
