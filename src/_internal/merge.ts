/** Whether a value is a plain object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Merges Helm-values-like objects the way Helm merges values files: later objects win, objects merge key by key,
 * arrays and scalars are replaced. Undefined values are skipped. Inputs are not modified.
 */
export function mergeValues(...layers: (Record<string, any> | undefined)[]): Record<string, any> {
  const result: Record<string, any> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer ?? {})) {
      if (value === undefined) continue;
      result[key] = isPlainObject(value) && isPlainObject(result[key]) ? mergeValues(result[key], value)
        : isPlainObject(value) ? mergeValues(value) : value;
    }
  }
  return result;
}
