import { Chart, Testing } from 'cdk8s';

/** The synthesized objects of one kind, in order. */
export function synthKind(chart: Chart, kind: string): any[] {
  return Testing.synth(chart).filter(o => o.kind === kind);
}

/** A fresh chart named 'test'. */
export function testChart(): Chart {
  return Testing.chart();
}
