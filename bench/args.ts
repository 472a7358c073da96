/**
 * The benchmarks' command-line options: `--name value` and bare `--name` switches, nothing else.
 * Kept apart from common.ts, which loads the S3 client, so that benchmarks without a stand
 * (partition, cost model) stay light.
 */

/** The value of `--name`, or `def` when it is not given. */
export function stringArg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}

/** Whether the switch `--name` is given. */
export function flagArg(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

/** The value of `--name` as a number (NaN when it is not one), or `def` when it is not given. */
export function numberArg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

/** The value of `--name`, one of `values` (the first when it is not given); any other is an error. */
export function choiceArg<T extends string>(name: string, values: readonly T[]): T {
  const v = stringArg(name, values[0]) as T;
  if (!values.includes(v)) throw new Error(`--${name} must be one of ${values.join(', ')}, got ${v}`);
  return v;
}
