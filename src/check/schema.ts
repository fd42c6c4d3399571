import type { SchemaGate } from '../gate/schema-gate';
import type { Finding, RuleFamily, SourceObject } from './_types';

let gate: SchemaGate | undefined;

/**
 * The schema gate ({@link SchemaGate}: the Kubernetes 1.25 and 1.36 definitions and the vendored CRDs), the same one
 * `synthesize()` runs on this library's own output. An object that does not match its schema is an error: the API
 * server rejects it (or prunes the unknown field, which then silently does nothing). An object of a kind without a
 * vendored schema is a note: Kubernetes accepts it when its CRD is installed, which the input need not show.
 *
 * @internal
 */
export const schemaRules: RuleFamily = {
  name: 'schema',
  run(objects: readonly SourceObject[]): Finding[] {
    // loaded on first use, like synthesize() does: ajv and ~2.4 MB of JSON
    gate ??= (require('../gate/schema-gate') as typeof import('../gate/schema-gate')).SchemaGate.load();
    const findings: Finding[] = [];
    for (const source of objects) {
      const { apiVersion, kind } = source.object;
      if (!gate.hasSchema(apiVersion, kind)) {
        findings.push({ severity: 'note', rule: 'schema/no-schema', source, message: `not schema-validated: no vendored schema exists for apiVersion ${apiVersion}, kind ${kind}` });
        continue;
      }
      for (const problem of gate.validate(source.object)) findings.push({ severity: 'error', rule: 'schema/invalid', source, message: problem.message });
    }
    return findings;
  },
};
