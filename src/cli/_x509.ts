import { webcrypto } from 'node:crypto';
import { parseGoDuration } from '../_internal/duration';
import { isDns1123Label, isDns1123Subdomain } from '../_internal/names';

/** Default subject common name of the root CA (the runbook's `step certificate create root.linkerd.cluster.local`). */
export const DEFAULT_ROOT_COMMON_NAME = 'root.linkerd.cluster.local';
/** Default root CA validity, as a Go duration: 10 years, `step`'s `--profile root-ca` default. */
export const DEFAULT_ROOT_VALIDITY = '87600h';
/** Default identity issuer validity, as a Go duration: 1 year, the runbook's `--not-after 8760h`. */
export const DEFAULT_ISSUER_VALIDITY = '8760h';
/** Default Linkerd control-plane namespace, the middle of `identity.<namespace>.<trustDomain>`. */
export const DEFAULT_NAMESPACE = 'linkerd';
/** Default Linkerd trust domain, the end of `identity.<namespace>.<trustDomain>`. */
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';
/** How far notBefore is set back from now, so that nodes whose clocks lag slightly still accept the certificates. */
export const CLOCK_SKEW_MS = 60_000;

/** Latest instant X.509 can express (GeneralizedTime 99991231235959Z, RFC 5280 4.1.2.5). */
const MAX_X509_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59);
const NANOS_PER_MS = 1_000_000n;
const MS_PER_SECOND = 1000;

/** Options for {@link createTrustAnchor}; every field is optional. */
export interface TrustAnchorOptions {
  /** Subject CN of the root CA. Default `root.linkerd.cluster.local`. */
  readonly commonName?: string;
  /** Root CA lifetime counted from now, as a Go duration (`87600h`, `43800h30m`). Default `87600h` (10 years). */
  readonly validity?: string;
  /** Also create an intermediate identity issuer CA signed by the root. Default false. */
  readonly issuer?: boolean;
  /** Linkerd control-plane namespace, used for the issuer CN `identity.<namespace>.<trustDomain>`. Default `linkerd`. */
  readonly namespace?: string;
  /** Linkerd trust domain, used for the issuer CN `identity.<namespace>.<trustDomain>`. Default `cluster.local`. */
  readonly trustDomain?: string;
  /** Issuer lifetime counted from now, as a Go duration; must not exceed the root's. Default `8760h` (1 year). */
  readonly issuerValidity?: string;
  /** The current time; certificates are valid from one minute before it. Default `new Date()`. */
  readonly now?: Date;
}

/** PEM output of {@link createTrustAnchor}. Private keys are unencrypted PKCS#8 (`-----BEGIN PRIVATE KEY-----`). */
export interface TrustAnchorPems {
  /** The self-signed root CA certificate (`ca.crt`). */
  readonly caCertPem: string;
  /** The root CA private key (`ca.key`), ECDSA P-256. */
  readonly caKeyPem: string;
  /** The identity issuer certificate (`issuer.crt`), present when `issuer` was requested. */
  readonly issuerCertPem?: string;
  /** The identity issuer private key (`issuer.key`), present when `issuer` was requested. */
  readonly issuerKeyPem?: string;
}

/** An option value that {@link createTrustAnchor} rejects; the message names the option, the value and what is allowed. */
export class TrustAnchorOptionError extends Error {
  /** @param message what is wrong, with the offending value */
  constructor(message: string) {
    super(message);
    this.name = 'TrustAnchorOptionError';
  }
}

/** The identity issuer CN Linkerd's identity controller expects: `identity.<namespace>.<trustDomain>`. */
export function issuerCommonName(namespace: string = DEFAULT_NAMESPACE, trustDomain: string = DEFAULT_TRUST_DOMAIN): string {
  return `identity.${namespace}.${trustDomain}`;
}

/**
 * Creates an ECDSA P-256 root CA for Linkerd (what `step certificate create ... --profile root-ca` does) and, on request,
 * an intermediate identity issuer CA signed by it (`--profile intermediate-ca`).
 *
 * Keys and serial numbers are random. Both certificates start one minute before `now` ({@link CLOCK_SKEW_MS}) and end
 * `validity` / `issuerValidity` after `now`.
 *
 * @throws TrustAnchorOptionError when an option is invalid
 */
export async function createTrustAnchor(options: TrustAnchorOptions = {}): Promise<TrustAnchorPems> {
  const commonName = options.commonName ?? DEFAULT_ROOT_COMMON_NAME;
  if (commonName.trim() === '' || commonName.length > 64) {
    throw new TrustAnchorOptionError(`common name ${JSON.stringify(commonName)} must be 1 to 64 characters (RFC 5280 ub-common-name)`);
  }
  const nowMs = Math.floor((options.now ?? new Date()).getTime() / MS_PER_SECOND) * MS_PER_SECOND;
  if (Number.isNaN(nowMs)) {
    throw new TrustAnchorOptionError('now must be a valid date');
  }
  const notBefore = new Date(nowMs - CLOCK_SKEW_MS);
  const rootValidityMs = validityMillis('validity', options.validity ?? DEFAULT_ROOT_VALIDITY, nowMs);

  let issuerSpec: { commonName: string; validityMs: number } | undefined;
  if (options.issuer) {
    const namespace = options.namespace ?? DEFAULT_NAMESPACE;
    const trustDomain = options.trustDomain ?? DEFAULT_TRUST_DOMAIN;
    if (!isDns1123Label(namespace)) {
      throw new TrustAnchorOptionError(`namespace ${JSON.stringify(namespace)} must be a DNS-1123 label (at most 63 lowercase alphanumerics or '-', starting and ending with an alphanumeric)`);
    }
    if (!isDns1123Subdomain(trustDomain)) {
      throw new TrustAnchorOptionError(`trust domain ${JSON.stringify(trustDomain)} must be a DNS name (dot-separated lowercase alphanumerics or '-')`);
    }
    const validityMs = validityMillis('issuer validity', options.issuerValidity ?? DEFAULT_ISSUER_VALIDITY, nowMs);
    if (validityMs > rootValidityMs) {
      throw new TrustAnchorOptionError(
        `issuer validity ${JSON.stringify(options.issuerValidity ?? DEFAULT_ISSUER_VALIDITY)} must not exceed the root validity ${JSON.stringify(options.validity ?? DEFAULT_ROOT_VALIDITY)}: the issuer must not outlive the root`);
    }
    issuerSpec = { commonName: issuerCommonName(namespace, trustDomain), validityMs };
  }

  const x509 = loadX509();
  const subtle = webcrypto.subtle;
  const keyAlgorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  const signingAlgorithm = { name: 'ECDSA', hash: 'SHA-256' };
  const caUsages = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;

  const rootKeys = await subtle.generateKey(keyAlgorithm, true, ['sign', 'verify']);
  const rootCert = await x509.X509CertificateGenerator.createSelfSigned({
    name: new x509.Name([{ CN: [commonName] }]),
    notBefore,
    notAfter: new Date(nowMs + rootValidityMs),
    keys: rootKeys,
    signingAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(caUsages, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const result: { -readonly [K in keyof TrustAnchorPems]: TrustAnchorPems[K] } = {
    caCertPem: pemLines(rootCert.toString('pem')),
    caKeyPem: await privateKeyPem(x509, subtle, rootKeys.privateKey),
  };

  if (issuerSpec) {
    const issuerKeys = await subtle.generateKey(keyAlgorithm, true, ['sign', 'verify']);
    const issuerCert = await x509.X509CertificateGenerator.create({
      // The root's own encoded subject, so the issuer field matches it byte for byte (Go's chain building compares bytes).
      issuer: rootCert.subjectName,
      subject: new x509.Name([{ CN: [issuerSpec.commonName] }]),
      notBefore,
      notAfter: new Date(nowMs + issuerSpec.validityMs),
      publicKey: issuerKeys.publicKey,
      signingKey: rootKeys.privateKey,
      signingAlgorithm,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(caUsages, true),
        await x509.SubjectKeyIdentifierExtension.create(issuerKeys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
      ],
    });
    result.issuerCertPem = pemLines(issuerCert.toString('pem'));
    result.issuerKeyPem = await privateKeyPem(x509, subtle, issuerKeys.privateKey);
  }
  return result;
}

/** Lifetime in milliseconds from a positive Go duration, checked to end within what X.509 can express. */
function validityMillis(what: string, text: string, nowMs: number): number {
  const nanos = parseGoDuration(text);
  const allowed = 'a positive Go duration such as 87600h or 8760h30m (units h, m, s)';
  if (nanos === undefined) {
    throw new TrustAnchorOptionError(`${what} ${JSON.stringify(text)} is not ${allowed}`);
  }
  const ms = Number(nanos / NANOS_PER_MS);
  if (ms < MS_PER_SECOND) {
    throw new TrustAnchorOptionError(`${what} ${JSON.stringify(text)} must be at least 1s; use ${allowed}`);
  }
  if (nowMs + ms > MAX_X509_TIME_MS) {
    throw new TrustAnchorOptionError(`${what} ${JSON.stringify(text)} ends after 9999-12-31, the latest date X.509 can express`);
  }
  return Math.floor(ms / MS_PER_SECOND) * MS_PER_SECOND;
}

async function privateKeyPem(x509: X509Api, subtle: webcrypto.SubtleCrypto, key: webcrypto.CryptoKey): Promise<string> {
  const pkcs8 = await subtle.exportKey('pkcs8', key);
  return pemLines(x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'));
}

/** PEM with `\n` line endings and one trailing newline, whatever the encoder produced. */
function pemLines(pem: string): string {
  return `${pem.replace(/\r\n/g, '\n').trimEnd()}\n`;
}

/** An encoded extension; opaque here. */
interface X509Extension {
  readonly rawData: ArrayBuffer;
}

/** A distinguished name. */
interface X509Name {
  toString(): string;
}

/** A generated certificate. */
interface X509Cert {
  readonly subjectName: X509Name;
  toString(format: 'pem'): string;
}

/** Fields shared by both certificate generator calls. */
interface X509CreateCommon {
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly signingAlgorithm: { name: string; hash: string };
  readonly extensions: X509Extension[];
}

/**
 * The part of @peculiar/x509's API used here, declared locally.
 *
 * The package's own `.d.ts` names DOM WebCrypto globals (`CryptoKey`, `BufferSource`, `Algorithm`, ...) that do not
 * exist under this project's `lib: ["es2022"]` + `types: ["node"]`, and the project does not set `skipLibCheck`, so
 * importing even its types breaks `tsc`. Loading it with a plain `require` keeps those declarations out of the program.
 */
interface X509Api {
  readonly cryptoProvider: { set(crypto: webcrypto.Crypto): void };
  readonly Name: new (json: Array<Record<string, string[]>>) => X509Name;
  readonly KeyUsageFlags: { readonly keyCertSign: number; readonly cRLSign: number };
  readonly BasicConstraintsExtension: new (ca: boolean, pathLength: number | undefined, critical: boolean) => X509Extension;
  readonly KeyUsagesExtension: new (usages: number, critical: boolean) => X509Extension;
  readonly SubjectKeyIdentifierExtension: { create(publicKey: webcrypto.CryptoKey): Promise<X509Extension> };
  readonly AuthorityKeyIdentifierExtension: { create(publicKey: webcrypto.CryptoKey): Promise<X509Extension> };
  readonly PemConverter: { encode(rawData: ArrayBuffer, tag: string): string };
  readonly X509CertificateGenerator: {
    createSelfSigned(params: X509CreateCommon & { name: X509Name; keys: webcrypto.CryptoKeyPair }): Promise<X509Cert>;
    create(params: X509CreateCommon & {
      issuer: X509Name;
      subject: X509Name;
      publicKey: webcrypto.CryptoKey;
      signingKey: webcrypto.CryptoKey;
    }): Promise<X509Cert>;
  };
}

let x509Module: X509Api | undefined;

/**
 * Loads @peculiar/x509 with node's WebCrypto as its crypto provider.
 *
 * @peculiar/x509 requires tsyringe, which throws at load time unless a `Reflect.getMetadata` polyfill (the
 * `reflect-metadata` package) is present. The library's compiled code emits no `design:paramtypes` metadata, so tsyringe
 * only needs `getMetadata`, `getOwnMetadata` and `defineMetadata` to exist; {@link ensureReflectMetadata} provides a
 * minimal implementation of those instead of adding a dependency. It is installed only when absent, so a real
 * `reflect-metadata` loaded earlier wins.
 */
function loadX509(): X509Api {
  if (x509Module === undefined) {
    ensureReflectMetadata();
    const loaded = require('@peculiar/x509') as X509Api;
    loaded.cryptoProvider.set(webcrypto);
    x509Module = loaded;
  }
  return x509Module;
}

type MetadataReflect = typeof Reflect & {
  getMetadata?: (key: unknown, target: object) => unknown;
  getOwnMetadata?: (key: unknown, target: object) => unknown;
  defineMetadata?: (key: unknown, value: unknown, target: object) => void;
};

/** Installs the subset of the `reflect-metadata` API that tsyringe calls, unless a polyfill is already present. */
function ensureReflectMetadata(): void {
  const reflect = Reflect as MetadataReflect;
  if (typeof reflect.getMetadata === 'function') return;
  const store = new WeakMap<object, Map<unknown, unknown>>();
  const getOwn = (key: unknown, target: object): unknown => store.get(target)?.get(key);
  const get = (key: unknown, target: object): unknown => {
    for (let o: object | null = target; o !== null; o = Object.getPrototypeOf(o)) {
      const own = store.get(o);
      if (own?.has(key)) return own.get(key);
    }
    return undefined;
  };
  const define = (key: unknown, value: unknown, target: object): void => {
    let own = store.get(target);
    if (own === undefined) {
      own = new Map();
      store.set(target, own);
    }
    own.set(key, value);
  };
  for (const [name, fn] of [['getOwnMetadata', getOwn], ['getMetadata', get], ['defineMetadata', define]] as const) {
    Object.defineProperty(Reflect, name, { value: fn, writable: true, configurable: true, enumerable: false });
  }
}
