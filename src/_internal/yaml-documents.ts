import type * as Yaml from 'yaml';

/**
 * The documents of a YAML (or JSON) text, as plain data with aliases capped; undefined when it does not parse. `yaml`
 * (72 modules) is loaded on the first call, so a synthesis that keeps its rendered objects never loads it.
 */
export function parseYamlDocuments(text: string): unknown[] | undefined {
  const docs = (require('yaml') as typeof Yaml).parseAllDocuments(text);
  const parsed = Array.isArray(docs) ? docs : [docs];
  if (parsed.some(d => d.errors.length > 0)) return undefined;
  return parsed.map(d => d.toJS({ maxAliasCount: 100 }));
}
