/**
 * One contract per handler: each construct is synthesized with props other than the defaults,
 * the function's environment is read from the template, and the handler's own `fromEnv` parses
 * it back; what comes out must be the props that went in. Then the errors `fromEnv` gives for
 * bad values, naming the variable, the value and the fix.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AuditMode,
  ConsistencyAudit,
  DrillCopyMode,
  DrillSampleMode,
  FailoverController,
  FailoverMode,
  ReplicationProbe,
  ReplicationRepair,
  RepairTarget,
  RestoreDrill,
} from '../../lib';
import { ReplicationFailureEvents } from '../../lib/monitoring/replication-failure-events';
import { ReplicaBucket } from '../../lib/replication/replica-bucket';
import { ReplicatedBucket } from '../../lib/replication/replicated-bucket';
import { ReplicationDestination } from '../../lib/replication/replication-destination';
import * as audit from '../../lambda/audit/contract';
import * as drill from '../../lambda/drill/contract';
import * as failover from '../../lambda/failover/contract';
import * as probe from '../../lambda/probe/contract';
import * as repair from '../../lambda/repair/contract';
import * as replicationEvents from '../../lambda/replication-events/contract';
import { UsageError } from '../../lambda/shared/errors';
import { testApp } from '../support/app';

const ACCOUNT = '111111111111';
const pair = {
  sourceBucketName: 'orders-data',
  sourceRegion: 'us-east-1',
  replicaBucketName: 'orders-replica',
  replicaRegion: 'us-west-2',
  prefix: 'invoices/',
};

function replicaStack() {
  const app = testApp();
  const stack = new Stack(app, 'West', { env: { account: ACCOUNT, region: 'us-west-2' } });
  const bucket = (id: string, bucketName: string) =>
    s3.Bucket.fromBucketAttributes(stack, id, { bucketName, region: 'us-west-2', account: ACCOUNT });
  return { app, stack, reports: bucket('Reports', 'dr-reports'), scratch: bucket('Scratch', 'dr-scratch') };
}

/**
 * A function's environment as the template renders it, with deploy-time values written as
 * `ref-<logicalid>` (a Ref) or `att-<logicalid>-<attribute>` (a GetAtt), lower case so that a
 * generated bucket name still reads as one, joined where CloudFormation joins.
 */
function environmentOf(stack: Stack, functionPathPart: string): Record<string, string> {
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  const ids = Object.keys(functions).filter((id) => id.includes(functionPathPart));
  expect(ids).toHaveLength(1);
  const vars = functions[ids[0]].Properties.Environment.Variables as Record<string, unknown>;
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, render(v)]));
}

function render(v: unknown): string {
  if (typeof v === 'string') return v;
  const o = v as Record<string, any>;
  if (o.Ref) return placeholder('ref', o.Ref);
  if (o['Fn::GetAtt']) return placeholder('att', o['Fn::GetAtt'].join('-'));
  if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(render).join(o['Fn::Join'][0]);
  throw new Error(`cannot render ${JSON.stringify(v)}`);
}

const placeholder = (kind: string, id: string) => `${kind}-${id.toLowerCase()}`.slice(0, 63);

const refOf = (stack: Stack, c: { node: { defaultChild?: unknown } }) =>
  placeholder('ref', stack.getLogicalId(c.node.defaultChild as any));

describe('audit contract', () => {
  test('the synthesized environment parses back into the props given', () => {
    const { stack, reports } = replicaStack();
    new ConsistencyAudit(stack, 'Audit', {
      ...pair,
      reportsBucket: reports,
      auditName: 'orders-nightly',
      lagWindow: Duration.hours(2),
      mode: AuditMode.VERSIONS,
      deleteMarkerReplication: true,
    });
    const env = environmentOf(stack, 'AuditHandler');
    expect(audit.fromEnv(env)).toEqual({
      name: 'orders-nightly',
      source: { bucket: 'orders-data', prefix: 'invoices/', region: 'us-east-1' },
      replica: { bucket: 'orders-replica', prefix: 'invoices/', region: 'us-west-2' },
      reportsBucket: 'dr-reports',
      reportsPrefix: audit.DEFAULTS.reportsPrefix,
      reportsRegion: 'us-west-2',
      lagWindowSeconds: 7200,
      mode: AuditMode.VERSIONS,
      deleteMarkerReplication: true,
    });
    // Only the contract's keys (and the runtime's own) are set.
    expect(Object.keys(env).filter((k) => k !== 'NODE_OPTIONS')).toEqual(
      expect.arrayContaining(Object.keys(audit.toEnv(audit.fromEnv(env)))),
    );
    expect(Object.keys(env).filter((k) => k !== 'NODE_OPTIONS')).toHaveLength(
      Object.keys(audit.toEnv(audit.fromEnv(env))).length,
    );
  });

  test('the inventory folders travel as S3 URIs, both or neither', () => {
    const base = audit.toEnv({
      name: 'n',
      source: { bucket: 'orders-data', prefix: '', region: 'us-east-1' },
      replica: { bucket: 'orders-replica', prefix: '', region: 'us-west-2' },
      reportsBucket: 'dr-reports',
      reportsPrefix: 'audits/',
      reportsRegion: 'us-west-2',
      lagWindowSeconds: 900,
      mode: 'current',
      deleteMarkerReplication: false,
      sourceInventory: { bucket: 'inv-east', prefix: 'inventory/orders-data/cdk-s3-dr-audit/' },
      replicaInventory: { bucket: 'dr-reports', prefix: 'inventory/orders-replica/cdk-s3-dr-audit/' },
    });
    expect(base[audit.ENV.sourceInventory]).toBe('s3://inv-east/inventory/orders-data/cdk-s3-dr-audit/');
    expect(audit.fromEnv(base).replicaInventory).toEqual({
      bucket: 'dr-reports',
      prefix: 'inventory/orders-replica/cdk-s3-dr-audit/',
    });
    const { [audit.ENV.replicaInventory]: _r, ...sourceOnly } = base;
    expect(() => audit.fromEnv(sourceOnly)).toThrow(/REPLICA_INVENTORY is not set: set it with SOURCE_INVENTORY/);
    expect(() => audit.fromEnv({ ...base, [audit.ENV.sourceInventory]: 'inv-east/x' })).toThrow(
      /SOURCE_INVENTORY="inv-east\/x" is not an S3 URI: write s3:\/\/bucket\/prefix\//,
    );
  });

  test('construct, handler and contract agree on the lag window limit', () => {
    const { stack } = replicaStack();
    const max = audit.LIMITS.lagWindowSeconds.max;
    expect(() => new ConsistencyAudit(stack, 'Ok', { ...pair, lagWindow: Duration.seconds(max) })).not.toThrow();
    expect(() => new ConsistencyAudit(stack, 'TooLong', { ...pair, lagWindow: Duration.seconds(max + 1) })).toThrow(
      /lagWindow = "7 days 1 second": a lag window over 7 days hides real replication faults/,
    );
    const env = environmentOf(stack, 'OkHandler');
    expect(audit.fromEnv(env).lagWindowSeconds).toBe(max);
    expect(() => audit.fromEnv({ ...env, LAG_WINDOW_SECONDS: String(max + 1) })).toThrow(
      `environment variable LAG_WINDOW_SECONDS="${max + 1}" is not a whole number of seconds from 0 to ${max}`,
    );
  });

  test('fromEnv names every bad variable, its value and the fix', () => {
    const good = audit.toEnv({
      name: 'a',
      source: { bucket: 'src-bucket', prefix: '', region: 'eu-west-1' },
      replica: { bucket: 'dst-bucket', prefix: '', region: 'eu-central-1' },
      reportsBucket: 'reports-bucket',
      reportsPrefix: 'audits/',
      reportsRegion: 'eu-central-1',
      lagWindowSeconds: 60,
      mode: 'current',
      deleteMarkerReplication: false,
    });
    const bad = () =>
      audit.fromEnv({ ...good, REPLICA_PREFIX: '/logs', MODE: 'everything', REPORTS_BUCKET: 'Reports' });
    expect(bad).toThrow(UsageError);
    expect(bad).toThrow(/environment variable REPLICA_PREFIX="\/logs" is not a key prefix: .*: write "logs"/);
    expect(bad).toThrow(/environment variable MODE="everything" is not a known value: use one of current, versions/);
    expect(bad).toThrow(/environment variable REPORTS_BUCKET="Reports" is not a valid bucket name/);
  });
});

describe('probe contract', () => {
  test('the synthesized environment parses back into the props given', () => {
    const { stack } = replicaStack();
    const p = new ReplicationProbe(stack, 'Probe', {
      ...pair,
      probeName: 'orders-canary',
      interval: Duration.minutes(10),
      lagDeadline: Duration.minutes(4),
    });
    expect(probe.fromEnv(environmentOf(stack, 'ProbeHandler'))).toEqual({
      source: { bucket: 'orders-data', region: 'us-east-1' },
      replica: { bucket: 'orders-replica', region: 'us-west-2' },
      probeName: 'orders-canary',
      lagDeadlineSeconds: 240,
      keep: probe.DEFAULTS.keep,
      sourceTimeoutSeconds: probe.DEFAULTS.sourceTimeoutSeconds,
    });
    expect(p.probeName).toBe('orders-canary');
    // The metrics the construct alarms on are the ones the handler publishes.
    const m = p.metricSourceAvailable();
    expect([m.namespace, m.metricName, Object.keys(m.dimensions ?? {})]).toEqual([
      probe.METRICS.namespace,
      probe.METRICS.sourceAvailable,
      [probe.METRICS.dimension],
    ]);
  });

  test.each([
    ['defaults', {}],
    ['a 20-minute interval', { interval: Duration.minutes(20) }],
    [
      'a 30-minute lag threshold and an hourly probe',
      { interval: Duration.hours(1), lagThreshold: Duration.minutes(30) },
    ],
  ])('the default lag deadline is one the handler accepts: %s', (_name, props) => {
    const { stack } = replicaStack();
    const p = new ReplicationProbe(stack, 'Probe', { ...pair, ...props });
    const parsed = probe.fromEnv(environmentOf(stack, 'ProbeHandler'));
    expect(parsed.lagDeadlineSeconds).toBeLessThanOrEqual(probe.LIMITS.lagDeadlineSeconds.max);
    expect(parsed.lagDeadlineSeconds).toBeLessThan(p.interval.toSeconds());
    expect(parsed.lagDeadlineSeconds).toBeLessThanOrEqual(p.lagThreshold.toSeconds());
  });

  test('a lag deadline over the limit fails at synth, as it would in the handler', () => {
    const { stack } = replicaStack();
    const max = probe.LIMITS.lagDeadlineSeconds.max;
    expect(
      () =>
        new ReplicationProbe(stack, 'Probe', {
          ...pair,
          interval: Duration.hours(1),
          lagDeadline: Duration.seconds(max + 1),
        }),
    ).toThrow(/lagDeadline = "14 minutes 1 second": must be whole seconds from 1 second to 14 minutes/);
    expect(() => probe.fromEnv({ ...probe.toEnv(sampleProbe()), LAG_DEADLINE_SECONDS: String(max + 1) })).toThrow(
      `environment variable LAG_DEADLINE_SECONDS="${max + 1}" is not a whole number of seconds from 1 to ${max}`,
    );
  });

  test('fromEnv round-trips what toEnv writes, non-default keep and timeout included', () => {
    const c = { ...sampleProbe(), keep: 7, sourceTimeoutSeconds: 30 };
    expect(probe.fromEnv(probe.toEnv(c))).toEqual(c);
    expect(() => probe.fromEnv({ ...probe.toEnv(c), SOURCE_REGION: 'Europe' })).toThrow(
      'environment variable SOURCE_REGION="Europe" is not a region code: use a region code such as eu-west-1',
    );
  });
});

function sampleProbe(): probe.ProbeConfig {
  return {
    source: { bucket: 'src-bucket', region: 'eu-west-1' },
    replica: { bucket: 'dst-bucket', region: 'eu-central-1' },
    probeName: 'p',
    lagDeadlineSeconds: 60,
    keep: probe.DEFAULTS.keep,
    sourceTimeoutSeconds: probe.DEFAULTS.sourceTimeoutSeconds,
  };
}

describe('drill contract', () => {
  test('the synthesized environment parses back into the props given', () => {
    const { stack, reports, scratch } = replicaStack();
    const d = new RestoreDrill(stack, 'Drill', {
      ...pair,
      reportsBucket: reports,
      restoreBucket: scratch,
      restorePrefix: 'drill-scratch/',
      drillName: 'orders weekly',
      sampleSize: 250,
      sampleMode: DrillSampleMode.NEWEST,
      concurrency: 16,
      copyMode: DrillCopyMode.SERVER_SIDE,
    });
    expect(drill.fromEnv(environmentOf(stack, 'DrillHandler'))).toEqual({
      name: 'orders-weekly',
      source: { bucket: 'orders-data', prefix: 'invoices/', region: 'us-east-1' },
      replica: { bucket: 'orders-replica', prefix: 'invoices/', region: 'us-west-2' },
      restore: { bucket: 'dr-scratch', prefix: 'drill-scratch/', region: 'us-west-2' },
      reports: { bucket: 'dr-reports', prefix: drill.DEFAULTS.reportsPrefix, region: 'us-west-2' },
      sampleSize: 250,
      sampleMode: DrillSampleMode.NEWEST,
      concurrency: 16,
      copyMode: 'server-side',
      allowUnverifiable: false,
    });
    expect(d.metricDrillPassed().dimensions).toEqual({ [drill.METRICS.dimension]: 'orders-weekly' });
  });

  test('sampleSize limits come from one place: synth refuses what the handler would', () => {
    const { stack } = replicaStack();
    const max = drill.LIMITS.sampleSize.max;
    expect(() => new RestoreDrill(stack, 'Max', { ...pair, sampleSize: max })).not.toThrow();
    expect(() => new RestoreDrill(stack, 'Over', { ...pair, sampleSize: max + 1 })).toThrow(
      /sampleSize = 100001: must be a whole number from 1 to 100,000/,
    );
    const env = environmentOf(stack, 'MaxHandler');
    expect(drill.fromEnv(env).sampleSize).toBe(max);
    expect(() => drill.fromEnv({ ...env, SAMPLE_SIZE: String(max + 1) })).toThrow(
      `environment variable SAMPLE_SIZE="${max + 1}" is not a whole number from 1 to ${max}`,
    );
  });

  test('a drill name the construct makes is one the handler accepts', () => {
    const { stack } = replicaStack();
    new RestoreDrill(stack, 'Drill', { ...pair, drillName: '.hidden drill' });
    expect(drill.fromEnv(environmentOf(stack, 'DrillHandler')).name).toBe('hidden-drill');
    expect(() => drill.fromEnv({ ...environmentOf(stack, 'DrillHandler'), DRILL_NAME: '.hidden' })).toThrow(
      /environment variable DRILL_NAME=".hidden" is not a valid name: use 1-128 letters/,
    );
  });
});

describe('repair contract', () => {
  test('the synthesized environment parses back into the props given', () => {
    const { stack } = replicaStack();
    new ReplicationRepair(stack, 'Repair', {
      ...pair,
      to: RepairTarget.SOURCE,
      allowDelete: true,
      mode: AuditMode.VERSIONS,
      lagWindow: Duration.minutes(2),
    });
    const env = environmentOf(stack, 'RepairHandler');
    expect(repair.fromEnv(env)).toEqual({
      source: { bucket: 'orders-data', prefix: 'invoices/', region: 'us-east-1' },
      replica: { bucket: 'orders-replica', prefix: 'invoices/', region: 'us-west-2' },
      to: 'source',
      allowDelete: true,
      lagWindowSeconds: 120,
      mode: 'versions',
    });
    expect(
      Object.keys(env)
        .filter((k) => k !== 'NODE_OPTIONS')
        .sort(),
    ).toEqual(Object.keys(repair.toEnv(repair.fromEnv(env))).sort());
  });

  test('bad values are named with the variable, the value and the fix', () => {
    const good = repair.toEnv({
      source: { bucket: 'orders-data', prefix: '', region: 'us-east-1' },
      replica: { bucket: 'orders-replica', prefix: '', region: 'us-west-2' },
      ...repair.DEFAULTS,
    });
    const bad = () =>
      repair.fromEnv({ ...good, [repair.ENV.to]: 'backup', [repair.ENV.allowDelete]: 'yes', [repair.ENV.mode]: 'all' });
    expect(bad).toThrow(/REPAIR_TO="backup" is not a known value: use one of replica, source/);
    expect(bad).toThrow(/REPAIR_ALLOW_DELETE="yes" is not a boolean: write true or false/);
    expect(bad).toThrow(/AUDIT_MODE="all" is not a known value: use one of current, versions/);
    expect(repair.isConfigured(good)).toBe(true);
    expect(repair.isConfigured({})).toBe(false);
  });
});

describe('failover contract', () => {
  test('the synthesized FAILOVER_CONFIG parses back into the props given', () => {
    const { stack, reports } = replicaStack();
    const p = new ReplicationProbe(stack, 'Probe', {
      ...pair,
      probeName: 'orders',
      interval: Duration.minutes(2),
      lagThreshold: Duration.minutes(20),
      unavailableProbes: 2,
      unavailableWindow: 4,
    });
    new FailoverController(stack, 'Failover', {
      probe: p,
      mode: FailoverMode.AUTOMATIC,
      cooldown: Duration.minutes(90),
      parameterName: '/orders/active-bucket',
      reportsBucket: reports,
      twoWayReplication: true,
      failbackCatchUp: Duration.minutes(20),
    });
    const env = environmentOf(stack, 'FailoverHandler');
    expect(Object.keys(env).sort()).toEqual([failover.ENV.config, 'NODE_OPTIONS']);
    expect(failover.fromEnv(env)).toEqual({
      plan: 'pointer',
      mode: 'automatic',
      source: { bucket: 'orders-data', region: 'us-east-1' },
      replica: { bucket: 'orders-replica', region: 'us-west-2' },
      parameterName: '/orders/active-bucket',
      mrapArn: undefined,
      accountId: undefined,
      controlRegions: failover.MRAP_CONTROL_REGIONS,
      alarmName: refOf(stack, p.sourceImpairedAlarm),
      metricsRegion: 'us-west-2',
      probeName: 'orders',
      periodSeconds: 120,
      confirm: { unavailable: { failing: 2, window: 4 }, lag: { thresholdSeconds: 1200, window: 4 } },
      cooldownMinutes: 90,
      reports: { bucket: 'dr-reports', region: 'us-west-2', prefix: failover.DEFAULTS.reportsPrefix },
      endpoints: { ssm: undefined, s3Control: undefined, cloudWatch: undefined },
      twoWayReplication: true,
      failbackCatchUpSeconds: 1200,
    });
  });

  test('a probe interval the controller cannot read back fails at synth', () => {
    const { stack } = replicaStack();
    const p = new ReplicationProbe(stack, 'Probe', { ...pair, interval: Duration.hours(2) });
    expect(() => new FailoverController(stack, 'Failover', { probe: p })).toThrow(
      /probe.interval = "2 hours": must be from 10 seconds to 1 hour/,
    );
    expect(() =>
      failover.fromEnv(
        failover.toEnv({
          plan: 'pointer',
          parameterName: '/p',
          source: { bucket: 'src-bucket', region: 'eu-west-1' },
          replica: { bucket: 'dst-bucket', region: 'eu-central-1' },
          alarmName: 'a',
          probeName: 'p',
          periodSeconds: 7200,
          reports: { bucket: 'reports-bucket', region: 'eu-central-1' },
        }),
      ),
    ).toThrow(/periodSeconds must be a whole number from 10 to 3600, got 7200/);
  });

  test('fromEnv says when FAILOVER_CONFIG is missing or not JSON', () => {
    expect(() => failover.fromEnv({})).toThrow(
      'environment variable FAILOVER_CONFIG is not set: the construct sets it to the controller configuration (JSON)',
    );
    expect(() => failover.fromEnv({ FAILOVER_CONFIG: '{plan:' })).toThrow(
      'environment variable FAILOVER_CONFIG="{plan:" is not JSON: give the controller configuration as a JSON object',
    );
  });
});

describe('replication events contract', () => {
  test('the decoder gets no configuration, and the pipe publishes with the contract source and detail-type', () => {
    const app = testApp();
    const east = new Stack(app, 'East', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const west = new Stack(app, 'West', { env: { account: ACCOUNT, region: 'us-west-2' } });
    const replica = new ReplicaBucket(west, 'Replica');
    const data = new ReplicatedBucket(east, 'Data', {
      destinations: [ReplicationDestination.toReplicaBucket(replica, { replicationTimeControl: true })],
    });
    new ReplicationFailureEvents(east, 'Events', { replicatedBucket: data, targetRegion: 'us-west-2' });
    const env = environmentOf(east, 'EventsDecoder');
    expect(Object.keys(env)).toEqual(['NODE_OPTIONS']);
    expect(replicationEvents.fromEnv(env)).toEqual({});
    const pipe = Object.values(Template.fromStack(east).findResources('AWS::Pipes::Pipe'))[0] as any;
    expect(pipe.Properties.TargetParameters.EventBridgeEventBusParameters).toMatchObject({
      Source: replicationEvents.EVENTS.source,
      DetailType: replicationEvents.EVENTS.detailType,
    });
  });
});
