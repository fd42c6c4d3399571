import { Adapter } from '../_conformance';
import { admit, PolicyInput } from './_policy';

/** Upstream's admission inputs, through the construct of their kind (see ./_policy). */
export const adapter: Adapter = (input: PolicyInput) => admit(input);
