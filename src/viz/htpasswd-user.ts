import type * as Crypto from 'node:crypto';
import * as fs from 'node:fs';
import type * as Bcrypt from 'bcryptjs';

const BCRYPT_HASH = /^\$2[abxy]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const APR1_HASH = /^\$apr1\$[./A-Za-z0-9]{1,8}\$[./A-Za-z0-9]{22}$/;
const SHA_HASH = /^\{SHA\}[A-Za-z0-9+/]{27}=$/;

/**
 * One user of an htpasswd file (`user:hash`), as ingress-nginx and Traefik read it.
 *
 * A password given in clear is hashed at synth with bcrypt (`$2y$`), with a salt derived from the user, the password
 * and the Secret's identity: the same inputs give the same line, so Argo CD sees a change only when a password does.
 * The password itself is never written anywhere.
 */
export class HtpasswdUser {
  /** A user whose password is hashed at synth (take it from the environment or a secret store, never from code). */
  public static fromPassword(user: string, password: string): HtpasswdUser {
    return new HtpasswdUser(user, { password });
  }

  /**
   * A user whose name and password are read from environment variables at synth.
   *
   * @returns undefined when either variable is unset or empty
   */
  public static fromEnv(userVariable: string, passwordVariable: string): HtpasswdUser | undefined {
    const user = process.env[userVariable];
    const password = process.env[passwordVariable];
    return user && password ? HtpasswdUser.fromPassword(user, password) : undefined;
  }

  /** A user with an existing hash (`$2y$…`, `$2b$…`, `$apr1$…` or `{SHA}…`), e.g. from `htpasswd -nB`. */
  public static fromHash(user: string, hash: string): HtpasswdUser {
    return new HtpasswdUser(user, { hash });
  }

  /** A line of an htpasswd file, `user:hash`. */
  public static fromLine(line: string): HtpasswdUser {
    const colon = line.indexOf(':');
    return colon < 0 ? new HtpasswdUser(line, { hash: '' }) : HtpasswdUser.fromHash(line.slice(0, colon), line.slice(colon + 1).trim());
  }

  /** Every user of an htpasswd file (blank lines and `#` comments skipped). */
  public static fromFile(file: string): HtpasswdUser[] {
    return fs.readFileSync(file, 'utf8').split(/\r?\n/).map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#')).map(l => HtpasswdUser.fromLine(l));
  }

  private constructor(
    /** The user name. */
    public readonly user: string,
    private readonly secret: { readonly password?: string; readonly hash?: string },
  ) {}

  /** Problems with this user, for messages; empty when valid. @internal */
  public _problems(cost: number): string[] {
    const problems: string[] = [];
    if (this.user === '' || /[:\s]/.test(this.user)) {
      problems.push(`user name ${JSON.stringify(this.user)} must be non-empty, without ':' or whitespace`);
    }
    if (this.secret.hash !== undefined && !isKnownHash(this.secret.hash)) {
      problems.push(`the hash of user ${JSON.stringify(this.user)} is not a bcrypt ($2y$), apr1 ($apr1$) or {SHA} hash: hash it with htpasswd -nB, never store a plain password`);
    }
    if (this.secret.password === '') problems.push(`the password of user ${JSON.stringify(this.user)} must not be empty`);
    if (cost < 4 || cost > 19 || !Number.isInteger(cost)) problems.push(`bcrypt cost ${cost} is out of range: use 4 to 19 (ingress-nginx's musl crypt rejects 20 and above)`);
    return problems;
  }

  /**
   * The `user:hash` line; a clear password is hashed with bcrypt at `cost`, salted from `identity`.
   *
   * @internal
   */
  public _line(cost: number, identity: string): string {
    if (this.secret.hash !== undefined) return `${this.user}:${this.secret.hash}`;
    const password = this.secret.password!;
    // loaded on first use: node:crypto and bcryptjs take ~5 ms to load, and most syntheses hash no password
    const { createHmac } = require('node:crypto') as typeof Crypto;
    const bcrypt = require('bcryptjs') as typeof Bcrypt;
    const digest = createHmac('sha256', identity).update(`${this.user}\0${password}`).digest();
    const salt = `$2b$${String(cost).padStart(2, '0')}$${bcrypt.encodeBase64(digest.subarray(0, 16), 16)}`;
    // bcryptjs writes $2b$; htpasswd and nginx docs use $2y$, the same algorithm
    return `${this.user}:${bcrypt.hashSync(password, salt).replace(/^\$2b\$/, '$2y$')}`;
  }
}

function isKnownHash(hash: string): boolean {
  const bcryptCost = BCRYPT_HASH.exec(hash)?.[1];
  return (bcryptCost !== undefined && Number(bcryptCost) >= 4 && Number(bcryptCost) <= 31) || APR1_HASH.test(hash) || SHA_HASH.test(hash);
}
