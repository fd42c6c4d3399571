import type * as Crypto from 'node:crypto';
import * as fs from 'node:fs';
import type * as Bcrypt from 'bcryptjs';
import { ValidationError } from '../_internal/errors';
import { Problems } from '../_internal/problems';

const BCRYPT_HASH = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const APR1_HASH = /^\$apr1\$[./A-Za-z0-9]{1,8}\$[./A-Za-z0-9]{22}$/;
const SHA_HASH = /^\{SHA\}[A-Za-z0-9+/]{27}=$/;

/**
 * The highest bcrypt cost ingress-nginx can verify: its musl `crypt()` accepts a cost whose first digit is 0 or 1
 * only (`setting[4] - '0' > 1U` in musl `src/crypt/crypt_blowfish.c` `BF_crypt`, read in the musl copy at
 * jart/cosmopolitan `third_party/musl/crypt_blowfish.c`), and otherwise returns `"*"`, which matches no password.
 */
const MAX_BCRYPT_COST = 19;

/**
 * An htpasswd hash format weaker than bcrypt, accepted only when a {@link BasicAuthSecret} names it in
 * `allowWeakHashes`: anyone who reads the Secret can test guesses against it far faster than against bcrypt.
 */
export enum WeakHashFormat {
  /** `$apr1$`: Apache's MD5-based crypt, 1,000 MD5 rounds (`htpasswd -m`). */
  APR1 = 'apr1',
  /** `{SHA}`: one unsalted SHA-1 (`htpasswd -s`); one precomputed table cracks it everywhere. */
  SHA = 'sha',
}

interface Credential {
  readonly password?: string;
  readonly hash?: string;
  /** Where a line that is not `user:hash` came from; its content is never repeated in messages. */
  readonly malformed?: string;
}

// kept outside the object, so JSON.stringify, util.inspect and Object.keys never see a password
const CREDENTIALS = new WeakMap<HtpasswdUser, Credential>();

/**
 * One user of an htpasswd file (`user:hash`), as ingress-nginx and Traefik read it.
 *
 * A password given in clear is hashed at synth with bcrypt (`$2y$`) and a random salt, so nothing public (the
 * Secret's name, the user) lets anyone check a guess faster than bcrypt allows. To keep `dist/` stable, a
 * {@link BasicAuthSecret} reuses the previous synthesis' line for the user when that line still verifies the
 * password at the same cost; or keep bcrypt lines in a committed htpasswd file ({@link fromFile}) and give no password
 * at all. The password itself is never written anywhere, nor shown by `JSON.stringify` or in an error message.
 */
export class HtpasswdUser {
  /** A user whose password is hashed at synth (take it from the environment or a secret store, never from code). */
  public static fromPassword(user: string, password: string): HtpasswdUser {
    return new HtpasswdUser(user, { password });
  }

  /**
   * A user whose name and password are read from environment variables at synth.
   *
   * @returns undefined when both variables are unset or empty
   * @throws ValidationError when only one of them is set: a user without a password (or the reverse) is a mistake, not a choice
   */
  public static fromEnv(userVariable: string, passwordVariable: string): HtpasswdUser | undefined {
    const user = process.env[userVariable];
    const password = process.env[passwordVariable];
    if (!user && !password) return undefined;
    if (!user || !password) {
      const [set, unset] = user ? [userVariable, passwordVariable] : [passwordVariable, userVariable];
      throw new ValidationError(`${set} is set but ${unset} is not: set both for a dashboard user, or neither`, 'HtpasswdUser.fromEnv');
    }
    return HtpasswdUser.fromPassword(user, password);
  }

  /** A user with an existing hash (`$2y$…` from `htpasswd -nB`; `$apr1$…` and `{SHA}…` only where explicitly allowed). */
  public static fromHash(user: string, hash: string): HtpasswdUser {
    return new HtpasswdUser(user, { hash });
  }

  /**
   * A line of an htpasswd file, `user:hash`.
   *
   * @param line the line
   * @param where where the line comes from, for messages (a malformed line is never echoed: it may be a password)
   */
  public static fromLine(line: string, where = 'an htpasswd line'): HtpasswdUser {
    const colon = line.indexOf(':');
    return colon < 0 ? new HtpasswdUser('', { malformed: where }) : HtpasswdUser.fromHash(line.slice(0, colon), line.slice(colon + 1).trim());
  }

  /** Every user of an htpasswd file (blank lines and `#` comments skipped). */
  public static fromFile(file: string): HtpasswdUser[] {
    return HtpasswdUser.parse(fs.readFileSync(file, 'utf8'), file);
  }

  /**
   * Every user of htpasswd content (blank lines and `#` comments skipped).
   *
   * @param content the htpasswd lines
   * @param source the file or variable it comes from, for messages
   */
  public static parse(content: string, source = 'htpasswd content'): HtpasswdUser[] {
    return content.split(/\r?\n/).map((l, i) => ({ line: l.trim(), n: i + 1 }))
      .filter(({ line }) => line !== '' && !line.startsWith('#'))
      .map(({ line, n }) => HtpasswdUser.fromLine(line, `line ${n} of ${source}`));
  }

  /** The user name. */
  public readonly user: string;

  private constructor(user: string, credential: Credential) {
    this.user = user;
    CREDENTIALS.set(this, credential);
  }

  /** What `JSON.stringify` shows: the user name only. */
  public toJSON(): { user: string } {
    return { user: this.user };
  }

  /** Problems with this user, for messages (never with the password or hash); empty when valid. @internal */
  public _problems(cost: number, allowWeakHashes: readonly WeakHashFormat[] = []): string[] {
    const credential = CREDENTIALS.get(this)!;
    if (credential.malformed !== undefined) {
      return [`${credential.malformed} is not user:hash (no ':'); its content is not shown, as it may be a password`];
    }
    const problems = new Problems();
    if (this.user === '' || /[:\s]/.test(this.user) || this.user.startsWith('#')) {
      problems.add(`user name ${JSON.stringify(this.user)} must be non-empty, without ':' or whitespace, and not start with '#' (nginx reads such a line as a comment)`);
    }
    if (credential.hash !== undefined) problems.addAll(hashProblems(this.user, credential.hash, allowWeakHashes));
    if (credential.password === '') problems.add(`the password of user ${JSON.stringify(this.user)} must not be empty`);
    if (cost < 4 || cost > MAX_BCRYPT_COST || !Number.isInteger(cost)) problems.add(`bcrypt cost ${cost} is out of range: use 4 to 19 (ingress-nginx's musl crypt rejects 20 and above)`);
    return [...problems.list];
  }

  /**
   * The `user:hash` line. A clear password is hashed with bcrypt at `cost` and a random salt, unless `previous` (the
   * hash of this user in the last synthesis) is bcrypt at the same cost and verifies the password: then it is reused.
   *
   * @internal
   */
  public _line(cost: number, previous?: string): string {
    const credential = CREDENTIALS.get(this)!;
    if (credential.hash !== undefined) return `${this.user}:${credential.hash}`;
    const password = credential.password!;
    // loaded on first use: node:crypto and bcryptjs take ~5 ms to load, and most syntheses hash no password
    const bcrypt = require('bcryptjs') as typeof Bcrypt;
    const previousCost = previous === undefined ? undefined : BCRYPT_HASH.exec(previous)?.[1];
    if (previousCost !== undefined && Number(previousCost) === cost && bcrypt.compareSync(password, previous!.replace(/^\$2[ay]\$/, '$2b$'))) {
      return `${this.user}:${previous}`;
    }
    const { randomBytes } = require('node:crypto') as typeof Crypto;
    const salt = `$2b$${String(cost).padStart(2, '0')}$${bcrypt.encodeBase64(randomBytes(16), 16)}`;
    // bcryptjs writes $2b$; htpasswd and nginx docs use $2y$, the same algorithm
    return `${this.user}:${bcrypt.hashSync(password, salt).replace(/^\$2b\$/, '$2y$')}`;
  }
}

function hashProblems(user: string, hash: string, allowWeakHashes: readonly WeakHashFormat[]): string[] {
  const bcryptCost = BCRYPT_HASH.exec(hash)?.[1];
  if (bcryptCost !== undefined) {
    const cost = Number(bcryptCost);
    return cost >= 4 && cost <= MAX_BCRYPT_COST ? []
      : [`the bcrypt hash of user ${JSON.stringify(user)} has cost ${cost}: use 4 to 19 (ingress-nginx's musl crypt returns "*" above 19, so every login fails)`];
  }
  const weak = APR1_HASH.test(hash) ? WeakHashFormat.APR1 : SHA_HASH.test(hash) ? WeakHashFormat.SHA : undefined;
  if (weak === undefined) {
    return [`the hash of user ${JSON.stringify(user)} is not a bcrypt hash ($2y$, $2b$ or $2a$): hash it with htpasswd -nB, never store a plain password`];
  }
  return allowWeakHashes.includes(weak) ? []
    : [`the hash of user ${JSON.stringify(user)} is ${weak === WeakHashFormat.SHA ? '{SHA} (unsalted SHA-1)' : '$apr1$ (MD5)'}, far faster to guess than bcrypt: `
      + `rehash it with htpasswd -nB, or allow it with allowWeakHashes: [WeakHashFormat.${weak === WeakHashFormat.SHA ? 'SHA' : 'APR1'}]`];
}
