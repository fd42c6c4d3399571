import * as fs from 'node:fs';
import { celRuleStatus } from '../../src/gate/cel';
import { CEL_INDEX_FILE, renderCelIndex, vendoredRules } from './_cel-index';

describe('src/gate/cel-rules.generated.ts', () => {
  test('is what the vendored CRDs produce', () => {
    const expected = renderCelIndex();
    if (process.env.UPDATE_CEL) fs.writeFileSync(CEL_INDEX_FILE, expected);
    expect(fs.readFileSync(CEL_INDEX_FILE, 'utf8')).toBe(expected);
  });

  test('holds every x-kubernetes-validations rule of crds/*.yaml, at its path', () => {
    const key = (r: { gvk: string; path: string; rule: { rule: string } }) => `${r.gvk} ${r.path} ${r.rule.rule}`;
    expect(celRuleStatus().map(key)).toStrictEqual(vendoredRules().map(key));
  });

  test('counts, by file and kind version (blocks of rules and rules)', () => {
    const count: Record<string, number> = {};
    for (const r of vendoredRules()) count[`${r.file} ${r.gvk}`] = (count[`${r.file} ${r.gvk}`] ?? 0) + 1;
    expect(count).toStrictEqual({
      'cert-manager.yaml cert-manager.io/v1/Issuer': 1,
      'cert-manager.yaml cert-manager.io/v1/ClusterIssuer': 1,
      'gateway-api.yaml gateway.networking.k8s.io/v1/HTTPRoute': 89,
      'gateway-api.yaml gateway.networking.k8s.io/v1beta1/HTTPRoute': 89,
      'gateway-api.yaml gateway.networking.k8s.io/v1/GRPCRoute': 33,
      'traefik.yaml traefik.io/v1alpha1/Middleware': 1,
      'trust-manager.yaml trust.cert-manager.io/v1alpha1/Bundle': 5,
    });
  });
});
