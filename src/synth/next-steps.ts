import { caSecretOf, DEFAULT_TRUST_NAMESPACE } from '../_internal/cert-manager-secrets';
import { compareStrings } from '../_internal/order';

/** A Secret an object reads that no object of the output makes. */
export interface MissingSecret {
  readonly namespace: string;
  readonly name: string;
  /** Who reads it, e.g. `ClusterIssuer linkerd-identity-issuer (spec.ca.secretName)`. */
  readonly readers: string[];
}

/**
 * The Secrets the objects read (CA issuers, trust-manager Bundle sources, ingress-nginx and Traefik basic auth) that no
 * object of the output makes (a Secret, a cert-manager Certificate's `secretName`, a SealedSecret, an ExternalSecret's
 * target): the operator must create them before the sync. `trustNamespace` is trust-manager's `--trust-namespace`.
 * Read from the rendered objects, so it sees what was emitted, whichever construct emitted it.
 *
 * @internal
 */
export function missingSecrets(objects: readonly any[], trustNamespace = DEFAULT_TRUST_NAMESPACE): MissingSecret[] {
  const made = new Set<string>();
  const read = new Map<string, MissingSecret>();
  const need = (namespace: string, name: string | undefined, reader: string) => {
    if (!name) return;
    const key = `${namespace}/${name}`;
    const entry = read.get(key) ?? { namespace, name, readers: [] };
    entry.readers.push(reader);
    read.set(key, entry);
  };
  for (const o of objects) {
    if (!o || typeof o !== 'object') continue;
    const kind = String(o.kind ?? '');
    const group = String(o.apiVersion ?? '').split('/').slice(0, -1).join('/');
    const ns = o.metadata?.namespace ?? 'default';
    const name = o.metadata?.name;
    const id = `${kind} ${o.metadata?.namespace ? `${ns}/` : ''}${name}`;
    if (kind === 'Secret' && group === '') made.add(`${ns}/${name}`);
    if (kind === 'SealedSecret') made.add(`${ns}/${o.spec?.template?.metadata?.name ?? name}`);
    if (kind === 'ExternalSecret') made.add(`${ns}/${o.spec?.target?.name ?? name}`);
    if (group === 'cert-manager.io' && kind === 'Certificate') made.add(`${ns}/${o.spec?.secretName}`);
    const caSecret = caSecretOf(o);
    if (caSecret !== undefined) need(caSecret.split('/')[0], caSecret.split('/')[1], `${id} (spec.ca.secretName)`);
    if (group === 'trust.cert-manager.io' && kind === 'Bundle') {
      for (const source of o.spec?.sources ?? []) need(trustNamespace, source?.secret?.name, `${id} (spec.sources[].secret)`);
    }
    if (kind === 'Ingress') {
      const ref = o.metadata?.annotations?.['nginx.ingress.kubernetes.io/auth-secret'];
      if (typeof ref === 'string') {
        const [refNs, refName] = ref.includes('/') ? ref.split('/', 2) : [ns, ref];
        need(refNs, refName, `${id} (nginx.ingress.kubernetes.io/auth-secret)`);
      }
    }
    if (kind === 'Middleware' && group === 'traefik.io') need(ns, o.spec?.basicAuth?.secret, `${id} (spec.basicAuth.secret)`);
  }
  return [...read.values()].filter(s => !made.has(`${s.namespace}/${s.name}`))
    .sort((a, b) => compareStrings(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`));
}

/**
 * The checklist line for a missing Secret.
 *
 * @internal
 */
export function missingSecretStep(secret: MissingSecret): string {
  return `create Secret ${secret.namespace}/${secret.name} before the sync: ${secret.readers.join(', ')} read${secret.readers.length === 1 ? 's' : ''} it and nothing here makes it`;
}
