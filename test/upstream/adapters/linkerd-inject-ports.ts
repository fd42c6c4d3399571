import { parsePortList } from '../../../src/mesh/port-range';
import { Adapter, OurVerdict } from '../_conformance';

type PortsInput = { readonly port: string } | { readonly range: string } | { readonly list: string };

/** A port, a range or a list through the library's port-list parser; parsed is the ports it covers, ascending. */
export const adapter: Adapter = (input: PortsInput): OurVerdict => {
  const text = 'port' in input ? input.port : 'range' in input ? input.range : input.list;
  const { ranges, invalid } = parsePortList(text);
  if (invalid.length > 0) return { verdict: 'rejected', message: `not ports: ${invalid.join(', ')}` };
  // a single port or range is one entry; a list may have any number
  if (!('list' in input) && (ranges.length !== 1 || text.includes(','))) return { verdict: 'rejected', message: `${JSON.stringify(text)} is not one port or range` };
  const ports = new Set<number>();
  for (const range of ranges) for (let p = range.from; p <= range.to; p++) ports.add(p);
  return { verdict: 'accepted', parsed: [...ports].sort((a, b) => a - b) };
};
