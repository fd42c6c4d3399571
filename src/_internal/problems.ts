import { IConstruct } from 'constructs';
import { throwIfProblems } from './errors';

/**
 * Collects the problems a rule set finds, so a rule reads as one line: `problems.add(dns1123LabelProblem(...))`
 * instead of building a list and filtering out the `undefined`s by hand.
 *
 * @internal
 */
export class Problems {
  private readonly found: string[] = [];

  /** Adds each problem that is not `undefined` (a helper's "no problem"). */
  public add(...problems: ReadonlyArray<string | undefined>): this {
    for (const problem of problems) if (problem !== undefined) this.found.push(problem);
    return this;
  }

  /** Adds every problem of a list (another rule set's result). */
  public addAll(problems: Iterable<string | undefined>): this {
    return this.add(...problems);
  }

  /** Adds `problem()` when `condition` holds; the message is only built when it is needed. */
  public when(condition: boolean, problem: () => string): this {
    if (condition) this.found.push(problem());
    return this;
  }

  /** The problems found, in the order they were added. */
  public get list(): readonly string[] {
    return this.found;
  }

  /** Whether no problem was found. */
  public get isEmpty(): boolean {
    return this.found.length === 0;
  }

  /** Throws one `ValidationError` at `scope` listing every problem, if there are any. */
  public throwIfAny(scope: IConstruct): void {
    throwIfProblems(this.found, scope);
  }
}
