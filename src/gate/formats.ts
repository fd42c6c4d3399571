import { fullFormats } from 'ajv-formats/dist/formats';

/**
 * Whether a string is a Kubernetes duration: a Go duration ('48h0m0s') or,
 * like the API server's `duration` format, a number-and-unit form ('5 min').
 *
 * @internal
 */
export function isDuration(value: string): boolean {
  if (/^[-+]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.test(value)) {
    return true;
  }
  const units = [
    ['ns', 'nano'], ['us', 'µs', 'micro'], ['ms', 'milli'], ['s', 'sec'],
    ['m', 'min'], ['h', 'hr', 'hour'], ['d', 'day'], ['w', 'wk', 'week'],
  ];
  for (const m of value.matchAll(/(\d+)\s*([A-Za-zµ]+)/g)) {
    const unit = m[2].toLowerCase();
    if (units.some((variants) => variants.some((v, i) => unit === v || (i === variants.length - 1 && unit.startsWith(v))))) {
      return true;
    }
  }
  return false;
}

/**
 * The string formats the schema gate checks: ajv-formats' full set, except that `duration` is a Kubernetes duration
 * (Go's '48h0m0s'), not an ISO 8601 one ('PT48H'). Validators compiled ahead of time `require` this module for them.
 *
 * @internal
 */
export const formats = { ...fullFormats, duration: { type: 'string' as const, validate: isDuration } };
