/**
 * One Lambda invocation of the audit handler in its own process, so that its peak memory can be
 * measured (bench/scale.ts runs it under GNU time): reads `{ event, env }` from the JSON file
 * named by the first argument, calls the real handler with a context of 15 minutes, and prints
 * its result as JSON to `<file>.out` (stdout carries the handler's logs).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { invokeAudit } from '../lambda/audit/index';

async function main() {
  const { event, env } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const result = await invokeAudit(event, { getRemainingTimeInMillis: () => 900_000 }, { env, emit: () => undefined });
  writeFileSync(`${process.argv[2]}.out`, JSON.stringify(result));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
