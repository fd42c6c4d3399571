import type { SourceObject } from './_types';

/**
 * Small helpers the rule families share.
 *
 * @internal
 */

/** The API group of an apiVersion: '' for the core group (`v1`). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Whether a source object is of this API group and one of these kinds. */
export function isKind(source: SourceObject, group: string, ...kinds: string[]): boolean {
  return kinds.includes(source.object.kind) && groupOf(source.object.apiVersion) === group;
}

/** The namespace an object names, '' when it names none. */
export function namespaceOf(source: SourceObject): string {
  const ns = source.object.metadata?.namespace;
  return typeof ns === 'string' ? ns : '';
}

/** The name an object names, '' when it names none. */
export function nameOf(source: SourceObject): string {
  const name = source.object.metadata?.name;
  return typeof name === 'string' ? name : '';
}
