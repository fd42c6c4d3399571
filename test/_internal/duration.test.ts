import { Duration } from 'cdk8s';
import { formatGoDuration, goDuration, parseGoDuration } from '../../src/_internal/duration';

describe('goDuration', () => {
  test.each([
    [Duration.hours(48), '48h0m0s'],
    [Duration.hours(8760), '8760h0m0s'],
    [Duration.minutes(5), '5m0s'],
    [Duration.minutes(90), '1h30m0s'],
    [Duration.seconds(30), '30s'],
    [Duration.millis(1500), '1.5s'],
    [Duration.millis(250), '250ms'],
    [Duration.seconds(0), '0s'],
    [Duration.days(90), '2160h0m0s'],
  ])('%s renders as Go would', (d, expected) => {
    expect(goDuration(d)).toBe(expected);
  });

  test('sub-millisecond and negative values follow Go', () => {
    expect(formatGoDuration(1500n)).toBe('1.5µs');
    expect(formatGoDuration(7n)).toBe('7ns');
    expect(formatGoDuration(-3_600_000_000_000n)).toBe('-1h0m0s');
  });
});

describe('parseGoDuration', () => {
  test.each([
    ['48h', 48n * 3_600_000_000_000n],
    ['48h0m0s', 48n * 3_600_000_000_000n],
    ['1h30m', 5_400_000_000_000n],
    ['1.5s', 1_500_000_000n],
    ['300ms', 300_000_000n],
    ['10us', 10_000n],
    ['0', 0n],
    ['-5m', -300_000_000_000n],
  ])('%s parses', (text, nanos) => {
    expect(parseGoDuration(text)).toBe(nanos);
  });

  test.each(['2d', '', 'h', '10', '1 h', '5m3', 'abc'])('fails on %j', text => {
    expect(parseGoDuration(text)).toBeUndefined();
  });

  test('round-trips through the formatter', () => {
    for (const text of ['48h0m0s', '1h0m0s', '5m0s', '30s', '1.5s', '250ms']) {
      expect(formatGoDuration(parseGoDuration(text)!)).toBe(text);
    }
  });
});
