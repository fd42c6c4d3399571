import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { Construct, IConstruct } from 'constructs';
import { goDuration } from '../_internal/duration';
import { throwIfProblems } from '../_internal/errors';
import { dns1123LabelProblem, dns1123SubdomainProblem } from '../_internal/names';
import { Problems } from '../_internal/problems';
import { vouchForSecret } from '../_internal/vouch';
import { parseYamlDocuments } from '../_internal/yaml-documents';
import { HtpasswdUser, WeakHashFormat } from './htpasswd-user';

/** A Secret holding htpasswd lines under the key `auth` (what ingress-nginx's `auth-secret` and a Traefik `basicAuth` read). */
export interface IBasicAuthSecret extends IConstruct {
  /** The Secret's name. */
  readonly secretName: string;
  /** The Secret's namespace: it must be the namespace of the Ingress or Middleware that reads it. */
  readonly secretNamespace: string;
}

/** Props for {@link BasicAuthSecret}. */
export interface BasicAuthSecretProps {
  /** The Secret's name. */
  readonly name: string;
  /** The Secret's namespace: the namespace of the Ingress that uses it. */
  readonly namespace: string;
  /** The users, at least one, each name once. */
  readonly users: HtpasswdUser[];
  /**
   * The bcrypt cost for passwords given in clear (4–19; ingress-nginx verifies on every request, so keep it modest).
   *
   * @default 10
   */
  readonly cost?: number;
  /**
   * The htpasswd content this Secret held in the last synthesis (see {@link BasicAuthSecret.previousHtpasswd}): a
   * user's bcrypt line that still verifies the password at the same cost is kept, so dist/ changes only when a
   * password does. Lines are only reused, never trusted: a changed password gets a new random salt.
   *
   * @default - none: every password is hashed with a new random salt
   */
  readonly previousHtpasswd?: string;
  /**
   * Hash formats weaker than bcrypt to accept in given hashes. `{SHA}` is one unsalted SHA-1 and `$apr1$` 1,000 MD5
   * rounds: whoever reads the Secret can test guesses at millions per second.
   *
   * @default - none: bcrypt only
   */
  readonly allowWeakHashes?: WeakHashFormat[];
}

/** Options for {@link BasicAuthSecret.fromSecretName}. */
export interface BasicAuthSecretImportOptions {
  /** The Secret's namespace: the namespace of the Ingress or Middleware that reads it. */
  readonly namespace: string;
}

/** Props for {@link BasicAuthSecret.fromSealedSecret}. */
export interface SealedBasicAuthSecretProps {
  /** The Secret's name (sealed secrets are bound to it in the default `strict` scope). */
  readonly name: string;
  /** The Secret's namespace (bound too). */
  readonly namespace: string;
  /**
   * The `auth` key sealed by kubeseal: `htpasswd -nB <user> | kubeseal --raw --name <name> --namespace <namespace>
   * --from-file=/dev/stdin`. Seal bcrypt lines only: the controller unseals whatever it is given.
   */
  readonly encryptedAuth: string;
}

/** The secret store an {@link BasicAuthSecret.fromExternalSecret} reads from. */
export interface ExternalSecretStoreRef {
  /** The store's name. */
  readonly name: string;
  /**
   * `SecretStore` (in the Secret's namespace) or `ClusterSecretStore`.
   *
   * @default 'SecretStore'
   */
  readonly kind?: string;
}

/** Props for {@link BasicAuthSecret.fromExternalSecret}. */
export interface ExternalBasicAuthSecretProps {
  /** The Secret's name. */
  readonly name: string;
  /** The Secret's namespace. */
  readonly namespace: string;
  /** The store holding the dashboard user's name and password. */
  readonly secretStore: ExternalSecretStoreRef;
  /** The key of the remote secret. */
  readonly remoteKey: string;
  /**
   * The property of the remote secret holding the user name.
   *
   * @default 'username'
   */
  readonly usernameProperty?: string;
  /**
   * The property of the remote secret holding the password.
   *
   * @default 'password'
   */
  readonly passwordProperty?: string;
  /**
   * How often the external-secrets operator reads the store again (and, through the template, rehashes with a new salt).
   *
   * @default Duration.hours(1)
   */
  readonly refreshInterval?: Duration;
}

const EXTERNAL_STORE_KINDS = ['SecretStore', 'ClusterSecretStore'];
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The dashboard's basic-auth Secret: `data.auth` holds one `user:hash` line per user, bcrypt with a random salt (or
 * reused from the last synthesis while it still verifies), never a password. bcrypt only unless `allowWeakHashes`
 * says otherwise; at most cost 19, the most ingress-nginx's musl crypt verifies.
 *
 * To keep the hashes out of git as well, use {@link fromSealedSecret} (a bitnami SealedSecret) or
 * {@link fromExternalSecret} (an external-secrets ExternalSecret that hashes in the cluster), or
 * {@link fromSecretName}.
 *
 * @see https://kubernetes.github.io/ingress-nginx/examples/auth/basic/
 */
export class BasicAuthSecret extends Construct implements IBasicAuthSecret {
  /** References a Secret created outside (e.g. `kubectl create secret generic <name> --from-file=auth`); nothing is emitted. */
  public static fromSecretName(scope: Construct, id: string, name: string, options: BasicAuthSecretImportOptions): IBasicAuthSecret {
    return new ExistingBasicAuthSecret(scope, id, name, options.namespace);
  }

  /**
   * A bitnami `SealedSecret` (`bitnami.com/v1alpha1`) whose `encryptedData.auth` the sealed-secrets controller
   * unseals into the Secret: only the cluster's sealing key can read it, so it is safe in git.
   *
   * @see https://github.com/bitnami-labs/sealed-secrets (v0.36.6 `pkg/apis/sealedsecrets/v1alpha1/types.go:72-76`)
   */
  public static fromSealedSecret(scope: Construct, id: string, props: SealedBasicAuthSecretProps): IBasicAuthSecret {
    return new DeliveredBasicAuthSecret(scope, id, props.name, props.namespace, self => {
      const problems = new Problems();
      const sealed = props.encryptedAuth.trim();
      // kubeseal's output: a 2-byte length, the RSA-OAEP session key (256+ bytes) and the AES-GCM payload with its
      // 16-byte tag, base64 (sealed-secrets@v0.36.6 pkg/crypto/crypto.go:36-70)
      const decoded = BASE64.test(sealed) ? Buffer.from(sealed, 'base64') : undefined;
      if (decoded === undefined || decoded.length < 256 + 2 + 16) {
        problems.add(`encryptedAuth (${sealed.length} characters) is not kubeseal output: seal the htpasswd lines with kubeseal --raw; its content is not shown`);
      }
      problems.throwIfAny(self);
      return new ApiObject(self, 'Resource', {
        apiVersion: 'bitnami.com/v1alpha1',
        kind: 'SealedSecret',
        metadata: { name: props.name, namespace: props.namespace },
        spec: {
          encryptedData: { auth: sealed },
          template: { metadata: { name: props.name, namespace: props.namespace }, type: 'Opaque' },
        },
      });
    });
  }

  /**
   * An external-secrets `ExternalSecret` (`external-secrets.io/v1`) that reads one user's name and password from a
   * secret store and writes only `auth: <user>:<bcrypt>` into the Secret, through the template function
   * `htpasswd … "bcrypt"` (cost 10, a random salt per refresh). Nothing secret is in git.
   *
   * @see https://github.com/external-secrets/external-secrets (v2.9.0 `apis/externalsecrets/v1/externalsecret_types.go:113-131,576-607`,
   *   `runtime/template/v2/sprig/crypto.go:82-91`)
   */
  public static fromExternalSecret(scope: Construct, id: string, props: ExternalBasicAuthSecretProps): IBasicAuthSecret {
    return new DeliveredBasicAuthSecret(scope, id, props.name, props.namespace, self => {
      const kind = props.secretStore.kind ?? 'SecretStore';
      const usernameProperty = props.usernameProperty ?? 'username';
      const passwordProperty = props.passwordProperty ?? 'password';
      const problems = new Problems();
      if (!EXTERNAL_STORE_KINDS.includes(kind)) problems.add(`secretStore.kind ${JSON.stringify(kind)} is not allowed: use SecretStore or ClusterSecretStore`);
      const storeName = dns1123SubdomainProblem('secretStore.name', props.secretStore.name);
      if (storeName) problems.add(storeName);
      if (props.remoteKey.trim() === '') problems.add('remoteKey must not be empty');
      for (const [what, property] of [['usernameProperty', usernameProperty], ['passwordProperty', passwordProperty]]) {
        if (property.trim() === '') problems.add(`${what} must not be empty`);
      }
      problems.throwIfAny(self);
      return new ApiObject(self, 'Resource', {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: props.name, namespace: props.namespace },
        spec: {
          refreshInterval: goDuration(props.refreshInterval ?? Duration.hours(1)),
          secretStoreRef: { name: props.secretStore.name, kind },
          target: {
            name: props.name,
            creationPolicy: 'Owner',
            template: { type: 'Opaque', engineVersion: 'v2', mergePolicy: 'Replace', data: { auth: '{{ htpasswd .username .password "bcrypt" }}\n' } },
          },
          data: [
            { secretKey: 'username', remoteRef: { key: props.remoteKey, property: usernameProperty } },
            { secretKey: 'password', remoteRef: { key: props.remoteKey, property: passwordProperty } },
          ],
        },
      });
    });
  }

  /**
   * The htpasswd content of a Secret in the YAML files of an earlier synthesis (e.g. dist/), for
   * `previousHtpasswd`; undefined when the folder or the Secret does not exist.
   */
  public static previousHtpasswd(outdir: string, name: string, namespace: string): string | undefined {
    if (!fs.existsSync(outdir)) return undefined;
    for (const file of fs.readdirSync(outdir).filter(f => f.endsWith('.yaml')).sort()) {
      const text = fs.readFileSync(path.join(outdir, file), 'utf8');
      // only a file that names the Secret is parsed
      if (!text.includes(name)) continue;
      for (const obj of (parseYamlDocuments(text) ?? []) as any[]) {
        if (obj?.kind === 'Secret' && obj.metadata?.name === name && obj.metadata?.namespace === namespace && typeof obj.data?.auth === 'string') {
          return Buffer.from(obj.data.auth, 'base64').toString('utf8');
        }
      }
    }
    return undefined;
  }

  /** The generated Secret. */
  public readonly apiObject: ApiObject;
  /** @inheritdoc */
  public readonly secretName: string;
  /** @inheritdoc */
  public readonly secretNamespace: string;
  /** The Secret's namespace (the same as `secretNamespace`). */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: BasicAuthSecretProps) {
    super(scope, id);
    this.secretName = props.name;
    this.secretNamespace = props.namespace;
    this.namespace = props.namespace;
    const cost = props.cost ?? 10;
    const problems = new Problems().add(dns1123SubdomainProblem('name', props.name), dns1123LabelProblem('namespace', props.namespace));
    if (props.users.length === 0) problems.add('users must not be empty: the Ingress would let nobody in');
    const seen = new Set<string>();
    for (const user of props.users) {
      problems.addAll(user._problems(cost, props.allowWeakHashes ?? []));
      if (seen.has(user.user)) problems.add(`user ${JSON.stringify(user.user)} appears twice: each user needs one line`);
      seen.add(user.user);
    }
    throwIfProblems([...new Set(problems.list)], this);
    const previous = new Map<string, string>();
    for (const line of (props.previousHtpasswd ?? '').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon > 0) previous.set(line.slice(0, colon), line.slice(colon + 1).trim());
    }
    const htpasswd = props.users.map(u => `${u._line(cost, previous.get(u.user))}\n`).join('');
    this.apiObject = new k8s.KubeSecret(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      type: 'Opaque',
      data: { auth: Buffer.from(htpasswd).toString('base64') },
    });
    vouchForSecret(this.apiObject, /^[^:\n]*:(?!\$2[aby]\$)/m.test(htpasswd) ? 'htpasswd-hashes' : 'htpasswd-bcrypt');
  }
}

class ExistingBasicAuthSecret extends Construct implements IBasicAuthSecret {
  constructor(scope: Construct, id: string, public readonly secretName: string, public readonly secretNamespace: string) {
    super(scope, id);
    new Problems().add(dns1123SubdomainProblem('name', secretName), dns1123LabelProblem('namespace', secretNamespace)).throwIfAny(this);
  }
}

/** A Secret another controller makes from an object of this app (a SealedSecret or an ExternalSecret). */
class DeliveredBasicAuthSecret extends ExistingBasicAuthSecret {
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, name: string, namespace: string, make: (self: Construct) => ApiObject) {
    super(scope, id, name, namespace);
    this.apiObject = make(this);
  }
}
