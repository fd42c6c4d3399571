import type { X509Certificate } from 'node:crypto';
import type { AsnConvert as AsnConvertType } from '@peculiar/asn1-schema';
import type { Certificate as AsnCertificateType } from '@peculiar/asn1-x509';
import { Problems } from '../_internal/problems';

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PRIVATE_KEY_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const SIGNATURE_NAMES: Record<string, string> = {
  [ECDSA_WITH_SHA256]: 'ECDSAWithSHA256',
  '1.2.840.10045.4.3.3': 'ECDSAWithSHA384',
  '1.2.840.10045.4.3.4': 'ECDSAWithSHA512',
  [SHA256_WITH_RSA]: 'SHA256WithRSA',
  '1.2.840.113549.1.1.12': 'SHA384WithRSA',
  '1.2.840.113549.1.1.13': 'SHA512WithRSA',
  '1.2.840.113549.1.1.5': 'SHA1WithRSA',
  '1.3.101.112': 'PureEd25519',
};

/** One certificate of a trust-anchor PEM, as far as the checks need it. */
export interface AnchorCertificate {
  /** The subject, e.g. `CN=root.linkerd.cluster.local`. */
  readonly subject: string;
  /** The subject common name, if any. */
  readonly commonName?: string;
  /** End of validity. */
  readonly notAfter: Date;
}

/** What the `linkerd check` trust-anchor checks say about a PEM. */
export interface AnchorPemReport {
  /** The PEM's certificates, normalized: one block per certificate, a single trailing newline. */
  readonly normalizedPem: string;
  /** The certificates that parsed. */
  readonly certificates: readonly AnchorCertificate[];
  /** Fatal findings (`linkerd check` fails). */
  readonly problems: readonly string[];
  /** Findings `linkerd check` only warns about. */
  readonly warnings: readonly string[];
}

/**
 * Mirrors `linkerd check`'s `linkerd-identity` checks on trust anchors: the PEM parses, holds no private key, and
 * each certificate is a CA, ECDSA P-256 or RSA 2048/4096 with a SHA-256 signature, and currently valid; less than
 * `warnWithinMs` of validity left is a warning.
 *
 * @internal
 */
export function checkTrustAnchorPem(pem: string, now: Date, warnWithinMs: number): AnchorPemReport {
  const problems = new Problems();
  const warnings: string[] = [];
  const certificates: AnchorCertificate[] = [];
  if (PRIVATE_KEY_BLOCK.test(pem)) {
    // nothing else matters until the key is gone
    return { normalizedPem: '', certificates, problems: ['contains a private key: pass only the public certificate (ca.crt), never the key'], warnings };
  }
  const blocks = pem.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) {
    problems.add('is not a PEM certificate: expected one or more -----BEGIN CERTIFICATE----- blocks');
  }
  blocks.forEach((block, i) => {
    const label = blocks.length === 1 ? 'certificate' : `certificate ${i + 1}`;
    let cert: X509Certificate;
    try {
      // loaded on first use, like the ASN.1 modules below: most syntheses check no PEM
      cert = new (require('node:crypto') as typeof import('node:crypto')).X509Certificate(block);
    } catch (e) {
      problems.add(`${label} does not parse: ${(e as Error).message}`);
      return;
    }
    const subject = cert.subject.split('\n').join(', ');
    const commonName = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
    const named = `${label} (${subject})`;
    const notBefore = new Date(cert.validFrom);
    const notAfter = new Date(cert.validTo);
    certificates.push({ subject, commonName, notAfter });

    if (!cert.ca) problems.add(`${named} is not a CA (basicConstraints CA:FALSE): a trust anchor must be a CA certificate`);
    const key = cert.publicKey;
    const details = key.asymmetricKeyDetails ?? {};
    const signature = signatureOid(cert);
    const signatureName = SIGNATURE_NAMES[signature] ?? signature;
    if (key.asymmetricKeyType === 'ec') {
      if (details.namedCurve !== 'prime256v1') {
        problems.add(`${named} uses ECDSA curve ${details.namedCurve}: Linkerd needs ECDSA P-256 (prime256v1) or RSA 2048/4096`);
      }
      if (signature !== ECDSA_WITH_SHA256 && signature !== SHA256_WITH_RSA) {
        problems.add(`${named} is signed with ${signatureName}: Linkerd needs ECDSAWithSHA256 or SHA256WithRSA`);
      }
    } else if (key.asymmetricKeyType === 'rsa') {
      if (details.modulusLength !== 2048 && details.modulusLength !== 4096) {
        problems.add(`${named} has a ${details.modulusLength}-bit RSA key: Linkerd needs RSA 2048 or 4096 (or ECDSA P-256)`);
      }
      if (signature !== SHA256_WITH_RSA) {
        problems.add(`${named} is signed with ${signatureName}: Linkerd needs SHA256WithRSA for an RSA anchor`);
      }
    } else {
      problems.add(`${named} has a ${key.asymmetricKeyType} key: Linkerd needs ECDSA P-256 or RSA 2048/4096`);
    }
    if (now < notBefore) {
      problems.add(`${named} is not valid before ${notBefore.toISOString()}`);
    } else if (now > notAfter) {
      problems.add(`${named} expired on ${notAfter.toISOString()}`);
    } else if (notAfter.getTime() - now.getTime() < warnWithinMs) {
      const days = Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000);
      warnings.push(`${named} expires in ${days} days (${notAfter.toISOString()}): plan the anchor rotation`);
    }
  });
  return { normalizedPem: blocks.map(b => `${b.trim()}\n`).join(''), certificates, problems: [...problems.list], warnings };
}

function signatureOid(cert: X509Certificate): string {
  // loaded on first use: most syntheses check no PEM, and the ASN.1 modules take ~20 ms to load
  const { AsnConvert } = require('@peculiar/asn1-schema') as { AsnConvert: typeof AsnConvertType };
  const { Certificate } = require('@peculiar/asn1-x509') as { Certificate: typeof AsnCertificateType };
  return AsnConvert.parse(cert.raw, Certificate).signatureAlgorithm.algorithm;
}
