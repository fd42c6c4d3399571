import { parseGoDuration } from '../../../src/_internal/duration';
import { Adapter, OurVerdict } from '../_conformance';

/** A duration text through the library's Go-duration parser (ServiceProfile route timeouts, retry-budget ttl); nanoseconds as text. */
export const adapter: Adapter = (text: string): OurVerdict => {
  const nanos = parseGoDuration(text);
  return nanos === undefined ? { verdict: 'rejected', message: `${JSON.stringify(text)} is not a Go duration` } : { verdict: 'accepted', parsed: String(nanos) };
};
