// Go's regexp.QuoteMeta escapes exactly these
const GO_META = /[\\.+*?()|[\]{}^$]/g;

/** Escapes text the way Go's `regexp.QuoteMeta` does, so Go, RE2 and Rust regexes match it literally. */
export function quoteMeta(text: string): string {
  return text.replace(GO_META, '\\$&');
}
