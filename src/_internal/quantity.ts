import { Size, SizeRoundingBehavior } from 'cdk8s';

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|(n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;
const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/**
 * The value of a Kubernetes resource quantity (`100m`, `250Mi`, `1.5`, `1e3`), or undefined when it is not one.
 *
 * Precise enough to compare a limit with its request; not for arithmetic on exact values.
 */
export function parseQuantity(text: string): number | undefined {
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  const [, number, binary, decimal, exponent] = m;
  const scale = binary ? BINARY[binary] : decimal ? DECIMAL[decimal] : exponent ? 10 ** Number(exponent) : 1;
  return Number(number) * scale;
}

/** A Size as a Kubernetes quantity: whole mebibytes, else whole kibibytes, else fractional mebibytes. */
export function sizeQuantity(size: Size | undefined): string | undefined {
  if (size === undefined) return undefined;
  const mebibytes = size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
  if (Number.isInteger(mebibytes)) return `${mebibytes}Mi`;
  const kibibytes = size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
  return Number.isInteger(kibibytes) ? `${kibibytes}Ki` : `${mebibytes}Mi`;
}
