import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { argocdRules } from '../../src/check/argocd';
import { schemaRules } from '../../src/check/schema';
import { findingsOf, RUNBOOK, SEEDED } from './_run';

/** `file:line severity rule` of each finding that is not a note. */
const verdicts = (findings: any[]) => findings.filter(f => f.severity !== 'note').map(f => `${f.file}:${f.line} ${f.severity} ${f.rule}`);

describe('cdk8s-linkerd check: one seeded mistake per rule family, each with its file and line', () => {
  test('schema: a misspelt field is an error at its document; a kind without a schema is a note', () => {
    const { code, findings } = findingsOf([`${SEEDED}/schema.yaml`]);
    expect(code).toBe(1);
    // the Linkerd family's coverage totals (a note) are not this family's
    expect(findings.filter(f => f.rule !== 'linkerd/mtls-coverage').map(f => [f.file, f.line, f.severity, f.rule, f.kind, f.namespace, f.name, f.message])).toStrictEqual([
      [`${SEEDED}/schema.yaml`, 7, 'error', 'schema/invalid', 'Deployment', 'shop', 'web', 'kubernetes v1.25.0, v1.36.0: spec.replica is not allowed (unknown field)'],
      [`${SEEDED}/schema.yaml`, 25, 'note', 'schema/no-schema', 'Widget', undefined, 'gadget', 'not schema-validated: no vendored schema exists for apiVersion example.com/v1, kind Widget'],
    ]);
  });

  test('schema: a kind without a schema gets one note, at its first object, counting the others', () => {
    const widget = (name: string, line: number) => ({ object: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name } }, file: 'w.yaml', line });
    expect(schemaRules.run([widget('a', 1), widget('b', 5), widget('c', 9)]).map(f => `${f.source?.line} ${f.severity} ${f.message}`)).toStrictEqual([
      '1 note not schema-validated: no vendored schema exists for apiVersion example.com/v1, kind Widget (nor are the 2 other objects of this kind)',
    ]);
  });

  test('cert-manager: the webhook rules of the constructs (certificate.go, issuer.go); a missing issuer or CA Secret is a note', () => {
    const { code, findings } = findingsOf([`${SEEDED}/cert-manager.yaml`]);
    expect(code).toBe(1);
    expect(findings.map(f => `${f.line} ${f.severity} ${f.rule}: ${f.message}`)).toStrictEqual([
      '2 error cert-manager/issuer: may not specify more than one issuer type, got ca and selfSigned: choose exactly one',
      '2 note cert-manager/ca-secret-not-in-input: ca.secretName names Secret linkerd/linkerd-trust-anchor, which neither a Secret nor a Certificate of the input provides: not checked',
      '12 error cert-manager/certificate: renewBefore 49h0m0s must be shorter than duration 48h0m0s',
      '12 note cert-manager/issuer-not-in-input: issuerRef names ClusterIssuer missing-issuer, which is not in the input: not checked',
    ]);
  });

  test('trust-manager: a Bundle inside a List is reported at its own line (validation.go:80-85)', () => {
    const { code, findings } = findingsOf([`${SEEDED}/trust-manager.yaml`]);
    expect(code).toBe(1);
    expect(findings.map(f => `${f.file}:${f.line} ${f.severity} ${f.kind} ${f.name}: ${f.message}`)).toStrictEqual([
      `${SEEDED}/trust-manager.yaml:12 error Bundle linkerd-identity-trust-roots: sources[0].secret.key cannot be defined when includeAllKeys is true`,
    ]);
  });

  test('argocd: an Application Argo CD refuses (argo.go:1091) is an error, a wildcard AppProject a warning, a sync-wave race an error', () => {
    const { code, findings } = findingsOf([`${SEEDED}/argocd.yaml`]);
    expect(code).toBe(1);
    expect(findings.map(f => `${f.line ?? '-'} ${f.severity} ${f.rule}: ${f.message}`)).toStrictEqual([
      '2 error argocd/application: destination can\'t have both name and server defined: in-cluster https://kubernetes.default.svc',
      '18 warning argocd/app-project: sourceRepos "*" is not allowed: name the repository, without wildcards',
      '29 error argocd/rollout: in wave 0, is issued by Issuer shop/shop-ca of the later wave 1: the Certificate stays Progressing and its wave never ends',
      `- note argocd/rollout-prerequisite: a sync of ${SEEDED} needs the CRDs of cert-manager.io, which nothing in ${SEEDED} installs, already in the cluster`,
    ]);
  });

  test('secrets: a private key is an error, other credentials and plaintext Secrets are warnings; a key in a comment is found at its line', () => {
    const { code, findings } = findingsOf([`${SEEDED}/secrets.yaml`, `${SEEDED}/secret-in-comment.yaml`]);
    expect(code).toBe(1);
    expect(findings.map(f => `${f.file}:${f.line} ${f.severity} ${f.rule}: ${f.message}`)).toStrictEqual([
      `${SEEDED}/secret-in-comment.yaml:9 error secrets/private-key: contains a private key outside its documents (e.g. in a comment)`,
      `${SEEDED}/secrets.yaml:2 warning secrets/plaintext-secret: is a Secret with data or stringData that no construct of this library vouches for: `
        + 'plaintext secrets must not be committed; deliver them with a SealedSecret (encryptedData) or an ExternalSecret',
      `${SEEDED}/secrets.yaml:2 error secrets/private-key: stringData.tls.key holds a PEM private key`,
      `${SEEDED}/secrets.yaml:15 warning secrets/credential: data.DATABASE_URL holds a postgres URL with user info (user:password@): pass credentials another way`,
    ]);
    // the findings never repeat the credential
    expect(JSON.stringify(findings)).not.toMatch(/hunter2|bm90IGEg/);
  });

  test('a multi-source Application has each source checked, and a ref source needs no path (argo.go:594)', () => {
    const app = (sources: any[]) => ({
      object: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a', namespace: 'argocd' },
        spec: { project: 'p', destination: { server: 'https://kubernetes.default.svc', namespace: 'a' }, sources } },
      file: 'a.yaml', line: 1,
    });
    const messages = (sources: any[]) => argocdRules.run([app(sources)]).filter(f => f.rule === 'argocd/application').map(f => f.message);
    expect(messages([
      { repoURL: 'https://charts.example.com', chart: 'web', targetRevision: '1.0.0', helm: { valueFiles: ['$values/web.yaml'] } },
      { repoURL: 'https://git.example.com/values.git', targetRevision: 'main', ref: 'values' },
    ])).toStrictEqual([]);
    expect(messages([{ repoURL: 'https://git.example.com/a.git', targetRevision: 'main' }, { chart: 'web' }])).toStrictEqual([
      'sources[0].path must be specified for a Git source',
      'sources[1].repoURL must be specified',
      'sources[1].targetRevision must be the version of chart web',
    ]);
  });
});

describe('cdk8s-linkerd check on runbook-style hand-written YAML', () => {
  test('the identity issuer Certificate, the trust anchor issuers, the Bundle and an Argo CD app-of-apps: no error, no warning', () => {
    const { code, findings } = findingsOf([RUNBOOK]);
    expect(verdicts(findings)).toStrictEqual([]);
    expect(code).toBe(0);
    // the CRDs an Application of another folder installs are what the identity folder needs from the cluster
    expect(findings.map(f => f.rule)).toStrictEqual(['argocd/rollout-prerequisite', 'argocd/rollout-prerequisite']);
  });

  test('the runbook\'s own race is found: the CA ClusterIssuer in the wave of the Certificate that writes its Secret', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-runbook-'));
    try {
      const text = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'check', 'runbook', 'identity', 'trust-anchor.yaml'), 'utf8');
      fs.writeFileSync(path.join(dir, 'trust-anchor.yaml'), text.replace('argocd.argoproj.io/sync-wave: "1"', 'argocd.argoproj.io/sync-wave: "0"'));
      fs.copyFileSync(path.join(__dirname, '..', 'fixtures', 'check', 'runbook', 'root-app.yaml'), path.join(dir, 'root-app.yaml'));
      const { code, findings } = findingsOf(['.'], dir);
      expect(code).toBe(1);
      expect(verdicts(findings)).toStrictEqual(['trust-anchor.yaml:30 error argocd/rollout']);
      expect(findings.find(f => f.severity === 'error').message).toMatch(/^in wave 0, reads CA Secret cert-manager\/linkerd-trust-anchor, which Certificate cert-manager\/linkerd-trust-anchor writes no earlier than this wave/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
