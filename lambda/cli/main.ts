import { describeError, IncompleteError, UsageError } from '../shared/errors';
import { CliIO, processIO } from './io';

/** A subcommand: parses its own arguments, returns the exit code (0 ok, 1 findings). */
export type Subcommand = (args: string[], io: CliIO) => Promise<number>;

const USAGE = `usage: cdk-s3-dr <command> [options]

commands:
  audit     prove the replica matches the source (read-only)
  drill     restore a sample from the replica into a scratch target and verify it
  failover  show (--dry-run) or approve (--approve) what the failover controller would do
  failback  return routing to the source, only after a replica-to-source audit passes

run 'cdk-s3-dr <command> --help' for the options of a command.

exit codes: 0 consistent / drill passed, 1 discrepancies or drill failures found,
            2 bad usage or input, 3 the run could not complete`;

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
    default:
      return undefined;
  }
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
  try {
    return await command(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`cdk-s3-dr ${name}: ${err.message}`);
      return err.exitCode;
    }
    if (err instanceof IncompleteError) {
      io.err(`cdk-s3-dr ${name}: the run could not complete: ${err.message}`);
      io.err(`next: ${err.next}`);
      return err.exitCode;
    }
    io.err(`cdk-s3-dr ${name}: the run could not complete: ${describeError(err)}`);
    io.err('next: check the endpoints, regions and credentials, then run the command again');
    return 3;
  }
}
