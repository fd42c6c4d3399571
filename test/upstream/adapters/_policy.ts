import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import { LinkerdVersion, DefaultInboundPolicy } from '../../../src/linkerd';
import {
  AuthenticationRef, AuthorizationPolicy, MeshIdentity, MeshTLSAuthentication, NetworkAuthentication, PolicyTarget, ProxyProtocol, Server, ServerPort,
} from '../../../src/mesh';
import { HttpRoute, ServiceReference } from '../../../src/traffic';
import { OurVerdict, verdictOf } from '../_conformance';

/**
 * A policy object as upstream's admission test sends it: its kind, namespace, annotations and spec.
 * `spec` replaces the spec our construct renders (a JSON patch, as a user's escape hatch would), so the construct's
 * rules over the rendered object judge exactly what upstream's webhook judged.
 */
export interface PolicyInput {
  readonly kind: 'AuthorizationPolicy' | 'MeshTLSAuthentication' | 'NetworkAuthentication' | 'Server' | 'HTTPRoute';
  readonly namespace?: string;
  readonly annotations?: Record<string, string>;
  readonly spec: any;
}

/**
 * Synthesizes a chart; cdk8s reports the constructs' synth-time validations as one plain Error ("Validation failed
 * with the following errors"), which is the library rejecting the input just as a ValidationError at construction is.
 */
export function synthOrReject(chart: Chart): void {
  try {
    Testing.synth(chart);
  } catch (e) {
    if (!(e as Error).message.startsWith('Validation failed with the following errors')) throw e;
    throw Object.assign(new Error((e as Error).message), { name: 'ValidationError' });
  }
}

function synthWithSpec(build: (chart: Chart, namespace: string) => ApiObject, input: PolicyInput): void {
  const chart = new Chart(Testing.app(), 'conformance');
  const apiObject = build(chart, input.namespace ?? 'ns');
  apiObject.addJsonPatch(JsonPatch.replace('/spec', input.spec));
  for (const [k, v] of Object.entries(input.annotations ?? {})) apiObject.metadata.addAnnotation(k, v);
  synthOrReject(chart);
}

/** Runs one admission input through the construct of its kind. */
export function admit(input: PolicyInput): OurVerdict {
  return verdictOf(() => {
    switch (input.kind) {
      case 'AuthorizationPolicy':
        return synthWithSpec((c, namespace) => new AuthorizationPolicy(c, 'policy', {
          metadata: { name: 'test', namespace }, targetRef: PolicyTarget.httpRoute('placeholder'), requiredAuthenticationRefs: [AuthenticationRef.serviceAccount('placeholder')],
        }).apiObject, input);
      case 'MeshTLSAuthentication':
        if (input.spec.identities === undefined && input.spec.identityRefs === undefined) {
          // nothing to patch in: the construct itself is given no identities
          const chart = new Chart(Testing.app(), 'conformance');
          new MeshTLSAuthentication(chart, 'authn', { metadata: { name: 'test', namespace: input.namespace ?? 'ns' } });
          return synthOrReject(chart);
        }
        return synthWithSpec((c, namespace) => new MeshTLSAuthentication(c, 'authn', {
          metadata: { name: 'test', namespace }, identities: [MeshIdentity.all()],
        }).apiObject, input);
      case 'NetworkAuthentication':
        return synthWithSpec((c, namespace) => new NetworkAuthentication(c, 'authn', {
          metadata: { name: 'test', namespace }, networks: [{ cidr: '10.0.0.0/8' }],
        }).apiObject, input);
      case 'Server': {
        // the Server's rules are on its props: map the spec onto them
        const chart = new Chart(Testing.app(), 'conformance');
        const port = input.spec.port;
        new Server(chart, 'server', {
          metadata: { name: 'test', namespace: input.namespace ?? 'ns' },
          version: LinkerdVersion.V2_20,
          podSelector: input.spec.podSelector?.matchLabels ?? {},
          port: typeof port === 'number' ? ServerPort.of(port) : ServerPort.named(port),
          proxyProtocol: input.spec.proxyProtocol as ProxyProtocol | undefined,
          accessPolicy: input.spec.accessPolicy as DefaultInboundPolicy | undefined,
        });
        return synthOrReject(chart);
      }
      case 'HTTPRoute':
        return synthWithSpec((c, namespace) => new HttpRoute(c, 'route', {
          metadata: { name: 'test', namespace }, service: ServiceReference.fromName('placeholder', namespace), port: 80,
        }).apiObject, input);
      default:
        throw new Error(`no construct for kind ${(input as PolicyInput).kind}`);
    }
  });
}
