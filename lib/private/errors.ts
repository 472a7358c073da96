import { IConstruct } from 'constructs';

/** One invalid prop: where, what, and how to fix it. */
export interface PropProblem {
  /** The prop, with its path inside the props object, e.g. `destinations[1].prefix`. */
  readonly prop: string;
  /** The offending value, rendered for the message. */
  readonly value: unknown;
  /** What is wrong, lower case, no trailing period. */
  readonly problem: string;
  /** What to do instead. */
  readonly fix: string;
  /**
   * The value the fix proposes, when it proposes one (it passes the same check).
   * @default - the fix describes what to do, without a value
   */
  readonly replacement?: unknown;
}

/**
 * Thrown at synth time when a construct's props are invalid. It carries every problem found
 * for the construct, not just the first, so one run shows everything to fix.
 */
export class InvalidPropsError extends Error {
  constructor(
    readonly constructPath: string,
    readonly problems: readonly PropProblem[],
  ) {
    super(InvalidPropsError.render(constructPath, problems));
    this.name = 'InvalidPropsError';
  }

  private static render(path: string, problems: readonly PropProblem[]): string {
    const lines = problems.map((p) => `  - ${p.prop} = ${renderValue(p.value)}: ${p.problem}; fix: ${p.fix}`);
    const n = problems.length;
    return `${path}: ${n} invalid prop${n === 1 ? '' : 's'}\n${lines.join('\n')}`;
  }
}

/** Throws one InvalidPropsError naming the construct path when there are problems. */
export function throwIfInvalid(scope: IConstruct, problems: readonly PropProblem[]): void {
  if (problems.length > 0) throw new InvalidPropsError(scope.node.path, problems);
}

function renderValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const s = JSON.stringify(value);
    return s.length > 120 ? s.slice(0, 117) + '...' : s;
  } catch {
    return String(value);
  }
}
