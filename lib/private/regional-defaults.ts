import { Annotations, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { createAlarmTopic } from './dr-function';
import { createReportsBucket } from './reports-bucket';
import { createBucketKey } from './secure-bucket';

/**
 * The construct id, under the stack, of the shared defaults. Construct ids are part of the API
 * (changing one replaces resources): keep it, and the ids of its children, stable.
 */
export const REGIONAL_DEFAULTS_ID = 'CdkS3DrRegional';

/**
 * What the constructs of one stack (one region) share when they are not given their own: one
 * KMS key, one reports bucket (each construct writes under its own prefix: `audits/`,
 * `drills/`, `failover/decisions/`) and one alarm topic. Each is created once, on first use:
 *
 * - the key is the key of the first `ReplicaBucket` (or `ReplicatedBucket`) of the stack that
 *   creates its own; before any, `<stack>/CdkS3DrRegional/Key`, which a `ReplicaBucket` created
 *   later uses too;
 * - the reports bucket is `<stack>/CdkS3DrRegional/Reports` (with `ReportsAccessLogs`);
 * - the alarm topic is `<stack>/CdkS3DrRegional/AlarmTopic`.
 *
 * A shared resource keeps the removal policy of the construct that created it; a later
 * construct asking for another one gets a warning.
 */
export class RegionalDefaults extends Construct {
  /** The stack's shared defaults, created on first call. */
  static of(scope: IConstruct): RegionalDefaults {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(REGIONAL_DEFAULTS_ID);
    return existing instanceof RegionalDefaults ? existing : new RegionalDefaults(stack, REGIONAL_DEFAULTS_ID);
  }

  private sharedKey?: kms.Key;
  /** Whether this construct created the key (rather than adopting a bucket construct's key). */
  private keyCreatedHere = false;
  private reports?: s3.Bucket;
  private topic?: sns.Topic;
  private readonly removalPolicies = new Map<string, RemovalPolicy>();

  private constructor(scope: Stack, id: string) {
    super(scope, id);
  }

  /**
   * The key a bucket construct may use instead of creating its own: the region's key when this
   * construct created it (so a `ReplicaBucket` created after an audit shares the audit's key).
   * Undefined when there is none yet, or when it is another bucket construct's key.
   */
  keyForBucket(): kms.Key | undefined {
    return this.keyCreatedHere ? this.sharedKey : undefined;
  }

  /** A bucket construct created its own key: it becomes the region's key if there is none yet. */
  adoptKey(key: kms.Key, removalPolicy?: RemovalPolicy): void {
    if (this.sharedKey) return;
    this.sharedKey = key;
    this.removalPolicies.set('key', removalPolicy ?? RemovalPolicy.RETAIN);
  }

  /** The region's key, created with `removalPolicy` when there is none yet. */
  key(requester: IConstruct, removalPolicy?: RemovalPolicy): kms.Key {
    if (!this.sharedKey) {
      const stack = Stack.of(this);
      this.sharedKey = createBucketKey(
        this,
        'Key',
        `Encrypts the reports, logs, queues and topics of cdk-s3-dr in ${stack.region} (${stack.stackName})`,
        removalPolicy,
      ).key;
      this.keyCreatedHere = true;
    }
    this.checkRemovalPolicy('key', requester, removalPolicy);
    return this.sharedKey;
  }

  /** The region's reports bucket, encrypted with the region's key. */
  reportsBucket(requester: IConstruct, removalPolicy?: RemovalPolicy): s3.Bucket {
    this.reports ??= createReportsBucket(this, 'Reports', this.key(requester, removalPolicy), removalPolicy);
    this.checkRemovalPolicy('reports bucket', requester, removalPolicy);
    return this.reports;
  }

  /** The region's alarm topic, encrypted with the region's key. */
  alarmTopic(requester: IConstruct, removalPolicy?: RemovalPolicy): sns.Topic {
    this.topic ??= createAlarmTopic(this, this.key(requester, removalPolicy));
    return this.topic;
  }

  private checkRemovalPolicy(what: string, requester: IConstruct, wanted: RemovalPolicy | undefined): void {
    const actual = this.removalPolicies.get(what);
    if (actual === undefined) {
      this.removalPolicies.set(what, wanted ?? RemovalPolicy.RETAIN);
      return;
    }
    if (wanted !== undefined && wanted !== actual) {
      Annotations.of(requester).addWarningV2(
        'cdk-s3-dr:shared-removal-policy',
        `the region's shared ${what} keeps the removal policy ${actual} of the construct that created it, not ${wanted}: pass encryptionKey (and reportsBucket) to give this construct resources of its own`,
      );
    }
  }
}

/**
 * The key and reports bucket of a construct that deploys a handler: the given ones; without a
 * key, the region's shared key and reports bucket; with a key but no bucket, a reports bucket
 * of the construct's own (id `Reports`) encrypted with that key.
 */
export function handlerDefaults(
  scope: Construct,
  props: {
    readonly encryptionKey?: kms.IKey;
    readonly reportsBucket?: s3.IBucket;
    readonly removalPolicy?: RemovalPolicy;
  },
): { key: kms.IKey; reportsBucket: s3.IBucket } {
  if (props.encryptionKey) {
    return {
      key: props.encryptionKey,
      reportsBucket:
        props.reportsBucket ?? createReportsBucket(scope, 'Reports', props.encryptionKey, props.removalPolicy),
    };
  }
  const regional = RegionalDefaults.of(scope);
  return {
    key: regional.key(scope, props.removalPolicy),
    reportsBucket: props.reportsBucket ?? regional.reportsBucket(scope, props.removalPolicy),
  };
}
