import { Problems } from '../_internal/problems';
import { targetsKind } from '../_internal/target-kind';
import { trafficAnnotationProblems } from './_annotations';
import { routeTimeoutProblem } from './_policy-grammar';
import { re2Problem } from './_regex';

const PATH_CEL: Array<[(v: string) => boolean, string]> = [
  [v => !v.startsWith('/'), 'must be an absolute path starting with \'/\''],
  [v => v.includes('//'), 'must not contain \'//\''],
  [v => v.includes('/./'), 'must not contain \'/./\''],
  [v => v.includes('/../'), 'must not contain \'/../\''],
  [v => /%2f/i.test(v), 'must not contain \'%2f\''],
  [v => v.includes('#'), 'must not contain \'#\''],
  [v => v.endsWith('/..'), 'must not end with \'/..\''],
  [v => v.endsWith('/.'), 'must not end with \'/.\''],
];

/**
 * The rules the Gateway API CRD enforces through CEL (which the offline schema gate does not evaluate), Linkerd's
 * annotation grammar, the rule timeouts Linkerd would drop, and RE2 validity of regex path matches, applied to the
 * rendered object.
 *
 * @internal
 */
export function httpRouteProblems(obj: any): string[] {
  const problems = new Problems().addAll(trafficAnnotationProblems(obj?.metadata?.annotations, 'HTTPRoute'));
  const rules: any[] = Array.isArray(obj?.spec?.rules) ? obj.spec.rules : [];
  if (rules.length > 16) problems.add(`${rules.length} rules is more than the 16 an HTTPRoute allows: split the routes`);
  const matches = rules.reduce((n, r) => n + (Array.isArray(r?.matches) ? r.matches.length : 0), 0);
  if (matches > 128) problems.add(`${matches} matches is more than the 128 an HTTPRoute allows across its rules: split the routes`);
  rules.forEach((rule, i) => {
    const timeouts = rule?.timeouts ?? {};
    if (timeouts.request !== undefined) {
      const why = routeTimeoutProblem(timeouts.request);
      if (why) problems.add(`rules[${i}].timeouts.request ${JSON.stringify(timeouts.request)} cannot be used: ${why}; write one term such as 1500ms or 90s`);
    }
    // convert_gateway_rule reads only timeouts.request (linkerd2@version-2.20:policy-controller/k8s/index/src/outbound/index/http.rs:186)
    if (timeouts.backendRequest !== undefined) {
      problems.add(`rules[${i}].timeouts.backendRequest ${JSON.stringify(timeouts.backendRequest)} is ignored by Linkerd, which reads only timeouts.request: `
        + 'use retry.timeout (retry.linkerd.io/timeout) for a per-try timeout');
    }
  });
  rules.forEach((rule, i) => (Array.isArray(rule?.matches) ? rule.matches : []).forEach((m: any, j: number) => {
    const path = m?.path;
    if (path === undefined) return;
    const where = `rules[${i}].matches[${j}].path ${JSON.stringify(path.value)}`;
    if (path.type === 'RegularExpression') {
      const invalid = typeof path.value === 'string' ? re2Problem(path.value) : 'it is not a string';
      if (invalid) problems.add(`${where} is not valid RE2/Rust regex syntax (${invalid}): Linkerd rejects the route`);
    } else if (typeof path.value === 'string') {
      for (const [fails, message] of PATH_CEL) if (fails(path.value)) problems.add(`${where} ${message} (type ${path.type})`);
    }
  }));
  problems.addAll(httpRouteAdmissionProblems(obj));
  return [...problems.list];
}

/**
 * What Linkerd's admission webhook refuses in a gateway.networking.k8s.io HTTPRoute beyond the CRD: an EgressNetwork
 * parent without a port, a RequestRedirect to a relative path, and a Service backendRef without a port (a backendRef
 * of another kind is admitted).
 *
 * @see linkerd/linkerd2@version-2.20:policy-controller/runtime/src/admission.rs:575-587,603-672
 * @see linkerd/linkerd2@version-2.20:policy-controller/k8s/index/src/routes/http.rs:280-301
 * @see linkerd/linkerd2@version-2.20:policy-controller/k8s/index/src/outbound/index.rs:1630-1636
 */
function httpRouteAdmissionProblems(obj: any): string[] {
  const problems = new Problems();
  const list = (v: unknown): any[] => Array.isArray(v) ? v : [];
  list(obj?.spec?.parentRefs).forEach((parent, i) => {
    const egress = typeof parent?.group === 'string' && targetsKind(parent, 'policy.linkerd.io', 'EgressNetwork');
    if (egress && parent.port === undefined) problems.add(`parentRefs[${i}] EgressNetwork ${JSON.stringify(parent.name)} has no port: Linkerd rejects a route to an EgressNetwork without one`);
  });
  list(obj?.spec?.rules).forEach((rule, i) => {
    list(rule?.filters).forEach((filter, j) => {
      const path = filter?.requestRedirect?.path;
      if (path === undefined) return;
      const value = path.replaceFullPath ?? path.replacePrefixMatch;
      if (typeof value !== 'string') problems.add(`rules[${i}].filters[${j}].requestRedirect.path needs replaceFullPath or replacePrefixMatch`);
      else if (!value.startsWith('/')) problems.add(`rules[${i}].filters[${j}].requestRedirect.path ${JSON.stringify(value)} must be an absolute path starting with '/'`);
    });
    list(rule?.backendRefs).forEach((ref, j) => {
      const service = [undefined, '', 'core'].includes(ref?.group) && [undefined, 'Service'].includes(ref?.kind);
      if (service && (ref.port === undefined || ref.port === 0)) {
        problems.add(`rules[${i}].backendRefs[${j}] Service ${JSON.stringify(ref.name)} has no port: Linkerd rejects a Service backendRef without one`);
      }
    });
  });
  return [...problems.list];
}
