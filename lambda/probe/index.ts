/**
 * Replication probe Lambda (runs in the replica region on a schedule): a thin adapter. Reads
 * its configuration from the environment (see config.ts), runs the probe, emits the EMF metrics
 * (dimension Probe: SourceAvailable, SourceLatencyMs, ReplicationLagSeconds, CanaryNotReplicated)
 * and returns the result. A source that is down is reported, not thrown.
 */
import { parseProbeEnv, ProbeConfig } from './config';
import { probeMetrics, ProbeResult, runProbe } from './run-probe';
import { applyTimeoutEnv } from '../shared/timeouts';

// The request timeout (CDK_S3_DR_REQUEST_TIMEOUT_SECONDS), read once at the edge like the rest of the environment.
applyTimeoutEnv();

let cached: ProbeConfig | undefined;

export async function handler(): Promise<ProbeResult> {
  cached ??= parseProbeEnv(process.env);
  const result = await runProbe(cached);
  probeMetrics(result).flush();
  process.stdout.write(
    JSON.stringify({ level: result.sourceAvailable ? 'info' : 'warn', msg: 'probe', ...result }) + '\n',
  );
  return result;
}
