/**
 * CloudWatch Embedded Metric Format: one JSON log line per flush, which CloudWatch Logs turns
 * into metrics with no PutMetricData call (and no cloudwatch:PutMetricData permission).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export type MetricUnit = 'Count' | 'Seconds' | 'Milliseconds' | 'Bytes' | 'Bytes/Second' | 'Count/Second' | 'None';

/** The namespace every metric of this library is published under. */
export const METRIC_NAMESPACE = 'CdkS3Dr';

export class Metrics {
  private readonly values = new Map<string, { value: number; unit: MetricUnit }>();

  constructor(
    private readonly dimensions: Record<string, string>,
    private readonly namespace = METRIC_NAMESPACE,
  ) {}

  add(name: string, value: number, unit: MetricUnit = 'Count'): this {
    this.values.set(name, { value, unit });
    return this;
  }

  /** The EMF document for the metrics added so far, or undefined when there are none. */
  toEmf(timestamp = Date.now()): Record<string, unknown> | undefined {
    if (this.values.size === 0) return undefined;
    const doc: Record<string, unknown> = {
      _aws: {
        Timestamp: timestamp,
        CloudWatchMetrics: [
          {
            Namespace: this.namespace,
            Dimensions: [Object.keys(this.dimensions)],
            Metrics: [...this.values].map(([Name, { unit }]) => ({ Name, Unit: unit })),
          },
        ],
      },
      ...this.dimensions,
    };
    for (const [name, { value }] of this.values) doc[name] = value;
    return doc;
  }

  /** Writes the EMF line to stdout (Lambda sends stdout to CloudWatch Logs) and clears. */
  flush(write: (line: string) => void = (line) => process.stdout.write(line + '\n')): void {
    const doc = this.toEmf();
    if (doc) write(JSON.stringify(doc));
    this.values.clear();
  }
}
