/**
 * Code-unit order of two strings: the same on every machine (localeCompare depends on the runtime's ICU data and
 * locale, and its first call costs ~6 ms of collator start-up).
 *
 * @internal
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
