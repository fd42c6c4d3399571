import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { dns1123SubdomainProblem } from '../_internal/names';
import { Problems } from '../_internal/problems';
import { addWarning } from '../_internal/warnings';
import { UNAUTHENTICATED_INBOUND_POLICIES } from '../linkerd/control-plane';
import { dashboardAuthProblems } from './_dashboard-auth';
import { IBasicAuthSecret } from './basic-auth-secret';
import { DashboardTls } from './dashboard-tls';
import { DashboardClient, LinkerdViz } from './viz';

/** Props for {@link DashboardIngress}. */
export interface DashboardIngressProps {
  /** The viz extension whose dashboard is exposed; its `dashboard.enforcedHostRegexp` is set to the hosts. */
  readonly viz: LinkerdViz;
  /** The external host names, e.g. `['linkerd.example.com']`. */
  readonly hosts: string[];
  /** The htpasswd Secret (`auth` key), in the viz namespace. */
  readonly auth: IBasicAuthSecret;
  /**
   * The Ingress name.
   *
   * @default 'linkerd-dashboard'
   */
  readonly name?: string;
  /**
   * The IngressClass.
   *
   * @default 'nginx'
   */
  readonly ingressClassName?: string;
  /**
   * The basic-auth realm shown by browsers (letters, digits, spaces and / - . _ ~ :).
   *
   * @default 'Linkerd Dashboard'
   */
  readonly realm?: string;
  /**
   * TLS for the hosts. Without it the password crosses the network in clear on every request, and the synth warns.
   *
   * @default - none (plain HTTP, with a warning)
   */
  readonly tls?: DashboardTls;
  /**
   * Confirms that plain HTTP is intended (e.g. TLS ends at a load balancer in front of the controller): no warning.
   *
   * @default false
   */
  readonly allowPlainHttp?: boolean;
  /**
   * The ingress controller's ServiceAccount: the only client the dashboard's web port admits (see
   * {@link LinkerdViz.allowDashboardClient}). The controller must be meshed.
   *
   * @default - `ingress-nginx` in namespace `ingress-nginx` (the ingress-nginx Helm chart's names)
   */
  readonly ingressController?: DashboardClient;
  /**
   * Emits the Server and AuthorizationPolicy that admit only the ingress controller on the dashboard's web port, so
   * the password cannot be bypassed from inside the cluster. Turn it off only if another policy guards the port.
   *
   * @default true
   */
  readonly restrictWebPort?: boolean;
}

const INGRESS_NGINX: DashboardClient = { name: 'ingress-nginx', namespace: 'ingress-nginx' };

/**
 * The viz dashboard behind ingress-nginx with basic auth, without the docs' `configuration-snippet` (disabled by
 * default since ingress-nginx 1.9): the external Host is kept, and the dashboard's host check is set to accept it.
 *
 * By default the web port admits only the (meshed) ingress controller, so the password guards the dashboard and not
 * just the Ingress; the Ingress carries `service-upstream: "true"`, which Linkerd's ingress guide asks of a meshed
 * ingress-nginx so it routes to the Service, not to pod IPs (linkerd/website `linkerd.io/content/2-edge/tasks/using-ingress.md:132-145`).
 *
 * @see https://linkerd.io/2-edge/tasks/exposing-dashboard/
 */
export class DashboardIngress extends Construct {
  /** The generated Ingress. */
  public readonly apiObject: ApiObject;
  /** The Ingress's namespace: the viz namespace. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: DashboardIngressProps) {
    super(scope, id);
    const namespace = props.viz.namespace;
    this.namespace = namespace;
    const realm = props.realm ?? 'Linkerd Dashboard';
    const ingressClassName = props.ingressClassName ?? 'nginx';
    new Problems()
      .when(props.hosts.length === 0, () => 'hosts must not be empty')
      .add(dns1123SubdomainProblem('ingressClassName', ingressClassName))
      .addAll(dashboardAuthProblems(realm, props.auth, namespace))
      .throwIfAny(this);
    props.viz.addDashboardHosts(this, props.hosts);
    const tlsSecret = props.tls?._bind(this, namespace, props.hosts);
    this.apiObject = new k8s.KubeIngress(this, 'Resource', {
      metadata: {
        name: props.name ?? 'linkerd-dashboard',
        namespace,
        annotations: {
          'nginx.ingress.kubernetes.io/auth-type': 'basic',
          'nginx.ingress.kubernetes.io/auth-secret': props.auth.secretName,
          'nginx.ingress.kubernetes.io/auth-realm': realm,
          'nginx.ingress.kubernetes.io/service-upstream': 'true',
        },
      },
      spec: {
        ingressClassName,
        tls: tlsSecret ? [{ hosts: props.hosts, secretName: tlsSecret }] : undefined,
        rules: props.hosts.map(host => ({
          host,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 8084 } } } }] },
        })),
      },
    });
    this.node.addDependency(props.viz.namespaceObject);
    const controller = props.ingressController ?? INGRESS_NGINX;
    if (props.restrictWebPort ?? true) {
      props.viz.allowDashboardClient(this, controller);
      addWarning(this, `the dashboard's web port admits only the meshed ServiceAccount ${controller.namespace}/${controller.name}: mesh the ingress controller `
        + '(linkerd.io/inject: enabled on its pod template), or every dashboard request gets 403');
    } else {
      addWarning(this, 'restrictWebPort is off: any pod that reaches web:8084 gets the dashboard and tap without the password');
      // unset means the chart's default, all-unauthenticated
      if (props.viz.defaultInboundPolicy !== undefined && !UNAUTHENTICATED_INBOUND_POLICIES.includes(props.viz.defaultInboundPolicy)) {
        addWarning(this, `the control plane's default inbound policy ${props.viz.defaultInboundPolicy} denies the unmeshed ingress controller `
          + 'on the dashboard\'s web port (viz ships no Server for it): mesh ingress-nginx or authorize it');
      }
    }
    if (!tlsSecret && !(props.allowPlainHttp ?? false)) {
      addWarning(this, `PLAIN HTTP: the dashboard password crosses the network in clear on every request to ${props.hosts.join(', ')}; `
        + 'set tls (DashboardTls.certificate or existingSecret), or allowPlainHttp when TLS ends in front of the controller');
    }
  }
}
