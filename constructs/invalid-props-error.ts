import { IConstruct } from 'constructs';

/**
 * A construct was given props it cannot build from. The message names every
 * prop, its value and what to use instead; apps print it without a stack trace.
 */
export class InvalidPropsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPropsError';
  }
}

/** Throws one {@link InvalidPropsError} listing every problem, prefixed with the construct and its path. */
export function throwIfProblems(
  constructName: string,
  scope: IConstruct,
  problems: readonly string[],
): void {
  if (problems.length > 0) {
    throw new InvalidPropsError(`${constructName} ${scope.node.path}: ${problems.join('; ')}`);
  }
}
