import { IConstruct } from 'constructs';

const WARNING = 'cdk8s-linkerd:warning';

/** A warning recorded on a construct: printed in the synth summary, never fatal. */
export interface Warning {
  /** The construct path. */
  readonly path: string;
  /** What the user should know. */
  readonly message: string;
}

/**
 * Records a warning on a construct (something `linkerd check` would warn about, not fail on).
 *
 * Warnings travel as construct metadata, so they survive until the synth summary collects them.
 */
export function addWarning(scope: IConstruct, message: string): void {
  scope.node.addMetadata(WARNING, message, { stackTrace: false });
}

/** Every warning recorded under a construct, in construct-tree order. */
export function collectWarnings(root: IConstruct): Warning[] {
  return root.node.findAll().flatMap(c => c.node.metadata
    .filter(entry => entry.type === WARNING)
    .map(entry => ({ path: c.node.path, message: String(entry.data) })));
}
