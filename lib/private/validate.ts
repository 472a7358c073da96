import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { IConstruct } from 'constructs';
import { InvalidPropsError, PropProblem } from './errors';
import { ReplicationRuleOptions } from '../replication/replication-options';
import * as audit from '../../lambda/audit/contract';
import * as drill from '../../lambda/drill/contract';
import * as failover from '../../lambda/failover/contract';
import {
  BUCKET_NAME_EXAMPLE,
  bucketNameProblem,
  durationProblem,
  nearBucketName,
  prefixProblems,
  regionProblem,
  wholeNumberProblem,
} from '../../lambda/shared/rules';

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
  const problem = wholeNumberProblem(value, min, max);
  return problem === undefined ? [] : [{ prop, value, problem, fix }];
}

export function checkPrefix(prop: string, value: string | undefined): PropProblem[] {
  if (!known(value)) return [];
  return prefixProblems(value).map(({ kind, problem, near }) =>
    kind === 'too-long'
      ? { prop, value: value.slice(0, 40) + '...', problem, fix: 'shorten the prefix' }
      : {
          prop,
          value,
          problem,
          fix: kind === 'glob' ? `write the literal prefix, for example "${near}"` : `write "${near}"`,
          replacement: near,
        },
  );
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
  readonly partition?: string;
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
    problems.push(...checkRegion(at('region'), d.region));
    problems.push(...checkBucketArn(at('bucketArn'), d.bucketArn));
    problems.push(...checkKeyArn(at('replicaKeyArn'), d.keyArn));
    const arnPartition = known(d.bucketArn) ? d.bucketArn.split(':')[1] : undefined;
    if (
      known(source.partition) &&
      arnPartition !== undefined &&
      PARTITION.test(arnPartition) &&
      arnPartition !== source.partition
    ) {
      problems.push({
        prop: at('bucketArn'),
        value: d.bucketArn,
        problem: `the bucket is in the ${arnPartition} partition but the source is in ${source.partition}; S3 replicates only within a partition`,
        fix: 'replicate to a bucket of the same partition',
      });
    }
    problems.push(
      ...checkWholeNumber(at('priority'), o.priority, 0, 2_147_483_647, 'use 0 or more, for example 1, 2, 3'),
    );
    problems.push(...checkTagFilter(at('tags'), o.tags));
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

// ---------------------------------------------------------------------------------------------
// Shared rules: each written once here; constructs call them with the prop's name.
// ---------------------------------------------------------------------------------------------

/** The bucket naming rule (shared with the handlers and the command line). */
export { bucketNameProblem };

export function checkBucketName(prop: string, value: string | undefined): PropProblem[] {
  if (!known(value)) return [];
  const problem = bucketNameProblem(value);
  if (problem === undefined) return [];
  const near = nearBucketName(value);
  return [
    near !== undefined
      ? { prop, value, problem, fix: `write "${near}"`, replacement: near }
      : {
          prop,
          value,
          problem,
          fix: `use 3-63 lower-case letters, digits, hyphens and dots, for example "${BUCKET_NAME_EXAMPLE}"`,
          replacement: BUCKET_NAME_EXAMPLE,
        },
  ];
}

/** The partitions AWS has today: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc. */
const PARTITION = /^aws(-[a-z]+){0,2}$/;

/**
 * An S3 bucket ARN: `arn:<partition>:s3:::<bucket name>`, no region, no account, no key.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-resources-for-iam-policies
 */
export function checkBucketArn(prop: string, value: string | undefined): PropProblem[] {
  if (!known(value)) return [];
  const parts = value.split(':');
  const [arn, partition, service, region, account] = parts;
  const resource = parts.slice(5).join(':');
  // A bare bucket name given for the ARN: propose the ARN of that bucket.
  const name = parts.length === 1 ? value : resource.split('/')[0];
  const proposal = (p: string) => {
    const n = bucketNameProblem(name) === undefined ? name : (nearBucketName(name) ?? BUCKET_NAME_EXAMPLE);
    return `arn:${PARTITION.test(p) ? p : 'aws'}:s3:::${n}`;
  };
  const problem = (text: string): PropProblem[] => {
    const replacement = proposal(partition ?? 'aws');
    return [{ prop, value, problem: text, fix: `write "${replacement}"`, replacement }];
  };
  if (parts.length < 6 || arn !== 'arn') return problem('not an ARN (arn:<partition>:s3:::<bucket name>)');
  if (!PARTITION.test(partition)) return problem(`"${partition}" is not an AWS partition`);
  if (service !== 's3') return problem(`an ARN of the ${service || 'unnamed'} service, not an S3 bucket ARN`);
  if (region !== '' || account !== '')
    return problem('an S3 bucket ARN has empty region and account fields (arn:aws:s3:::<bucket name>)');
  if (resource.includes('/'))
    return problem('an object or access point ARN, not a bucket ARN: a bucket ARN has no "/" part');
  const nameProblem = bucketNameProblem(name);
  if (nameProblem !== undefined) return problem(`the bucket name in the ARN is invalid: ${nameProblem}`);
  return [];
}

/**
 * A KMS key or alias ARN: `arn:<partition>:kms:<region>:<account>:key/<id>` or `...:alias/<name>`.
 */
export function checkKeyArn(prop: string, value: string | undefined): PropProblem[] {
  if (!known(value)) return [];
  if (
    /^arn:aws(-[a-z]+){0,2}:kms:[a-z]{2}(-[a-z]+)+-\d{1,2}:\d{12}:(key\/[A-Za-z0-9-]+|alias\/[A-Za-z0-9/_-]+)$/.test(
      value,
    )
  )
    return [];
  return [
    {
      prop,
      value,
      problem: 'not a KMS key or alias ARN',
      fix: 'use arn:aws:kms:<region>:<account>:key/<key id> or arn:aws:kms:<region>:<account>:alias/<alias name>',
    },
  ];
}

/** A region code such as `us-east-1`, `us-gov-west-1`, `cn-north-1` or `eu-central-2`. */
export function checkRegion(prop: string, value: string | undefined): PropProblem[] {
  if (!known(value)) return [];
  const problem = regionProblem(value);
  if (problem === undefined) return [];
  const near = value.trim().toLowerCase().replace(/\s+/g, '-');
  const valid = regionProblem(near) === undefined;
  return [
    {
      prop,
      value,
      problem,
      fix: valid ? `write "${near}"` : 'use a region code, for example "us-east-1"',
      replacement: valid ? near : 'us-east-1',
    },
  ];
}

/**
 * A region that must be known at synth time: the stack needs an explicit env. `unchecked` says
 * what could not be checked otherwise, for example "that every destination is in another region".
 */
export function checkStackRegion(prop: string, region: string, unchecked: string): PropProblem[] {
  if (!isToken(region)) return [];
  return [
    {
      prop,
      value: '(unresolved)',
      problem: `the stack has no explicit region, so nothing checks ${unchecked}, and it could deploy to any region`,
      fix: 'give the stack an explicit env: { account, region }',
    },
  ];
}

/** A resource (bucket, key) that must be in the given region. */
export function checkSameRegion(
  prop: string,
  what: string,
  resourceRegion: string | undefined,
  region: string | undefined,
  value: unknown,
): PropProblem[] {
  if (!known(resourceRegion) || !known(region) || resourceRegion === region) return [];
  return [
    {
      prop,
      value,
      problem: `${what} is in ${resourceRegion} but this stack is in ${region}`,
      fix: `use one in ${region}, or create the construct in a stack of ${resourceRegion}`,
    },
  ];
}

/**
 * A key prefix the construct writes and deletes under: non-empty, ending in "/", so a grant on
 * `<prefix>*` cannot reach keys of another prefix (`drills*` would cover `drills-archive/`).
 * Every fix it proposes passes the same check (the fallback when nothing close is valid).
 */
export function checkOwnPrefix(prop: string, value: string | undefined, fallback: string, who: string): PropProblem[] {
  if (!known(value)) return [];
  const shape = checkPrefix(prop, value);
  const trimmed = value.replace(/^\/+/, '').replace(/[*?].*$/, '');
  const near = trimmed === '' ? fallback : trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
  const proposal = (problem: string): PropProblem => ({
    prop,
    value,
    problem,
    fix: `write "${near}"`,
    replacement: near,
  });
  if (value === '' || trimmed === '')
    return [proposal(`${who} must write under a prefix of its own, never at the root of a bucket`)];
  if (shape.length > 0) return shape.map((p) => (p.replacement === undefined ? p : proposal(p.problem)));
  if (!value.endsWith('/'))
    return [proposal(`without a trailing "/" the grant on "${value}*" also covers keys such as "${value}-other/"`)];
  return [];
}

/** Two key prefixes overlap when one starts with the other (a grant on one reaches the other). */
export function prefixesOverlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/** The prefixes the library's constructs write reports under, in a reports bucket. */
export const REPORTS_PREFIXES = {
  audit: audit.DEFAULTS.reportsPrefix,
  drill: drill.DEFAULTS.reportsPrefix,
  failover: failover.DEFAULTS.reportsPrefix,
} as const;

/** A duration from `minSeconds` to `maxSeconds` (both included). */
export function checkDuration(
  prop: string,
  value: Duration | undefined,
  minSeconds: number,
  maxSeconds: number,
  fix: string,
): PropProblem[] {
  if (value === undefined || value.isUnresolved()) return [];
  const problem = durationProblem(value.toSeconds({ integral: false }), { min: minSeconds, max: maxSeconds }, (s) =>
    Duration.seconds(s).toHumanString(),
  );
  return problem === undefined ? [] : [{ prop, value: value.toHumanString(), problem, fix }];
}

/** A lag window: whole seconds, at most the audit's limit (a longer window hides replication faults). */
export function checkLagWindow(prop: string, lag: Duration | undefined): PropProblem[] {
  if (!lag || lag.isUnresolved()) return [];
  const seconds = lag.toSeconds({ integral: false });
  if (seconds > audit.LIMITS.lagWindowSeconds.max)
    return [
      {
        prop,
        value: lag.toHumanString(),
        problem: `a lag window over ${Duration.seconds(audit.LIMITS.lagWindowSeconds.max).toHumanString()} hides real replication faults`,
        fix: 'use the replication RPO, for example Duration.minutes(15)',
      },
    ];
  if (!Number.isInteger(seconds))
    return [
      {
        prop,
        value: lag.toHumanString(),
        problem: 'the audit counts the lag window in whole seconds',
        fix: 'use whole seconds, for example Duration.minutes(15)',
      },
    ];
  return [];
}

/** What EventBridge Scheduler accepts: `rate(value unit)`, `cron(6 fields)` or `at(yyyy-mm-ddThh:mm:ss)`. */
export function scheduleProblem(expression: string): { problem: string; replacement?: string } | undefined {
  const rate = /^rate\((.*)\)$/.exec(expression);
  if (rate) {
    const m = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(rate[1]);
    if (!m)
      return {
        problem: 'a rate is a positive whole number and minute(s), hour(s) or day(s)',
        replacement: 'rate(1 day)',
      };
    const n = Number(m[1]);
    const unit = m[2].replace(/s$/, '');
    if (n === 0) return { problem: 'a rate must be at least 1', replacement: `rate(1 ${unit})` };
    if (n === 1 && m[2].endsWith('s'))
      return { problem: 'a rate of 1 takes the singular unit', replacement: `rate(1 ${unit})` };
    if (n > 1 && !m[2].endsWith('s'))
      return { problem: 'a rate above 1 takes the plural unit', replacement: `rate(${n} ${unit}s)` };
    return undefined;
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) {
    const fields = cron[1].trim().split(/\s+/);
    if (fields.length !== 6) {
      // A five-field Unix cron: add the year, and "?" for day-of-week when day-of-month is set.
      const near =
        fields.length === 5
          ? `cron(${[...fields.slice(0, 4), fields[2] === '?' ? fields[4] : '?', '*'].join(' ')})`
          : undefined;
      return {
        problem: `a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), not ${fields.length}`,
        replacement: near !== undefined && scheduleProblem(near) === undefined ? near : 'cron(0 3 * * ? *)',
      };
    }
    if (fields.some((f) => !/^[0-9A-Za-z,*/?#-]+$/.test(f)))
      return { problem: 'a cron field has a character cron does not allow', replacement: 'cron(0 3 * * ? *)' };
    if ((fields[2] === '?') === (fields[4] === '?'))
      return {
        problem: 'exactly one of day-of-month and day-of-week must be "?"',
        replacement: `cron(${[...fields.slice(0, 2), fields[2] === '?' ? '*' : fields[2], fields[3], '?', fields[5]].join(' ')})`,
      };
    return undefined;
  }
  if (/^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$/.test(expression)) return undefined;
  return {
    problem: 'not a schedule expression: use rate(value unit), cron(6 fields) or at(yyyy-mm-ddThh:mm:ss)',
    replacement: 'rate(1 day)',
  };
}

/**
 * An EventBridge Scheduler expression.
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 */
export function checkSchedule(prop: string, value: scheduler.ScheduleExpression | undefined): PropProblem[] {
  if (value === undefined || !known(value.expressionString)) return [];
  const found = scheduleProblem(value.expressionString);
  if (found === undefined) return [];
  const r = found.replacement!;
  return [
    {
      prop,
      value: value.expressionString,
      problem: found.problem,
      fix: `use ScheduleExpression.expression("${r}")${r.startsWith('rate(') ? ' or ScheduleExpression.rate(Duration...)' : ''}`,
      replacement: r,
    },
  ];
}

/** S3 allows at most 10 tags on an object. */
export const MAX_OBJECT_TAGS = 10;

/**
 * A replication rule's tag filter: an object has at most 10 tags, so a filter on more matches
 * nothing; tag keys are 1-128 characters, values at most 256.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html
 */
export function checkTagFilter(prop: string, tags: Record<string, string> | undefined): PropProblem[] {
  if (tags === undefined || isToken(tags)) return [];
  const problems: PropProblem[] = [];
  const keys = Object.keys(tags);
  if (keys.length > MAX_OBJECT_TAGS) {
    problems.push({
      prop,
      value: `${keys.length} tags`,
      problem: `an object carries at most ${MAX_OBJECT_TAGS} tags, so a filter on ${keys.length} tags replicates nothing`,
      fix: `filter on at most ${MAX_OBJECT_TAGS} tags`,
    });
  }
  for (const k of keys) {
    if (isToken(k)) continue;
    if (k.trim() === '') {
      problems.push({ prop, value: tags, problem: 'a tag key must not be empty', fix: 'give every tag a key' });
    } else if (k.length > 128) {
      problems.push({
        prop: `${prop}.${k.slice(0, 20)}...`,
        value: k,
        problem: 'a tag key is at most 128 characters',
        fix: 'shorten the key',
      });
    }
    const v = tags[k];
    if (known(v) && v.length > 256) {
      problems.push({
        prop: `${prop}.${k}`,
        value: v,
        problem: 'a tag value is at most 256 characters',
        fix: 'shorten the value',
      });
    }
  }
  return problems;
}

/**
 * Check an app-level rule when the app synthesizes (after every construct exists): the problems
 * render exactly as an InvalidPropsError would.
 */
export function validateAtSynth(scope: IConstruct, problems: () => PropProblem[]): void {
  scope.node.addValidation({
    validate: () => {
      const found = problems();
      return found.length === 0 ? [] : [new InvalidPropsError(scope.node.path, found).message];
    },
  });
}

/** A legal but dangerous choice: a warning annotation with its id (users can acknowledge it). */
export interface PropWarning {
  readonly id: string;
  readonly message: string;
}

/**
 * A replica is the copy that survives: deleting it with the stack, or expiring its current
 * versions, defeats disaster recovery. Both are legal (a test environment), so they warn.
 */
export function replicaWarnings(f: {
  removalPolicy?: RemovalPolicy;
  lifecycleRules?: readonly s3.LifecycleRule[];
}): PropWarning[] {
  const warnings: PropWarning[] = [];
  if (f.removalPolicy === RemovalPolicy.DESTROY) {
    warnings.push({
      id: 'cdk-s3-dr:replica-destroy',
      message:
        'removalPolicy = DESTROY: deleting the stack deletes the replica bucket and its key, the copy disaster recovery relies on; use RemovalPolicy.RETAIN (the default) outside test environments',
    });
  }
  (f.lifecycleRules ?? []).forEach((r, i) => {
    if (r.enabled === false || (r.expiration === undefined && r.expirationDate === undefined)) return;
    warnings.push({
      id: 'cdk-s3-dr:replica-expiration',
      message: `lifecycleRules[${i}].${r.expiration !== undefined ? 'expiration' : 'expirationDate'} expires current versions of replicas: objects still current in the source disappear from the replica, so a failover would lose them; expire noncurrent versions only (noncurrentVersionExpiration)`,
    });
  });
  return warnings;
}
