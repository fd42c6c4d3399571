import { ApiObject } from 'cdk8s';
import { targetsKind } from '../_internal/target-kind';
import { LinkerdVersion } from '../linkerd/version';
import { INJECT, namespaceExclusion, podLabelExclusion } from '../mesh/_annotations';
import { clusterDefaults, meshing, MeshModel, Rendered } from '../mesh/_model';
import { describe } from '../mesh/_workload';
import { coverageOfModel } from '../mesh/coverage';
import { serverOverlapProblems, serverProbeProblems } from '../mesh/server-rules';
import { Finding, SourceObject } from './_types';
import { findings, GATEWAY_GROUP, groupOf, POLICY_GROUP } from './linkerd-objects';

/** The parsed objects as the mesh model reads them, and the source of each. */
export interface ParsedModel {
  readonly model: MeshModel;
  readonly sourceOf: (rendered: Rendered) => SourceObject;
}

/**
 * The mesh model (src/mesh/_model.ts) of parsed objects: each gets a stand-in for the ApiObject the model keys it by
 * (no construct made it, so nothing is a `Server.authorizeProbes` probe policy).
 */
export function parsedModel(sources: readonly SourceObject[]): ParsedModel {
  const byKey = new Map<ApiObject, SourceObject>();
  const rendered = sources.map(source => {
    const apiObject = { node: { scope: undefined } } as unknown as ApiObject;
    byKey.set(apiObject, source);
    return { apiObject, json: source.object };
  });
  return { model: MeshModel.fromRendered(rendered), sourceOf: r => byKey.get(r.apiObject)! };
}

/**
 * The rules that need the other objects of the input, through the same model and functions the {@link Server}
 * construct and the coverage report use at synth: Server overlap, probe authorization, Servers on workloads without a
 * proxy, references to objects that are not in the input (notes), and the mTLS coverage report.
 */
export function meshFindings(parsed: ParsedModel, version: LinkerdVersion): Finding[] {
  const { model, sourceOf } = parsed;
  const defaults = clusterDefaults(version, undefined);
  const found: Finding[] = [];
  for (const server of model.policies.filter(p => p.json.kind === 'Server' && groupOf(p.json) === POLICY_GROUP)) {
    const source = sourceOf(server);
    const namespace = server.json.metadata?.namespace ?? 'default';
    const selected = model.workloadsSelectedBy(namespace, server.json.spec?.podSelector);
    if (selected.length === 0) {
      found.push(...findings('missing-reference', 'note', source, [`selects no workload in the input (podSelector ${JSON.stringify(server.json.spec?.podSelector ?? {})} in ${namespace})`]));
    }
    const proxied = [];
    for (const w of selected) {
      const m = meshing(w.facts, model);
      // without the namespace in the input, whether the injector meshes the pods is not known: assume it does
      const known = model.namespaces.has(w.facts.namespace) || w.facts.annotations[INJECT] !== undefined || w.facts.hostNetwork
        || namespaceExclusion(w.facts.namespace, undefined) !== undefined || podLabelExclusion(w.facts.labels) !== undefined;
      if (m.meshed || !known) proxied.push(w.facts);
      if (!m.meshed) {
        found.push(...findings('server-unmeshed', known ? 'error' : 'note', source, [`selects ${describe(w.facts)}, which is not meshed (${m.reason}): `
          + 'the proxy enforces policy, so this Server would protect nothing']));
      }
    }
    found.push(...findings('server-overlap', 'error', source, serverOverlapProblems(model, server, selected.map(w => w.facts))));
    found.push(...findings('probe-authorization', 'error', source, serverProbeProblems(model, server, proxied, defaults).map(inYaml)));
  }
  found.push(...referenceFindings(parsed));
  found.push(...coverageFindings(parsed, defaults));
  return found;
}

/**
 * The construct's advice (`authorizeProbes()`) in YAML terms: what that method writes, as Linkerd's per-route policy
 * guide does (https://linkerd.io/2-edge/tasks/configuring-per-route-policy/).
 */
function inYaml(problem: string): string {
  return problem.includes('call authorizeProbes()')
    ? `${problem} (in YAML: an HTTPRoute with the probe paths on the Server, a NetworkAuthentication of the probe networks, and an AuthorizationPolicy `
      + 'targeting that route with it)'
    : problem;
}

/** A reference to a policy object or Service that is not in the input: a note, since the input may be part of a cluster. */
function referenceFindings(parsed: ParsedModel): Finding[] {
  const { model, sourceOf } = parsed;
  const found: Finding[] = [];
  const services = new Set(model.services.map(s => `${s.json.metadata?.namespace ?? 'default'}/${s.json.metadata?.name}`));
  const has = (kind: string, namespace: string, name: unknown) => model.policiesNamed(kind, namespace, String(name)).length > 0;
  const missing = (rendered: Rendered, what: string) => found.push(...findings('missing-reference', 'note', sourceOf(rendered), [`${what} is not in the input`]));
  for (const policy of model.policies) {
    const namespace = policy.json.metadata?.namespace ?? 'default';
    const spec = policy.json.spec ?? {};
    if (policy.json.kind === 'AuthorizationPolicy' && groupOf(policy.json) === POLICY_GROUP) {
      const ref = spec.targetRef ?? {};
      for (const [group, kind] of [[POLICY_GROUP, 'Server'], [POLICY_GROUP, 'HTTPRoute'], [GATEWAY_GROUP, 'HTTPRoute'], [GATEWAY_GROUP, 'GRPCRoute']]) {
        if (targetsKind(ref, group, kind) && !has(kind, namespace, ref.name)) missing(policy, `targetRef ${kind} ${namespace}/${ref.name}`);
      }
      for (const auth of Array.isArray(spec.requiredAuthenticationRefs) ? spec.requiredAuthenticationRefs : []) {
        for (const kind of ['MeshTLSAuthentication', 'NetworkAuthentication']) {
          const authNamespace = auth.namespace ?? namespace;
          if (targetsKind(auth, POLICY_GROUP, kind) && !has(kind, authNamespace, auth.name)) missing(policy, `requiredAuthenticationRef ${kind} ${authNamespace}/${auth.name}`);
        }
      }
    }
    if (policy.json.kind === 'HTTPRoute' || policy.json.kind === 'GRPCRoute') {
      for (const parent of Array.isArray(spec.parentRefs) ? spec.parentRefs : []) {
        const parentNamespace = parent.namespace ?? namespace;
        if (targetsKind(parent, POLICY_GROUP, 'Server') && !has('Server', parentNamespace, parent.name)) missing(policy, `parentRef Server ${parentNamespace}/${parent.name}`);
        if (targetsKind(parent, '', 'Service') && !services.has(`${parentNamespace}/${parent.name}`)) missing(policy, `parentRef Service ${parentNamespace}/${parent.name}`);
      }
    }
  }
  return found;
}

/**
 * The mTLS coverage report (src/mesh/coverage.ts) of the input's workloads: each declared flow that would not be
 * mTLS is a warning on the workload it reaches (what the report's strict mode fails on), and the totals are a note.
 */
function coverageFindings(parsed: ParsedModel, defaults: ReturnType<typeof clusterDefaults>): Finding[] {
  const { model, sourceOf } = parsed;
  if (model.workloads.length === 0) return [];
  const data = coverageOfModel(model, defaults);
  const sources = new Map(model.workloads.map(w => [`${w.facts.kind} ${w.facts.namespace}/${w.facts.name}`, sourceOf(w)]));
  const found: Finding[] = [];
  for (const w of data.workloads) {
    const source = sources.get(`${w.kind} ${w.namespace}/${w.name}`);
    found.push(...findings('mtls-coverage', 'warning', source, w.callers.filter(c => !c.mtls)
      .map(c => `declared traffic would not be mTLS: ${c.from} -> port ${c.port} (${c.via}): ${c.why}`)));
  }
  const s = data.summary;
  found.push(...findings('mtls-coverage', 'note', undefined, [`mTLS coverage (Linkerd ${data.linkerd}): ${s.workloads} workloads, ${s.meshed} meshed; `
    + `${s.flows} declared flows, ${s.mtls} mTLS, ${s.flows - s.mtls} not mTLS`]));
  return found;
}
