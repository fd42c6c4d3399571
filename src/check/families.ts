import type { RuleFamily } from './_types';
import { argocdRules } from './argocd';
import { certManagerRules } from './cert-manager';
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
];
