import * as path from 'node:path';
import { run } from '../../src/cli/check';

/** The repository root, the folder fixtures are given relative to (as a user in a repository would). */
export const REPO = path.resolve(__dirname, '..', '..');
export const SEEDED = 'test/fixtures/check/seeded';
export const RUNBOOK = 'test/fixtures/check/runbook';

/** Runs `cdk8s-linkerd <args>` in-process from the repository root. */
export function check(args: string[], cwd = REPO): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = run(args, { stdout: t => { stdout += t; }, stderr: t => { stderr += t; }, cwd });
  return { code, stdout, stderr };
}

/** The findings of a `--format json` run, as `file:line severity rule`. */
export function findingsOf(args: string[], cwd = REPO): { code: number; findings: any[] } {
  const { code, stdout, stderr } = check(['check', '--format', 'json', ...args], cwd);
  if (stderr !== '') throw new Error(stderr);
  return { code, findings: JSON.parse(stdout).findings };
}
