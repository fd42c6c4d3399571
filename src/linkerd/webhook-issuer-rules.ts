import { Problems } from '../_internal/problems';

/**
 * The chart's four `fail` rules for a webhook's values block (`charts/partials/templates/_validate.tpl`).
 *
 * @internal
 */
export function webhookValuesProblems(block: string, values: Record<string, any> | undefined): string[] {
  const v = values ?? {};
  const caBundle = typeof v.caBundle === 'string' && v.caBundle.trim() !== '';
  const from = Boolean(v.injectCaFrom);
  const fromSecret = Boolean(v.injectCaFromSecret);
  const problems = new Problems();
  if (from && fromSecret) problems.add(`${block}: injectCaFrom and injectCaFromSecret cannot both be set`);
  if ((from || fromSecret) && caBundle) problems.add(`${block}: injectCaFrom or injectCaFromSecret cannot be set if providing a caBundle`);
  if (v.externalSecret && !caBundle && !from && !fromSecret) problems.add(`${block}: if externalSecret is set, then caBundle, injectCaFrom, or injectCaFromSecret must be set`);
  if ((from || fromSecret) && !v.externalSecret) problems.add(`${block}: if injectCaFrom or injectCaFromSecret is set, then externalSecret must be set`);
  return [...problems.list];
}
