import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The handlers' one logger: Powertools for AWS Lambda's own, so every event is one line of JSON
 * with its keys (`level`, `message`, `timestamp`, `service`, `sampling_rate`, `xray_trace_id`
 * when traced) and ours beside them. Its settings are Powertools' environment variables:
 * `POWERTOOLS_LOG_LEVEL` (the function's log level, `AWS_LAMBDA_LOG_LEVEL`, wins when set),
 * `POWERTOOLS_SERVICE_NAME` (default `cdk-s3-dr-<handler>`), `POWERTOOLS_LOGGER_SAMPLE_RATE`.
 *
 * Only the Lambda adapters log through it; the command line keeps its human output on stderr
 * and stdout. Bundled into each handler asset, it adds about 70 KB to assets of about 1.5 MB and
 * no measurable time to loading them (see docs/logging.md for the figures).
 */
export function handlerLogger(handler: string): Logger {
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || `cdk-s3-dr-${handler}` });
}

export type { Logger };
