/**
 * Turns S3 replication event notifications into one readable line per record. Pure: no AWS SDK,
 * no I/O, never throws on bad input (a notification that cannot be read still becomes a line).
 *
 * S3 sends replication events only as S3 Event Notifications (to SQS, SNS or Lambda in the
 * bucket's region), never through its EventBridge integration, which carries object created,
 * deleted, restore, tag, ACL, storage class and access tier events only.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-metrics-events.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html
 */

/** Where the failure reasons are listed by AWS. */
export const FAILURE_REASONS_URL =
  'https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-failure-codes.html';

/** What a failure reason means, and what to check. */
export interface FailureReasonInfo {
  /** What went wrong, lower case, no trailing period. */
  readonly text: string;
  /** What to check, lower case, no trailing period. */
  readonly check: string;
  /** AWS documents the reason as specific to S3 Batch Replication. */
  readonly batchOnly?: boolean;
}

const WRITE_REPLICA =
  "s3:ReplicateObject on the destination bucket and prefix in the replication role's policy (and, across accounts, the replica bucket policy)";

/**
 * Every S3 replication failure reason of the AWS "Amazon S3 replication failure reasons" table,
 * in our words, with what to check.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-failure-codes.html
 */
export const FAILURE_REASONS: Readonly<Record<string, FailureReasonInfo>> = {
  AssumeRoleNotPermitted: {
    text: 'S3 could not assume the replication role',
    check:
      'that the role exists, that its trust policy lets s3.amazonaws.com assume it, and that the replication configuration names it',
  },
  DstBucketInvalidRegion: {
    text: 'the destination bucket is not in the region the Batch Replication job names',
    check: "the destination bucket's region against the Batch Operations job",
    batchOnly: true,
  },
  DstBucketNotFound: {
    text: 'the destination bucket does not exist',
    check:
      'that the replica bucket exists and that the replication rule names its ARN (deploy the replica stack first)',
  },
  DstBucketObjectLockConfigMissing: {
    text: 'the source bucket uses Object Lock but the destination bucket may not',
    check: 'that Object Lock is enabled on the replica bucket as well',
  },
  DstBucketUnversioned: {
    text: 'versioning is not enabled on the destination bucket',
    check: 'that versioning is enabled on the replica bucket',
  },
  DstDelObjNotPermitted: {
    text: 'S3 may not replicate delete markers to the destination bucket',
    check:
      "s3:ReplicateDelete on the destination bucket in the replication role's policy (and, across accounts, the replica bucket policy)",
  },
  DstKmsKeyInvalidState: {
    text: 'the destination KMS key is not usable (disabled or pending deletion)',
    check: "the replica key's state in KMS: enable it or cancel its deletion",
  },
  DstKmsKeyNotFound: {
    text: 'the destination KMS key does not exist',
    check: 'the replica key ARN in the replication rule',
  },
  DstMultipartCompleteNotPermitted: {
    text: 'S3 may not complete a multipart upload of the replica in the destination bucket',
    check: WRITE_REPLICA,
  },
  DstMultipartInitNotPermitted: {
    text: 'S3 may not start a multipart upload of the replica in the destination bucket',
    check: WRITE_REPLICA,
  },
  DstMultipartPartUploadNotPermitted: {
    text: 'S3 may not upload parts of the replica to the destination bucket',
    check: WRITE_REPLICA,
  },
  DstObjectHardDeleted: {
    text: 'the object version was permanently deleted (by version id) from the destination, and Batch Replication does not copy such versions again',
    check: 'who deleted the replica version; upload the object to the source again to replicate it',
    batchOnly: true,
  },
  DstPutAclNotPermitted: {
    text: "S3 may not replicate the object's ACL to the destination bucket",
    check: WRITE_REPLICA,
  },
  DstPutLegalHoldNotPermitted: {
    text: 'S3 may not put the Object Lock legal hold on the replica',
    check: "s3:PutObjectLegalHold on the destination bucket in the replication role's policy",
  },
  DstPutObjectNotPermitted: {
    text: 'S3 may not write the replica to the destination bucket',
    check: `${WRITE_REPLICA}, and kms:Encrypt on the replica key`,
  },
  DstPutTaggingNotPermitted: {
    text: "S3 may not replicate the object's tags to the destination bucket",
    check: "s3:ReplicateObject and s3:ReplicateTags on the destination bucket in the replication role's policy",
  },
  DstVersionNotFound: {
    text: 'the object version whose metadata should be replicated is not in the destination bucket',
    check: 'whether the replica version was deleted or never replicated; S3 Batch Replication can copy it again',
  },
  InitiateReplicationNotPermitted: {
    text: 'the Batch Operations job may not start replication of the object',
    check: "s3:InitiateReplication in the Batch Replication job's role",
    batchOnly: true,
  },
  SrcBucketInvalidRegion: {
    text: 'the source bucket is not in the region the Batch Replication job names',
    check: "the source bucket's region against the Batch Operations job",
    batchOnly: true,
  },
  SrcBucketNotFound: {
    text: 'S3 cannot find the source bucket',
    check: 'whether the source bucket was deleted',
  },
  SrcBucketReplicationConfigMissing: {
    text: 'the source bucket has no replication configuration',
    check:
      'that the replication configuration is still on the source bucket (a manual change or a stack update may have removed it)',
  },
  SrcGetAclNotPermitted: {
    text: "S3 may not read the source object's ACL",
    check: "s3:GetObjectVersionAcl on the source objects in the replication role's policy",
  },
  SrcGetObjectNotPermitted: {
    text: 'S3 may not read the source object',
    check:
      "s3:GetObjectVersionForReplication on the source objects in the replication role's policy, and kms:Decrypt on the source key",
  },
  SrcGetTaggingNotPermitted: {
    text: "S3 may not read the source object's tags",
    check: "s3:GetObjectVersionTagging on the source objects in the replication role's policy",
  },
  SrcHeadObjectNotPermitted: {
    text: "S3 may not read the source object's metadata",
    check: "s3:GetObjectVersionForReplication on the source objects in the replication role's policy",
  },
  SrcKmsKeyInvalidState: {
    text: 'the source KMS key is not usable (disabled or pending deletion)',
    check: "the source key's state in KMS: enable it or cancel its deletion",
  },
  SrcObjectNotEligible: {
    text: 'the object is not eligible for replication: its key or tags match no replication rule',
    check: "the rules' prefix and tag filters",
  },
  SrcVersionNotFound: {
    text: 'the source object version whose metadata should be replicated no longer exists',
    check: 'whether the source version was deleted before it replicated',
  },
};

/** The four S3 replication event types (as configured on a bucket, with the `s3:` prefix). */
export const REPLICATION_EVENT_TYPES = [
  's3:Replication:OperationFailedReplication',
  's3:Replication:OperationMissedThreshold',
  's3:Replication:OperationReplicatedAfterThreshold',
  's3:Replication:OperationNotTracked',
] as const;

/** One decoded record: the readable line and the fields it was made of. */
export interface DecodedReplicationEvent {
  /** One readable line. */
  readonly message: string;
  /** The record's event name, e.g. `Replication:OperationFailedReplication`; `Unreadable` for a body that could not be read. */
  readonly eventName: string;
  readonly bucket?: string;
  /** The object key, URL-decoded. */
  readonly key?: string;
  readonly versionId?: string;
  readonly failureReason?: string;
  readonly eventTime?: string;
  /** Region of the source bucket. */
  readonly region?: string;
  /** Name of the destination bucket (from its ARN). */
  readonly destinationBucket?: string;
  readonly ruleId?: string;
  /** The replicated operation, e.g. `OBJECT_PUT`. */
  readonly s3Operation?: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/**
 * Decodes one S3 event notification message (the SQS message body): one event per record. The
 * `s3:TestEvent` S3 sends when the configuration is saved yields nothing; a body that is not a
 * notification yields one line saying so.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
export function decodeNotification(body: string): DecodedReplicationEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [unreadable(body, 'it is not JSON')];
  }
  if (isObject(parsed) && parsed.Event === 's3:TestEvent') return [];
  if (!isObject(parsed) || !Array.isArray(parsed.Records)) {
    return [unreadable(body, 'it has no Records list')];
  }
  if (parsed.Records.length === 0) return [unreadable(body, 'its Records list is empty')];
  return parsed.Records.map((r) =>
    isObject(r) ? decodeRecord(r) : unreadable(JSON.stringify(r), 'a record is not an object'),
  );
}

/** The readable line for one failure reason (known or not). */
export function describeFailureReason(reason: string | undefined): string {
  if (!reason)
    return `S3 gave no failure reason; check the replication rule, its role and keys (${FAILURE_REASONS_URL})`;
  const info = Object.prototype.hasOwnProperty.call(FAILURE_REASONS, reason) ? FAILURE_REASONS[reason] : undefined;
  if (!info)
    return `S3 gave the failure reason ${reason}, which this library does not know; see ${FAILURE_REASONS_URL}`;
  return `${info.text} (${reason}); check ${info.check}`;
}

function decodeRecord(r: Json): DecodedReplicationEvent {
  const s3 = isObject(r.s3) ? r.s3 : {};
  const bucketEntity = isObject(s3.bucket) ? s3.bucket : {};
  const objectEntity = isObject(s3.object) ? s3.object : {};
  const data = isObject(r.replicationEventData) ? r.replicationEventData : {};
  const eventName = str(r.eventName) ?? 'unknown';
  const bucket = str(bucketEntity.name);
  const key = decodeKey(str(objectEntity.key));
  const versionId = str(objectEntity.versionId);
  const destinationBucket = bucketOfArn(str(data.destinationBucket));
  const fields = {
    eventName,
    bucket,
    key,
    versionId,
    failureReason: str(data.failureReason),
    eventTime: str(r.eventTime),
    region: str(r.awsRegion),
    destinationBucket,
    ruleId: str(data.replicationRuleId),
    s3Operation: str(data.s3Operation),
  };
  const object = `s3://${bucket ?? '(unknown bucket)'}/${key ?? '(unknown key)'}${versionId ? ` (version ${versionId})` : ''}`;
  const to = destinationBucket ? `s3://${destinationBucket}` : 'its destination';
  const type = eventName.replace(/^s3:/, '');
  let message: string;
  switch (type) {
    case 'Replication:OperationFailedReplication':
      message = `replication of ${object} to ${to} failed: ${describeFailureReason(fields.failureReason)}`;
      break;
    case 'Replication:OperationMissedThreshold':
      message = `replication of ${object} to ${to} missed the Replication Time Control threshold${threshold(data)} and has not completed yet`;
      break;
    case 'Replication:OperationReplicatedAfterThreshold':
      message = `replication of ${object} to ${to} completed after the Replication Time Control threshold${threshold(data)}${replicatedAt(data)}`;
      break;
    case 'Replication:OperationNotTracked':
      message = `replication of ${object} to ${to} is no longer tracked by S3 replication metrics; check its replication status (HeadObject x-amz-replication-status)`;
      break;
    default:
      message = `an S3 notification that is not a replication event (${eventName}) for ${object} reached the replication events queue; check the bucket's notification configuration`;
  }
  return stripUndefined({ message, ...fields });
}

function threshold(data: Json): string {
  const t = str(data.threshold);
  return t ? ` (${t})` : '';
}

function replicatedAt(data: Json): string {
  const t = str(data.replicationTime);
  return t ? ` at ${t}` : '';
}

/** S3 URL-encodes keys in notifications, with `+` for spaces. A malformed escape keeps the raw key. */
function decodeKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

function bucketOfArn(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  const m = /^arn:[^:]+:s3:::([^/]+)/.exec(arn);
  return m ? m[1] : arn;
}

function unreadable(body: string, why: string): DecodedReplicationEvent {
  const start = body.length > 200 ? `${body.slice(0, 200)}...` : body;
  return {
    message: `an unreadable message reached the replication events queue (${why}); it starts with: ${JSON.stringify(start)}`,
    eventName: 'Unreadable',
  };
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
