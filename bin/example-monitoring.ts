import {
  ActiveBucketPointer,
  AlarmStateForwarding,
  FailoverController,
  FailoverMode,
  FailoverPlan,
  ReplicationAlarms,
  ReplicationDashboard,
  ReplicationFailureEvents,
  ReplicationFailureNotifications,
  ReplicationPairs,
  ReplicationProbe,
} from '../lib';
import type { ExampleApp } from './example';

export interface ExampleMonitoring {
  /** The replication alarms, by the region of the stack they are in. */
  readonly alarms: Record<string, ReplicationAlarms>;
  readonly probe: ReplicationProbe;
  readonly dashboard: ReplicationDashboard;
  readonly controller: FailoverController;
  readonly sourcePointer: ActiveBucketPointer;
  /** Present when some replication alarm lives in the primary region. */
  readonly forwarding?: AlarmStateForwarding;
  /** The source bucket's replication events, decoded and forwarded to the replica region. */
  readonly replicationEvents: ReplicationFailureEvents;
  /** In the replica region: the decoded lines to the probe's topic. */
  readonly replicationNotifications: ReplicationFailureNotifications;
}

/**
 * Adds monitoring and failover to the example app: replication alarms in the region S3
 * publishes the metrics in, the probe, the "source region impaired" composite alarm, a
 * dashboard and a failover controller (approval mode, pointer plan) in the replica region, and
 * the source region's copy of the pointer. Alarms of the primary region, if any, are forwarded
 * to the replica region's event bus.
 */
export function addMonitoringToExample(ex: Omit<ExampleApp, 'monitoring'>): ExampleMonitoring {
  const { primary, replica, data } = ex;
  const pair = ReplicationPairs.of(data);

  // One ReplicationAlarms per stack whose region S3 publishes some of the metrics in.
  const alarms: Record<string, ReplicationAlarms> = {};
  const metricRegions = ReplicationAlarms.metricRegions(data);
  for (const stack of [primary, replica]) {
    if (!metricRegions.includes(stack.region)) continue;
    alarms[stack.region] = new ReplicationAlarms(stack, 'ReplicationAlarms', { replicatedBucket: data });
  }
  const replicaAlarms = alarms[replica.region];

  const probe = new ReplicationProbe(replica, 'Probe', {
    ...pair,
    // A literal name: the pointer parameter of both regions is named after it.
    probeName: 'example-data',
    // Replication latency above the threshold (metrics of this region) also means "impaired".
    impairmentAlarms: replicaAlarms?.forDestination()?.latency ? [replicaAlarms.forDestination()!.latency!] : [],
  });
  const controller = new FailoverController(replica, 'Failover', {
    probe,
    mode: FailoverMode.APPROVAL,
    plan: FailoverPlan.POINTER,
  });
  const sourcePointer = new ActiveBucketPointer(primary, 'ActiveBucketPointer', {
    parameterName: controller.parameterName!,
    bucketName: pair.sourceBucketName,
    bucketRegion: pair.sourceRegion,
  });
  const dashboard = new ReplicationDashboard(replica, 'Dashboard', {
    replicatedBucket: data,
    probe,
    auditName: ex.audit.auditName,
    drillName: ex.drill.drillName,
  });

  const primaryAlarms = alarms[primary.region];
  const forwarding = primaryAlarms
    ? new AlarmStateForwarding(primary, 'ForwardAlarms', {
        alarms: [...primaryAlarms.alarms],
        targetRegion: replica.region,
      })
    : undefined;

  // Replication failures as readable lines, sent from the source region to the replica
  // region's event bus and on to the region's shared topic (the one every alarm there notifies).
  const replicationEvents = new ReplicationFailureEvents(primary, 'ReplicationEvents', {
    replicatedBucket: data,
    targetRegion: replica.region,
  });
  const replicationNotifications = new ReplicationFailureNotifications(replica, 'ReplicationNotifications');
  return {
    alarms,
    probe,
    dashboard,
    controller,
    sourcePointer,
    forwarding,
    replicationEvents,
    replicationNotifications,
  };
}
