import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { parseGoDuration } from '../_internal/duration';
import { isDns1123Label, isDns1123Subdomain } from '../_internal/names';

// @peculiar/x509 signs through WebCrypto; node's implementation stands in for the browser's.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

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
  /**
   * Subject CN of the root CA.
   *
   * @default 'root.linkerd.cluster.local'
   */
  readonly commonName?: string;
  /**
   * Root CA lifetime counted from now, as a Go duration (`87600h`, `43800h30m`).
   *
   * @default '87600h' (10 years)
   */
  readonly validity?: string;
  /**
   * Also create an intermediate identity issuer CA signed by the root.
   *
   * @default false
   */
  readonly issuer?: boolean;
  /**
   * Linkerd control-plane namespace, used for the issuer CN `identity.<namespace>.<trustDomain>`.
   *
   * @default 'linkerd'
   */
  readonly namespace?: string;
  /**
   * Linkerd trust domain, used for the issuer CN `identity.<namespace>.<trustDomain>`.
   *
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * Issuer lifetime counted from now, as a Go duration; must not exceed the root's.
   *
   * @default '8760h' (1 year)
   */
  readonly issuerValidity?: string;
  /**
   * The current time; certificates are valid from one minute before it.
   *
   * @default - now
   */
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
    caKeyPem: await privateKeyPem(rootKeys.privateKey),
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
    result.issuerKeyPem = await privateKeyPem(issuerKeys.privateKey);
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

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key);
  return pemLines(x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'));
}

/** PEM with `\n` line endings and one trailing newline, whatever the encoder produced. */
function pemLines(pem: string): string {
  return `${pem.replace(/\r\n/g, '\n').trimEnd()}\n`;
}
