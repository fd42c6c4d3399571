import { targetsKind } from '../_internal/target-kind';
import { networkAuthenticationRules } from '../mesh/network-authentication-rules';

const POLICY_GROUP = 'policy.linkerd.io';

/**
 * The policy admission webhook's rules for the kinds no construct of this library renders (so no construct rule
 * exists to call): EgressNetwork, HTTPLocalRateLimitPolicy, and the Gateway API GRPCRoute, TLSRoute and TCPRoute.
 * Network exceptions are checked with {@link networkAuthenticationRules}, the NetworkAuthentication construct's rule,
 * which is the same upstream function (`validate_networks`).
 *
 * @see linkerd/linkerd2@version-2.20:policy-controller/runtime/src/admission.rs:385-427 (EgressNetwork),
 *   :589-601 and :675-746 (GRPCRoute), :748-804 (TLSRoute, TCPRoute), :806-855 (HTTPLocalRateLimitPolicy)
 * @internal
 */
export function unrenderedKindProblems(obj: any): string[] {
  const spec = obj?.spec ?? {};
  const list = (v: unknown): any[] => Array.isArray(v) ? v : [];
  const problems: string[] = [];
  const group = typeof obj?.apiVersion === 'string' && obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  if (group === POLICY_GROUP && obj.kind === 'EgressNetwork') {
    if (spec.networks !== undefined) {
      if (list(spec.networks).length === 0) problems.push('networks, when set, must not be empty: give at least one network, or leave networks unset');
      else problems.push(...networkAuthenticationRules({ spec: { networks: spec.networks } }));
    }
  }
  if (group === POLICY_GROUP && obj.kind === 'HTTPLocalRateLimitPolicy') problems.push(...rateLimitProblems(spec));
  if (group === 'gateway.networking.k8s.io' && ['GRPCRoute', 'TLSRoute', 'TCPRoute'].includes(obj.kind)) {
    list(spec.parentRefs).forEach((parent, i) => {
      if (targetsKind(parent ?? {}, POLICY_GROUP, 'EgressNetwork') && typeof parent?.group === 'string' && parent.port === undefined) {
        problems.push(`parentRefs[${i}] EgressNetwork ${JSON.stringify(parent.name)} has no port: Linkerd rejects a route to an EgressNetwork without one`);
      }
    });
    if (obj.kind !== 'GRPCRoute' && list(spec.rules).length !== 1) {
      problems.push(`${obj.kind} has ${list(spec.rules).length} rules: Linkerd admits a ${obj.kind} with exactly one rule`);
    }
    if (obj.kind === 'GRPCRoute') {
      list(spec.rules).forEach((rule, i) => list(rule?.backendRefs).forEach((ref, j) => {
        const service = [undefined, '', 'core'].includes(ref?.group) && [undefined, 'Service'].includes(ref?.kind);
        if (service && (ref.port === undefined || ref.port === 0)) {
          problems.push(`rules[${i}].backendRefs[${j}] Service ${JSON.stringify(ref?.name)} has no port: Linkerd rejects a Service backendRef without one`);
        }
      }));
    }
  }
  return problems;
}

/** An HTTPLocalRateLimitPolicy: a Server target, positive limits, per-identity and override limits within the total. */
function rateLimitProblems(spec: any): string[] {
  const problems: string[] = [];
  const rps = (limit: any) => limit?.requestsPerSecond;
  if (!targetsKind(spec.targetRef ?? {}, POLICY_GROUP, 'Server')) {
    problems.push(`targetRef ${JSON.stringify([spec.targetRef?.group, spec.targetRef?.kind].filter(Boolean).join('/'))} is not allowed: target a policy.linkerd.io Server`);
  }
  const overrides: any[] = Array.isArray(spec.overrides) ? spec.overrides : [];
  if (spec.total !== undefined) {
    if (rps(spec.total) === 0) problems.push('total.requestsPerSecond must be greater than 0');
    if (spec.identity !== undefined && rps(spec.identity) > rps(spec.total)) {
      problems.push(`identity.requestsPerSecond ${rps(spec.identity)} must not exceed total.requestsPerSecond ${rps(spec.total)}`);
    }
    overrides.forEach((o, i) => {
      if (rps(o) > rps(spec.total)) problems.push(`overrides[${i}].requestsPerSecond ${rps(o)} must not exceed total.requestsPerSecond ${rps(spec.total)}`);
    });
  }
  if (spec.identity !== undefined && rps(spec.identity) === 0) problems.push('identity.requestsPerSecond must be greater than 0');
  overrides.forEach((o, i) => {
    if (rps(o) === 0) problems.push(`overrides[${i}].requestsPerSecond must be greater than 0`);
    (Array.isArray(o?.clientRefs) ? o.clientRefs : []).forEach((ref: any, j: number) => {
      if (!targetsKind(ref ?? {}, '', 'ServiceAccount')) problems.push(`overrides[${i}].clientRefs[${j}] must be a ServiceAccount`);
    });
  });
  return problems;
}
