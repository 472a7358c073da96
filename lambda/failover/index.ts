/**
 * Failover controller Lambda: a thin adapter. Configuration comes from the FAILOVER_CONFIG
 * environment variable (JSON, see core/config.ts); events are the composite alarm's state
 * changes (EventBridge) or direct invocations { action: 'failover' | 'failback' | 'status',
 * dryRun?, force? }. Every decision is logged, recorded in the reports bucket and counted as a
 * FailoverDecision metric with dimension Action; the returned object carries the notification
 * (subject and message) for an on-success destination to publish.
 */
import { Metrics } from '../shared/metrics';
import { FailoverConfig, parseFailoverEvent } from './core/config';
import { ENV, fromEnv, METRICS } from './contract';
import { replicaToSourceAudit, sourceRepair } from './failback-audit';
import { FailbackOutcome, FailoverOutcome, runFailback, runFailover } from './run-failover';
import { applyTimeoutEnv } from '../shared/timeouts';

// The request timeout (CDK_S3_DR_REQUEST_TIMEOUT_SECONDS), read once at the edge like the rest of the environment.
applyTimeoutEnv();

let cached: { raw: string; config: FailoverConfig } | undefined;

/** Parses FAILOVER_CONFIG (the contract's `fromEnv`) once per container. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): FailoverConfig {
  const raw = env[ENV.config];
  if (raw && cached?.raw === raw) return cached.config;
  const config = fromEnv(env);
  cached = { raw: raw!, config };
  return config;
}

/** The one decision metric. */
function countDecision(action: string): void {
  new Metrics({ [METRICS.dimension]: action }, METRICS.namespace).add(METRICS.failoverDecision, 1).flush();
}

export interface HandlerResult {
  readonly action: string;
  readonly reasons: string[];
  readonly executed: boolean;
  readonly complete: boolean;
  readonly record?: string;
  readonly notification?: { subject: string; message: string };
}

export async function handler(event: unknown): Promise<HandlerResult> {
  const config = configFromEnv();
  const request = parseFailoverEvent(event, config.alarmName);
  if (request.action === 'failback') {
    const out: FailbackOutcome = await runFailback(
      config,
      {
        dryRun: request.dryRun,
        apply: request.apply,
        trigger: request.apply ? `${request.trigger} (repair approved)` : request.trigger,
        approveCommand:
          'invoke the controller with {"action":"failback","apply":true}, or run cdk-s3-dr failback --config FILE --apply',
      },
      { audit: replicaToSourceAudit(config), repair: sourceRepair(config) },
    );
    countDecision(out.action);
    return {
      action: out.action,
      reasons: out.reasons,
      executed: out.executed,
      complete: out.complete,
      record: out.recordUri,
    };
  }
  const out: FailoverOutcome =
    request.action === 'status'
      ? await runFailover(config, { dryRun: true, trigger: 'status' }, { record: false })
      : await runFailover(config, { dryRun: request.dryRun, force: request.force, trigger: request.trigger });
  if (request.action !== 'status') countDecision(out.decision.action);
  return {
    action: out.decision.action,
    reasons: out.decision.reasons,
    executed: out.executed,
    complete: out.complete,
    record: out.recordUri,
    notification: out.notification,
  };
}
