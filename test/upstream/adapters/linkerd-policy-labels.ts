import { LabelSelectorJson, selects } from '../../../src/mesh/_workload';
import { Adapter, OurVerdict } from '../_conformance';

/** A selector and a pod's labels, through the selector matching of the mesh model. */
export const adapter: Adapter = (input: { selector: LabelSelectorJson; labels: Record<string, string> }): OurVerdict =>
  ({ verdict: 'accepted', parsed: selects(input.selector, input.labels) });
