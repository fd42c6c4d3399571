import { DefaultInboundPolicy } from '../linkerd/control-plane';
import { LinkerdVersion } from '../linkerd/version';
import { DEFAULT_INBOUND_POLICY, ignoredNativeSidecarAnnotations, INJECT, OPAQUE_PORTS, SKIP_INBOUND_PORTS, SKIP_OUTBOUND_PORTS } from '../mesh/_annotations';
import { workloadFacts } from '../mesh/_workload';
import { authorizationPolicyRules } from '../mesh/authorization-policy-rules';
import { meshTlsAuthenticationRules } from '../mesh/meshtls-authentication-rules';
import { networkAuthenticationRules } from '../mesh/network-authentication-rules';
import { parsePortList } from '../mesh/port-range';
import { serverRules } from '../mesh/server-rules';
import { RETRY_HTTP, trafficAnnotationProblems } from '../traffic/_annotations';
import { RouteLinter } from '../traffic/_route-lints';
import { httpRouteProblems } from '../traffic/http-route-rules';
import { nonIdempotentMethods, nonIdempotentRetryLintNote } from '../traffic/retry-lint';
import { serviceProfileProblems } from '../traffic/service-profile-rules';
import { Finding, Severity, SourceObject } from './_types';
import { unrenderedKindProblems } from './linkerd-admission';
import { proxyAnnotationProblems } from './linkerd-proxy';

/** The API group of Linkerd's policy kinds. */
export const POLICY_GROUP = 'policy.linkerd.io';
/** The API group of the Gateway API. */
export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/** The group of an object's apiVersion; '' for the core group. */
export function groupOf(obj: { apiVersion?: unknown }): string {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** One finding per problem, all of one rule and severity. */
export function findings(rule: string, severity: Severity, source: SourceObject | undefined, problems: readonly string[]): Finding[] {
  return problems.map(message => ({ severity, rule: `linkerd/${rule}`, message, source }));
}

/**
 * `config.linkerd.io/proxy-require-identity-inbound-ports`, a port list the policy controller reads from the pod
 * (linkerd/linkerd2@version-2.20:policy-controller/k8s/index/src/inbound/workload.rs).
 */
const REQUIRE_IDENTITY_PORTS = 'config.linkerd.io/proxy-require-identity-inbound-ports';

/** The port-list annotations of a pod or namespace: an entry the parser refuses makes Linkerd ignore the list. */
const PORT_LIST_ANNOTATIONS = [OPAQUE_PORTS, SKIP_INBOUND_PORTS, SKIP_OUTBOUND_PORTS, REQUIRE_IDENTITY_PORTS];

/**
 * The rules that look at one object alone: the sp-validator's (plus the proxy's silent drops and our route lints), the
 * policy admission webhook's, and Linkerd's annotation grammars. Each calls the function the construct of that kind
 * applies to its rendered object.
 */
export function objectFindings(source: SourceObject, version: LinkerdVersion): Finding[] {
  const obj = source.object;
  const group = groupOf(obj);
  if (obj.kind === 'ServiceProfile' && group === 'linkerd.io') return serviceProfileFindings(source);
  if (group === POLICY_GROUP) {
    switch (obj.kind) {
      case 'AuthorizationPolicy': return findings('policy-admission', 'error', source, authorizationPolicyRules(obj));
      // no trust domain: the input does not say which one the cluster uses
      case 'MeshTLSAuthentication': return findings('policy-admission', 'error', source, meshTlsAuthenticationRules(obj));
      case 'NetworkAuthentication': return findings('policy-admission', 'error', source, networkAuthenticationRules(obj));
      case 'Server': return findings('policy-admission', 'error', source, serverRules(obj, version));
      case 'ServerAuthorization': return findings('policy-admission', 'error', source, serverAuthorizationRules(obj));
      case 'HTTPRoute': return [...findings('http-route', 'error', source, httpRouteProblems(obj)), ...retryLintFindings(source)];
      default: return findings('policy-admission', 'error', source, unrenderedKindProblems(obj));
    }
  }
  if (group === GATEWAY_GROUP) {
    if (obj.kind === 'HTTPRoute') return [...findings('http-route', 'error', source, httpRouteProblems(obj)), ...retryLintFindings(source)];
    const admission = findings('policy-admission', 'error', source, unrenderedKindProblems(obj));
    if (obj.kind === 'GRPCRoute') return [...admission, ...findings('annotations', 'error', source, trafficAnnotationProblems(obj.metadata?.annotations, 'GRPCRoute'))];
    return admission;
  }
  if (group === '' && obj.kind === 'Service') {
    return [...findings('annotations', 'error', source, trafficAnnotationProblems(obj.metadata?.annotations, 'Service')), ...retryLintFindings(source)];
  }
  if (group === '' && obj.kind === 'Namespace') return proxyConfigFindings(source, obj.metadata?.annotations ?? {}, 'namespace', version);
  const facts = workloadFacts(obj);
  if (facts) {
    const found = proxyConfigFindings(source, facts.annotations, facts.kind === 'Pod' ? 'pod' : 'pod template', version);
    if (facts.ownAnnotations[INJECT] !== undefined && facts.annotations[INJECT] === undefined) {
      found.push(...findings('proxy-config', 'error', source, [`${INJECT} on the ${facts.kind}'s own metadata is ignored: the proxy injector reads the pod template `
        + 'and the namespace (linkerd/linkerd2@version-2.20:pkg/inject/inject.go); move it to spec.template.metadata.annotations']));
    }
    return found;
  }
  return [];
}

/**
 * A ServiceProfile: the sp-validator's rules and the proxy's silent drops are errors; a retryable route matching a
 * method that is not idempotent (our lint) and the route lints the construct warns about are warnings.
 */
function serviceProfileFindings(source: SourceObject): Finding[] {
  const obj = source.object;
  const errors = serviceProfileProblems(obj);
  const found = findings('service-profile', 'error', source, errors);
  if (errors.length > 0) return found;
  const linter = new RouteLinter();
  for (const route of Array.isArray(obj.spec?.routes) ? obj.spec.routes : []) {
    const label = `route ${JSON.stringify(route.name)}`;
    if (route.isRetryable === true) {
      const unsafe = nonIdempotentMethods(route.condition);
      if (unsafe.length > 0) {
        found.push(...findings('non-idempotent-retry', 'warning', source, [`${label} is retryable but matches ${unsafe.join(', ')}, which is not idempotent: `
          + `a retried request may be applied twice${nonIdempotentRetryLintNote()}`]));
      }
    }
    found.push(...findings('service-profile-route-lint', 'warning', source, linter.add(route)));
  }
  return found;
}

/**
 * Our retry-safety lint ({@link NON_IDEMPOTENT_RETRY_LINT}) on `retry.linkerd.io/http`, as the {@link RetriesAndTimeouts}
 * and {@link HttpRoute} constructs apply it to their retry props: on a Service it applies to every method; on an
 * HTTPRoute to the methods its rules match (any method for a rule or match without one). A warning.
 */
function retryLintFindings(source: SourceObject): Finding[] {
  const obj = source.object;
  if (obj.metadata?.annotations?.[RETRY_HTTP] === undefined) return [];
  if (obj.kind === 'Service') {
    return findings('non-idempotent-retry', 'warning', source, [`${RETRY_HTTP} on a Service applies to every method, including POST and PATCH, which are not `
      + `idempotent: a retried request may be applied twice; retry per route with an HTTPRoute that matches GET${nonIdempotentRetryLintNote()}`]);
  }
  const rules: any[] = Array.isArray(obj.spec?.rules) && obj.spec.rules.length > 0 ? obj.spec.rules : [{}];
  const unsafe = [...new Set(rules.flatMap(r => (Array.isArray(r?.matches) && r.matches.length > 0 ? r.matches : [{}])
    .flatMap((m: any) => nonIdempotentMethods({ method: m?.method }))))].sort();
  return unsafe.length === 0 ? [] : findings('non-idempotent-retry', 'warning', source, [`${RETRY_HTTP} applies to ${unsafe.join(', ')}, which is not idempotent: `
    + `a retried request may be applied twice; match idempotent methods such as GET${nonIdempotentRetryLintNote()}`]);
}

/**
 * The policy admission webhook's rules for a ServerAuthorization: `unauthenticated` with `meshTLS`,
 * `unauthenticatedTLS` with identities or ServiceAccounts, and network exceptions outside their CIDR.
 *
 * @see linkerd/linkerd2@version-2.20:policy-controller/runtime/src/admission.rs:429-470
 */
function serverAuthorizationRules(obj: any): string[] {
  const client = obj.spec?.client ?? {};
  const problems: string[] = [];
  const mtls = client.meshTLS;
  if (mtls !== undefined && client.unauthenticated === true) problems.push('client.unauthenticated must be false when client.meshTLS is set: the admission webhook refuses both');
  if (mtls?.unauthenticatedTLS === true && (mtls.identities ?? []).length + (mtls.serviceAccounts ?? []).length > 0) {
    problems.push('client.meshTLS.unauthenticatedTLS must be false when meshTLS has identities or serviceAccounts: the admission webhook refuses both');
  }
  const networks = Array.isArray(client.networks) ? client.networks : [];
  // the empty-list rule is NetworkAuthentication's; a ServerAuthorization may list no networks
  if (networks.length > 0) problems.push(...networkAuthenticationRules({ spec: { networks } }));
  return problems;
}

/**
 * The proxy configuration annotations of a pod template or a namespace that Linkerd would ignore or refuse: an inject
 * value the injector does not know (the pods are silently not meshed, linkerd/linkerd2@version-2.20:pkg/inject/report.go),
 * a default inbound policy the policy controller cannot parse (ignored:
 * policy-controller/k8s/index/src/inbound/workload.rs:164-167), a port list with an entry outside 1–65535
 * (policy-controller/k8s/index/src/ports.rs:105), the proxy's resources, await, shutdown and log settings
 * ({@link proxyAnnotationProblems}), and native-sidecar annotations this version does not read (a warning).
 */
function proxyConfigFindings(source: SourceObject, annotations: Record<string, string>, where: string, version: LinkerdVersion): Finding[] {
  const problems: string[] = [];
  const inject = annotations[INJECT];
  if (inject !== undefined && !['enabled', 'disabled', 'ingress'].includes(inject)) {
    problems.push(`${where} annotation ${INJECT}: ${JSON.stringify(inject)} is not a value the proxy injector knows, so the pods are not meshed: use enabled, disabled or ingress`);
  }
  const policies = Object.values(DefaultInboundPolicy) as string[];
  const policy = annotations[DEFAULT_INBOUND_POLICY];
  if (policy !== undefined && !policies.includes(policy)) {
    problems.push(`${where} annotation ${DEFAULT_INBOUND_POLICY}: ${JSON.stringify(policy)} is ignored by the policy controller, which falls back to the cluster default: `
      + `use one of ${policies.join(', ')}`);
  }
  for (const key of PORT_LIST_ANNOTATIONS) {
    if (annotations[key] === undefined) continue;
    const { invalid } = parsePortList(annotations[key]);
    if (invalid.length > 0) {
      problems.push(`${where} annotation ${key}: ${JSON.stringify(annotations[key])} has entries Linkerd cannot read (${invalid.map(e => JSON.stringify(e)).join(', ')}): `
        + 'use ports from 1 to 65535 and ranges a-b, separated by commas');
    }
  }
  const proxy = proxyAnnotationProblems(annotations, version);
  const found = findings('proxy-config', 'error', source, [...problems, ...proxy.errors]);
  found.push(...findings('proxy-config', 'warning', source, proxy.warnings));
  if (where !== 'namespace') found.push(...findings('proxy-config', 'warning', source, ignoredNativeSidecarAnnotations(version, annotations)));
  return found;
}
