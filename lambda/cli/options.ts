import { parseArgs } from 'node:util';
import { UsageError } from '../shared/errors';

/** One option: a string value or a flag. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
}

/** The parsed values: a string or a flag per option given, and `help`. */
export type OptionValues<O extends Record<string, OptionSpec>> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
} & { help?: boolean };

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * A command's options, parsed strictly: unknown options and positional arguments are refused
 * with a UsageError that names them and points at the command's --help. `--help` (`-h`) is
 * always accepted.
 */
export function parseOptions<const O extends Record<string, OptionSpec>>(
  command: string,
  args: string[],
  options: O,
): OptionValues<O> {
  try {
    return parseArgs({ args, options: { ...options, ...HELP }, strict: true, allowPositionals: false })
      .values as OptionValues<O>;
  } catch (err) {
    const m = (err as Error).message.replace(/\.?\s*To specify a positional argument.*$/s, '');
    throw new UsageError(
      `${m.charAt(0).toLowerCase()}${m.slice(1)}: run 'cdk-s3-dr ${command} --help' for the options`,
    );
  }
}

/** An http(s) endpoint given with `option`, or undefined when not given. */
export function endpointOption(option: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^https?:\/\/[^/\s]+(\/\S*)?$/.test(value)) {
    throw new UsageError(`${option} "${value}" is not an http(s) endpoint: write for example http://127.0.0.1:7480`);
  }
  return value;
}
