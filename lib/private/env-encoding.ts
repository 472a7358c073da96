import { Stack, Tokenization } from 'aws-cdk-lib';
import { EnvEncoding } from '../../lambda/shared/env';

/**
 * How a construct writes a handler's contract into the function's environment: numbers and JSON
 * documents that hold deploy-time tokens stay resolvable (a plain `String(token)` or
 * `JSON.stringify` would not).
 */
export function envEncoding(stack: Stack): EnvEncoding {
  return {
    number: (value) => Tokenization.stringifyNumber(value),
    json: (value) => stack.toJsonString(value),
  };
}
