import { Construct } from 'constructs';
import { BasicAuthSecret, ExternalSecretStoreRef, IBasicAuthSecret } from './basic-auth-secret';
import { HtpasswdUser } from './htpasswd-user';

/** Options for {@link DashboardCredentials.users}. */
export interface DashboardUsersOptions {
  /**
   * The htpasswd content of the last synthesis, whose bcrypt lines are reused while they verify (see
   * {@link BasicAuthSecret.previousHtpasswd}).
   *
   * @default - none: new random salts
   */
  readonly previousHtpasswd?: string;
}

/** Options for {@link DashboardCredentials.externalSecret}. */
export interface DashboardExternalSecretOptions {
  /** The store holding the user name and password. */
  readonly secretStore: ExternalSecretStoreRef;
  /** The key of the remote secret. */
  readonly remoteKey: string;
  /**
   * The property holding the user name.
   *
   * @default 'username'
   */
  readonly usernameProperty?: string;
  /**
   * The property holding the password.
   *
   * @default 'password'
   */
  readonly passwordProperty?: string;
}

/**
 * Where the dashboard's htpasswd Secret comes from: bcrypt lines rendered into dist/, a SealedSecret, an
 * ExternalSecret, or a Secret made outside. Only the first puts hashes in git; none puts a password there.
 */
export class DashboardCredentials {
  /** Users hashed at synth into a Secret (bcrypt, random salts, reused while they verify). */
  public static users(users: HtpasswdUser[], options: DashboardUsersOptions = {}): DashboardCredentials {
    return new DashboardCredentials((scope, id, name, namespace) =>
      new BasicAuthSecret(scope, id, { name, namespace, users, previousHtpasswd: options.previousHtpasswd }));
  }

  /** A bitnami SealedSecret holding the sealed `auth` key (see {@link BasicAuthSecret.fromSealedSecret}). */
  public static sealedSecret(encryptedAuth: string): DashboardCredentials {
    return new DashboardCredentials((scope, id, name, namespace) => BasicAuthSecret.fromSealedSecret(scope, id, { name, namespace, encryptedAuth }));
  }

  /** An external-secrets ExternalSecret that hashes a stored user and password in the cluster (see {@link BasicAuthSecret.fromExternalSecret}). */
  public static externalSecret(options: DashboardExternalSecretOptions): DashboardCredentials {
    return new DashboardCredentials((scope, id, name, namespace) => BasicAuthSecret.fromExternalSecret(scope, id, { name, namespace, ...options }));
  }

  /** A Secret created outside the app (`kubectl create secret generic … --from-file=auth`); nothing is emitted. */
  public static existingSecret(): DashboardCredentials {
    return new DashboardCredentials((scope, id, name, namespace) => BasicAuthSecret.fromSecretName(scope, id, name, { namespace }), true);
  }

  private constructor(
    private readonly make: (scope: Construct, id: string, name: string, namespace: string) => IBasicAuthSecret,
    /** Whether the Secret is made outside this app, so nothing here creates it. @internal */
    public readonly _existing = false,
  ) {}

  /** The Secret named `name` in `namespace`. @internal */
  public _bind(scope: Construct, id: string, name: string, namespace: string): IBasicAuthSecret {
    return this.make(scope, id, name, namespace);
  }
}
