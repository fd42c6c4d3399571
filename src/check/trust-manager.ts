import { bundleProblems } from '../trust-manager/bundle-rules';
import { isKind } from './_object';
import type { Finding, RuleFamily, SourceObject } from './_types';

/**
 * trust-manager's admission webhook rules and the Bundle CRD's CEL rules, the same function the {@link Bundle}
 * construct applies to its rendered object ({@link bundleProblems}, after
 * cert-manager/trust-manager@v0.24.0:pkg/webhook/validation.go): errors, the webhook or the API server rejects them.
 *
 * @internal
 */
export const trustManagerRules: RuleFamily = {
  name: 'trust-manager',
  run(objects: readonly SourceObject[]): Finding[] {
    return objects.filter(o => isKind(o, 'trust.cert-manager.io', 'Bundle'))
      .flatMap(source => bundleProblems(source.object).map((message): Finding => ({ severity: 'error', rule: 'trust-manager/bundle', source, message })));
  },
};
