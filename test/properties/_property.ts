import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { ValidationError } from '../../src/_internal/errors';
import { SchemaGate } from '../../src/gate/schema-gate';
import { secretProblems } from '../../src/synth';

/** Cases per family: a small sample in `npm test`, ≥ 10,000 in `npm run test:props`. */
export const RUNS = Number(process.env.PROPS_RUNS ?? 60);
/** The recorded seed, so any failure replays. */
export const SEED = Number(process.env.PROPS_SEED ?? 20261127);

let gate: SchemaGate | undefined;

/**
 * The property every construct family must have: random props give either a typed validation error (at
 * construction or at synth) or objects that pass the output gate (schema and secret guard) — never an invalid object,
 * never an unexplained crash.
 */
export function validOrTypedError<T>(arbitrary: fc.Arbitrary<T>, build: (chart: Chart, props: T) => void): { valid: number; rejected: number } {
  gate ??= SchemaGate.load();
  const counts = { valid: 0, rejected: 0 };
  fc.assert(fc.property(arbitrary, props => {
    const chart = Testing.chart();
    let objects: any[];
    try {
      build(chart, props);
      objects = Testing.synth(chart);
    } catch (e) {
      if (e instanceof ValidationError || /^Validation failed with the following errors:\n {2}\[/.test((e as Error).message)) {
        counts.rejected++;
        return;
      }
      throw e;
    }
    const problems = [
      ...gate!.validateAll(objects).map(p => `${p.object}: ${p.message}`),
      ...secretProblems([{ file: 'chart', text: JSON.stringify(objects), documents: objects }], chart),
    ];
    if (problems.length > 0) throw new Error(`invalid output for ${JSON.stringify(props)}:\n${problems.join('\n')}`);
    counts.valid++;
  }), { numRuns: RUNS, seed: SEED });
  // a family whose arbitraries never produce valid props would test only the error path
  if (counts.valid < RUNS / 20) throw new Error(`only ${counts.valid} of ${RUNS} cases were valid: widen the valid part of the arbitraries`);
  return counts;
}

/** Mostly valid values (19 in 20), sometimes anything: with many fields, both paths still get exercised. */
export function mostly<T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: valid, weight: 19 }, { arbitrary: other, weight: 1 });
}

/** A DNS-1123 label. */
export const dnsLabel = fc.stringMatching(/^[a-z]([-a-z0-9]{0,20}[a-z0-9])?$/);

/** Strings that are mostly valid DNS-1123 names and sometimes not. */
export const dnsName = mostly(fc.oneof(dnsLabel, fc.stringMatching(/^[a-z]{1,10}(\.[a-z]{1,10}){1,3}$/)), fc.string({ maxLength: 30 }));

/** A label or annotation map: mostly empty or valid, sometimes anything. */
export const labels = mostly(
  fc.dictionary(fc.stringMatching(/^([a-z]{1,8}\.io\/)?[a-z][a-z0-9-]{0,10}[a-z0-9]$/), fc.stringMatching(/^([a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?)?$/), { maxKeys: 2 }),
  fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 10 }), { maxKeys: 2 }),
);
