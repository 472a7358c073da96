/**
 * One Lambda invocation of the audit handler in its own process, so that its peak memory can be
 * measured (bench/scale.ts runs it under GNU time). The handler is the bundle a deployment
 * uploads (assets/handlers/audit/index.js, built by scripts/build-handlers.mjs), loaded by plain
 * node as the Lambda runtime loads it, not the TypeScript source. Reads `{ event, env }` from the
 * JSON file named by the first argument, calls the handler with a context of 15 minutes, and
 * prints its result as JSON to `<file>.out` (stdout carries the handler's logs).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { invokeAudit } = require('../assets/handlers/audit/index.js');

const { event, env } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
try {
  const result = await invokeAudit(event, { getRemainingTimeInMillis: () => 900_000 }, { env, emit: () => undefined });
  writeFileSync(`${process.argv[2]}.out`, JSON.stringify(result));
} catch (err) {
  console.error(err);
  process.exitCode = 1;
}
