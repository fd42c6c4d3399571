import { cronProblem } from '../../src/_internal/cron';

// robfig/cron's standard parser, as cert-manager reads renewal windows (cert-manager/cert-manager@v1.21.1:pkg/util/util.go:150-163)
describe('cronProblem', () => {
  test('accepts five fields, names, ranges, steps, descriptors and a time zone prefix', () => {
    for (const spec of ['0 * * * *', '*/15 2-4 1,15 jan-mar MON-FRI', '@daily', '@every 1h', 'CRON_TZ=Europe/Paris 0 3 * * *']) {
      expect([spec, cronProblem(spec)]).toStrictEqual([spec, undefined]);
    }
  });

  test('fails on each malformed spec with its reason', () => {
    expect(cronProblem('0 * * *')).toBe('expected exactly 5 fields (minute hour day-of-month month day-of-week), found 4');
    expect(cronProblem('@fortnightly')).toBe('unknown descriptor "@fortnightly"');
    expect(cronProblem('*/0 * * * *')).toBe('minute "*/0" has a bad step');
    expect(cronProblem('1-2-3 * * * *')).toBe('minute "1-2-3" is not a value or a range');
    expect(cronProblem('0 24 * * *')).toBe('hour "24" is outside 0-23');
    expect(cronProblem('TZ=Mars/Olympus 0 * * * *')).toBe('unknown time zone "Mars/Olympus"');
    expect(cronProblem('TZ=UTC')).toBe('a time zone prefix must be followed by a cron spec');
    // Go's time.LoadLocation reads a file: names are case-sensitive, unlike Intl; an alias still loads
    expect(cronProblem('TZ=europe/paris 0 * * * *')).toBe('unknown time zone "europe/paris"');
    expect(cronProblem('TZ=US/Pacific 0 * * * *')).toBeUndefined();
  });
});
