import { IConstruct } from 'constructs';
import { ValidationError } from '../_internal/errors';
import { compareStrings } from '../_internal/order';
import { LinkerdContext } from '../linkerd/context';
import { LinkerdControlPlane } from '../linkerd/control-plane';
import { LinkerdVersion } from '../linkerd/version';
import { coverageOf } from './_coverage-evaluation';
import { ClusterDefaults, clusterDefaults, MeshModel } from './_model';

/** Options for {@link MeshCoverage.of}. */
export interface MeshCoverageOptions {
  /**
   * The control plane, whose values decide the cluster-wide port lists, default policy and identity domain.
   *
   * @default - the scope's control plane ({@link LinkerdContext.of}), else the chart's defaults (opaque ports 25,587,3306,4444,5432,6379,9300,11211; skipped ports 4567,4568;
   * identities under `linkerd` and `cluster.local`)
   */
  readonly controlPlane?: LinkerdControlPlane;
  /**
   * The Linkerd version, when there is no control plane; with one, it must be the control plane's.
   *
   * @default - the control plane's version, else LinkerdVersion.LATEST
   */
  readonly version?: LinkerdVersion;
}

/** A port of a workload and how its proxy handles inbound traffic on it. */
export interface CoveragePort {
  /** The pod port. */
  readonly port: number;
  /** The container port name, if any. */
  readonly name?: string;
  /** `mtls`, `opaque` (mTLS, no protocol detection), `skipped` (around the proxy, plaintext) or `plaintext` (no proxy). */
  readonly inbound: string;
}

/** Declared traffic to a workload, and whether it is mTLS. */
export interface CoverageCaller {
  /** Who calls, e.g. `Deployment demo/client` or `clients of Service demo/server`. */
  readonly from: string;
  /** What declares the traffic, e.g. `AuthorizationPolicy demo/server-http` or `Service demo/server port 80`. */
  readonly via: string;
  /** The pod port, or `*` for a policy that covers no port of the workload (a Namespace target without a Server, a route its Server does not use). */
  readonly port: number | string;
  /** Whether the traffic is mutually authenticated TLS. */
  readonly mtls: boolean;
  /** Why it is, or is not. */
  readonly why: string;
}

/** One workload of the report. */
export interface CoverageWorkload {
  /** The workload kind. */
  readonly kind: string;
  /** The namespace. */
  readonly namespace: string;
  /** The name. */
  readonly name: string;
  /** Whether its pods get a proxy. */
  readonly meshed: boolean;
  /** How they are meshed, or why not. */
  readonly injection: string;
  /** The pods' ServiceAccount. */
  readonly serviceAccount: string;
  /** The pods' mTLS identity, when meshed. */
  readonly identity?: string;
  /** The default inbound policy of its proxies and where it comes from, when meshed. */
  readonly defaultInboundPolicy?: string;
  /** Outbound ports that bypass its proxy, when meshed. */
  readonly skipOutboundPorts?: string;
  /** Its ports, sorted. */
  readonly ports: CoveragePort[];
  /** The declared traffic to it, sorted. */
  readonly callers: CoverageCaller[];
  /** Things to know about its meshing. */
  readonly notes: string[];
}

/** Totals of the report. */
export interface CoverageSummary {
  /** Workloads in the app. */
  readonly workloads: number;
  /** Of which meshed. */
  readonly meshed: number;
  /** Declared flows (callers). */
  readonly flows: number;
  /** Of which mTLS. */
  readonly mtls: number;
}

/** The mTLS coverage of an app: plain data, as written to the report file. */
export interface MeshCoverageData {
  /** The Linkerd version assumed, e.g. `2.20`. */
  readonly linkerd: string;
  /** Totals. */
  readonly summary: CoverageSummary;
  /** Every workload, sorted by namespace, kind and name. */
  readonly workloads: CoverageWorkload[];
}

/**
 * The mTLS coverage of an app, computed from its construct tree: for every workload, whether it is meshed (its pod
 * template or namespace annotation, minus what the injector webhook skips), how each of its ports is handled (mTLS,
 * opaque, skipped around the proxy), and which declared callers — AuthorizationPolicies (as `allow` makes them) and
 * Services — would reach it without mTLS.
 *
 * A flow is mTLS only when both ends are meshed, the port goes through both proxies, and the port admits nothing but
 * meshed identities: with a Server, no authorization of the Server, its Namespace or its routes (nor its
 * `accessPolicy`) admits clients without identity; without one, the workload's default inbound policy
 * (`all-unauthenticated`, the chart's default, admits plaintext from anywhere) — Namespace-targeted policies apply only
 * to ports a Server selects. The kubelet probe paths, which Linkerd authorizes from the probe networks, are excepted.
 *
 * @see linkerd/linkerd2@version-2.20:policy-controller/k8s/index/src/inbound/index.rs:1752-1888 (default and Server authorizations)
 *
 * A pure function of the tree: nothing is added to it.
 */
export class MeshCoverage {
  /** Computes the coverage of every workload under a scope (pass the app for the whole app). */
  public static of(scope: IConstruct, options: MeshCoverageOptions = {}): MeshCoverageData {
    const model = MeshModel.of(scope);
    const controlPlane = options.controlPlane ?? LinkerdContext.tryOf(scope)?.controlPlane;
    if (controlPlane && options.version && options.version !== controlPlane.version) {
      throw new ValidationError(`version ${options.version} contradicts version ${controlPlane.version} of the control plane ${controlPlane.node.path}: drop it or make them agree`, scope);
    }
    return coverageOfModel(model, clusterDefaults(options.version, controlPlane));
  }

  /** One message per declared flow that would not be mTLS (what strict mode fails on). */
  public static problems(data: MeshCoverageData): string[] {
    return data.workloads.flatMap(w => w.callers.filter(c => !c.mtls)
      .map(c => `declared traffic would not be mTLS: ${c.from} -> ${w.kind} ${w.namespace}/${w.name} port ${c.port} (${c.via}): ${c.why}`));
  }

  /** The report as deterministic JSON (keys in a fixed order, lists sorted), ending with a newline. */
  public static toJson(data: MeshCoverageData): string {
    return `${JSON.stringify(data, undefined, 2)}\n`;
  }

  /** The report as the text block of the synth summary. */
  public static format(data: MeshCoverageData): string {
    const s = data.summary;
    const lines = [`mtls coverage (Linkerd ${data.linkerd}): ${s.workloads} workloads, ${s.meshed} meshed; `
      + `${s.flows} declared flows, ${s.mtls} mTLS, ${s.flows - s.mtls} not mTLS`];
    for (const w of data.workloads) {
      const identity = w.identity ? `; identity ${w.identity}` : '';
      lines.push(`  ${w.kind} ${w.namespace}/${w.name}: ${w.meshed ? 'meshed' : 'NOT meshed'} (${w.injection})${identity}`);
      if (w.ports.length > 0) lines.push(`    ports: ${w.ports.map(p => `${p.port}${p.name ? `/${p.name}` : ''} ${p.inbound}`).join(', ')}`);
      for (const c of w.callers) lines.push(`    ${c.mtls ? 'mTLS    ' : 'NOT mTLS'} ${c.from} -> port ${c.port} via ${c.via}${c.mtls ? '' : `: ${c.why}`}`);
      for (const n of w.notes) lines.push(`    note: ${n}`);
    }
    return lines.join('\n');
  }

  private constructor() {}
}

/**
 * The coverage of every workload of a model under cluster defaults: {@link MeshCoverage.of} over a construct tree,
 * `cdk8s-linkerd check` over parsed objects.
 *
 * @internal
 */
export function coverageOfModel(model: MeshModel, defaults: ClusterDefaults): MeshCoverageData {
  const workloads = model.workloads.map(w => coverageOf(w, model, defaults)).sort((a, b) => compareStrings(key(a), key(b)));
  const callers = workloads.flatMap(w => w.callers);
  const summary = {
    workloads: workloads.length,
    meshed: workloads.filter(w => w.meshed).length,
    flows: callers.length,
    mtls: callers.filter(c => c.mtls).length,
  };
  return { linkerd: defaults.version.major, summary, workloads };
}

function key(w: { namespace: string; kind: string; name: string }): string {
  return `${w.namespace}\u0000${w.kind}\u0000${w.name}`;
}
