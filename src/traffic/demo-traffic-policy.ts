import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { ValidationError } from '../_internal/errors';
import { addWarning } from '../_internal/warnings';
import { LinkerdContext } from '../linkerd/context';
import { LinkerdFeature, LinkerdVersion } from '../linkerd/version';
import { CircuitBreaker, FailureAccrual } from './circuit-breaker';
import { ResponseClass, RouteCondition } from './conditions';
import { ServiceProfile } from './service-profile';
import { ServiceReference } from './service-reference';
import { resolveService } from './service-resolution';

/** Props for {@link DemoTrafficPolicy}. */
export interface DemoTrafficPolicyProps {
  /** The Service that gets a ServiceProfile with a retryable GET route, a timeout and a retry budget. */
  readonly profiledService: ServiceReference;
  /**
   * A second Service, which gets a circuit breaker: `ServiceReference.fromService` or `fromApiObject` (it is annotated).
   *
   * @default - a second Service `<profiled service>-breaker` in front of the same pods and ports, made here (needs
   * `profiledService` to be a construct)
   */
  readonly circuitBreakerService?: ServiceReference;
  /**
   * The path prefix of the retryable GET route.
   *
   * @default '/'
   */
  readonly pathPrefix?: string;
  /**
   * The GET route's timeout.
   *
   * @default Duration.seconds(2)
   */
  readonly timeout?: Duration;
  /**
   * The cluster's DNS domain; when given, it must be the tree's.
   *
   * @default - the cluster domain of the control plane in the construct tree ({@link LinkerdContext}), else 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * The Linkerd version; before 2.13 (no failure accrual) the circuit breaker (and a second Service made for it) is
   * left out, with a warning. When given, it must be the tree's.
   *
   * @default - the version of the control plane in the construct tree ({@link LinkerdContext}), else LinkerdVersion.LATEST
   */
  readonly version?: LinkerdVersion;
}

/**
 * The runbook's two traffic-policy steps on demo Services: per-route retries and timeouts with a ServiceProfile
 * (retryable `GET <prefix>*`, a timeout, the retry budget written out), and circuit breaking (consecutive failure
 * accrual with Linkerd's defaults) on a second Service, which is made here in front of the same pods when none is
 * given. The two must differ: a ServiceProfile silently disables its Service's circuit breaking.
 *
 * @example
 * const demo = new DemoWorkloads(this, 'demo');
 * new DemoTrafficPolicy(this, 'demo-traffic', { profiledService: ServiceReference.fromService(demo.serverService), version });
 */
export class DemoTrafficPolicy extends Construct {
  /** The profile of the first Service. */
  public readonly profile: ServiceProfile;
  /** The circuit breaker of the second Service; undefined before Linkerd 2.13. */
  public readonly circuitBreaker?: CircuitBreaker;
  /** The second Service, when it was made here. */
  public readonly breakerService?: kplus.Service;

  constructor(scope: Construct, id: string, props: DemoTrafficPolicyProps) {
    super(scope, id);
    const { version, clusterDomain } = LinkerdContext.resolve(this, { version: props.version, clusterDomain: props.clusterDomain });
    const prefix = props.pathPrefix ?? '/';
    this.profile = new ServiceProfile(this, 'Profile', {
      service: props.profiledService,
      clusterDomain,
      version,
      retryBudget: { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: Duration.seconds(10) },
      routes: [{
        name: `GET ${prefix}*`,
        condition: RouteCondition.method('GET').and(RouteCondition.pathPrefix(prefix)),
        responseClasses: [ResponseClass.status(500, 599, { isFailure: true })],
        isRetryable: true,
        timeout: props.timeout ?? Duration.seconds(2),
      }],
    });
    if (version.supports(LinkerdFeature.FAILURE_ACCRUAL)) {
      if (props.circuitBreakerService === undefined) this.breakerService = this.secondService(props.profiledService);
      this.circuitBreaker = new CircuitBreaker(this, 'CircuitBreaker', {
        service: props.circuitBreakerService ?? ServiceReference.fromService(this.breakerService!),
        accrual: FailureAccrual.consecutive(),
        version,
      });
    } else {
      addWarning(this, `circuit breaking needs Linkerd ${LinkerdVersion.introducing(LinkerdFeature.FAILURE_ACCRUAL)} or later, but this is ${version}: `
        + 'the second Service gets no circuit breaker');
    }
  }

  /** A Service named `<name>-breaker` with the profiled Service's selector and ports. */
  private secondService(profiled: ServiceReference): kplus.Service {
    const service = resolveService(this, profiled);
    if (service.apiObject === undefined) {
      throw new ValidationError(`circuitBreakerService is needed when profiledService is a ServiceReference.fromName reference (${service.namespace}/${service.name}): `
        + 'a second Service can only be made in front of a Service construct\'s pods', this);
    }
    const spec = service.apiObject.toJson().spec ?? {};
    const second = new kplus.Service(this, 'BreakerService', {
      metadata: { name: `${service.name}-breaker`, namespace: service.namespace },
      ports: (spec.ports ?? []).map((p: any) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: p.protocol })),
    });
    for (const [key, value] of Object.entries<string>(spec.selector ?? {})) second.selectLabel(key, value);
    return second;
  }
}
