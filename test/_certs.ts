import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** Key types for test certificates. */
export type TestKey = 'P-256' | 'P-384' | 'rsa2048' | 'rsa3072' | 'Ed25519';

/** Options for {@link testCertificate}. */
export interface TestCertificateOptions {
  readonly commonName?: string;
  readonly key?: TestKey;
  readonly hash?: 'SHA-256' | 'SHA-384';
  readonly ca?: boolean;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

const DAY = 86_400_000;

/** A self-signed test certificate (public PEM and PKCS#8 key PEM), built with a kept X.509 library. */
export async function testCertificate(options: TestCertificateOptions = {}): Promise<{ certPem: string; keyPem: string }> {
  const key = options.key ?? 'P-256';
  const hash = options.hash ?? 'SHA-256';
  const algorithm = key === 'Ed25519' ? { name: 'Ed25519' }
    : key.startsWith('rsa') ? { name: 'RSASSA-PKCS1-v1_5', modulusLength: Number(key.slice(3)), publicExponent: new Uint8Array([1, 0, 1]), hash }
      : { name: 'ECDSA', namedCurve: key, hash };
  const keys = await webcrypto.subtle.generateKey(algorithm as any, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${options.commonName ?? 'root.linkerd.cluster.local'}`,
    notBefore: options.notBefore ?? new Date(now - DAY),
    notAfter: options.notAfter ?? new Date(now + 3650 * DAY),
    keys,
    signingAlgorithm: algorithm as any,
    extensions: [new x509.BasicConstraintsExtension(options.ca ?? true, undefined, true)],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const keyPem = x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
  return { certPem: cert.toString('pem'), keyPem };
}

/** Milliseconds in a day. */
export const ONE_DAY = DAY;
