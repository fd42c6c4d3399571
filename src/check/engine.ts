import type { Finding, RuleFamily, Severity } from './_types';
import { RULE_FAMILIES } from './families';
import type { ReadResult } from './read';
import { fileSecretFindings } from './secrets';

/** How `check` judges its findings. */
export interface CheckOptions {
  /**
   * Warnings (this library's stricter safety lints) count as errors.
   *
   * @default false
   */
  readonly strict?: boolean;
  /**
   * The rule families to run.
   *
   * @default - every family of {@link RULE_FAMILIES}
   */
  readonly families?: readonly RuleFamily[];
}

/** What `check` found. */
export interface CheckResult {
  /** Every finding, sorted by file and line (findings about the input as a whole last), notes on skipped input included. */
  readonly findings: Finding[];
  /** How many findings of each severity. */
  readonly counts: Readonly<Record<Severity, number>>;
  /** How many files and Kubernetes objects were read. */
  readonly files: number;
  readonly objects: number;
  /** The process's exit code: 0 when nothing is an error, 1 when something is, 2 when the input was unusable. */
  readonly exitCode: 0 | 1 | 2;
}

/**
 * Runs every rule family over what was read and judges the findings: `--strict` turns warnings into errors; unusable
 * input (a path that cannot be read, YAML that does not parse, a rule family that failed) makes the exit code 2 while
 * the rest is still checked and reported.
 *
 * The families follow one policy: an error is what Kubernetes or an upstream admission webhook would reject, or what
 * would break or silently misbehave in the cluster; a warning is a stricter lint of this library; a reference to an
 * object that is not in the input is a note, since the input may be a partial view of a cluster.
 */
export function runCheck(input: ReadResult, options: CheckOptions = {}): CheckResult {
  const found: Finding[] = [...input.unusable, ...input.notes];
  let unusable = input.unusable.length > 0;
  for (const family of options.families ?? RULE_FAMILIES) {
    try {
      found.push(...family.run(input.objects));
    } catch (e) {
      // a bug in one family must not hide the others' findings, nor print a stack
      unusable = true;
      found.push({ severity: 'error', rule: `${family.name}/failed`, message: `the ${family.name} rules failed and checked nothing: ${(e as Error)?.message ?? String(e)}` });
    }
  }
  const guarded = new Set(found.filter(f => f.rule.startsWith('secrets/') && f.source).map(f => f.source!.file));
  found.push(...fileSecretFindings(input.files.filter(f => !guarded.has(f.file))));

  const findings = sortFindings(options.strict ? found.map(f => (f.severity === 'warning' ? { ...f, severity: 'error' as const } : f)) : found);
  const counts = { error: 0, warning: 0, note: 0 };
  for (const f of findings) counts[f.severity]++;
  return {
    findings,
    counts,
    files: input.files.length,
    objects: input.objects.length,
    exitCode: unusable ? 2 : counts.error > 0 ? 1 : 0,
  };
}

/** Where a finding is: its object's file and line, else its own location; undefined for the input as a whole. */
export function locationOf(f: Finding): { readonly file: string; readonly line: number } | undefined {
  return f.source ? { file: f.source.file, line: f.source.line } : f.location;
}

/** Sorted by file (byte order, so the same on every machine) and line; stable, so a line keeps the families' order. */
function sortFindings(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i, at: locationOf(f) }))
    .sort((a, b) => {
      if (!a.at || !b.at) return a.at ? -1 : b.at ? 1 : a.i - b.i;
      if (a.at.file !== b.at.file) return a.at.file < b.at.file ? -1 : 1;
      return a.at.line - b.at.line || a.i - b.i;
    })
    .map(({ f }) => f);
}
