import { ApiObject } from 'cdk8s';
import { AbstractPod, Namespace as KplusNamespace } from 'cdk8s-plus-25';
import { IConstruct } from 'constructs';
import { ValidationError } from '../_internal/errors';
import { Problems } from '../_internal/problems';
import { addWarning } from '../_internal/warnings';
import { LinkerdContext } from '../linkerd/context';
import { LinkerdFeature, LinkerdVersion } from '../linkerd/version';
import { INJECT, namespaceExclusion, nativeSidecarKey, podLabelExclusion } from './_annotations';
import { MeshTarget, meshTarget, RUN_TO_COMPLETION_KINDS, WORKLOAD_KINDS, workloadFacts } from './_workload';
import { proxyAnnotations, ProxyOptions } from './proxy-options';

/** The values of `linkerd.io/inject`. */
export enum InjectMode {
  /** Inject the proxy. */
  ENABLED = 'enabled',
  /** Do not inject (on a pod template: opt out of a meshed namespace). */
  DISABLED = 'disabled',
  /**
   * Inject the proxy in ingress mode, which routes on `:authority`/`Host`/`l5d-dst-override`. The ingress must strip
   * `l5d-dst-override` from incoming requests, or it becomes an open relay.
   */
  INGRESS = 'ingress',
}

/** Options for {@link Mesh.inject} and {@link Mesh.injectAll}. */
export interface InjectOptions {
  /**
   * The `linkerd.io/inject` value.
   *
   * @default InjectMode.ENABLED
   */
  readonly mode?: InjectMode;
  /**
   * Proxy settings, as `config.linkerd.io/*` annotations next to `linkerd.io/inject`.
   *
   * @default - none: the control plane's proxy values apply
   */
  readonly proxy?: ProxyOptions;
  /**
   * The Linkerd version, for version-dependent annotation keys and feature gates; when given, it must be the tree's.
   *
   * @default - the version of the control plane in the target's construct tree ({@link LinkerdContext}), else LinkerdVersion.LATEST
   */
  readonly version?: LinkerdVersion;
}

const INJECT_VALUES = Object.values(InjectMode) as string[];

/**
 * Puts workloads and namespaces in the mesh: `linkerd.io/inject` and proxy settings on Namespaces and on pod
 * templates, never on a workload's own metadata (where the proxy injector does not look).
 *
 * Works with cdk8s-plus workloads (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod) and Namespaces, and with
 * raw ApiObjects of those kinds (also ReplicaSet). Jobs and CronJobs get a native-sidecar proxy where the version has
 * one, so they can complete. Namespaces the injector webhook never sees (kube-system, cert-manager, anything labelled
 * `config.linkerd.io/admission-webhooks: disabled`) get a warning.
 *
 * @example
 * Mesh.inject(namespace);
 * Mesh.inject(deployment, { proxy: { opaquePorts: [PortRange.of(3306)] } });
 * Mesh.inject(job, { mode: InjectMode.DISABLED });
 * @see https://linkerd.io/2-edge/features/proxy-injection/
 */
export class Mesh {
  /**
   * Sets `linkerd.io/inject` (and proxy settings) on one Namespace or one workload's pod template.
   *
   * @param target a Namespace or a workload, from cdk8s-plus or a raw ApiObject
   */
  public static inject(target: IConstruct, options: InjectOptions = {}): void {
    const resolved = meshTarget(target);
    if (!resolved) {
      const kind = target instanceof ApiObject ? `a ${target.kind}` : `a ${target.constructor.name} construct`;
      throw new ValidationError(`cannot mesh ${kind}: pass a Namespace or a workload (${WORKLOAD_KINDS.join(', ')}), from cdk8s-plus or as a raw object`, target);
    }
    const mode = options.mode ?? InjectMode.ENABLED;
    const version = LinkerdContext.resolve(target, { version: options.version }).version;
    const problems = new Problems();
    if (!INJECT_VALUES.includes(mode)) problems.add(`${INJECT} ${JSON.stringify(mode)} is not allowed: use one of ${INJECT_VALUES.join(', ')}`);
    const proxy = proxyAnnotations(options.proxy ?? {}, version);
    problems.addAll(proxy.problems);
    if (mode === InjectMode.DISABLED && Object.keys(proxy.annotations).length > 0) {
      problems.add(`proxy settings ${Object.keys(proxy.annotations).join(', ')} have no effect with ${INJECT}: disabled: drop them or inject the proxy`);
    }
    problems.throwIfAny(target);

    resolved.annotate(INJECT, mode);
    for (const [key, value] of Object.entries(proxy.annotations)) resolved.annotate(key, value);
    if (mode !== InjectMode.DISABLED) {
      if (RUN_TO_COMPLETION_KINDS.includes(resolved.kind)) runToCompletion(resolved, options.proxy?.nativeSidecar, version);
      const excluded = exclusion(resolved);
      if (excluded) addWarning(target, `${INJECT}: ${mode} has no effect: ${excluded}`);
    }
  }

  /**
   * Meshes every Namespace and workload under a scope, leaving alone whatever already carries `linkerd.io/inject`
   * (an explicit choice, such as the control-plane namespace's `disabled`) and whatever the injector webhook never
   * sees (excluded namespaces and their workloads, control-plane and CNI pods).
   *
   * @returns the meshed constructs, in construct-tree order
   */
  public static injectAll(scope: IConstruct, options: InjectOptions = {}): IConstruct[] {
    const meshed: IConstruct[] = [];
    for (const target of targetsUnder(scope)) {
      if (alreadyDecided(target) || exclusion(target)) continue;
      Mesh.inject(target.construct, options);
      meshed.push(target.construct);
    }
    return meshed;
  }

  private constructor() {}
}

/** Jobs finish only when every container exits, which a classic sidecar proxy never does. */
function runToCompletion(target: MeshTarget, nativeSidecar: boolean | undefined, version: LinkerdVersion): void {
  const never = `the proxy keeps running after the ${target.kind}'s containers exit, so the ${target.kind} never completes`;
  if (nativeSidecar === false) {
    addWarning(target.construct, `nativeSidecar is false: ${never}; inject it as a native sidecar or with ${INJECT}: disabled`);
  } else if (!version.supports(LinkerdFeature.NATIVE_SIDECAR)) {
    addWarning(target.construct, `Linkerd ${version.major} has no native sidecar proxy (2.15+): ${never}; inject it with ${INJECT}: disabled or upgrade`);
  } else if (nativeSidecar === undefined) {
    // explicit even on 2.20, where it is the default: the cluster-wide proxy.nativeSidecar may be switched off
    target.annotate(nativeSidecarKey(version), 'true');
  }
}

/** Why the proxy injector webhook would never see a target, from what the app declares so far. */
function exclusion(target: MeshTarget): string | undefined {
  const json = target.apiObject.toJson();
  if (target.type === 'namespace') return namespaceExclusion(json.metadata?.name, json.metadata?.labels);
  const facts = workloadFacts(json);
  if (!facts) return undefined;
  const namespace = target.construct.node.root.node.findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Namespace' && c.apiVersion === 'v1')
    .map(c => c.toJson()).find(n => n.metadata?.name === facts.namespace);
  return namespaceExclusion(facts.namespace, namespace?.metadata?.labels) ?? podLabelExclusion(facts.labels);
}

function alreadyDecided(target: MeshTarget): boolean {
  const json = target.apiObject.toJson();
  const annotations = target.type === 'namespace' ? json.metadata?.annotations : workloadFacts(json)?.annotations;
  return annotations?.[INJECT] !== undefined;
}

/** Namespaces and workloads under a scope, once each: cdk8s-plus constructs, and raw objects not owned by one. */
function targetsUnder(scope: IConstruct): MeshTarget[] {
  const seen = new Set<ApiObject>();
  const targets: MeshTarget[] = [];
  for (const c of scope.node.findAll()) {
    const parent = c.node.scope;
    if (c instanceof ApiObject && (parent instanceof AbstractPod || parent instanceof KplusNamespace)) continue;
    const target = c instanceof AbstractPod || c instanceof KplusNamespace || c instanceof ApiObject ? meshTarget(c) : undefined;
    if (target && !seen.has(target.apiObject)) {
      seen.add(target.apiObject);
      targets.push(target);
    }
  }
  return targets;
}
