import { IConstruct } from 'constructs';

const NEXT_STEP = 'cdk8s-linkerd:next-step';

/** What a next step is about, beyond its text. */
export interface NextStepOptions {
  /**
   * The Secret (`namespace/name`) the step asks the operator to create, so the scan of missing Secrets skips it.
   *
   * @default - none
   */
  readonly secret?: string;
}

/**
 * Records something the operator must do before (or right after) the sync, such as installing a prerequisite: the
 * synth summary ends with these as a checklist. Travels as construct metadata, like warnings.
 */
export function addNextStep(scope: IConstruct, message: string, options: NextStepOptions = {}): void {
  scope.node.addMetadata(NEXT_STEP, { message, secret: options.secret }, { stackTrace: false });
}

/** Every next step recorded under a construct, in construct-tree order, each message once. */
export function collectNextSteps(root: IConstruct): { readonly message: string; readonly secret?: string }[] {
  const seen = new Set<string>();
  return root.node.findAll().flatMap(c => c.node.metadata.filter(e => e.type === NEXT_STEP).map(e => e.data as { message: string; secret?: string }))
    .filter(step => !seen.has(step.message) && seen.add(step.message));
}
