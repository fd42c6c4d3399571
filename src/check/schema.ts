import { noSchemaMessage, sharedSchemaGate } from '../gate/schema-validation';
import type { Finding, RuleFamily, SourceObject } from './_types';

/**
 * The schema gate ({@link SchemaGate}: the Kubernetes 1.25 and 1.36 definitions and the vendored CRDs), the same one
 * `synthesize()` runs on this library's own output. An object that does not match its schema is an error: the API
 * server rejects it (or prunes the unknown field, which then silently does nothing). An object of a kind without a
 * vendored schema is a note, once per kind: Kubernetes accepts it when its CRD is installed, which the input need not
 * show.
 *
 * @internal
 */
export const schemaRules: RuleFamily = {
  name: 'schema',
  run(objects: readonly SourceObject[]): Finding[] {
    const gate = sharedSchemaGate();
    const findings: Finding[] = [];
    // one note per kind without a schema, at its first object: a repository of 5,000 SealedSecrets needs it said once
    const unchecked = new Map<string, { first: SourceObject; count: number }>();
    for (const source of objects) {
      const { apiVersion, kind } = source.object;
      if (!gate.hasSchema(apiVersion, kind)) {
        const key = `${apiVersion}\n${kind}`;
        const seen = unchecked.get(key);
        if (seen) seen.count++; else unchecked.set(key, { first: source, count: 1 });
        continue;
      }
      for (const problem of gate.validate(source.object)) findings.push({ severity: 'error', rule: 'schema/invalid', source, message: problem.message });
    }
    for (const { first, count } of unchecked.values()) {
      const others = count > 1 ? ` (nor are the ${count - 1} other objects of this kind)` : '';
      findings.push({
        severity: 'note', rule: 'schema/no-schema', source: first,
        message: `${noSchemaMessage(first.object.apiVersion, first.object.kind)}${others}`,
      });
    }
    // the validators' compiled code, for the next run
    gate.saveCodeCache();
    return findings;
  },
};
