import { IConstruct } from 'constructs';

/**
 * cert-manager's cluster resource namespace, where a ClusterIssuer's CA Secret must be: the Helm chart passes the
 * controller's own namespace (cert-manager/cert-manager@v1.21.1:deploy/charts/cert-manager/templates/deployment.yaml:100-103).
 */
export const CLUSTER_RESOURCE_NAMESPACE = 'cert-manager';

/**
 * trust-manager's trust namespace, where a Bundle's sources are read, unless configured otherwise: `--trust-namespace`
 * defaults to cert-manager (cert-manager/trust-manager@v0.24.0:cmd/trust-manager/app/options/options.go:241).
 */
export const DEFAULT_TRUST_NAMESPACE = 'cert-manager';

/** `namespace/name` of the CA Secret a rendered cert-manager CA Issuer or ClusterIssuer reads; undefined for any other object. */
export function caSecretOf(obj: any): string | undefined {
  const group = String(obj?.apiVersion ?? '').split('/')[0];
  const secretName = obj?.spec?.ca?.secretName;
  if (group !== 'cert-manager.io' || typeof secretName !== 'string') return undefined;
  if (obj.kind === 'Issuer') return `${obj.metadata?.namespace ?? ''}/${secretName}`;
  return obj.kind === 'ClusterIssuer' ? `${CLUSTER_RESOURCE_NAMESPACE}/${secretName}` : undefined;
}

const TRUST_NAMESPACE = 'cdk8s-linkerd:trust-namespace';

/** Records the trust-manager trust namespace a construct's Bundles rely on, so the checks of the output look there. */
export function recordTrustNamespace(scope: IConstruct, namespace: string): void {
  scope.node.addMetadata(TRUST_NAMESPACE, namespace, { stackTrace: false });
}

/** The trust namespace recorded under a construct (walks the tree: call it once per synthesis); else the default. */
export function trustNamespaceOf(root: IConstruct): string {
  for (const c of root.node.findAll()) {
    const entry = c.node.metadata.find(e => e.type === TRUST_NAMESPACE);
    if (entry) return String(entry.data);
  }
  return DEFAULT_TRUST_NAMESPACE;
}
