import { PhysicalName, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import * as audit from '../../lambda/audit/contract';
import { PropProblem, throwIfInvalid } from '../private/errors';
import { RegionalDefaults } from '../private/regional-defaults';
import { createReportsBucket } from '../private/reports-bucket';
import { sourceConditions } from '../private/service-principal';
import { checkOwnPrefix, checkSameRegion } from '../private/validate';

/**
 * Where S3 Inventory delivers the reports of one audited bucket: give one for each side to
 * `ConsistencyAudit` (`sourceInventory`, `replicaInventory`). `AuditInventory.location` builds it;
 * write it by hand for an inventory configured elsewhere.
 */
export interface InventoryLocation {
  /**
   * Name of the bucket the reports are delivered to. S3 delivers an inventory only to a bucket of
   * the inventoried bucket's region, so the source's reports are in the source region.
   */
  readonly bucketName: string;
  /**
   * The folder of the inventory configuration, ending in `/`:
   * `<destination prefix><inventoried bucket>/<configuration id>/`. It holds one dated folder per
   * report (`2026-12-05T01-00Z/manifest.json`) and the `data/` files; the audit reads the newest
   * complete one.
   */
  readonly prefix: string;
  /**
   * Key (or alias) ARN of the destination bucket's default KMS key, in the bucket's region: the
   * audit may decrypt with it through S3, for that bucket only.
   * @default - the reports are not KMS encrypted with a key of this app
   */
  readonly keyArn?: string;
}

/** Props of `AuditInventory`. */
export interface AuditInventoryProps {
  /**
   * The audited bucket (a source or a replica) to inventory: an `s3.Bucket` defined in this app.
   * An imported bucket's configuration is not CloudFormation's to change: configure the inventory
   * where the bucket is defined and give `ConsistencyAudit` its `InventoryLocation` instead.
   */
  readonly bucket: s3.IBucket;
  /**
   * Where the reports are delivered: an `s3.Bucket` of this app in the same region (its policy
   * gets the statement that lets S3 write there). In the replica region, the audit's reports
   * bucket.
   * @default - a bucket of its own in the bucket's stack, with the library's secure defaults
   * (versioned, encrypted with the region's shared KMS key, TLS only, access-logged, retained) and
   * a name generated at synth, so that the audit in the other region can name it
   */
  readonly destination?: s3.IBucket;
  /**
   * Key prefix in the destination, ending in `/`.
   * @default 'inventory/'
   */
  readonly destinationPrefix?: string;
}

/**
 * A daily S3 Inventory of one audited bucket in the form the inventory audit reads: CSV, all
 * object versions, with the fields it needs (Size, LastModifiedDate, ETag, ReplicationStatus)
 * and those that explain a difference (StorageClass, IsMultipartUploaded, EncryptionStatus,
 * ChecksumAlgorithm). The destination bucket's policy lets `s3.amazonaws.com` write under the
 * prefix only for this bucket of this account (`aws:SourceArn`, `aws:SourceAccount`) and with
 * the `bucket-owner-full-control` ACL, as AWS documents; when the destination has a KMS key of
 * this app, its key policy lets S3 generate data keys for the same source.
 *
 * Create one beside each bucket (S3 delivers only within a region) and give both `location`s to
 * `ConsistencyAudit`.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/configure-inventory.html
 */
export class AuditInventory extends Construct {
  /** Where the reports of this inventory are delivered. */
  readonly location: InventoryLocation;
  /** The inventory configuration id on the bucket. */
  readonly inventoryId: string;

  constructor(scope: Construct, id: string, props: AuditInventoryProps) {
    super(scope, id);
    const prefix = props.destinationPrefix ?? audit.DEFAULTS.inventoryPrefix;
    throwIfInvalid(this, validateInventory(props));
    const bucket = props.bucket as s3.Bucket;
    const destination =
      (props.destination as s3.Bucket | undefined) ??
      createReportsBucket(
        this,
        'Reports',
        RegionalDefaults.of(bucket).key(this),
        undefined,
        PhysicalName.GENERATE_IF_NEEDED,
      );
    this.inventoryId = audit.DEFAULTS.inventoryId;

    // The configuration names the destination through a reference, so that aws-cdk-lib adds no
    // statement of its own (it would allow the source ARN from any account); ours below carries
    // every condition AWS documents.
    const target = s3.Bucket.fromBucketAttributes(this, 'Destination', {
      bucketArn: destination.bucketArn,
      bucketName: destination.bucketName,
    });
    bucket.addInventory({
      inventoryId: this.inventoryId,
      destination: { bucket: target, prefix: prefix.replace(/\/$/, '') },
      format: s3.InventoryFormat.CSV,
      frequency: s3.InventoryFrequency.DAILY,
      includeObjectVersions: s3.InventoryObjectVersion.ALL,
      optionalFields: [...audit.INVENTORY_FIELDS],
      enabled: true,
    });

    const stack = Stack.of(bucket);
    // The bucket's ARN by its physical name where it has one: a key that encrypts both the bucket
    // and the reports would otherwise refer to the bucket that refers to it (a dependency cycle).
    const physicalName = (bucket as unknown as { physicalName?: string }).physicalName;
    const sourceArn = physicalName ? `arn:${stack.partition}:s3:::${physicalName}` : bucket.bucketArn;
    const conditions = sourceConditions(stack.account, sourceArn);
    destination.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [destination.arnForObjects(`${prefix}*`)],
        conditions: {
          ...conditions,
          StringEquals: { ...conditions.StringEquals, 's3:x-amz-acl': 'bucket-owner-full-control' },
        },
      }),
    );
    destination.encryptionKey?.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
        actions: ['kms:GenerateDataKey'],
        resources: ['*'],
        conditions,
      }),
    );

    // The audit of the other region names the key by an alias ARN: a key has no name another
    // region's stack can refer to (as the replica key, see ReplicaBucket).
    let keyArn: string | undefined;
    if (destination.encryptionKey instanceof kms.Key) {
      const alias = new kms.Alias(this, 'KeyAlias', {
        aliasName: `alias/cdk-s3-dr-inventory-${this.node.addr.slice(0, 16)}`,
        targetKey: destination.encryptionKey,
      });
      keyArn = `arn:${stack.partition}:kms:${stack.region}:${stack.account}:${alias.aliasName}`;
    } else if (destination.encryptionKey) {
      keyArn = destination.encryptionKey.keyArn;
    }
    this.location = {
      bucketName: destination.bucketName,
      prefix: audit.inventoryFolder(prefix, bucket.bucketName, this.inventoryId),
      ...(keyArn ? { keyArn } : {}),
    };
  }
}

function validateInventory(props: AuditInventoryProps): PropProblem[] {
  const problems: PropProblem[] = [
    ...checkOwnPrefix('destinationPrefix', props.destinationPrefix, audit.DEFAULTS.inventoryPrefix, 'S3 Inventory'),
  ];
  if (!(props.bucket instanceof s3.Bucket)) {
    problems.push({
      prop: 'bucket',
      value: props.bucket.node.path,
      problem:
        'an imported bucket: CloudFormation can only add an inventory configuration to a bucket defined in this app',
      fix: `configure the inventory where the bucket is defined (CSV, daily, all versions, fields ${audit.INVENTORY_FIELDS.join(', ')}) and give its folder to ConsistencyAudit as an InventoryLocation`,
    });
  }
  if (props.destination && !(props.destination instanceof s3.Bucket)) {
    problems.push({
      prop: 'destination',
      value: props.destination.node.path,
      problem: 'an imported bucket: its policy cannot get the statement that lets S3 deliver the reports',
      fix: 'give an s3.Bucket of this app (for the replica, the audit reports bucket), or configure the inventory and the destination policy yourself and give ConsistencyAudit an InventoryLocation',
    });
  }
  problems.push(
    ...checkSameRegion(
      'destination',
      "the destination bucket (S3 delivers an inventory only within the inventoried bucket's region)",
      props.destination?.env.region,
      Stack.of(props.bucket).region,
      props.destination?.node.path,
    ),
  );
  return problems;
}
