import { parseArgs } from 'node:util';
import { endpointProblem, SIGNING_REGION_PATTERN } from '../shared/rules';
import { UsageError } from '../shared/errors';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS } from '../shared/timeouts';

/** The exit codes, as every command's --help states them. */
export const EXIT_CODES_HELP = `exit codes: 0 consistent / drill passed / nothing to do, 1 discrepancies, drill failures, differences a repair
            leaves, a backfill job's failed objects, or failback refused (or awaiting approval),
            2 bad usage or input, 3 a service was unreachable or failing (or the deadline passed),
            4 a permission or configuration problem (access denied, credentials, missing bucket, wrong region),
            5 a local output (report, JSON Lines, checkpoint) could not be written`;

/** The options every command takes, for --help. */
export const LIMITS_HELP = `  --request-timeout SECONDS     how long one request waits for an answer (default ${DEFAULT_REQUEST_TIMEOUT_SECONDS}); a request
                                that gets none is tried 3 times, so a silent endpoint fails in about 3 x this
  --deadline SECONDS            stop the whole run after this long with exit 3 (default: none; failover 120)`;

/** One option: a string value or a flag. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
}

/** The parsed values: a string or a flag per option given, and `help`. */
export type OptionValues<O extends Record<string, OptionSpec>> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
} & { help?: boolean };

/** The two buckets compared and where each is: the same flags for every command that takes a pair. */
export const PAIR_OPTIONS = {
  source: { type: 'string' },
  replica: { type: 'string' },
  'source-region': { type: 'string' },
  'replica-region': { type: 'string' },
  'source-endpoint': { type: 'string' },
  'replica-endpoint': { type: 'string' },
} as const;

/** Accepted by every command: `--help`, and the limits main() applies before the command runs. */
const COMMON = {
  help: { type: 'boolean', short: 'h' },
  'request-timeout': { type: 'string' },
  deadline: { type: 'string' },
} as const;

/** `--opt -5`: Node's parser takes "-5" for an option ("argument is ambiguous"); join it as `--opt=-5`. */
function joinNegativeValues(args: string[], options: Record<string, OptionSpec>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith('--') ? args[i].slice(2) : undefined;
    const next = args[i + 1];
    if (name && options[name]?.type === 'string' && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${args[i]}=${next}`);
      i++;
    } else out.push(args[i]);
  }
  return out;
}

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
  const all = { ...options, ...COMMON };
  try {
    return parseArgs({ args: joinNegativeValues(args, all), options: all, strict: true, allowPositionals: false })
      .values as OptionValues<O>;
  } catch (err) {
    const ambiguous = /^Option '(-[^' ]+)[^']*' argument is ambiguous/.exec((err as Error).message);
    if (ambiguous) {
      throw new UsageError(
        `${ambiguous[1]} needs a value, and the word after it starts with "-": write a value starting with "-" as ${ambiguous[1]}=-value, or give the missing value: run 'cdk-s3-dr ${command} --help' for the options`,
      );
    }
    const m = (err as Error).message.replace(/\.?\s*To specify a positional argument.*$/s, '');
    throw new UsageError(
      `${m.charAt(0).toLowerCase()}${m.slice(1)}: run 'cdk-s3-dr ${command} --help' for the options`,
    );
  }
}

/** An http(s) endpoint given with `option`, or undefined when not given. */
export function endpointOption(option: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (endpointProblem(value) !== undefined) {
    throw new UsageError(`${option} "${value}" is not an http(s) endpoint: write for example http://127.0.0.1:7480`);
  }
  return value;
}

/** AWS region names (eu-west-1, us-gov-west-1) or the signing region of an S3-compatible server. */
const REGION = SIGNING_REGION_PATTERN;

/** A region given with `option`, or undefined when not given. */
export function regionOption(option: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!REGION.test(value)) {
    throw new UsageError(
      `${option} "${value}" is not a region name: write it as AWS names it, lower case with hyphens, e.g. us-east-1`,
    );
  }
  return value;
}

/** Refuses options that contradict each other, naming both. */
export function conflicting(values: Record<string, unknown>, pairs: readonly [string, string, string][]): void {
  for (const [a, b, why] of pairs) {
    if (values[a] !== undefined && values[a] !== false && values[b] !== undefined && values[b] !== false) {
      throw new UsageError(`--${a} and --${b} cannot be given together: ${why}`);
    }
  }
}

/** The run limits every command takes: `--request-timeout` and `--deadline`, in seconds. */
export interface RunLimits {
  readonly requestTimeoutSeconds?: number;
  readonly deadlineSeconds?: number;
}

function limitValue(option: string, raw: string, max: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new UsageError(`${option} "${raw}" must be a whole number of seconds from 1 to ${max}`);
  }
  return Number(raw);
}

/** Reads `--request-timeout` and `--deadline` from a command's arguments (the command accepts and ignores them). */
export function runLimits(args: readonly string[], maxRequestTimeout: number): RunLimits {
  let requestTimeoutSeconds: number | undefined;
  let deadlineSeconds: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const m = /^--(request-timeout|deadline)(?:=(.*))?$/.exec(args[i]);
    if (!m) continue;
    const raw = m[2] ?? args[i + 1];
    if (m[2] === undefined) i++;
    if (raw === undefined) throw new UsageError(`--${m[1]} needs a number of seconds, e.g. --${m[1]} 30`);
    if (m[1] === 'request-timeout') requestTimeoutSeconds = limitValue('--request-timeout', raw, maxRequestTimeout);
    else deadlineSeconds = limitValue('--deadline', raw, 7 * 24 * 3600);
  }
  return { requestTimeoutSeconds, deadlineSeconds };
}
