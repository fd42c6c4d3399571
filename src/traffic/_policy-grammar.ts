import { Duration } from 'cdk8s';

/**
 * The grammar of the policy controller's annotation values (`policy-controller/k8s/index/src/outbound/index.rs`),
 * which differs from Go's `time.ParseDuration`: `<u64><ms|s|m|h|d>`, bare `0`, no fractions, no negatives.
 */

const U64_MAX = 18_446_744_073_709_551_615n;
const U32_MAX = 4_294_967_295n;
const U16_MAX = 65_535n;
const UNIT_MS: Record<string, bigint> = { ms: 1n, s: 1_000n, m: 60_000n, h: 3_600_000n, d: 86_400_000n };
/** Largest unit first, so a rendering uses the shortest form. */
const UNITS_DESCENDING: ReadonlyArray<[string, bigint]> = [['d', UNIT_MS.d], ['h', UNIT_MS.h], ['m', UNIT_MS.m], ['s', UNIT_MS.s]];

/** A parsed value, or the policy controller's reason for rejecting it. */
export type Parsed<T> = { readonly value: T; readonly error?: undefined } | { readonly value?: undefined; readonly error: string };

/** Rust's `u64::from_str` / `u32::from_str`: an optional '+', then ASCII digits, within range. */
function parseUnsigned(text: string, max: bigint, type: string): Parsed<bigint> {
  if (!/^\+?[0-9]+$/.test(text)) return { error: `${JSON.stringify(text)} is not a ${type} (digits only)` };
  const value = BigInt(text);
  return value > max ? { error: `${JSON.stringify(text)} is out of range for ${type} (at most ${max})` } : { value };
}

/**
 * Parses a duration as the policy controller's `parse_duration` does, into milliseconds.
 *
 * @returns the milliseconds, or the controller's reason for rejecting the text
 */
export function parsePolicyDuration(raw: string): Parsed<bigint> {
  const text = raw.trim();
  if (text.startsWith('-')) return { error: `duration value cannot be negative: '${text}'` };
  const offset = Math.max(...[...'0123456789'].map(d => text.lastIndexOf(d)));
  if (offset < 0) return { error: `${text} does not contain a timeout duration value` };
  const magnitude = text.slice(0, offset + 1);
  const unit = text.slice(offset + 1);
  if (magnitude.includes('.')) return { error: 'fractional values not supported' };
  const parsed = parseUnsigned(magnitude, U64_MAX, 'u64');
  if (parsed.error !== undefined) return parsed;
  if (unit === '' && parsed.value === 0n) return { value: 0n };
  if (unit === '') return { error: `missing duration unit; did you mean '${parsed.value}s' or '${parsed.value}ms'?` };
  const mul = UNIT_MS[unit];
  if (mul === undefined) return { error: `invalid duration unit ${unit} (expected one of 'ms', 's', 'm', 'h', or 'd')` };
  const ms = parsed.value * mul;
  return ms > U64_MAX ? { error: `Timeout value ${text} overflows when converted to 'ms'` } : { value: ms };
}

/** Milliseconds in a Duration, or undefined when it is not a whole number of them (the grammar has no fractions). */
export function wholeMillis(duration: Duration): bigint | undefined {
  const ms = duration.toMilliseconds({ integral: false });
  return Number.isSafeInteger(ms) ? BigInt(ms) : undefined;
}

/** A Duration in milliseconds for messages, fractions included (`Duration.toMilliseconds()` throws on them). */
export function millisText(duration: Duration): string {
  return `${duration.toMilliseconds({ integral: false })}ms`;
}

/** Renders milliseconds in the policy controller's grammar, in the largest unit that divides them (`90s` → `90s`, `120s` → `2m`). */
export function formatPolicyDuration(ms: bigint): string {
  if (ms === 0n) return '0s';
  const unit = UNITS_DESCENDING.find(([, size]) => ms % size === 0n);
  return unit ? `${ms / unit[1]}${unit[0]}` : `${ms}ms`;
}

/** Gateway API's Duration pattern (GEP-2257), `gateway-api@v1.2.1:apis/v1/shared_types.go:764`. */
const GATEWAY_DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

/**
 * Renders milliseconds as an HTTPRoute rule timeout Linkerd can read: one `<1–5 digits><h|m|s|ms>` term, the largest
 * unit that divides the value (`90s`, `1500ms`, `2h`), or undefined when there is none.
 *
 * Linkerd's policy controller reads a Gateway API rule's `timeouts.request` with its own single-unit `parse_duration`
 * and drops a value it cannot parse (`.ok()?`), so `1s500ms`, valid for the CRD, means no timeout at all
 * (`linkerd2@version-2.20:policy-controller/k8s/index/src/outbound/index/http.rs:188`, grammar at
 * `…/outbound/index.rs:2322`); the CRD in turn allows at most 5 digits and no `d` unit.
 */
export function formatRouteTimeout(ms: bigint): string | undefined {
  if (ms <= 0n) return undefined;
  for (const [unit, size] of [['h', UNIT_MS.h], ['m', UNIT_MS.m], ['s', UNIT_MS.s], ['ms', 1n]] as const) {
    if (ms % size === 0n) return ms / size <= 99_999n ? `${ms / size}${unit}` : undefined;
  }
  return undefined;
}

/**
 * Why Linkerd 2.20 would not apply an HTTPRoute rule's `timeouts.request` text, if it would not: the CRD's pattern, then
 * the policy controller's single-unit grammar (see {@link formatRouteTimeout}).
 */
export function routeTimeoutProblem(text: unknown): string | undefined {
  if (typeof text !== 'string' || !GATEWAY_DURATION.test(text)) return 'the Gateway API CRD takes ([0-9]{1,5}(h|m|s|ms)){1,4}';
  const parsed = parsePolicyDuration(text);
  if (parsed.error !== undefined) {
    return `Linkerd's policy controller reads it with its single-unit grammar <integer><ms|s|m|h|d>, fails (${parsed.error}) and silently drops it, so the rule has no timeout`;
  }
  return undefined;
}

/** Rust's `u32::from_str` after `trim()`, as `parse_consecutive_params` reads max-failures and min-requests. */
export function parseU32(raw: string): Parsed<bigint> {
  return parseUnsigned(raw.trim(), U32_MAX, 'u32');
}

/** Rust's `u16::from_str`, untrimmed, as `parse_http_retry` reads `retry.linkerd.io/limit`. */
export function parseU16(raw: string): Parsed<bigint> {
  return parseUnsigned(raw, U16_MAX, 'u16');
}

/** Rust's `f32::from_str` / `f64::from_str` after `trim()`: decimal or exponent notation, `inf`, `infinity` or `nan`. */
export function parseFloatValue(raw: string): Parsed<number> {
  const text = raw.trim();
  if (/^[+-]?(inf|infinity)$/i.test(text)) return { value: text.startsWith('-') ? -Infinity : Infinity };
  if (/^[+-]?nan$/i.test(text)) return { value: NaN };
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text)) return { error: `${JSON.stringify(text)} is not a number` };
  return { value: Number(text) };
}
