import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { Construct, IConstruct } from 'constructs';
import { throwIfProblems } from '../_internal/errors';
import { dns1123LabelProblem, dns1123SubdomainProblem } from '../_internal/names';
import { vouchForSecret } from '../_internal/vouch';
import { HtpasswdUser } from './htpasswd-user';

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
}

/**
 * The dashboard's basic-auth Secret: `data.auth` holds one `user:hash` line per user, bcrypt-hashed at synth with a
 * deterministic salt, so dist/ changes only when a password does. Plain passwords never reach dist/.
 *
 * @see https://kubernetes.github.io/ingress-nginx/examples/auth/basic/
 */
export class BasicAuthSecret extends Construct implements IBasicAuthSecret {
  /** References a Secret created outside (e.g. `kubectl create secret generic <name> --from-file=auth`); nothing is emitted. */
  public static fromExistingSecret(scope: Construct, id: string, name: string, namespace: string): IBasicAuthSecret {
    return new ExistingBasicAuthSecret(scope, id, name, namespace);
  }

  /** The generated Secret. */
  public readonly apiObject: ApiObject;
  /** @inheritdoc */
  public readonly secretName: string;
  /** @inheritdoc */
  public readonly secretNamespace: string;

  constructor(scope: Construct, id: string, props: BasicAuthSecretProps) {
    super(scope, id);
    this.secretName = props.name;
    this.secretNamespace = props.namespace;
    const cost = props.cost ?? 10;
    const problems = [dns1123SubdomainProblem('name', props.name), dns1123LabelProblem('namespace', props.namespace)].filter((p): p is string => p !== undefined);
    if (props.users.length === 0) problems.push('users must not be empty: the Ingress would let nobody in');
    const seen = new Set<string>();
    for (const user of props.users) {
      problems.push(...user._problems(cost));
      if (seen.has(user.user)) problems.push(`user ${JSON.stringify(user.user)} appears twice: each user needs one line`);
      seen.add(user.user);
    }
    throwIfProblems([...new Set(problems)], this);
    const identity = `${props.namespace}/${props.name}`;
    const htpasswd = props.users.map(u => `${u._line(cost, identity)}\n`).join('');
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
    throwIfProblems([dns1123SubdomainProblem('name', secretName), dns1123LabelProblem('namespace', secretNamespace)].filter((p): p is string => p !== undefined), this);
  }
}
