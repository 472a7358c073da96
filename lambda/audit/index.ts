/**
 * Consistency audit Lambda: a thin adapter. The environment the construct sets is parsed here
 * (configFromEnv); the event is validated in event.ts; an invocation either runs one range
 * (run-range.ts) or merges the ranges of a distributed run (merge-run.ts); both emit the run's
 * metrics through metrics.ts.
 */
import { UsageError } from '../shared/errors';
import { handlerLogger } from '../shared/logger';
import { createS3Client, RequestStats } from '../shared/s3-client';
import { applyTimeoutEnv } from '../shared/timeouts';
import { AuditConfig, fromEnv } from './contract';
import { parseEvent } from './event';
import { planStep, PlanStepResult } from './plan-step';
import { mergeRun } from './merge-run';
import { runInventoryInvocation } from './inventory-invocation';
import { AuditHandlerResult, AuditInvocationDeps, LambdaContextLike, runRange } from './run-range';

export type { AuditEvent } from './event';
export { parseEvent } from './event';
export { emitMetrics } from './metrics';
export type { AuditClients, AuditHandlerResult, AuditInvocationDeps, LambdaContextLike } from './run-range';
export { SAFETY_MARGIN_MS } from './run-range';

// The request timeout (CDK_S3_DR_REQUEST_TIMEOUT_SECONDS), read once at the edge like the rest of the environment.
applyTimeoutEnv();

/** The environment the construct sets, validated (the audit contract's `fromEnv`). */
export const configFromEnv: (env: NodeJS.ProcessEnv) => AuditConfig = fromEnv;
export type { AuditConfig } from './contract';

/** The function the handler wraps: validate, then run one range or merge a distributed run. */
export async function auditInvocation(
  rawEvent: unknown,
  context: LambdaContextLike,
  deps: AuditInvocationDeps = {},
): Promise<AuditHandlerResult> {
  const cfg = configFromEnv(deps.env ?? process.env);
  const event = parseEvent(rawEvent);
  if (event.plan) throw new UsageError('a plan event is answered by invokeAudit (the handler), not auditInvocation');
  const stats = deps.clients?.stats ?? new RequestStats();
  const clients = deps.clients ?? {
    source: createS3Client({ region: cfg.source.region, endpoint: cfg.source.endpoint, stats }),
    replica: createS3Client({ region: cfg.replica.region, endpoint: cfg.replica.endpoint, stats }),
    // Reports live in the replica region, which must stay writable when the source region is down.
    reports: createS3Client({ region: cfg.reportsRegion, endpoint: cfg.reportsEndpoint }),
    stats,
  };
  const logger = deps.logger ?? defaultLogger;
  const what = event.merge ? { audit: cfg.name, merge: event.merge.runId } : { audit: cfg.name, range: event.range };
  try {
    const result = event.merge
      ? await mergeRun(cfg, event.merge, clients.reports, deps)
      : cfg.sourceInventory && cfg.replicaInventory
        ? await runInventoryInvocation(cfg, event, clients, deps)
        : await runRange(cfg, event, clients, context, deps);
    const { summary } = result;
    logger.info(event.merge ? 'audit run merged' : `audit ${result.status}`, {
      ...what,
      status: result.status,
      reportKey: result.reportKey,
      keys: summary.keys,
      discrepancies: summary.discrepancies,
      counts: summary.counts,
      ...(result.balance ? { balance: result.balance } : {}),
    });
    return result;
  } catch (err) {
    logger.error('audit could not complete', { ...what, error: err as Error });
    throw err;
  }
}

const defaultLogger = handlerLogger('audit');

/**
 * What the handler answers: a plan event (the first step of a distributed run) with the ranges,
 * any other event with `auditInvocation`.
 */
export async function invokeAudit(
  rawEvent: unknown,
  context: LambdaContextLike,
  deps: AuditInvocationDeps = {},
): Promise<AuditHandlerResult | PlanStepResult> {
  const event = parseEvent(rawEvent);
  if (!event.plan) return auditInvocation(rawEvent, context, deps);
  const cfg = configFromEnv(deps.env ?? process.env);
  const clients = deps.clients ?? {
    source: createS3Client({ region: cfg.source.region, endpoint: cfg.source.endpoint }),
    reports: createS3Client({ region: cfg.reportsRegion, endpoint: cfg.reportsEndpoint }),
  };
  return planStep({
    source: { bucket: cfg.source.bucket, prefix: cfg.source.prefix },
    sourceClient: clients.source,
    reports: { client: clients.reports, bucket: cfg.reportsBucket, prefix: cfg.reportsPrefix },
    count: event.plan.count,
  });
}

export async function handler(
  event: unknown,
  context: LambdaContextLike,
): Promise<AuditHandlerResult | PlanStepResult> {
  return invokeAudit(event, context);
}
