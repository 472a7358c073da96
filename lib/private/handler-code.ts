import * as lambda from 'aws-cdk-lib/aws-lambda';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The handlers bundled at build time (scripts/build-handlers.mjs) into assets/handlers/<name>. */
export type HandlerName = 'audit' | 'drill' | 'probe' | 'failover' | 'replication-events' | 'backfill' | 'repair';

/**
 * The pre-bundled code of a handler. Works from the TypeScript sources (lib/) and from the
 * compiled package (dist/lib/): consumers need neither esbuild nor Docker.
 */
export function handlerCode(name: HandlerName): lambda.Code {
  const candidates = [
    join(__dirname, '..', '..', 'assets', 'handlers', name),
    join(__dirname, '..', '..', '..', 'assets', 'handlers', name),
  ];
  const dir = candidates.find((d) => existsSync(join(d, 'index.js')));
  if (!dir) {
    throw new Error(
      `the bundled "${name}" handler is missing (looked in ${candidates.join(', ')}): run "npm run build:handlers" (npm ci runs it) and synthesize again`,
    );
  }
  return lambda.Code.fromAsset(dir);
}
