import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { certificateProblems } from '../../src/cert-manager/certificate-rules';
import { issuerProblems } from '../../src/cert-manager/issuer-rules';
import { bundleProblems } from '../../src/trust-manager/bundle-rules';
import { sharedGate } from '../_gate';

const DIST = path.resolve(__dirname, '..', '..', 'dist');

/** Every object in the committed dist/, parsed with the yaml library (not cdk8s's), as Argo CD would read it. */
function distObjects(): { file: string; obj: any }[] {
  return fs.readdirSync(DIST).filter(f => f.endsWith('.k8s.yaml')).sort().flatMap(file => parseAllDocuments(fs.readFileSync(path.join(DIST, file), 'utf8'))
    .map(doc => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map(e => e.message).join('; ')}`);
      return { file, obj: doc.toJS() };
    })
    .filter(({ obj }) => obj !== null));
}

describe('the output gate over dist/', () => {
  const objects = distObjects();

  test('dist/ holds the default platform', () => {
    expect(objects.length).toBe(45);
  });

  test('every object validates against its pinned schema (Kubernetes 1.25 and 1.36, vendored CRDs)', () => {
    const gate = sharedGate();
    expect(gate.validateAll(objects.map(o => o.obj)).map(p => `${p.object}: ${p.message}`)).toStrictEqual([]);
    for (const { obj } of objects) expect(gate.hasSchema(obj.apiVersion, obj.kind)).toBe(true);
  });

  test('every cert-manager and trust-manager object passes the webhook rules', () => {
    const rules: Record<string, (obj: any) => string[]> = {
      Certificate: certificateProblems, Issuer: issuerProblems, ClusterIssuer: issuerProblems, Bundle: bundleProblems,
    };
    const problems = objects.flatMap(({ obj }) => (rules[obj.kind]?.(obj) ?? []).map(p => `${obj.kind} ${obj.metadata.name}: ${p}`));
    expect(problems).toStrictEqual([]);
  });

  test('fails the gate on a misspelt field in a dist/ object', () => {
    const certificate = structuredClone(objects.find(o => o.obj.kind === 'Certificate')!.obj);
    certificate.spec.renewBfore = certificate.spec.renewBefore;
    expect(sharedGate().validate(certificate).map(p => p.message)).toStrictEqual(['spec.renewBfore is not allowed (unknown field)']);
  });
});
