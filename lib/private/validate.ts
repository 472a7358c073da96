import { Token } from 'aws-cdk-lib';
import { PropProblem } from '../errors';
import { ReplicationRuleOptions } from '../replication-options';

/**
 * Validation rules as pure functions returning problems (never throwing), so every problem of
 * a construct is reported at once. Each rule skips values that are unresolved tokens: a value
 * only known at deploy time cannot be judged at synth time.
 */

const isToken = (v: unknown): boolean => v !== undefined && v !== null && Token.isUnresolved(v);
const known = (v: string | undefined): v is string => v !== undefined && !isToken(v);

/** S3 allows up to 1,000 replication rules per bucket. */
export const MAX_REPLICATION_RULES = 1000;

export function checkAccountId(prop: string, value: string | undefined): PropProblem[] {
  if (!known(value) || /^\d{12}$/.test(value)) return [];
  return [
    {
      prop,
      value,
      problem: 'an AWS account id is exactly 12 digits',
      fix: 'write the account id as 12 digits, for example "123456789012"',
    },
  ];
}

/** A whole number from `min` to `max`, both included. */
export function checkWholeNumber(
  prop: string,
  value: number | undefined,
  min: number,
  max: number,
  fix: string,
): PropProblem[] {
  if (value === undefined || isToken(value)) return [];
  if (Number.isInteger(value) && value >= min && value <= max) return [];
  return [{ prop, value, problem: `must be a whole number from ${min} to ${max.toLocaleString('en-US')}`, fix }];
}

export function checkPrefix(prop: string, value: string | undefined): PropProblem[] {
  if (!known(value)) return [];
  const problems: PropProblem[] = [];
  if (value.startsWith('/')) {
    problems.push({
      prop,
      value,
      problem: 'a key prefix must not start with "/" (S3 keys have no leading slash)',
      fix: `write "${value.replace(/^\/+/, '')}"`,
    });
  }
  if (/[*?]/.test(value)) {
    problems.push({
      prop,
      value,
      problem: 'replication filters match a literal prefix, not a glob',
      fix: `write the literal prefix, for example "${value.replace(/[*?].*$/, '')}"`,
    });
  }
  if (Buffer.byteLength(value, 'utf8') > 1024) {
    problems.push({
      prop,
      value: value.slice(0, 40) + '...',
      problem: 'a key prefix is at most 1,024 bytes',
      fix: 'shorten the prefix',
    });
  }
  return problems;
}

/** Region, account and key facts of one destination, as far as synth can know them. */
export interface DestinationFacts {
  readonly region?: string;
  readonly account?: string;
  readonly bucketArn?: string;
  /** The region named in the replica key ARN. */
  readonly keyRegion?: string;
  readonly keyArn?: string;
  /** undefined when not known (an imported bucket that did not say). */
  readonly objectLockEnabled?: boolean;
  readonly options: ReplicationRuleOptions;
}

export interface SourceFacts {
  readonly region?: string;
  readonly account?: string;
  readonly objectLockEnabled: boolean;
}

export function validateReplication(source: SourceFacts, destinations: readonly DestinationFacts[]): PropProblem[] {
  const problems: PropProblem[] = [];
  if (destinations.length === 0) {
    problems.push({
      prop: 'destinations',
      value: [],
      problem: 'at least one destination is required',
      fix: 'pass ReplicationDestination.toReplicaBucket(replica) or ReplicationDestination.toBucket({...})',
    });
  }
  if (destinations.length > MAX_REPLICATION_RULES) {
    problems.push({
      prop: 'destinations',
      value: `${destinations.length} destinations`,
      problem: `S3 allows at most ${MAX_REPLICATION_RULES} replication rules per bucket`,
      fix: 'merge destinations or use prefix filters that cover several keys',
    });
  }
  problems.push(...checkAccountId('env.account (source stack)', source.account));

  if (destinations.length > 1) {
    const seen = new Map<number, number>();
    destinations.forEach((d, i) => {
      const p = d.options.priority;
      if (p === undefined) {
        problems.push({
          prop: `destinations[${i}].priority`,
          value: undefined,
          problem: 'every rule needs a priority when a bucket has several destinations',
          fix: 'give each destination a distinct priority, for example 1, 2, 3',
        });
      } else if (seen.has(p)) {
        problems.push({
          prop: `destinations[${i}].priority`,
          value: p,
          problem: `duplicates the priority of destinations[${seen.get(p)}]`,
          fix: 'give each destination a distinct priority',
        });
      } else {
        seen.set(p, i);
      }
    });
  }
  const ruleIds = new Map<string, number>();
  destinations.forEach((d, i) => {
    const at = (p: string) => `destinations[${i}].${p}`;
    const o = d.options;
    if (known(o.ruleId)) {
      if (ruleIds.has(o.ruleId)) {
        problems.push({
          prop: at('ruleId'),
          value: o.ruleId,
          problem: `duplicates the rule id of destinations[${ruleIds.get(o.ruleId)}]`,
          fix: 'give each destination a distinct ruleId',
        });
      }
      ruleIds.set(o.ruleId, i);
      if (o.ruleId.length > 255)
        problems.push({
          prop: at('ruleId'),
          value: o.ruleId,
          problem: 'a rule id is at most 255 characters',
          fix: 'shorten the rule id',
        });
    }
    if (known(d.region) && known(source.region) && d.region === source.region) {
      problems.push({
        prop: at('region'),
        value: d.region,
        problem:
          'the destination is in the same region as the source; this library builds cross-region replication for disaster recovery',
        fix: 'put the replica in another region (another stack with env.region set)',
      });
    }
    problems.push(...checkAccountId(at('account'), d.account));
    if (known(d.keyRegion) && known(d.region) && d.keyRegion !== d.region) {
      problems.push({
        prop: at('replicaKeyArn'),
        value: d.keyArn,
        problem: `the replica key is in ${d.keyRegion} but the destination bucket is in ${d.region}; S3 needs a key in the bucket's region`,
        fix: `use a KMS key created in ${d.region}`,
      });
    }
    problems.push(...checkPrefix(at('prefix'), o.prefix));
    if (o.tags && Object.keys(o.tags).length > 0 && o.deleteMarkerReplication) {
      problems.push({
        prop: at('deleteMarkerReplication'),
        value: true,
        problem: 'S3 does not replicate delete markers for rules with tag filters',
        fix: 'remove the tags filter or set deleteMarkerReplication to false',
      });
    }
    if (o.replicationTimeControl && o.metrics === false) {
      problems.push({
        prop: at('replicationTimeControl'),
        value: true,
        problem: 'Replication Time Control requires replication metrics',
        fix: 'leave metrics on (the default) or turn replicationTimeControl off',
      });
    }
    const sameAccount = known(d.account) && known(source.account) && d.account === source.account;
    const accountUnknown = d.account === undefined;
    if (o.ownerOverride && (sameAccount || accountUnknown)) {
      problems.push({
        prop: at('ownerOverride'),
        value: true,
        problem: 'owner override only applies when the destination bucket is in another account',
        fix: 'remove ownerOverride, or set the destination account',
      });
    }
    if (d.objectLockEnabled !== undefined && d.objectLockEnabled !== source.objectLockEnabled) {
      const [on, off] = source.objectLockEnabled ? ['source', 'destination'] : ['destination', 'source'];
      problems.push({
        prop: at('objectLockEnabled'),
        value: d.objectLockEnabled,
        problem: `Object Lock is on for the ${on} but off for the ${off}; replicated retention would be lost or replication would fail`,
        fix: 'enable Object Lock on both buckets or on neither',
      });
    }
  });
  return problems;
}

export interface ReplicaFacts {
  readonly region?: string;
  readonly account?: string;
  readonly sourceAccount?: string;
  readonly sourceReplicationRoleName?: string;
  readonly keyRegion?: string;
  readonly keyArn?: string;
  readonly objectLockEnabled: boolean;
  readonly objectLockDefaultRetentionSet: boolean;
  readonly existingBucket: boolean;
}

export function validateReplica(f: ReplicaFacts): PropProblem[] {
  const problems: PropProblem[] = [];
  problems.push(...checkAccountId('sourceAccount', f.sourceAccount));
  if (known(f.sourceAccount) && known(f.account) && f.sourceAccount === f.account) {
    problems.push({
      prop: 'sourceAccount',
      value: f.sourceAccount,
      problem: "the source account is this stack's own account; same-account replication needs no resource policy",
      fix: 'remove sourceAccount',
    });
  }
  if (f.sourceAccount !== undefined && f.sourceReplicationRoleName === undefined) {
    problems.push({
      prop: 'sourceReplicationRoleName',
      value: undefined,
      problem:
        'cross-account grants name the source replication role so that no other principal of the source account can write replicas',
      fix: 'set sourceReplicationRoleName to the replicationRoleName of the ReplicatedBucket in the source account',
    });
  }
  if (known(f.sourceReplicationRoleName) && !/^[\w+=,.@-]{1,64}$/.test(f.sourceReplicationRoleName)) {
    problems.push({
      prop: 'sourceReplicationRoleName',
      value: f.sourceReplicationRoleName,
      problem: 'not a valid IAM role name',
      fix: 'use 1-64 letters, digits and +=,.@_-',
    });
  }
  if (f.sourceReplicationRoleName !== undefined && f.sourceAccount === undefined) {
    problems.push({
      prop: 'sourceReplicationRoleName',
      value: f.sourceReplicationRoleName,
      problem: 'only used for cross-account replication',
      fix: 'set sourceAccount as well, or remove sourceReplicationRoleName',
    });
  }
  if (known(f.keyRegion) && known(f.region) && f.keyRegion !== f.region) {
    problems.push({
      prop: 'encryptionKey',
      value: f.keyArn,
      problem: `the key is in ${f.keyRegion} but the bucket is in ${f.region}; S3 needs a key in the bucket's region`,
      fix: `use a KMS key created in ${f.region}`,
    });
  }
  if (f.objectLockDefaultRetentionSet && !f.objectLockEnabled) {
    problems.push({
      prop: 'objectLockDefaultRetention',
      value: 'set',
      problem: 'a default retention needs Object Lock',
      fix: 'set objectLockEnabled: true as well',
    });
  }
  if (f.existingBucket && f.objectLockDefaultRetentionSet) {
    problems.push({
      prop: 'objectLockDefaultRetention',
      value: 'set',
      problem: 'cannot configure Object Lock on an existing bucket from here',
      fix: 'configure retention on the existing bucket itself and pass objectLockEnabled: true',
    });
  }
  return problems;
}

/** The region of a KMS key or alias ARN, when it is a literal ARN. */
export function regionOfArn(arn: string | undefined): string | undefined {
  if (!known(arn)) return undefined;
  const parts = arn.split(':');
  return parts.length >= 6 && parts[0] === 'arn' ? parts[3] || undefined : undefined;
}
export function accountOfArn(arn: string | undefined): string | undefined {
  if (!known(arn)) return undefined;
  const parts = arn.split(':');
  return parts.length >= 6 && parts[0] === 'arn' ? parts[4] || undefined : undefined;
}
