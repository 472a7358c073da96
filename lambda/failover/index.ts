/**
 * Failover controller Lambda: a thin adapter. Configuration comes from the FAILOVER_CONFIG
 * environment variable (JSON, see core/config.ts); events are the composite alarm's state
 * changes (EventBridge) or direct invocations { action: 'failover' | 'failback' | 'status',
 * dryRun?, force? }. Every decision is logged, recorded in the reports bucket and counted as a
 * FailoverDecision metric with dimension Action; the returned object carries the notification
 * (subject and message) for an on-success destination to publish.
 */
import { UsageError } from '../shared/errors';
import { Metrics } from '../shared/metrics';
import { FailoverConfig, parseFailoverConfig, parseFailoverEvent } from './core/config';
import { replicaToSourceAudit, sourceRepair } from './failback-audit';
import { FailbackOutcome, FailoverOutcome, runFailback, runFailover } from './run-failover';
import { applyTimeoutEnv } from '../shared/timeouts';

// The request timeout (CDK_S3_DR_REQUEST_TIMEOUT_SECONDS), read once at the edge like the rest of the environment.
applyTimeoutEnv();

let cached: { raw: string; config: FailoverConfig } | undefined;

/** Parses FAILOVER_CONFIG once per container. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): FailoverConfig {
  const raw = env.FAILOVER_CONFIG;
  if (!raw)
    throw new UsageError('FAILOVER_CONFIG is not set: the construct sets it to the controller configuration (JSON)');
  if (cached?.raw === raw) return cached.config;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new UsageError(`FAILOVER_CONFIG is not JSON: ${JSON.stringify(raw.slice(0, 80))}`);
  }
  const config = parseFailoverConfig(parsed);
  cached = { raw, config };
  return config;
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
    new Metrics({ Action: out.action }).add('FailoverDecision', 1).flush();
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
  if (request.action !== 'status') new Metrics({ Action: out.decision.action }).add('FailoverDecision', 1).flush();
  return {
    action: out.decision.action,
    reasons: out.decision.reasons,
    executed: out.executed,
    complete: out.complete,
    record: out.recordUri,
    notification: out.notification,
  };
}
