import { IConstruct } from 'constructs';

const WARNING = 'cdk8s-linkerd:warning';
const WARNING_PRODUCER = 'cdk8s-linkerd:warning-producer';

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

/**
 * Records warnings that only the finished app can tell (they look at other constructs): `produce` runs when the
 * warnings are collected, after synth, so no validation has to change the construct tree to report them.
 */
export function addSynthWarnings(scope: IConstruct, produce: () => readonly string[]): void {
  scope.node.addMetadata(WARNING_PRODUCER, produce, { stackTrace: false });
}

/** Every warning recorded under a construct, in construct-tree order (synth warnings produced now). */
export function collectWarnings(root: IConstruct): Warning[] {
  return root.node.findAll().flatMap(c => c.node.metadata.flatMap(entry => {
    if (entry.type === WARNING) return [{ path: c.node.path, message: String(entry.data) }];
    if (entry.type === WARNING_PRODUCER) return (entry.data as () => readonly string[])().map(message => ({ path: c.node.path, message }));
    return [];
  }));
}
