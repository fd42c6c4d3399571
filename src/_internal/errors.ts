import { IConstruct } from 'constructs';

/**
 * A bad input, reported with the construct path of the construct that received it (or, for an input given outside
 * any construct, the name of the static method that received it).
 *
 * The message reads `[<path>] <what is wrong, the offending value, what is allowed>`.
 */
export class ValidationError extends Error {
  /** The path of the construct that rejected its input, or the name of the static method that did. */
  public readonly constructPath: string;

  /**
   * @param problems one or more lowercase messages that each name the offending value and what is allowed
   * @param scope the construct that received the input, or the name of a static method such as `'LinkerdVersion.of'`
   * that received it outside any construct
   */
  constructor(problems: string | readonly string[], scope: IConstruct | string) {
    const list = typeof problems === 'string' ? [problems] : problems;
    const path = typeof scope === 'string' ? scope : scope.node.path;
    super(list.length === 1 ? `[${path}] ${list[0]}` : `[${path}] ${list.length} problems:\n  - ${list.join('\n  - ')}`);
    this.name = 'ValidationError';
    this.constructPath = path;
  }
}

/** Throws one {@link ValidationError} listing every problem, if there are any. */
export function throwIfProblems(problems: readonly string[], scope: IConstruct): void {
  if (problems.length > 0) {
    throw new ValidationError(problems, scope);
  }
}
