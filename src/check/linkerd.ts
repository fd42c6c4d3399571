import { LinkerdContext } from '../linkerd/context';
import { LinkerdVersion } from '../linkerd/version';
import { Finding, RuleFamily, SourceObject } from './_types';
import { conflictFindings } from './linkerd-conflicts';
import { meshFindings, parsedModel } from './linkerd-mesh';
import { objectFindings } from './linkerd-objects';

/** Options for {@link linkerdRuleFamily}. */
export interface LinkerdRulesOptions {
  /**
   * The Linkerd version the objects are for (`--linkerd-version`): objects do not say which one, and a few rules
   * depend on it (a Server's `accessPolicy` needs 2.16, the native-sidecar annotations each version reads).
   *
   * @default - the library's default version (LinkerdContext.DEFAULTS, the latest)
   */
  readonly version?: LinkerdVersion;
}

/**
 * The Linkerd rules of `cdk8s-linkerd check`, each calling the code the constructs call on their rendered objects:
 *
 * - `linkerd/service-profile`: the sp-validator's rules, RE2 path regexes, the proxy's silent drops (error);
 *   `linkerd/non-idempotent-retry` and `linkerd/service-profile-route-lint`: our lints (warning);
 * - `linkerd/policy-admission`, `linkerd/http-route`: what the policy controller's admission webhook refuses in Server,
 *   ServerAuthorization, AuthorizationPolicy, MeshTLSAuthentication, NetworkAuthentication and HTTPRoute (both
 *   groups), and what Linkerd drops from a route (error);
 * - `linkerd/annotations`, `linkerd/proxy-config`: the retry, timeout, failure-accrual and balancer annotations of
 *   Services and routes, and the proxy configuration annotations of pod templates and namespaces (error, warning for
 *   native-sidecar annotations a version ignores);
 * - `linkerd/profile-conflict`: a ServiceProfile with routes that silently overrides a Service's annotations or routes;
 * - `linkerd/server-overlap`, `linkerd/probe-authorization`, `linkerd/server-unmeshed`: Servers (error);
 * - `linkerd/mtls-coverage`: declared flows that would not be mTLS (warning) and the totals (note);
 * - `linkerd/missing-reference`: a reference to an object not in the input (note).
 *
 * @internal
 */
export function linkerdRuleFamily(options: LinkerdRulesOptions = {}): RuleFamily {
  const version = options.version ?? LinkerdContext.DEFAULTS.version;
  return {
    name: 'linkerd',
    run(objects: readonly SourceObject[]): Finding[] {
      const sources = objects.filter(s => typeof s.object?.kind === 'string' && typeof s.object?.apiVersion === 'string');
      return [
        ...sources.flatMap(source => objectFindings(source, version)),
        ...conflictFindings(sources),
        ...meshFindings(parsedModel(sources), version),
      ];
    },
  };
}

/**
 * The Linkerd rule family for the library's default Linkerd version.
 *
 * @internal
 */
export const linkerdRules: RuleFamily = linkerdRuleFamily();
