/**
 * How a handler's contract writes its configuration into the Lambda environment (`toEnv`, at
 * synth time) and reads it back (`fromEnv`, in the handler). Pure: no AWS SDK, no aws-cdk-lib.
 * Every problem names the variable, the value and the fix, and all of them are reported at once.
 */
import { UsageError } from './errors';
import {
  bucketNameProblem,
  endpointProblem,
  Limits,
  prefixProblems,
  regionProblem,
  wholeNumberFromText,
  wholeNumberProblem,
} from './rules';

/** The environment as Lambda (and `process.env`) gives it. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * How values become environment strings. Plain values by default; a construct passes one that
 * keeps deploy-time tokens (a number token, a JSON document holding tokens) resolvable.
 */
export interface EnvEncoding {
  number(value: number): string;
  json(value: unknown): string;
}

export const PLAIN_ENCODING: EnvEncoding = {
  number: (value) => String(value),
  json: (value) => JSON.stringify(value),
};

/** Reads variables of one environment, collecting every problem; `done` throws them together. */
export class EnvReader {
  private readonly problems: string[] = [];

  constructor(
    private readonly env: Env,
    /** Heads the error: "invalid <what> configuration". */
    private readonly what: string,
  ) {}

  /** Records a problem of a variable: `environment variable NAME="value" <problem>: <fix>`. */
  problem(name: string, value: string | undefined, problem: string, fix: string): void {
    this.problems.push(
      value === undefined
        ? `environment variable ${name} is not set: ${fix}`
        : `environment variable ${name}="${value}" ${problem}: ${fix}`,
    );
  }

  /** The raw value, undefined when unset or empty. */
  raw(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  /** A required bucket name. */
  bucket(name: string, whose: string): string {
    const v = this.raw(name);
    if (v === undefined) {
      this.problem(name, undefined, '', `the construct sets it; set it to the ${whose} bucket's name`);
      return '';
    }
    const p = bucketNameProblem(v);
    if (p)
      this.problem(
        name,
        v,
        `is not a valid bucket name (${p})`,
        'use 3-63 lower-case letters, digits, dots and hyphens',
      );
    return v;
  }

  /**
   * A region: the variable, else `fallback` (AWS_REGION); a problem when neither is set. With a
   * custom `endpoint`, any signing region name the server uses.
   */
  region(name: string, whose: string, fallback?: string, endpoint?: string): string {
    const v = this.raw(name) ?? (fallback?.trim() || undefined);
    if (v === undefined) {
      this.problem(
        name,
        undefined,
        '',
        `set it (or AWS_REGION) to the ${whose} bucket's region, for example eu-west-1`,
      );
      return '';
    }
    const p = regionProblem(v, endpoint !== undefined);
    if (p) this.problem(name, v, `is ${p}`, 'use a region code such as eu-west-1');
    return v;
  }

  /** A key prefix ('' when unset). */
  prefix(name: string): string {
    const v = this.env[name] ?? '';
    for (const p of prefixProblems(v)) this.problem(name, v, `is not a key prefix: ${p.problem}`, `write "${p.near}"`);
    return v;
  }

  /** An optional custom endpoint. */
  endpoint(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const p = endpointProblem(v);
    if (p) this.problem(name, v, `is ${p}`, 'write http(s)://host:port, or leave it unset for AWS');
    return v;
  }

  /** A whole number within `limits`; `fallback` when unset (a problem when there is none). */
  wholeNumber(name: string, limits: Limits, fallback: number | undefined, unit = ''): number {
    const v = this.raw(name);
    const range = `a whole number${unit ? ` of ${unit}` : ''} from ${limits.min} to ${limits.max}`;
    if (v === undefined) {
      if (fallback === undefined) this.problem(name, undefined, '', `set it to ${range}`);
      return fallback ?? limits.min;
    }
    const n = wholeNumberFromText(v);
    const p = wholeNumberProblem(n, limits.min, limits.max);
    if (p) {
      this.problem(name, v, `is not ${range}`, `give ${range}`);
      return fallback ?? limits.min;
    }
    return n;
  }

  /** "true" or "false" (any case); `fallback` when unset. */
  boolean(name: string, fallback: boolean): boolean {
    const v = this.raw(name)?.toLowerCase();
    if (v === undefined) return fallback;
    if (v !== 'true' && v !== 'false') this.problem(name, this.raw(name), 'is not a boolean', 'write true or false');
    return v === 'true';
  }

  /** One of `values`; `fallback` when unset. */
  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!(values as readonly string[]).includes(v)) {
      this.problem(name, v, 'is not a known value', `use one of ${values.join(', ')}`);
      return fallback;
    }
    return v as T;
  }

  /** A name matching `pattern` (`fallback` when unset and there is one). */
  name(name: string, pattern: RegExp, fix: string, fallback?: string): string {
    const v = this.raw(name) ?? fallback;
    if (v === undefined) {
      this.problem(name, undefined, '', fix);
      return '';
    }
    if (!pattern.test(v)) this.problem(name, v, 'is not a valid name', fix);
    return v;
  }

  /** Throws one UsageError listing every problem found, if any. */
  done(): void {
    if (this.problems.length === 0) return;
    throw new UsageError(`invalid ${this.what} configuration:\n  - ${this.problems.join('\n  - ')}`);
  }
}
