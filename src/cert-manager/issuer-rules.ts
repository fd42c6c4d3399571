import { dns1123SubdomainProblem } from '../_internal/names';
import { Problems } from '../_internal/problems';

const ISSUER_TYPES = ['acme', 'ca', 'selfSigned', 'vault', 'venafi'];

/**
 * cert-manager's webhook rules for an Issuer or ClusterIssuer (`ValidateIssuerConfig`), applied to the rendered object.
 *
 * @internal
 */
export function issuerProblems(obj: any): string[] {
  const problems = new Problems();
  const name = obj?.metadata?.name;
  if (typeof name === 'string') {
    const bad = dns1123SubdomainProblem('name', name);
    if (bad) problems.add(bad);
  }
  const spec = obj?.spec ?? {};
  const types = ISSUER_TYPES.filter(t => spec[t] !== undefined && spec[t] !== null);
  if (types.length === 0) {
    problems.add(`at least one issuer type must be configured: one of ${ISSUER_TYPES.join(', ')}`);
  } else if (types.length > 1) {
    problems.add(`may not specify more than one issuer type, got ${types.join(' and ')}: choose exactly one`);
  }
  if (spec.ca !== undefined) {
    const secretName = spec.ca?.secretName;
    if (typeof secretName !== 'string' || secretName === '') {
      problems.add('ca.secretName must be specified: the Secret holding the CA\'s tls.crt and tls.key');
    } else {
      const bad = dns1123SubdomainProblem('ca.secretName', secretName);
      if (bad) problems.add(bad);
    }
    problems.addAll(caUrlProblems(spec.ca));
  }
  return [...problems.list];
}

/**
 * A CA issuer's OCSP servers and issuing-certificate URLs must not be empty strings (cert-manager's
 * `ValidateCAIssuerConfig`, cert-manager/cert-manager@v1.21.1:internal/apis/certmanager/validation/issuer.go:272-281).
 */
function caUrlProblems(ca: any): string[] {
  const problems = new Problems();
  for (const field of ['ocspServers', 'issuingCertificateURLs']) {
    const urls = ca?.[field];
    if (!Array.isArray(urls)) continue;
    urls.forEach((url: unknown, i: number) => {
      if (url === '' || typeof url !== 'string') problems.add(`ca.${field}[${i}] ${JSON.stringify(url)} must be a URL, e.g. http://ocsp.example.com`);
    });
  }
  return [...problems.list];
}
