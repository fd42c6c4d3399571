import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { HttpRoute as HttpRouteL1, HttpRouteSpecRulesFiltersType, HttpRouteSpecRulesMatchesPathType } from '../../imports/gateway.networking.k8s.io';
import { Middleware as MiddlewareL1 } from '../../imports/traefik.io';
import { dns1123LabelProblem, dns1123SubdomainProblem } from '../_internal/names';
import { Problems } from '../_internal/problems';
import { addWarning } from '../_internal/warnings';
import { dashboardAuthProblems } from './_dashboard-auth';
import { IBasicAuthSecret } from './basic-auth-secret';
import { DashboardClient, LinkerdViz } from './viz';

/** The Gateway an HTTPRoute attaches to. */
export interface GatewayReference {
  /** The Gateway's name. */
  readonly name: string;
  /** The Gateway's namespace (it must allow routes from the viz namespace). */
  readonly namespace: string;
  /**
   * The Gateway listener.
   *
   * @default - every listener that accepts the route
   */
  readonly sectionName?: string;
}

/** Props for {@link DashboardHttpRoute}. */
export interface DashboardHttpRouteProps {
  /** The viz extension whose dashboard is exposed; its `dashboard.enforcedHostRegexp` is set to the hosts. */
  readonly viz: LinkerdViz;
  /** The external host names. */
  readonly hosts: string[];
  /** The Gateway (Traefik's Gateway API provider) to attach to. */
  readonly gateway: GatewayReference;
  /** The htpasswd Secret, in the viz namespace: the same Secret a {@link DashboardIngress} uses. */
  readonly auth: IBasicAuthSecret;
  /**
   * The HTTPRoute's and Middleware's name.
   *
   * @default 'linkerd-dashboard'
   */
  readonly name?: string;
  /**
   * The basic-auth realm.
   *
   * @default 'Linkerd Dashboard'
   */
  readonly realm?: string;
  /**
   * Traefik's ServiceAccount: the only client the dashboard's web port admits (see
   * {@link LinkerdViz.allowDashboardClient}). Traefik must be meshed.
   *
   * @default - `traefik` in namespace `traefik` (the Traefik Helm chart's names)
   */
  readonly gatewayController?: DashboardClient;
  /**
   * Emits the Server and AuthorizationPolicy that admit only Traefik on the dashboard's web port.
   *
   * @default true
   */
  readonly restrictWebPort?: boolean;
}

/**
 * The viz dashboard through the Gateway API: an `HTTPRoute` (gateway.networking.k8s.io/v1) to `web:8084` with basic
 * auth from a Traefik `Middleware`, attached as an `ExtensionRef` filter.
 *
 * Traefik because its `basicAuth` reads the very htpasswd Secret ingress-nginx reads (a single data key of bcrypt,
 * apr1 or {SHA} lines), so moving off the retired ingress-nginx keeps the Secret; Envoy Gateway would need a second
 * Secret with a `.htpasswd` key and {SHA} hashes only.
 *
 * The `ExtensionRef` filter exists only when Traefik runs its Kubernetes CRD provider (`providers.kubernetesCRD`)
 * beside the Gateway provider (`providers.kubernetesGateway`): with the Gateway provider alone the route is refused.
 * By default the web port admits only Traefik's (meshed) identity, as {@link DashboardIngress} does for ingress-nginx.
 *
 * @see https://doc.traefik.io/traefik/routing/providers/kubernetes-gateway/
 * @see https://doc.traefik.io/traefik-hub/api-gateway/reference/install/providers/ref-provider-gatewayapi (Middlewares need the kubernetesCRD provider)
 */
export class DashboardHttpRoute extends Construct {
  /** The generated HTTPRoute. */
  public readonly apiObject: ApiObject;
  /** The generated Middleware. */
  public readonly middleware: ApiObject;
  /** The namespace of the HTTPRoute and the Middleware: the viz namespace. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: DashboardHttpRouteProps) {
    super(scope, id);
    const namespace = props.viz.namespace;
    this.namespace = namespace;
    const name = props.name ?? 'linkerd-dashboard';
    const realm = props.realm ?? 'Linkerd Dashboard';
    new Problems()
      .when(props.hosts.length === 0, () => 'hosts must not be empty')
      .add(dns1123SubdomainProblem('gateway.name', props.gateway.name), dns1123LabelProblem('gateway.namespace', props.gateway.namespace))
      .addAll(dashboardAuthProblems(realm, props.auth, namespace))
      .throwIfAny(this);
    props.viz.addDashboardHosts(this, props.hosts);
    this.middleware = new MiddlewareL1(this, 'middleware', {
      metadata: { name, namespace },
      spec: { basicAuth: { secret: props.auth.secretName, realm, removeHeader: true } },
    });
    this.apiObject = new HttpRouteL1(this, 'Resource', {
      metadata: { name, namespace },
      spec: {
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', ...props.gateway }],
        hostnames: props.hosts,
        rules: [{
          matches: [{ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: '/' } }],
          filters: [{ type: HttpRouteSpecRulesFiltersType.EXTENSION_REF, extensionRef: { group: 'traefik.io', kind: 'Middleware', name } }],
          backendRefs: [{ name: 'web', port: 8084 }],
        }],
      },
    });
    this.node.addDependency(props.viz.namespaceObject);
    const controller = props.gatewayController ?? TRAEFIK;
    addWarning(this, 'the traefik.io Middleware filter needs Traefik\'s Kubernetes CRD provider enabled beside its Gateway provider '
      + '(providers.kubernetesCRD and providers.kubernetesGateway), or the HTTPRoute is refused');
    if (props.restrictWebPort ?? true) {
      props.viz.allowDashboardClient(this, controller);
      addWarning(this, `the dashboard's web port admits only the meshed ServiceAccount ${controller.namespace}/${controller.name}: mesh Traefik `
        + '(linkerd.io/inject: enabled on its pod template), or every dashboard request gets 403');
    } else {
      addWarning(this, 'restrictWebPort is off: any pod that reaches web:8084 gets the dashboard and tap without the password');
    }
    if (props.gateway.sectionName === undefined) {
      addWarning(this, 'the route attaches to every listener of the Gateway: the dashboard password crosses any plain-HTTP listener in clear; set gateway.sectionName to an HTTPS listener');
    }
  }
}

const TRAEFIK: DashboardClient = { name: 'traefik', namespace: 'traefik' };
