import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

/** What upstream's own test says of one input. */
export type UpstreamVerdict = 'accepted' | 'rejected';

/** One case taken from an upstream test: facts only (the input, the verdict, the value parsed), never its code. */
export interface UpstreamCase {
  /** Unique within its source. */
  readonly id: string;
  /** `owner/repo@tag:path:line` of the assertion this case comes from. */
  readonly cite: string;
  /** The input, in whatever shape the source's adapter takes. */
  readonly input: unknown;
  /** What upstream decides. */
  readonly upstream: UpstreamVerdict;
  /** The value upstream's test expects the input to parse to, when it checks one. */
  readonly parsed?: unknown;
  /** Why our verdict differs from upstream's on purpose (a lint stricter than upstream); absent when we agree. */
  readonly deliberate?: string;
}

/** One data file under test/upstream/data: the cases of one upstream source. */
export interface UpstreamSource {
  /** The file name without `.yaml`; also the adapter's module name unless `adapter` says otherwise. */
  readonly name: string;
  /** `owner/repo@tag:path` of the upstream test file (or files). */
  readonly source: string;
  /** What upstream component the cases exercise (e.g. "policy-controller admission: Server"). */
  readonly covers: string;
  /** The adapter module under test/upstream/adapters. @default name */
  readonly adapter?: string;
  readonly cases: UpstreamCase[];
}

/** Our verdict on one input. */
export interface OurVerdict {
  readonly verdict: UpstreamVerdict;
  /** What we parsed, for cases where upstream checks a parsed value. */
  readonly parsed?: unknown;
  /** Our error message when we reject. */
  readonly message?: string;
}

/** Runs one case's input through the construct or rule of this library that covers it. */
export type Adapter = (input: any) => OurVerdict;

/** The folder of the data files. */
export const DATA_DIR = path.join(__dirname, 'data');

/** Every data file, by name. */
export function loadSources(): UpstreamSource[] {
  return fs.readdirSync(DATA_DIR).filter(f => f.endsWith('.yaml')).sort().map(f => {
    const doc = parse(fs.readFileSync(path.join(DATA_DIR, f), 'utf8')) as Omit<UpstreamSource, 'name'>;
    return { ...doc, name: f.replace(/\.yaml$/, '') };
  });
}

/** The adapter a source names. */
export function adapterOf(source: UpstreamSource): Adapter {

  const mod = require(path.join(__dirname, 'adapters', source.adapter ?? source.name)) as { adapter?: Adapter };
  if (typeof mod.adapter !== 'function') throw new Error(`test/upstream/adapters/${source.adapter ?? source.name} exports no adapter`);
  return mod.adapter;
}

/**
 * Our verdict, catching a rejection: an adapter may throw the library's ValidationError to reject, or return a verdict.
 */
export function judge(adapter: Adapter, input: unknown): OurVerdict {
  try {
    return adapter(input);
  } catch (e) {
    if ((e as Error).name === 'ValidationError') return { verdict: 'rejected', message: (e as Error).message };
    throw e;
  }
}

/** Runs `f` with argument and returns `rejected` with the ValidationError's message, or `accepted` with its value. */
export function verdictOf(f: () => unknown): OurVerdict {
  try {
    const parsed = f();
    return { verdict: 'accepted', parsed };
  } catch (e) {
    if ((e as Error).name === 'ValidationError') return { verdict: 'rejected', message: (e as Error).message };
    throw e;
  }
}
