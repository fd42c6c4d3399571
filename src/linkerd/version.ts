import { IConstruct } from 'constructs';
import { ValidationError } from '../_internal/errors';

/**
 * A Linkerd capability that only some versions have: the one gate for everything version-dependent the library emits.
 *
 * Each member cites the first release whose source reads it and the last one that does not (`linkerd/linkerd2@<tag>`).
 * An older proxy or controller ignores what it does not know (or, for failure accrual, drops the whole configuration),
 * so a construct that would emit it for an older version fails synth naming the version.
 */
export enum LinkerdFeature {
  /**
   * Consecutive-failure circuit breaking (`balancer.linkerd.io/failure-accrual: consecutive`), 2.13+: read from the
   * Service at linkerd/linkerd2@stable-2.13.7:policy-controller/k8s/index/src/outbound/index.rs:485; stable-2.12.6 has
   * no outbound index (`policy-controller/k8s/index/src/` holds only the inbound one).
   */
  FAILURE_ACCRUAL = 'failure accrual (circuit breaking)',
  /**
   * `retry.linkerd.io/*` and `timeout.linkerd.io/*` annotations, 2.16+: read at
   * linkerd/linkerd2@version-2.16:policy-controller/k8s/index/src/outbound/index.rs:971 (timeouts) and
   * `…/outbound/index/http.rs:336`, `…/grpc.rs:100` (retries); version-2.15's policy controller reads none of them.
   */
  RETRY_TIMEOUT_ANNOTATIONS = 'retry and timeout annotations',
  /**
   * The `audit` default inbound policy, 2.16+: linkerd/linkerd2@version-2.16:policy-controller/k8s/index/src/defaults.rs:53;
   * version-2.15 rejects the value (`…/defaults.rs:50`).
   */
  AUDIT_POLICY = 'the audit default inbound policy',
  /**
   * `balancer.linkerd.io/failure-accrual: unified` with the `balancer.alpha.linkerd.io/failure-accrual-success-rate-*`
   * keys, 2.20+: linkerd/linkerd2@version-2.20:policy-controller/k8s/index/src/outbound/index.rs:2064 (mode) and :2018
   * (keys). version-2.19 (`…/index.rs:1950`) fails on any mode but `consecutive` and drops the Service's whole
   * failure-accrual configuration.
   */
  UNIFIED_FAILURE_ACCRUAL = 'unified failure accrual',
  /**
   * Injecting the proxy as a native sidecar (`proxy.nativeSidecar`, `config.alpha.linkerd.io/proxy-enable-native-sidecar`),
   * 2.15+: linkerd/linkerd2@version-2.15:pkg/k8s/labels.go:269, read by the injector at `pkg/inject/inject.go:1004`;
   * stable-2.14.10 has neither.
   */
  NATIVE_SIDECAR = 'native sidecar proxies',
  /**
   * The GA annotation key `config.linkerd.io/proxy-enable-native-sidecar`, 2.20+:
   * linkerd/linkerd2@version-2.20:pkg/k8s/labels.go:291, first in the injector's precedence at `pkg/inject/inject.go:430`.
   * version-2.19 reads only the beta key (`config.beta…`, labels.go:294) and the alpha key; every release from 2.15
   * reads the alpha key, deprecated but still read on 2.20 (`pkg/inject/inject.go:440`).
   */
  NATIVE_SIDECAR_GA_ANNOTATION = 'the config.linkerd.io/proxy-enable-native-sidecar annotation',
  /**
   * The beta annotation key `config.beta.linkerd.io/proxy-enable-native-sidecar`, 2.19+: read over the alpha key by
   * linkerd/linkerd2@version-2.19:pkg/inject/inject.go:375-386 (labels.go:294).
   */
  NATIVE_SIDECAR_BETA_ANNOTATION = 'the config.beta.linkerd.io/proxy-enable-native-sidecar annotation',
  /**
   * `policy.linkerd.io/v1beta3` HTTPRoute, 2.14+: served from linkerd/linkerd2@stable-2.14.10:charts/linkerd-crds/templates/policy/httproute.yaml:3859;
   * stable-2.13.7 serves only v1beta1 and v1beta2 (`…/httproute.yaml:804`, `:1580`).
   */
  POLICY_HTTP_ROUTE_V1BETA3 = 'policy.linkerd.io/v1beta3 HTTPRoutes',
  /**
   * Gateway API (`gateway.networking.k8s.io`) HTTPRoutes as client policy, 2.14+: indexed by the outbound policy index at
   * linkerd/linkerd2@stable-2.14.10:policy-controller/k8s/index/src/outbound/index.rs:99; stable-2.13.7 indexes only
   * `policy.linkerd.io` HTTPRoutes there (`…/outbound/index.rs:65`).
   */
  GATEWAY_API_HTTP_ROUTES = 'Gateway API HTTPRoutes for meshed clients',
  /**
   * Server `policy.linkerd.io/v1beta3` with `accessPolicy`, 2.16+: linkerd/linkerd2@version-2.16:charts/linkerd-crds/templates/policy/server.yaml:223;
   * version-2.15 serves only v1beta1 and v1beta2 (`…/server.yaml:73`, `:135`).
   */
  SERVER_ACCESS_POLICY = 'Server v1beta3 with accessPolicy',
  /**
   * `linkerd profile --open-api` joining `basePath` and a path by concatenation (keeping `//`, `.` and trailing `/`),
   * 2.15+: linkerd/linkerd2@version-2.15:pkg/profiles/openapi.go:70; stable-2.14.10 cleans the joined path with
   * `path.Join` (`pkg/profiles/openapi.go:72`).
   */
  OPENAPI_PROFILE_PATH_CONCAT = 'OpenAPI profile paths joined as written',
}

/** The first minor version of 2.x that has each feature. */
const INTRODUCED_IN: Record<LinkerdFeature, number> = {
  [LinkerdFeature.FAILURE_ACCRUAL]: 13,
  [LinkerdFeature.RETRY_TIMEOUT_ANNOTATIONS]: 16,
  [LinkerdFeature.AUDIT_POLICY]: 16,
  [LinkerdFeature.UNIFIED_FAILURE_ACCRUAL]: 20,
  [LinkerdFeature.NATIVE_SIDECAR]: 15,
  [LinkerdFeature.NATIVE_SIDECAR_GA_ANNOTATION]: 20,
  [LinkerdFeature.NATIVE_SIDECAR_BETA_ANNOTATION]: 19,
  [LinkerdFeature.POLICY_HTTP_ROUTE_V1BETA3]: 14,
  [LinkerdFeature.GATEWAY_API_HTTP_ROUTES]: 14,
  [LinkerdFeature.SERVER_ACCESS_POLICY]: 16,
  [LinkerdFeature.OPENAPI_PROFILE_PATH_CONCAT]: 15,
};

/** Which Gateway API CRDs the linkerd-crds chart installs. */
export enum GatewayApiCrds {
  /** None: the chart ships no Gateway API CRDs (2.12, 2.13). */
  NONE = 'none',
  /** Shipped and installed by default; they collide with Gateway API CRDs installed by anyone else (2.14–2.18). */
  INSTALLED_BY_DEFAULT = 'installed by default',
  /** Shipped but off by default (`installGatewayAPI: false`): install Gateway API yourself (2.19+). */
  OPT_IN = 'opt-in',
}

/** A Helm chart at one version. */
export interface ChartVersion {
  /** The chart name, e.g. `linkerd-control-plane`. */
  readonly chart: string;
  /** The chart version, e.g. `2026.6.3`. */
  readonly version: string;
}

/** The data of one catalog entry. */
interface LinkerdVersionData {
  readonly minor: number;
  readonly release: string;
  readonly helmRepository: string;
  readonly helmRepositoryName: string;
  readonly crds: string;
  readonly controlPlane: string;
  readonly viz: string;
  readonly gatewayApiCrds: GatewayApiCrds;
  readonly gatewayApiSwitches: string[];
  readonly nativeSidecarDefault: boolean;
}

// The names the install docs give the repositories: linkerd/linkerd2@stable-2.14.10:charts/linkerd-control-plane/README.md:56-58,
// linkerd/website@HEAD:linkerd.io/content/2-edge/tasks/install-helm.md:36

const STABLE = { helmRepository: 'https://helm.linkerd.io/stable', helmRepositoryName: 'linkerd' };
const EDGE = { helmRepository: 'https://helm.linkerd.io/edge', helmRepositoryName: 'linkerd-edge' };

/**
 * A Linkerd major version: its Helm repository and chart versions, and the features it has.
 *
 * Every major from 2.12 to 2.20 except 2.15, whose pre-CalVer edge chart versions could not be confirmed. The source
 * of each chart version, and whether it is verified or inferred (the edge CalVer rule: `edge-24.8.2` → `2024.8.2`),
 * is in `crds/charts/CATALOG-SOURCES.md`. Feature gates follow Linkerd's docs and release notes
 * (`../shared/reference/linkerd.md` §e, §f, §h, §j).
 */
export class LinkerdVersion {
  /**
   * Linkerd 2.12 (`stable-2.12.6`, the last 2.12 patch; the runbook used 2.12.4). Chart versions from the tag's own
   * `Chart.yaml` files: linkerd-crds `1.4.0` (linkerd/linkerd2@stable-2.12.6:charts/linkerd-crds/Chart.yaml),
   * linkerd-control-plane `1.9.8`, linkerd-viz `30.3.8`.
   */
  public static readonly V2_12 = new LinkerdVersion({
    minor: 12, release: 'stable-2.12.6', ...STABLE, crds: '1.4.0', controlPlane: '1.9.8', viz: '30.3.8',
    gatewayApiCrds: GatewayApiCrds.NONE, gatewayApiSwitches: [], nativeSidecarDefault: false,
  });

  /** Linkerd 2.13 (`stable-2.13.7`). */
  public static readonly V2_13 = new LinkerdVersion({
    minor: 13, release: 'stable-2.13.7', ...STABLE, crds: '1.6.1', controlPlane: '1.12.7', viz: '30.8.7',
    gatewayApiCrds: GatewayApiCrds.NONE, gatewayApiSwitches: [], nativeSidecarDefault: false,
  });

  /** Linkerd 2.14 (`stable-2.14.10`, the last OSS stable release). */
  public static readonly V2_14 = new LinkerdVersion({
    minor: 14, release: 'stable-2.14.10', ...STABLE, crds: '1.8.0', controlPlane: '1.16.11', viz: '30.12.11',
    gatewayApiCrds: GatewayApiCrds.INSTALLED_BY_DEFAULT, gatewayApiSwitches: ['enableHttpRoutes'], nativeSidecarDefault: false,
  });

  /** Linkerd 2.16 (`version-2.16` = `edge-24.8.2`). */
  public static readonly V2_16 = new LinkerdVersion({
    minor: 16, release: 'edge-24.8.2', ...EDGE, crds: '2024.8.2', controlPlane: '2024.8.2', viz: '2024.8.2',
    gatewayApiCrds: GatewayApiCrds.INSTALLED_BY_DEFAULT, gatewayApiSwitches: ['enableHttpRoutes'], nativeSidecarDefault: false,
  });

  /** Linkerd 2.17 (`version-2.17` = `edge-24.11.8`). */
  public static readonly V2_17 = new LinkerdVersion({
    minor: 17, release: 'edge-24.11.8', ...EDGE, crds: '2024.11.8', controlPlane: '2024.11.8', viz: '2024.11.8',
    gatewayApiCrds: GatewayApiCrds.INSTALLED_BY_DEFAULT, gatewayApiSwitches: ['enableHttpRoutes', 'enableTlsRoutes', 'enableTcpRoutes'], nativeSidecarDefault: false,
  });

  /** Linkerd 2.18 (`version-2.18` = `edge-25.4.4`). */
  public static readonly V2_18 = new LinkerdVersion({
    minor: 18, release: 'edge-25.4.4', ...EDGE, crds: '2025.4.4', controlPlane: '2025.4.4', viz: '2025.4.4',
    gatewayApiCrds: GatewayApiCrds.INSTALLED_BY_DEFAULT, gatewayApiSwitches: ['installGatewayAPI'], nativeSidecarDefault: false,
  });

  /** Linkerd 2.19 (`version-2.19` = `edge-25.10.7`). */
  public static readonly V2_19 = new LinkerdVersion({
    minor: 19, release: 'edge-25.10.7', ...EDGE, crds: '2025.10.7', controlPlane: '2025.10.7', viz: '2025.10.7',
    gatewayApiCrds: GatewayApiCrds.OPT_IN, gatewayApiSwitches: ['installGatewayAPI'], nativeSidecarDefault: false,
  });

  /** Linkerd 2.20 (`version-2.20` = `edge-26.6.3` + 1 commit), the newest. */
  public static readonly V2_20 = new LinkerdVersion({
    minor: 20, release: 'edge-26.6.3', ...EDGE, crds: '2026.6.3', controlPlane: '2026.6.3', viz: '2026.6.3',
    gatewayApiCrds: GatewayApiCrds.OPT_IN, gatewayApiSwitches: ['installGatewayAPI'], nativeSidecarDefault: true,
  });

  /** The newest version in the catalog, the default where a construct's tree has no control plane ({@link LinkerdContext}). */
  public static readonly LATEST = LinkerdVersion.V2_20;

  /** Every version in the catalog, oldest first. */
  public static all(): LinkerdVersion[] {
    return [
      LinkerdVersion.V2_12, LinkerdVersion.V2_13, LinkerdVersion.V2_14, LinkerdVersion.V2_16,
      LinkerdVersion.V2_17, LinkerdVersion.V2_18, LinkerdVersion.V2_19, LinkerdVersion.V2_20,
    ];
  }

  /** The catalog entry for a major version such as `'2.16'`; throws, listing the catalog, when there is none. */
  public static of(major: string): LinkerdVersion {
    const found = LinkerdVersion.all().find(v => v.major === major);
    if (!found) throw new ValidationError(`linkerd version ${JSON.stringify(major)} is not in the catalog: use one of ${LinkerdVersion.all().map(v => v.major).join(', ')}`, 'LinkerdVersion.of');
    return found;
  }

  /** The first version that has a feature, e.g. `2.16`. */
  public static introducing(feature: LinkerdFeature): string {
    return `2.${INTRODUCED_IN[feature]}`;
  }

  /** The major version, e.g. `2.20`. */
  public readonly major: string;
  /** The release tag the chart versions belong to, e.g. `version-2.20` or `stable-2.12.6`. */
  public readonly release: string;
  /** The Helm repository URL. */
  public readonly helmRepository: string;
  /** The conventional local name of the Helm repository: `linkerd` (stable) or `linkerd-edge` (edge). */
  public readonly helmRepositoryName: string;
  /** The linkerd-crds chart. */
  public readonly crdsChart: ChartVersion;
  /** The linkerd-control-plane chart. */
  public readonly controlPlaneChart: ChartVersion;
  /** The linkerd-viz chart. */
  public readonly vizChart: ChartVersion;
  /** Which Gateway API CRDs linkerd-crds installs. */
  public readonly gatewayApiCrds: GatewayApiCrds;
  /** The linkerd-crds values that switch its Gateway API CRDs on or off (`installGatewayAPI`, `enableHttpRoutes`, …). */
  public readonly gatewayApiSwitches: readonly string[];
  /** Whether the proxy is injected as a native sidecar unless told otherwise. */
  public readonly nativeSidecarDefault: boolean;
  private readonly minor: number;

  private constructor(data: LinkerdVersionData) {
    this.minor = data.minor;
    this.major = `2.${data.minor}`;
    this.release = data.release;
    this.helmRepository = data.helmRepository;
    this.helmRepositoryName = data.helmRepositoryName;
    this.crdsChart = { chart: 'linkerd-crds', version: data.crds };
    this.controlPlaneChart = { chart: 'linkerd-control-plane', version: data.controlPlane };
    this.vizChart = { chart: 'linkerd-viz', version: data.viz };
    this.gatewayApiCrds = data.gatewayApiCrds;
    this.gatewayApiSwitches = data.gatewayApiSwitches;
    this.nativeSidecarDefault = data.nativeSidecarDefault;
  }

  /** Whether this version has a feature. */
  public supports(feature: LinkerdFeature): boolean {
    return this.minor >= INTRODUCED_IN[feature];
  }

  /**
   * The problem with using a feature on this version, or undefined when it has it.
   *
   * @param what what the user asked for, e.g. `defaultInboundPolicy "audit"`
   */
  public featureProblem(feature: LinkerdFeature, what: string): string | undefined {
    return this.supports(feature) ? undefined
      : `${what} needs Linkerd ${LinkerdVersion.introducing(feature)} or later (${feature}), but this is Linkerd ${this.major}`;
  }

  /** Throws a {@link ValidationError} naming the feature and this version when this version lacks the feature. */
  public requireFeature(scope: IConstruct, feature: LinkerdFeature, what: string): void {
    const problem = this.featureProblem(feature, what);
    if (problem) throw new ValidationError(problem, scope);
  }

  /** `Linkerd 2.20`. */
  public toString(): string {
    return `Linkerd ${this.major}`;
  }
}
