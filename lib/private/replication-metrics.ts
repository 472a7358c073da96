import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { ReplicatedBucket, ReplicationRuleInfo } from '../replication/replicated-bucket';

/** The four S3 replication metrics alarmed on. */
export type ReplicationMetricName =
  'ReplicationLatency' | 'OperationsPendingReplication' | 'BytesPendingReplication' | 'OperationsFailedReplication';

/**
 * The region S3 publishes each replication metric in, relative to the rule: the source bucket's
 * or the destination bucket's. AWS's table ("Which Region is this metric published in?") says
 * the destination bucket's region; a CloudWatch metric alarm can only evaluate a metric of its
 * own region, so the alarms are created in a stack of that region. Change it here, in one
 * place, if AWS changes where it publishes.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/repl-metrics.html
 */
export const REPLICATION_METRIC_PUBLISHED_IN: Record<ReplicationMetricName, 'source' | 'destination'> = {
  ReplicationLatency: 'destination',
  OperationsPendingReplication: 'destination',
  BytesPendingReplication: 'destination',
  OperationsFailedReplication: 'destination',
};

/** The region in which S3 publishes a replication metric of one rule. */
export function replicationMetricRegion(
  replicated: ReplicatedBucket,
  rule: ReplicationRuleInfo,
  metric: ReplicationMetricName,
): string {
  return REPLICATION_METRIC_PUBLISHED_IN[metric] === 'destination' ? rule.destination.region : replicated.region;
}

/** Layer 1: the metrics of one rule, with statistic and period, in one place. */
export class ReplicationMetricFactory {
  constructor(
    private readonly replicated: ReplicatedBucket,
    private readonly period: Duration = Duration.minutes(1),
  ) {}

  metric(rule: ReplicationRuleInfo, name: ReplicationMetricName, withRegion = false): cloudwatch.Metric {
    const r = this.replicated;
    const d = rule.destination;
    const opts: cloudwatch.MetricOptions = {
      period: this.period,
      ...(withRegion ? { region: replicationMetricRegion(r, rule, name) } : {}),
    };
    // Labels only for dashboards: an alarm on a labelled metric renders as metric math.
    const label = (text: string) => (withRegion ? { label: text } : {});
    switch (name) {
      case 'ReplicationLatency':
        return r.metricReplicationLatency({ destination: d, ...opts, ...label(`latency to ${rule.ruleId} (s)`) });
      case 'OperationsPendingReplication':
        return r.metricOperationsPendingReplication({
          destination: d,
          ...opts,
          ...label(`operations pending ${rule.ruleId}`),
        });
      case 'BytesPendingReplication':
        return r.metricBytesPendingReplication({ destination: d, ...opts, ...label(`bytes pending ${rule.ruleId}`) });
      case 'OperationsFailedReplication':
        return r.metricOperationsFailedReplication({
          destination: d,
          ...opts,
          ...label(`operations failed ${rule.ruleId}`),
        });
    }
  }
}
