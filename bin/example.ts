import { App, Duration, Stack } from 'aws-cdk-lib';
import {
  ConsistencyAudit,
  ReplicaBucket,
  ReplicatedBucket,
  ReplicationDestination,
  ReplicationPairs,
  RestoreDrill,
} from '../lib';
import { addMonitoringToExample, ExampleMonitoring } from './example-monitoring';

/** Example account id (documentation range); the app synthesizes without credentials. */
export const EXAMPLE_ACCOUNT = '111111111111';
export const PRIMARY_REGION = 'us-east-1';
export const REPLICA_REGION = 'us-west-2';

export interface ExampleApp {
  readonly primary: Stack;
  readonly replica: Stack;
  readonly replicaBucket: ReplicaBucket;
  readonly data: ReplicatedBucket;
  readonly audit: ConsistencyAudit;
  readonly drill: RestoreDrill;
  readonly monitoring: ExampleMonitoring;
}

/** The example two-region disaster-recovery app, shared by bin/app.ts and the tests. */
export function buildExampleApp(app: App): ExampleApp {
  const replica = new Stack(app, 'S3DrReplica', {
    env: { account: EXAMPLE_ACCOUNT, region: REPLICA_REGION },
    description: 'cdk-s3-dr example: replica bucket and key in the recovery region',
  });
  const primary = new Stack(app, 'S3DrPrimary', {
    env: { account: EXAMPLE_ACCOUNT, region: PRIMARY_REGION },
    description: 'cdk-s3-dr example: replicated source bucket in the primary region',
  });

  const replicaBucket = new ReplicaBucket(replica, 'Replica');
  const data = new ReplicatedBucket(primary, 'Data', {
    destinations: [ReplicationDestination.toReplicaBucket(replicaBucket)],
  });

  // Audits and drills run in the replica region, the side that survives a source outage. Without
  // an encryptionKey or reportsBucket they use the region's shared ones: the replica's key and one
  // reports bucket (audits/, drills/, failover/decisions/).
  const pair = ReplicationPairs.of(data);
  const audit = new ConsistencyAudit(replica, 'Audit', {
    ...pair,
    lagWindow: Duration.minutes(15),
  });
  const drill = new RestoreDrill(replica, 'Drill', {
    ...pair,
    sampleSize: 100,
    rtoTarget: Duration.hours(4),
  });
  const base = { primary, replica, replicaBucket, data, audit, drill };
  return { ...base, monitoring: addMonitoringToExample(base) };
}
