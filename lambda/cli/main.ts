import {
  AccessError,
  accessErrorFrom,
  describeError,
  EXIT_CODES,
  IncompleteError,
  OutputError,
  serviceFailure,
  UsageError,
} from '../shared/errors';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS, MAX_REQUEST_TIMEOUT_SECONDS, setRequestTimeoutMs } from '../shared/timeouts';
import { CliIO, processIO } from './io';
import { EXIT_CODES_HELP, LIMITS_HELP, runLimits } from './options';

/** A subcommand: parses its own arguments, returns the exit code (0 ok, 1 findings). */
export type Subcommand = (args: string[], io: CliIO) => Promise<number>;

/** Commands with a default overall deadline (seconds): failover only reads a handful of values. */
const DEFAULT_DEADLINE_SECONDS: Record<string, number | undefined> = { failover: 120 };

const USAGE = `usage: cdk-s3-dr <command> [options]

commands:
  audit     prove the replica matches the source (read-only)
  drill     restore a sample from the replica into a scratch target and verify it
  failover  show (--dry-run) or approve (--approve) what the failover controller would do
  failback  return routing to the source once the failover's writes are home (waits or repairs)
  backfill  replicate existing or failed objects with an S3 Batch Replication job
  repair    make one side match the other where an audit finds them different (dry run by default)

options of every command:
${LIMITS_HELP}

run 'cdk-s3-dr <command> --help' for the options of a command.

${EXIT_CODES_HELP}`;

async function loadCommand(name: string): Promise<Subcommand | undefined> {
  switch (name) {
    case 'audit':
      return (await import('./audit-command')).auditCommand;
    case 'drill':
      return (await import('./drill-command')).drillCommand;
    case 'failover':
      return (await import('./failover-command')).failoverCommand;
    case 'failback':
      return (await import('./failback-command')).failbackCommand;
    case 'backfill':
      return (await import('./backfill-command')).backfillCommand;
    case 'repair':
      return (await import('./repair-command')).repairCommand;
    default:
      return undefined;
  }
}

class DeadlinePassed extends Error {
  constructor(readonly seconds: number) {
    super(`the deadline of ${seconds} s passed`);
  }
}

/** Prints a failure the way every command prints it and returns its exit code. */
export function reportFailure(name: string, err: unknown, io: CliIO): number {
  const prefix = `cdk-s3-dr ${name}`;
  if (err instanceof UsageError) {
    io.err(`${prefix}: ${err.message}`);
    return err.exitCode;
  }
  if (err instanceof AccessError || err instanceof OutputError) {
    io.err(`${prefix}: ${err.message}`);
    io.err(`next: ${err.next}`);
    return err.exitCode;
  }
  if (err instanceof DeadlinePassed) {
    io.err(`${prefix}: the run could not complete: ${err.message} (--deadline)`);
    io.err(
      'next: check that every endpoint answers (a silent one holds each request for --request-timeout), or give a longer --deadline',
    );
    return EXIT_CODES.incomplete;
  }
  const failure = serviceFailure(err);
  if (failure?.kind === 'access') {
    const a = accessErrorFrom(failure);
    io.err(`${prefix}: ${a.message}`);
    io.err(`next: ${a.next}`);
    return a.exitCode;
  }
  if (err instanceof IncompleteError) {
    io.err(`${prefix}: the run could not complete: ${err.message}`);
    io.err(`next: ${err.next}`);
    return err.exitCode;
  }
  if (failure) {
    io.err(
      `${prefix}: the run could not complete: a service was unreachable or failing: ${describeError(failure.error)}`,
    );
    io.err('next: check that the endpoints and regions are right and reachable, then run the command again');
    return EXIT_CODES.incomplete;
  }
  io.err(`${prefix}: the run could not complete: ${describeError(err)}`);
  io.err('next: check the endpoints, regions and credentials, then run the command again');
  return EXIT_CODES.incomplete;
}

/** Runs the CLI and returns the exit code; never calls process.exit (tests call this directly). */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return name ? 0 : 2;
  }
  const command = await loadCommand(name);
  if (!command) {
    io.err(`cdk-s3-dr: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    const limits = runLimits(rest, MAX_REQUEST_TIMEOUT_SECONDS);
    setRequestTimeoutMs((limits.requestTimeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS) * 1000);
    const deadline = limits.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS[name];
    const run = command(rest, io);
    if (deadline === undefined) return await run;
    run.catch(() => undefined); // settled after the deadline: already reported
    return await Promise.race([
      run,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DeadlinePassed(deadline)), deadline * 1000);
      }),
    ]);
  } catch (err) {
    return reportFailure(name, err, io);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
