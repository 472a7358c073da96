import { describeError } from '../shared/errors';
import { main } from './main';

/**
 * The `cdk-s3-dr` executable: runs the command line and sets the exit code. Once the command has
 * answered, the process ends even if a request is still hanging on a silent endpoint (a deadline
 * or a failure elsewhere ended the run): nothing left can change the outcome.
 */
function finish(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 200).unref();
}

main(process.argv.slice(2)).then(finish, (err) => {
  process.stderr.write(`cdk-s3-dr: ${describeError(err)}\n`);
  finish(3);
});
