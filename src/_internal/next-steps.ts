import { IConstruct } from 'constructs';

const NEXT_STEP = 'cdk8s-linkerd:next-step';

/**
 * Records something the operator must do before (or right after) the sync, such as installing a prerequisite: the
 * synth summary ends with these as a checklist. Travels as construct metadata, like warnings.
 */
export function addNextStep(scope: IConstruct, message: string): void {
  scope.node.addMetadata(NEXT_STEP, message, { stackTrace: false });
}

/** Every next step recorded under a construct, in construct-tree order, each once. */
export function collectNextSteps(root: IConstruct): string[] {
  const steps = root.node.findAll().flatMap(c => c.node.metadata.filter(e => e.type === NEXT_STEP).map(e => String(e.data)));
  return [...new Set(steps)];
}
