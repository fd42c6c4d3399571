import { IConstruct } from 'constructs';

const NEXT_STEP = 'cdk8s-linkerd:next-step';

/**
 * Records something the operator must do before (or right after) the sync, such as installing a prerequisite: the
 * synth summary ends with these as a checklist. Travels as construct metadata, like warnings.
 */
export function addNextStep(scope: IConstruct, message: string): void {
  scope.node.addMetadata(NEXT_STEP, message, { stackTrace: false });
}

const TRUST_NAMESPACE = 'cdk8s-linkerd:trust-namespace';

/** Records the trust-manager trust namespace a construct's Bundles rely on, so the Secret scan looks there. */
export function recordTrustNamespace(scope: IConstruct, namespace: string): void {
  scope.node.addMetadata(TRUST_NAMESPACE, namespace, { stackTrace: false });
}

/** The trust namespace recorded under a construct; undefined when none is. */
export function trustNamespaceOf(root: IConstruct): string | undefined {
  for (const c of root.node.findAll()) {
    const entry = c.node.metadata.find(e => e.type === TRUST_NAMESPACE);
    if (entry) return String(entry.data);
  }
  return undefined;
}

/** Every next step recorded under a construct, in construct-tree order, each once. */
export function collectNextSteps(root: IConstruct): string[] {
  const steps = root.node.findAll().flatMap(c => c.node.metadata.filter(e => e.type === NEXT_STEP).map(e => String(e.data)));
  return [...new Set(steps)];
}
