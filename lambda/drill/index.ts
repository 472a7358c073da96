import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describeError, IncompleteError } from '../shared/errors';
import { Metrics } from '../shared/metrics';
import { handlerLogger, Logger } from '../shared/logger';
import { createS3Client } from '../shared/s3-client';
import { applyDrillEvent, DrillConfig, parseDrillEnv } from './core/config';
import { DrillReport, summarizeDrill } from './core/report';
import { DrillDeps, runDrill } from './run-drill';
import { applyTimeoutEnv } from '../shared/timeouts';
import { DEFAULTS, ENV, METRICS, sideEnv } from './contract';

// The request timeout (CDK_S3_DR_REQUEST_TIMEOUT_SECONDS), read once at the edge like the rest of the environment.
applyTimeoutEnv();

/** What an invocation returns (the full report is in the reports bucket). */
export interface DrillResult {
  readonly drillId: string;
  readonly passed: boolean;
  /** s3://bucket/key of the JSON report. */
  readonly report: string;
  readonly summary: string[];
}

export interface DrillHandlerDeps extends DrillDeps {
  /** Where the EMF line goes. @default stdout */
  readonly emit?: (line: string) => void;
  /** Where the human summary lines go, one call per line. @default - one structured log event */
  readonly log?: (line: string) => void;
  /** The structured logger. @default the handlers' logger (service cdk-s3-dr-drill) */
  readonly logger?: Logger;
}

const defaultLogger = handlerLogger('drill');

/** The report's key: `<REPORTS_PREFIX>/<drill name>/<drillId>.json`. */
export function reportKey(config: DrillConfig, drillId: string): string {
  const p = config.reports.prefix;
  return `${p && !p.endsWith('/') ? p + '/' : p}${config.name}/${drillId}.json`;
}

/** The EMF metrics of one drill. */
export function drillMetrics(name: string, report?: DrillReport): Metrics {
  const m = new Metrics({ [METRICS.dimension]: name }, METRICS.namespace);
  m.add(METRICS.drillPassed, report?.passed ? 1 : 0);
  if (!report) return m;
  m.add(METRICS.objectsRestored, report.restored.objects)
    .add(METRICS.bytesRestored, report.restored.bytes, 'Bytes')
    .add(METRICS.verificationFailures, report.objects.length - report.verified.objects)
    .add(METRICS.restoreThroughputBytesPerSecond, report.throughput.restoreBytesPerSecond, 'Bytes/Second')
    .add(METRICS.drillDurationSeconds, report.durations.totalSeconds, 'Seconds');
  if (report.rto) m.add(METRICS.rtoEstimateSeconds, report.rto.seconds, 'Seconds');
  return m;
}

/**
 * The function the handler wraps: configuration from `env`, overrides from `event`, runs the
 * drill, writes the JSON report to the reports bucket and emits the metrics. A configuration
 * error or a drill that could not complete still emits DrillPassed 0 (so the alarm fires) and
 * then fails the invocation.
 */
export async function drill(event: unknown, env: NodeJS.ProcessEnv, deps: DrillHandlerDeps = {}): Promise<DrillResult> {
  const logger = deps.logger ?? defaultLogger;
  // The metric still names the drill when the rest of the configuration is bad.
  let name = env[ENV.name]?.trim() || DEFAULTS.name;
  let report: DrillReport | undefined;
  try {
    const config = parseDrillEnv(env);
    name = config.name;
    const options = applyDrillEvent(config.options, event);
    report = await runDrill(options, deps);
    const key = reportKey(config, report.drillId);
    const reports = (deps.clientFor ?? createS3Client)({
      region: config.reports.region,
      endpoint: config.reports.endpoint,
      maxAttempts: options.maxAttempts,
    });
    try {
      await reports.send(
        new PutObjectCommand({
          Bucket: config.reports.bucket,
          Key: key,
          Body: JSON.stringify(report, null, 2),
          ContentType: 'application/json',
        }),
      );
    } catch (err) {
      throw new IncompleteError(
        `the drill ran (${report.passed ? 'passed' : 'failed'}) but its report could not be written to s3://${config.reports.bucket}/${key}: ${describeError(err)}`,
        `check ${sideEnv('reports', 'bucket')}, its region and the s3:PutObject permission on it`,
        undefined,
        { cause: err },
      );
    } finally {
      reports.destroy();
    }
    const summary = summarizeDrill(report);
    const result = {
      drillId: report.drillId,
      passed: report.passed,
      report: `s3://${config.reports.bucket}/${key}`,
      summary,
    };
    if (deps.log) for (const line of summary) deps.log(line);
    else if (report.passed) logger.info('drill passed', { drill: name, ...result });
    else logger.warn('drill failed', { drill: name, ...result });
    return result;
  } catch (err) {
    logger.error('drill could not complete', { drill: name, drillId: report?.drillId, error: err as Error });
    throw err;
  } finally {
    drillMetrics(name, report).flush(deps.emit);
  }
}

/** The Lambda entry point. */
export const handler = (event: unknown): Promise<DrillResult> => drill(event, process.env);
