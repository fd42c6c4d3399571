import { parsePortList } from '../../../src/mesh/port-range';
import { Adapter, OurVerdict } from '../_conformance';

/** A port-set text through the library's port-list parser; parsed is the ports it covers, ascending. */
export const adapter: Adapter = (text: string): OurVerdict => {
  const { ranges, invalid } = parsePortList(text);
  if (invalid.length > 0) return { verdict: 'rejected', message: `not ports: ${invalid.join(', ')}` };
  const ports = new Set<number>();
  for (const range of ranges) for (let p = range.from; p <= range.to; p++) ports.add(p);
  return { verdict: 'accepted', parsed: [...ports].sort((a, b) => a - b) };
};
