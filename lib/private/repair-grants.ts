import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ReplicationPair } from '../replication/replication-pair';
import { keyThroughS3 } from './kms-through-s3';

/** What an audit lists and HEADs on each side: versions too when it compares every version. */
export function auditActions(versions: boolean): { list: string[]; head: string[] } {
  return {
    list: versions ? ['s3:ListBucket', 's3:ListBucketVersions'] : ['s3:ListBucket'],
    head: versions ? ['s3:GetObject', 's3:GetObjectVersion'] : ['s3:GetObject'],
  };
}

/**
 * An audit's read-only access to both buckets of a pair: list each bucket (`List<Side>`) and HEAD
 * its objects under the pair prefix (`Head<Side>Objects`, which needs s3:GetObject); nothing that
 * writes. The audit, the failover controller's failback audit and the repair's audit share it.
 */
export function auditReadStatements(
  stack: Stack,
  pair: ReplicationPair,
  actions: { readonly list: readonly string[]; readonly head: readonly string[] },
): iam.PolicyStatement[] {
  return (
    [
      ['Source', pair.sourceBucketName],
      ['Replica', pair.replicaBucketName],
    ] as const
  ).flatMap(([side, bucket]) => {
    const arn = `arn:${stack.partition}:s3:::${bucket}`;
    return [
      new iam.PolicyStatement({ sid: `List${side}`, actions: [...actions.list], resources: [arn] }),
      new iam.PolicyStatement({
        sid: `Head${side}Objects`,
        actions: [...actions.head],
        resources: [`${arn}/${pair.prefix ?? ''}*`],
      }),
    ];
  });
}

/** What a repair reads of the side it copies from (GetObject comes with the audit's HEADs). */
export const REPAIR_READ_ACTIONS = ['s3:GetObjectVersion', 's3:GetObjectTagging', 's3:GetObjectVersionTagging'];
/** What a repair writes to the other side: new versions and their tags. */
export const REPAIR_WRITE_ACTIONS = ['s3:PutObject', 's3:PutObjectTagging'];
/** A delete of the written side (a delete marker where the bucket is versioned). */
export const REPAIR_DELETE_ACTIONS = ['s3:DeleteObject'];

/**
 * The statements of a repair (the repair Lambda, the failover controller's approved failback
 * repair), on top of the audit's list and HEAD on both sides: list and HEAD versions on both sides
 * when it audits versions, read versions and tags of the side copied from, write objects and tags (and
 * delete, when allowed) on the written side, under the pair prefix; each side's key through S3,
 * for that bucket only. Never a version delete.
 */
export function repairStatements(
  stack: Stack,
  pair: ReplicationPair,
  opts: { readonly to: 'replica' | 'source'; readonly allowDelete: boolean; readonly listVersions: boolean },
): iam.PolicyStatement[] {
  const prefix = pair.prefix ?? '';
  const bucketArn = (name: string) => `arn:${stack.partition}:s3:::${name}`;
  const side = (which: 'source' | 'replica') =>
    which === 'source'
      ? { name: 'Source', bucket: pair.sourceBucketName, region: pair.sourceRegion, key: pair.sourceKeyArn }
      : { name: 'Replica', bucket: pair.replicaBucketName, region: pair.replicaRegion, key: pair.replicaKeyArn };
  const from = side(opts.to === 'source' ? 'replica' : 'source');
  const to = side(opts.to);
  const statements: iam.PolicyStatement[] = [];
  if (opts.listVersions)
    statements.push(
      new iam.PolicyStatement({
        sid: 'ListVersionsBothSides',
        actions: ['s3:ListBucketVersions'],
        resources: [bucketArn(pair.sourceBucketName), bucketArn(pair.replicaBucketName)],
      }),
      // A versions audit HEADs a version of either side (the side read from has it below).
      new iam.PolicyStatement({
        sid: `Head${to.name}Versions`,
        actions: ['s3:GetObjectVersion'],
        resources: [`${bucketArn(to.bucket)}/${prefix}*`],
      }),
    );
  statements.push(
    new iam.PolicyStatement({
      sid: `Read${from.name}Versions`,
      actions: REPAIR_READ_ACTIONS,
      resources: [`${bucketArn(from.bucket)}/${prefix}*`],
    }),
    new iam.PolicyStatement({
      sid: `Write${to.name}Objects`,
      actions: [...REPAIR_WRITE_ACTIONS, ...(opts.allowDelete ? REPAIR_DELETE_ACTIONS : [])],
      resources: [`${bucketArn(to.bucket)}/${prefix}*`],
    }),
  );
  if (from.key)
    statements.push(
      keyThroughS3({
        sid: `Decrypt${from.name}`,
        keyArn: from.key,
        region: from.region,
        actions: ['kms:Decrypt'],
        bucketArns: [bucketArn(from.bucket)],
      }),
    );
  if (to.key)
    statements.push(
      keyThroughS3({
        sid: `Encrypt${to.name}`,
        keyArn: to.key,
        region: to.region,
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        bucketArns: [bucketArn(to.bucket)],
      }),
    );
  return statements;
}
