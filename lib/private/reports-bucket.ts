import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeGuard, GUARD } from './guard';
import { acknowledge, NAG } from './nag';
import { createAccessLogsBucket, secureDataBucketProps, sendAccessLogs } from './secure-bucket';

/**
 * A bucket for audit and drill reports: the library's secure defaults (versioned, KMS, private,
 * TLS-only, access-logged, retained), so reports are evidence that cannot be silently rewritten.
 */
export function createReportsBucket(
  scope: Construct,
  id: string,
  key: kms.IKey,
  removalPolicy?: RemovalPolicy,
): s3.Bucket {
  const logs = createAccessLogsBucket(scope, `${id}AccessLogs`, removalPolicy);
  const bucket = new s3.Bucket(scope, id, {
    ...secureDataBucketProps({ encryptionKey: key, removalPolicy }),
  });
  sendAccessLogs(bucket, logs, 'reports/');
  acknowledge(bucket, NAG.REPORTS_NOT_REPLICATED);
  for (const ack of [GUARD.OBJECT_LOCK_EXPIRING, GUARD.NO_EVENT_CONSUMER, GUARD.DATA_KEPT_UNTIL_OWNER_DECIDES]) {
    acknowledgeGuard(bucket, ack);
  }
  return bucket;
}
