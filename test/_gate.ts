import { SchemaGate } from '../src/gate/schema-gate';

let gate: SchemaGate | undefined;

/**
 * One schema gate per test file: loading reads and parses every vendored schema (~0.6 s, ~2 s cold) and each gate
 * compiles its validators again, so tests that only validate share one. Tests of loading itself call
 * `SchemaGate.load()`.
 */
export function sharedGate(): SchemaGate {
  gate ??= SchemaGate.load();
  return gate;
}
