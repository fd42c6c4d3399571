import type { RuleFamily } from './_types';
import { argocdRules } from './argocd';
import { certManagerRules } from './cert-manager';
import { linkerdRuleFamily, LinkerdRulesOptions, linkerdRules } from './linkerd';
import { schemaRules } from './schema';
import { secretRules } from './secrets';
import { trustManagerRules } from './trust-manager';

/**
 * Every rule family `cdk8s-linkerd check` runs, in the order their findings are listed for one line.
 *
 * @internal
 */
export const RULE_FAMILIES: readonly RuleFamily[] = [
  schemaRules,
  certManagerRules,
  trustManagerRules,
  argocdRules,
  secretRules,
  linkerdRules,
];

/**
 * The families for objects meant for one Linkerd version (`--linkerd-version`); the version only changes the Linkerd
 * family (which annotations and kinds that version reads).
 *
 * @internal
 */
export function ruleFamilies(options: LinkerdRulesOptions = {}): readonly RuleFamily[] {
  return options.version === undefined ? RULE_FAMILIES : RULE_FAMILIES.map(f => (f === linkerdRules ? linkerdRuleFamily(options) : f));
}
