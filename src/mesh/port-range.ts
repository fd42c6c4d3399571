import { Problems } from '../_internal/problems';

/**
 * A port or an inclusive port range, as Linkerd's port-list annotations take them (`config.linkerd.io/opaque-ports`,
 * `skip-inbound-ports`, `skip-outbound-ports`): "a port number or a range `a-b`".
 *
 * @see https://linkerd.io/2-edge/reference/proxy-configuration/
 */
export class PortRange {
  /** One port, 1–65535. */
  public static of(port: number): PortRange {
    return new PortRange(port, port);
  }

  /** The ports `from` to `to`, both included; `from` must not be above `to`. */
  public static between(from: number, to: number): PortRange {
    return new PortRange(from, to);
  }

  /** The first port. */
  public readonly from: number;
  /** The last port (equal to `from` for a single port). */
  public readonly to: number;

  private constructor(from: number, to: number) {
    this.from = from;
    this.to = to;
  }

  /** Whether a port is in this range. */
  public includes(port: number): boolean {
    return port >= this.from && port <= this.to;
  }

  /** `8080` or `4000-4100`, as the annotations write it. */
  public toString(): string {
    return this.from === this.to ? `${this.from}` : `${this.from}-${this.to}`;
  }
}

/**
 * Problems with a port list: ports outside 1–65535, fractions, reversed ranges.
 *
 * @internal
 */
export function portRangeProblems(what: string, ranges: readonly PortRange[]): string[] {
  const problems = new Problems();
  for (const range of ranges) {
    const text = range.toString();
    if (![range.from, range.to].every(isPort)) {
      problems.add(`${what} entry ${JSON.stringify(text)} is not allowed: use ports from 1 to 65535, as a port or a range a-b`);
    } else if (range.from > range.to) {
      problems.add(`${what} range ${JSON.stringify(text)} is reversed: a range a-b needs a <= b (write ${JSON.stringify(`${range.to}-${range.from}`)})`);
    }
  }
  return [...problems.list];
}

/**
 * Parses a port-list annotation value (`25,443,4000-4100`); entries that do not parse are returned apart.
 *
 * @internal
 */
export function parsePortList(text: string): { readonly ranges: PortRange[]; readonly invalid: string[] } {
  const ranges: PortRange[] = [];
  const invalid: string[] = [];
  for (const entry of text.split(',').map(e => e.trim()).filter(e => e !== '')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(entry);
    const range = m ? PortRange.between(Number(m[1]), Number(m[2] ?? m[1])) : undefined;
    if (range && portRangeProblems('', [range]).length === 0) ranges.push(range);
    else invalid.push(entry);
  }
  return { ranges, invalid };
}

/**
 * Whether a number is a TCP port, 1–65535.
 *
 * @internal
 */
export function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}
