import { dns1123SubdomainProblem, labelProblems } from '../_internal/names';
import { Problems } from '../_internal/problems';

const SOURCE_KINDS = ['configMap', 'secret', 'inLine', 'useDefaultCAs'];
const RESERVED_LABEL_PREFIXES = ['trust.cert-manager.io/', 'trust-manager.io/'];

/**
 * trust-manager's webhook rules for a Bundle (`pkg/webhook/validation.go`), applied to the rendered object.
 *
 * @internal
 */
export function bundleProblems(obj: any): string[] {
  const problems = new Problems();
  const name = obj?.metadata?.name;
  if (typeof name === 'string') problems.add(dns1123SubdomainProblem('name', name));
  const spec = obj?.spec ?? {};
  const sources: any[] = spec.sources ?? [];
  const target = spec.target ?? {};

  if (sources.length === 0) problems.add('sources must not be empty: at least one source is required');
  if (sources.length > 100) problems.add(`sources has ${sources.length} entries: at most 100 are allowed`);
  let defaultCAs = 0;
  sources.forEach((source, i) => {
    const kinds = SOURCE_KINDS.filter(k => source?.[k] !== undefined);
    if (kinds.length !== 1) {
      problems.add(`sources[${i}] must define exactly one source type (${SOURCE_KINDS.join(', ')}) but found ${kinds.length}`);
    }
    if (source?.useDefaultCAs !== undefined) defaultCAs++;
    for (const kind of ['configMap', 'secret']) {
      const ref = source?.[kind];
      if (ref === undefined) continue;
      problems.addAll(sourceObjectProblems(ref, `sources[${i}].${kind}`));
      if (ref.name === name && ref.key !== undefined && ref.key === target[kind]?.key) {
        problems.add(`sources[${i}].${kind} ${ref.name}/${ref.key} cannot be the same as the target`);
      }
    }
    if (source?.inLine !== undefined && (typeof source.inLine !== 'string' || source.inLine.length === 0)) {
      problems.add(`sources[${i}].inLine must not be empty`);
    }
  });
  if (sources.length > 0 && !sources.some(countsAsSource) && sources.some((s: any) => s?.useDefaultCAs === false)) {
    problems.add('sources must define at least one source of certificates: useDefaultCAs: false adds none');
  }
  if (defaultCAs > 1) problems.add(`must request default CAs either once or not at all but got ${defaultCAs} requests`);

  if (target.configMap === undefined && target.secret === undefined) {
    problems.add('target must have a configMap or a secret key (targetConfigMapKey or targetSecretKey)');
  }
  for (const kind of ['configMap', 'secret']) {
    const t = target[kind];
    if (t === undefined) continue;
    if (!t.key || t.key.length > 253) problems.add(`target.${kind}.key ${JSON.stringify(t.key ?? '')} must be 1 to 253 characters`);
    for (const field of ['labels', 'annotations']) {
      for (const key of Object.keys(t.metadata?.[field] ?? {})) {
        if (RESERVED_LABEL_PREFIXES.some(p => key.startsWith(p))) {
          problems.add(`target.${kind}.metadata.${field} key ${JSON.stringify(key)} is not allowed: the ${RESERVED_LABEL_PREFIXES.join(' and ')} prefixes are reserved`);
        }
      }
    }
  }
  problems.addAll(additionalFormatProblems(target));
  problems.addAll(labelProblems('namespaceSelector label', target.namespaceSelector?.matchLabels));
  return [...problems.list];
}

/**
 * Whether a source adds certificates: a ConfigMap, a Secret, non-empty inline PEM, or `useDefaultCAs: true`
 * (cert-manager/trust-manager@v0.24.0:pkg/webhook/validation.go:64-136; `useDefaultCAs: false` counts as a source
 * type but adds nothing).
 */
function countsAsSource(source: any): boolean {
  // an empty inLine is reported on its own (`must not be empty`), so it counts here
  return source?.configMap !== undefined || source?.secret !== undefined || source?.inLine !== undefined || source?.useDefaultCAs === true;
}

/**
 * A ConfigMap or Secret source: exactly one of `name` and `selector` (the CRD's CEL rule,
 * cert-manager/trust-manager@v0.24.0:deploy/crds/trust.cert-manager.io_bundles.yaml:146), and exactly one of `key` and
 * `includeAllKeys: true` (pkg/webhook/validation.go:80-85).
 */
function sourceObjectProblems(ref: any, where: string): string[] {
  const problems = new Problems();
  const hasName = ref?.name !== undefined && ref?.name !== '';
  const hasSelector = ref?.selector !== undefined && ref?.selector !== null;
  if (hasName === hasSelector) {
    problems.add(`${where} must set exactly one of name and selector, ${hasName ? 'got both' : 'got neither'}`);
  }
  if (hasName && ref.name.length > 253) problems.add(`${where}.name ${JSON.stringify(ref.name)} must be 1 to 253 characters`);
  if (hasSelector) problems.addAll(labelProblems(`${where}.selector label`, ref.selector.matchLabels));
  if (ref?.includeAllKeys !== true && !ref?.key) problems.add(`${where}.key must be defined when includeAllKeys is false`);
  if (ref?.includeAllKeys === true && ref?.key) problems.add(`${where}.key cannot be defined when includeAllKeys is true`);
  return [...problems.list];
}

/**
 * `target.additionalFormats`: at least one of jks and pkcs12 (the CRD's CEL rule,
 * cert-manager/trust-manager@v0.24.0:deploy/crds/trust.cert-manager.io_bundles.yaml:331), each key distinct from the
 * ConfigMap/Secret target keys and from each other (pkg/webhook/validation.go:169-204).
 */
function additionalFormatProblems(target: any): string[] {
  const formats = target.additionalFormats;
  if (formats === undefined || formats === null) return [];
  const problems = new Problems();
  const present = ['jks', 'pkcs12'].filter(f => formats[f] !== undefined && formats[f] !== null);
  if (present.length === 0) problems.add('target.additionalFormats must set jks or pkcs12');
  const keys = new Set<string>(['configMap', 'secret'].map(k => target[k]?.key).filter((k): k is string => typeof k === 'string'));
  for (const format of present) {
    const key = formats[format].key;
    if (typeof key !== 'string' || key.length === 0 || key.length > 253) {
      problems.add(`target.additionalFormats.${format}.key ${JSON.stringify(key ?? '')} must be 1 to 253 characters`);
    } else if (keys.has(key)) {
      problems.add(`target.additionalFormats.${format}.key ${JSON.stringify(key)} is already a target key: every output key must be unique`);
    }
    keys.add(key);
  }
  return [...problems.list];
}
