import { spawnSync, SpawnSyncOptions } from 'node:child_process';

/** One command's timings, in milliseconds. */
export interface Timing {
  readonly name: string;
  readonly samples: number[];
  readonly median: number;
}

/** The median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs a command once and returns its wall time in ms; throws when it fails. */
export function timeCommand(command: string, args: string[], options: SpawnSyncOptions = {}): number {
  const start = process.hrtime.bigint();
  const run = spawnSync(command, args, { encoding: 'utf8', ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  return ms;
}

/**
 * Runs several commands `rounds` times each, interleaved (round-robin), so that a noisy machine affects them alike
 * and the ratios hold; one warm-up run each first.
 */
export function interleave(commands: { name: string; run: () => number }[], rounds: number): Timing[] {
  for (const c of commands) c.run();
  const samples = commands.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) commands.forEach((c, i) => samples[i].push(c.run()));
  return commands.map((c, i) => ({ name: c.name, samples: samples[i], median: median(samples[i]) }));
}
