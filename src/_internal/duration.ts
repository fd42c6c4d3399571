import { Duration } from 'cdk8s';

const UNIT_NANOS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const GO_DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const GO_DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/** A cdk8s Duration in nanoseconds. */
export function durationNanos(duration: Duration): bigint {
  return BigInt(Math.round(duration.toMilliseconds() * 1_000_000)) ;
}

/**
 * Formats a Duration the way Go's `time.Duration.String()` does (`48h0m0s`, `5m0s`, `30s`, `1.5s`, `250ms`).
 *
 * cert-manager stores durations in this canonical form, so emitting anything else (`48h`) leaves Argo CD with a
 * permanent diff.
 */
export function goDuration(duration: Duration): string {
  return formatGoDuration(durationNanos(duration));
}

/**
 * Results of the pure functions below by argument: an app writes and checks the same few durations thousands of times
 * (each route's timeout, each budget's ttl), and one string per distinct duration is also kept instead of one per use.
 * Bounded: emptied when it holds {@link MEMO_LIMIT} entries.
 */
const formatted = new Map<bigint, string>();
const parsed = new Map<string, bigint | undefined>();
const MEMO_LIMIT = 10_000;

function memo<K, V>(cache: Map<K, V>, key: K, compute: (key: K) => V): V {
  if (cache.has(key)) return cache.get(key) as V;
  const value = compute(key);
  if (cache.size >= MEMO_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

/** Formats nanoseconds as Go's `time.Duration.String()`. */
export function formatGoDuration(nanos: bigint): string {
  return memo(formatted, nanos, formatNanos);
}

function formatNanos(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const sign = nanos < 0n ? '-' : '';
  const abs = nanos < 0n ? -nanos : nanos;
  if (abs < UNIT_NANOS.s) {
    const [unit, size] = abs < UNIT_NANOS.us ? ['ns', 1n] : abs < UNIT_NANOS.ms ? ['µs', UNIT_NANOS.us] : ['ms', UNIT_NANOS.ms];
    return `${sign}${fraction(abs, size)}${unit}`;
  }
  const hours = abs / UNIT_NANOS.h;
  const minutes = (abs % UNIT_NANOS.h) / UNIT_NANOS.m;
  const seconds = fraction(abs % UNIT_NANOS.m, UNIT_NANOS.s);
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/** Parses a Go duration string (`time.ParseDuration` grammar) into nanoseconds, or undefined when it is not one. */
export function parseGoDuration(text: string): bigint | undefined {
  return memo(parsed, text, parseText);
}

function parseText(text: string): bigint | undefined {
  if (text === '0' || text === '+0' || text === '-0') return 0n;
  if (!GO_DURATION.test(text)) return undefined;
  let total = 0n;
  for (const [, value, unit] of text.matchAll(GO_DURATION_PART)) {
    const [whole, frac = ''] = value.split('.');
    total += BigInt(whole || '0') * UNIT_NANOS[unit] + goFractionNanos(frac, UNIT_NANOS[unit]);
  }
  return text.startsWith('-') ? -total : total;
}

/**
 * Go's `time.ParseDuration` fraction: the digits up to int64 overflow (the rest are dropped), then
 * `uint64(float64(f) * (float64(unit) / scale))` in float64, so `0.3333333333333333333h` is exactly 20m.
 * Upstream's port of Go's table: linkerd/linkerd2@version-2.20:policy-controller/k8s/api/src/duration.rs:330-344.
 */
function goFractionNanos(digits: string, unit: bigint): bigint {
  let f = 0n;
  let scale = 1;
  for (const d of digits) {
    if (f > 922_337_203_685_477_580n) break;
    const next = f * 10n + BigInt(d);
    if (next > 9_223_372_036_854_775_808n) break;
    f = next;
    scale *= 10;
  }
  return f === 0n ? 0n : BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
}

function fraction(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const rest = value % unit;
  if (rest === 0n) return `${whole}`;
  const digits = unit.toString().length - 1;
  return `${whole}.${rest.toString().padStart(digits, '0').replace(/0+$/, '')}`;
}
