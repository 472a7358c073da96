import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** A strategy bound to one construct. */
export interface BoundAlarmActions {
  readonly actions: cloudwatch.IAlarmAction[];
  /** The topic notified, when the strategy has one. */
  readonly topic?: sns.ITopic;
}

/** Adds the bound actions to an alarm, on ALARM and on OK. */
export function applyAlarmActions(alarm: cloudwatch.AlarmBase, bound: BoundAlarmActions): void {
  for (const a of bound.actions) {
    alarm.addAlarmAction(a);
    alarm.addOkAction(a);
  }
}

/** One alarm definition: what the alarm factory needs. */
export interface AlarmSpec {
  readonly id: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: cloudwatch.TreatMissingData;
  readonly description: string;
}

/** Layer 2: alarms with consistent ids, comparison, descriptions and actions; one per id. */
export class ReplicationAlarmFactory {
  private readonly created = new Map<string, cloudwatch.Alarm>();

  constructor(
    private readonly scope: Construct,
    private readonly bound: BoundAlarmActions,
  ) {}

  alarm(spec: AlarmSpec): cloudwatch.Alarm {
    const existing = this.created.get(spec.id);
    if (existing) return existing;
    const alarm = new cloudwatch.Alarm(this.scope, spec.id, {
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      treatMissingData: spec.treatMissingData,
      alarmDescription: spec.description,
    });
    applyAlarmActions(alarm, this.bound);
    this.created.set(spec.id, alarm);
    return alarm;
  }
}
