/**
 * Replication probe Lambda (runs in the replica region on a schedule): a thin adapter. Reads
 * its configuration from the environment (see config.ts), runs the probe, emits the EMF metrics
 * (dimension Probe: SourceAvailable, SourceLatencyMs, ReplicationLagSeconds, CanaryNotReplicated),
 * logs the result as one structured event (a warning when the source is down) and returns it.
 * A source that is down is reported, not thrown.
 */
import { handlerLogger } from '../shared/logger';
import { applyTimeoutEnv } from '../shared/timeouts';
import { parseProbeEnv, ProbeConfig } from './config';
import { probeMetrics, ProbeResult, runProbe } from './run-probe';

// The request timeout (CDK_S3_DR_REQUEST_TIMEOUT_SECONDS), read once at the edge like the rest of the environment.
applyTimeoutEnv();

const logger = handlerLogger('probe');
let cached: ProbeConfig | undefined;

export async function handler(): Promise<ProbeResult> {
  cached ??= parseProbeEnv(process.env);
  const result = await runProbe(cached);
  probeMetrics(result).flush();
  // One event per run: a warning when the source is down.
  if (result.sourceAvailable) logger.info('probe', { ...result });
  else logger.warn('probe', { ...result });
  return result;
}
