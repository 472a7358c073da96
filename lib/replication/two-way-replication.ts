import { Annotations, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { InvalidPropsError, PropProblem } from '../private/errors';
import { REPLICATION_DESTINATION_OBJECT_ACTIONS, REPLICATION_REPLICA_KEY_ACTIONS } from '../private/perms';
import { createBucketKey } from '../private/secure-bucket';
import { RegionalDefaults } from '../private/regional-defaults';
import { checkBucketName, checkRegion, replicaWarnings } from '../private/validate';
import { ReplicaBucket } from './replica-bucket';
import { ReplicatedBucket } from './replicated-bucket';
import { ReplicationDestination } from './replication-destination';
import { ReplicationPair, ReplicationPairs } from './replication-pair';

/**
 * Which way objects replicate between the two buckets of a `TwoWayReplication`.
 */
export enum ReplicationDirections {
  /**
   * Each bucket replicates to the other, with replica modification sync on both rules. Both
   * buckets must exist when this is deployed (S3 refuses a rule whose destination bucket does not
   * exist): deploy `FIRST_TO_SECOND_ONLY` once when both buckets are new.
   */
  BOTH_WAYS = 'BOTH_WAYS',
  /**
   * Only the first bucket replicates to the second, which is created as a plain replica; the
   * first side's stack depends on the second's, so one `cdk deploy --all` creates both. Switch to
   * `BOTH_WAYS` for the next deployment: the buckets, keys and roles keep their logical ids, and
   * the second bucket gains its rule in place.
   */
  FIRST_TO_SECOND_ONLY = 'FIRST_TO_SECOND_ONLY',
}

/** One side of a two-way replicated pair: a bucket in the region of its stack. */
export interface TwoWayReplicationSide {
  /**
   * Where the side's constructs go: a stack with an explicit `env` (account and region), or a
   * construct in it. The two sides must be in different regions.
   */
  readonly scope: Construct;
  /** Construct id of the side (its bucket is `<id>/Bucket/Bucket`, its key `<id>/Key`). */
  readonly id: string;
  /**
   * The bucket's name. Required and literal: the other side's rule, role policy and (across
   * accounts) this side's resource policies name it without a reference between the stacks.
   * A valid S3 bucket name, different from the other side's.
   */
  readonly bucketName: string;
  /**
   * Name of this side's replication role. The other side's bucket and key policies name it
   * across accounts, so it is fixed before either stack deploys. A literal of 1 to 64 letters,
   * digits and `+=,.@_-`; IAM role names are unique per account, so when both sides are in one
   * account their names must differ.
   * @default - `<bucketName>-replication` (shortened with a hash to 64 characters when needed)
   */
  readonly replicationRoleName?: string;
  /**
   * Lifecycle rules for the bucket. The bucket holds the other side's replicas, so a rule that
   * expires current versions (`expiration`, `expirationDate`) warns
   * (`cdk-s3-dr:replica-expiration`).
   * @default - none
   */
  readonly lifecycleRules?: s3.LifecycleRule[];
  /**
   * Where the bucket's server access logs go.
   * @default - a new SSE-S3 encrypted, versioned log bucket
   */
  readonly serverAccessLogsBucket?: s3.IBucket;
  /**
   * What happens to the bucket, key and log bucket when the stack is deleted.
   * `RemovalPolicy.DESTROY` warns (`cdk-s3-dr:replica-destroy`): the bucket holds the other
   * side's replicas.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * A permissions boundary for the side's replication role.
   * @default - no permissions boundary
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;
}

/** Props of `TwoWayReplication`. */
export interface TwoWayReplicationProps {
  /** The first bucket's side (in its own stack and region). */
  readonly first: TwoWayReplicationSide;
  /** The second bucket's side (another stack, another region; same or another account). */
  readonly second: TwoWayReplicationSide;
  /**
   * Which way objects replicate.
   * @default ReplicationDirections.BOTH_WAYS
   */
  readonly directions?: ReplicationDirections;
  /**
   * Replicate delete markers, in both directions (one setting for both rules, so the buckets
   * agree). On by default for a two-way pair: a delete made on either side must reach the other,
   * or the object reappears after a failover or failback, and reads through a Multi-Region
   * Access Point disagree between regions. S3 never replicates the deletion of a version, so a
   * delete marker stays reversible on both sides. `false` warns
   * (`cdk-s3-dr:two-way-delete-markers`).
   * @default true
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/delete-marker-replication.html
   */
  readonly deleteMarkerReplication?: boolean;
  /**
   * S3 Replication Time Control on both rules (the paid 15-minute tier). Requires `metrics`.
   * @default false
   */
  readonly replicationTimeControl?: boolean;
  /**
   * Replication metrics on both rules.
   * @default true
   */
  readonly metrics?: boolean;
}

/** What is known of one side before any construct of it exists: only literals. */
interface SideFacts {
  readonly side: TwoWayReplicationSide;
  readonly label: 'first' | 'second';
  readonly stack: Stack;
  readonly region: string;
  readonly account: string;
  readonly partition: string;
  readonly bucketArn: string;
  readonly roleName: string;
  readonly roleArn: string;
  readonly keyAliasName: string;
  readonly keyAliasArn: string;
}

/**
 * Two-way replication between two buckets in two regions (and the same or two accounts): each
 * bucket is a `ReplicatedBucket` whose one rule replicates to the other, with replica modification
 * sync and the same delete-marker setting on both rules, its own replication role and its own
 * KMS key, which encrypts the replicas it receives.
 *
 * Each side names the other only by literals fixed before either stack deploys: the bucket name,
 * the role name (so its ARN), and a key alias derived from the bucket name
 * (`alias/cdk-s3-dr/two-way/<bucket>`). No token crosses the stacks, so there is no cross-stack
 * reference, no export, no custom resource and no dependency between the two stacks (with
 * `BOTH_WAYS`). Across accounts, each side's bucket and key policies grant the other account with
 * an `aws:PrincipalArn` condition naming the other side's role, so nothing waits on a role that
 * does not exist yet.
 *
 * Not a construct: it creates one construct tree in each side's scope.
 */
export class TwoWayReplication {
  /** The first side's bucket construct. */
  readonly first: ReplicatedBucket;
  /** The second side's bucket construct with its rule back to the first; undefined with `FIRST_TO_SECOND_ONLY`. */
  readonly second?: ReplicatedBucket;
  /** With `FIRST_TO_SECOND_ONLY`: the second bucket, a plain replica for now. */
  readonly secondReplica?: ReplicaBucket;
  /** The first bucket. */
  readonly firstBucket: s3.IBucket;
  /** The second bucket. */
  readonly secondBucket: s3.IBucket;
  /** The first side's key (encrypts its bucket and the replicas it receives). */
  readonly firstKey: kms.Key;
  /** The second side's key. */
  readonly secondKey: kms.Key;
  /** The directions deployed. */
  readonly directions: ReplicationDirections;
  /** Whether delete markers replicate (both rules). */
  readonly deleteMarkerReplication: boolean;
  /** The first key's literal alias ARN (`alias/cdk-s3-dr/two-way/<first bucket>`), as the other region names it. */
  readonly firstKeyArn: string;
  /** The second key's literal alias ARN. */
  readonly secondKeyArn: string;

  /** The replication role name a side gets by default: `<bucketName>-replication`, shortened with a hash to 64 characters. */
  static defaultReplicationRoleName(bucketName: string): string {
    return twoWayRoleName(bucketName);
  }

  /** The alias a side's key gets (`alias/cdk-s3-dr/two-way/<bucketName>`), by which the other side names it. */
  static keyAliasName(bucketName: string): string {
    return twoWayKeyAlias(bucketName);
  }

  constructor(props: TwoWayReplicationProps) {
    const directions = props.directions ?? ReplicationDirections.BOTH_WAYS;
    const deleteMarkers = props.deleteMarkerReplication ?? true;
    const problems = validateTwoWay(props);
    if (problems.length > 0) {
      const anchor = props.first?.scope;
      throw new InvalidPropsError(anchor ? `${anchor.node.path}/${props.first.id}` : 'TwoWayReplication', problems);
    }
    this.directions = directions;
    this.deleteMarkerReplication = deleteMarkers;

    const a = factsOf(props.first, 'first');
    const b = factsOf(props.second, 'second');
    this.firstKeyArn = a.keyAliasArn;
    this.secondKeyArn = b.keyAliasArn;
    const ruleOptions = (to: SideFacts) => ({
      bucketArn: to.bucketArn,
      region: to.region,
      account: to.account,
      replicaKeyArn: to.keyAliasArn,
      ruleId: `two-way-to-${to.region}`,
      deleteMarkerReplication: deleteMarkers,
      replicaModifications: true,
      replicationTimeControl: props.replicationTimeControl,
      metrics: props.metrics,
    });

    const firstSide = new Construct(props.first.scope, props.first.id);
    const secondSide = new Construct(props.second.scope, props.second.id);
    this.firstKey = sideKey(firstSide, a);
    this.secondKey = sideKey(secondSide, b);

    this.first = new ReplicatedBucket(firstSide, 'Bucket', {
      bucketName: a.side.bucketName,
      encryptionKey: this.firstKey,
      replicationRoleName: a.roleName,
      lifecycleRules: a.side.lifecycleRules,
      serverAccessLogsBucket: a.side.serverAccessLogsBucket,
      removalPolicy: a.side.removalPolicy,
      permissionsBoundary: a.side.permissionsBoundary,
      destinations: [ReplicationDestination.toBucket(ruleOptions(b))],
    });
    this.firstBucket = this.first.bucket;

    if (directions === ReplicationDirections.BOTH_WAYS) {
      this.second = new ReplicatedBucket(secondSide, 'Bucket', {
        bucketName: b.side.bucketName,
        encryptionKey: this.secondKey,
        replicationRoleName: b.roleName,
        lifecycleRules: b.side.lifecycleRules,
        serverAccessLogsBucket: b.side.serverAccessLogsBucket,
        removalPolicy: b.side.removalPolicy,
        permissionsBoundary: b.side.permissionsBoundary,
        destinations: [ReplicationDestination.toBucket(ruleOptions(a))],
      });
      this.secondBucket = this.second.bucket;
    } else {
      this.secondReplica = new ReplicaBucket(secondSide, 'Bucket', {
        bucketName: b.side.bucketName,
        encryptionKey: this.secondKey,
        lifecycleRules: b.side.lifecycleRules,
        serverAccessLogsBucket: b.side.serverAccessLogsBucket,
        removalPolicy: b.side.removalPolicy,
      });
      this.secondBucket = this.secondReplica.bucket;
      // The second bucket must exist before the first bucket's rule names it.
      a.stack.addStackDependency(b.stack, 'the second bucket must exist before the first replicates to it');
      Annotations.of(firstSide).addWarningV2(
        'cdk-s3-dr:two-way-one-direction',
        `directions = FIRST_TO_SECOND_ONLY: objects written to ${b.side.bucketName} are not replicated to ${a.side.bucketName} yet; deploy once more with ReplicationDirections.BOTH_WAYS once both buckets exist`,
      );
    }

    // Across accounts, each receiving side allows exactly the other side's role.
    allowPeer(this.secondBucket, this.secondKey, b, a, deleteMarkers);
    if (directions === ReplicationDirections.BOTH_WAYS) allowPeer(this.firstBucket, this.firstKey, a, b, deleteMarkers);

    if (!deleteMarkers) {
      Annotations.of(firstSide).addWarningV2(
        'cdk-s3-dr:two-way-delete-markers',
        'deleteMarkerReplication = false: a delete on one bucket does not reach the other, so the object reappears after a failover or failback and reads through a Multi-Region Access Point disagree between regions; leave it on (the default) unless each side must keep what the other deletes',
      );
    }
    // Each bucket holds the other's replicas: the replica warnings apply to both (a ReplicaBucket
    // gives them itself).
    const warned: Array<[Construct, SideFacts]> = [[firstSide, a]];
    if (this.second) warned.push([secondSide, b]);
    for (const [scope, side] of warned) {
      for (const w of replicaWarnings(side.side)) Annotations.of(scope).addWarningV2(w.id, w.message);
    }
  }

  /** The pair from the first bucket to the second, for audits, drills, probes and failover in the second region. */
  get firstToSecond(): ReplicationPair {
    // The key by its literal alias ARN: the key ARN would be a reference across regions.
    return { ...ReplicationPairs.of(this.first), sourceKeyArn: this.firstKeyArn };
  }

  /** The pair from the second bucket to the first; undefined with `FIRST_TO_SECOND_ONLY`. */
  get secondToFirst(): ReplicationPair | undefined {
    return this.second ? { ...ReplicationPairs.of(this.second), sourceKeyArn: this.secondKeyArn } : undefined;
  }
}

/** The default replication role name of a side: `<bucket>-replication`, at most 64 characters. */
function twoWayRoleName(bucketName: string): string {
  const name = `${bucketName}-replication`;
  if (name.length <= 64) return name;
  const hash = createHash('sha256').update(bucketName).digest('hex').slice(0, 8);
  return `${bucketName.slice(0, 64 - '-replication'.length - 9)}-${hash}-replication`;
}

/** The alias each side's key gets, so the other side names it by a literal ARN. */
function twoWayKeyAlias(bucketName: string): string {
  return `alias/cdk-s3-dr/two-way/${bucketName}`;
}

function factsOf(side: TwoWayReplicationSide, label: 'first' | 'second'): SideFacts {
  const stack = Stack.of(side.scope);
  // Literal even in an app without the partition-literals feature flag (validated: region known).
  const partition = Token.isUnresolved(stack.partition) ? RegionInfo.get(stack.region).partition! : stack.partition;
  const roleName = side.replicationRoleName ?? twoWayRoleName(side.bucketName);
  const keyAliasName = twoWayKeyAlias(side.bucketName);
  return {
    side,
    label,
    stack,
    region: stack.region,
    account: stack.account,
    partition,
    bucketArn: `arn:${partition}:s3:::${side.bucketName}`,
    roleName,
    roleArn: `arn:${partition}:iam::${stack.account}:role/${roleName}`,
    keyAliasName,
    keyAliasArn: `arn:${partition}:kms:${stack.region}:${stack.account}:${keyAliasName}`,
  };
}

/** The side's key: rotation on, retained, and the alias the other side names it by. */
function sideKey(scope: Construct, f: SideFacts): kms.Key {
  const { key } = createBucketKey(
    scope,
    'Key',
    `Encrypts ${f.side.bucketName} and the replicas it receives (cdk-s3-dr two-way replication)`,
    f.side.removalPolicy,
  );
  key.addAlias(f.keyAliasName);
  RegionalDefaults.of(scope).adoptKey(key, f.side.removalPolicy);
  return key;
}

/**
 * Cross-account only: the receiving side's bucket policy and key policy allow the other side's
 * account, with an `aws:PrincipalArn` condition naming its replication role (granting the role
 * ARN as principal would fail while that role does not exist yet). Same account: the role's own
 * policy is enough (the key policy lets IAM policies of the account grant use of the key).
 */
function allowPeer(bucket: s3.IBucket, key: kms.Key, to: SideFacts, from: SideFacts, deleteMarkers: boolean): void {
  if (to.account === from.account || Token.isUnresolved(to.account) || Token.isUnresolved(from.account)) return;
  const principal = new iam.AccountPrincipal(from.account);
  const onlyTheRole = { ArnEquals: { 'aws:PrincipalArn': from.roleArn } };
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CdkS3DrTwoWayReplicateFromPeer',
      principals: [principal],
      actions: REPLICATION_DESTINATION_OBJECT_ACTIONS.filter((a) => a !== 's3:ReplicateDelete' || deleteMarkers),
      resources: [bucket.arnForObjects('*')],
      conditions: onlyTheRole,
    }),
  );
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CdkS3DrTwoWayPeerChecksVersioning',
      principals: [principal],
      actions: ['s3:GetBucketVersioning', 's3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: onlyTheRole,
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CdkS3DrTwoWayEncryptReplicasForPeer',
      principals: [principal],
      actions: REPLICATION_REPLICA_KEY_ACTIONS,
      resources: ['*'], // in a key policy, "*" means this key
      conditions: {
        ...onlyTheRole,
        StringEquals: { 'kms:ViaService': `s3.${to.region}.amazonaws.com` },
        // The literal bucket ARN: a reference to the bucket would be a cycle (the bucket names the key).
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': [to.bucketArn, `${to.bucketArn}/*`] },
      },
    }),
  );
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** Everything wrong with the props, before any construct exists. */
function validateTwoWay(p: TwoWayReplicationProps): PropProblem[] {
  const problems: PropProblem[] = [];
  const sides = [
    ['first', p.first],
    ['second', p.second],
  ] as const;
  for (const [label, side] of sides) {
    if (!side || !side.scope) {
      problems.push({
        prop: label,
        value: side === undefined ? undefined : 'no scope',
        problem: 'each side needs a scope (a stack with an explicit env, or a construct in it)',
        fix: `give ${label}: { scope: stack, id: 'Data', bucketName: 'my-bucket' }`,
      });
      continue;
    }
    const stack = Stack.of(side.scope);
    if (Token.isUnresolved(stack.region) || Token.isUnresolved(stack.account)) {
      problems.push({
        prop: `${label}.scope`,
        value: stack.node.path,
        problem:
          "the stack has no explicit env: the other side names this side's bucket, role and key by literal ARNs, which need its account and region",
        fix: `give the stack ${stack.node.path} an explicit env: { account, region }`,
      });
    } else {
      problems.push(...checkRegion(`${label}.scope (env.region)`, stack.region));
    }
    if (side.bucketName === undefined || Token.isUnresolved(side.bucketName)) {
      problems.push({
        prop: `${label}.bucketName`,
        value: side.bucketName === undefined ? undefined : '(unresolved)',
        problem:
          "a two-way pair names each bucket from the other side's stack without a reference, so the name must be a literal",
        fix: `give ${label}.bucketName a literal name, for example "orders-${Token.isUnresolved(stack.region) ? 'us-east-1' : stack.region}"`,
      });
    } else {
      problems.push(...checkBucketName(`${label}.bucketName`, side.bucketName));
    }
    const role = side.replicationRoleName;
    if (role !== undefined && !Token.isUnresolved(role) && !ROLE_NAME.test(role)) {
      problems.push({
        prop: `${label}.replicationRoleName`,
        value: role,
        problem: 'not a valid IAM role name',
        fix: 'use 1-64 letters, digits and +=,.@_-',
      });
    } else if (role !== undefined && Token.isUnresolved(role)) {
      problems.push({
        prop: `${label}.replicationRoleName`,
        value: '(unresolved)',
        problem: "the other side's policies name this role, so its name must be a literal",
        fix: `remove replicationRoleName (the default is "<bucketName>-replication") or give a literal name`,
      });
    }
  }
  if (problems.length > 0) return problems;

  const [a, b] = [p.first, p.second];
  const [sa, sb] = [Stack.of(a.scope), Stack.of(b.scope)];
  if (sa.region === sb.region) {
    problems.push({
      prop: 'second.scope',
      value: sb.region,
      problem: `both sides are in ${sa.region}; this library builds cross-region replication for disaster recovery`,
      fix: 'put the second side in a stack of another region',
    });
  }
  if (a.bucketName === b.bucketName) {
    problems.push({
      prop: 'second.bucketName',
      value: b.bucketName,
      problem: 'both sides have the same bucket name; bucket names are global, and a bucket cannot replicate to itself',
      fix: `give each side its own name, for example "${b.bucketName.slice(0, 50)}-${sb.region}"`.slice(0, 200),
    });
  }
  const roleA = a.replicationRoleName ?? twoWayRoleName(a.bucketName);
  const roleB = b.replicationRoleName ?? twoWayRoleName(b.bucketName);
  if (sa.account === sb.account && roleA === roleB) {
    problems.push({
      prop: 'second.replicationRoleName',
      value: roleB,
      problem: 'both sides would create a role of that name in one account; IAM role names are unique per account',
      fix: 'give each side its own replicationRoleName, or leave both unset',
    });
  }
  if (p.directions !== undefined && !Object.values(ReplicationDirections).includes(p.directions)) {
    problems.push({
      prop: 'directions',
      value: p.directions,
      problem: 'unknown directions',
      fix: 'use ReplicationDirections.BOTH_WAYS or ReplicationDirections.FIRST_TO_SECOND_ONLY',
    });
  }
  if (p.replicationTimeControl && p.metrics === false) {
    problems.push({
      prop: 'replicationTimeControl',
      value: true,
      problem: 'Replication Time Control requires replication metrics',
      fix: 'leave metrics on (the default) or turn replicationTimeControl off',
    });
  }
  return problems;
}
