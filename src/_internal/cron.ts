const CRON_FIELDS: ReadonlyArray<{ name: string; min: number; max: number; names?: string[] }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];
/** robfig/cron's descriptors. */
export const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** Whether Node's ICU knows an IANA time zone name (Go's `time.LoadLocation`; `UTC` and `Local` always load). */
export function isTimeZone(tz: string): boolean {
  if (tz === 'UTC' || tz === 'Local') return true;
  try {
    // Intl ignores case, Go's LoadLocation (a file name on Linux) does not: `europe/paris` is refused there
    const canonical = new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone;
    return canonical === tz || canonical.toLowerCase() !== tz.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * The problem with a cron spec as robfig/cron's standard parser reads it (five fields or a descriptor, an optional
 * `CRON_TZ=`/`TZ=` prefix), or undefined. cert-manager parses renewal windows so
 * (cert-manager/cert-manager@v1.21.1:pkg/util/util.go:150-163), and so does Kubernetes a CronJob's schedule.
 */
export function cronProblem(spec: string): string | undefined {
  let rest = spec.trim();
  const tz = /^(CRON_TZ|TZ)=/.exec(rest);
  if (tz) {
    const space = rest.indexOf(' ');
    if (space < 0) return 'a time zone prefix must be followed by a cron spec';
    if (!isTimeZone(rest.slice(tz[0].length, space))) return `unknown time zone ${JSON.stringify(rest.slice(tz[0].length, space))}`;
    rest = rest.slice(space + 1).trim();
  }
  if (rest.startsWith('@')) {
    if (DESCRIPTORS.includes(rest) || /^@every \S+$/.test(rest)) return undefined;
    return `unknown descriptor ${JSON.stringify(rest)}`;
  }
  const fields = rest.split(/\s+/).filter(f => f !== '');
  if (fields.length !== 5) return `expected exactly 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`;
  for (let f = 0; f < 5; f++) {
    const { name, min, max, names } = CRON_FIELDS[f];
    const value = (text: string): number | undefined => {
      const i = names?.indexOf(text.toLowerCase()) ?? -1;
      if (i >= 0) return i + min;
      return /^\d+$/.test(text) ? Number(text) : undefined;
    };
    for (const part of fields[f].split(',')) {
      const [range, step, extra] = part.split('/');
      if (extra !== undefined || (step !== undefined && !/^[1-9]\d*$/.test(step))) return `${name} ${JSON.stringify(part)} has a bad step`;
      if (range === '*' || range === '?') continue;
      const bounds = range.split('-');
      if (bounds.length > 2) return `${name} ${JSON.stringify(part)} is not a value or a range`;
      const [lo, hi] = bounds.map(value);
      if (lo === undefined || (bounds.length === 2 && hi === undefined)) return `${name} ${JSON.stringify(part)} is not a value or a range`;
      if (lo < min || (hi ?? lo) > max || (hi ?? lo) < lo) return `${name} ${JSON.stringify(part)} is outside ${min}-${max}`;
    }
  }
  return undefined;
}
