import { describeError } from '../shared/errors';
import { main } from './main';

/** The `cdk-s3-dr` executable: runs the command line and sets the exit code. */
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`cdk-s3-dr: ${describeError(err)}\n`);
    process.exitCode = 3;
  },
);
