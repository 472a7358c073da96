import { UsageError } from './errors';
import { bucketNameProblem } from './rules';

/** A bucket and an optional key prefix, as written `s3://bucket[/prefix]`. */
export interface S3Location {
  readonly bucket: string;
  /** Key prefix without a leading slash; '' for the whole bucket. */
  readonly prefix: string;
}

/** Parses `s3://bucket[/prefix]`; `what` names the option in the error message. */
export function parseS3Uri(uri: string, what: string): S3Location {
  if (typeof uri !== 'string' || uri.length === 0) {
    throw new UsageError(`${what} is required: give it as s3://bucket[/prefix]`);
  }
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(uri);
  if (!m) {
    throw new UsageError(`${what} "${uri}" is not an S3 URI: write it as s3://bucket[/prefix]`);
  }
  const [, bucket, prefix = ''] = m;
  const problem = bucketNameProblem(bucket);
  if (problem !== undefined) {
    throw new UsageError(
      `${what} "${uri}" names an invalid bucket "${bucket}" (${problem}): bucket names are 3-63 lower-case letters, digits, dots and hyphens`,
    );
  }
  if (prefix.startsWith('/')) {
    throw new UsageError(
      `${what} "${uri}" has a prefix starting with "/": write s3://${bucket}/${prefix.replace(/^\/+/, '')}`,
    );
  }
  return { bucket, prefix };
}

export function formatS3Uri(loc: S3Location): string {
  return loc.prefix ? `s3://${loc.bucket}/${loc.prefix}` : `s3://${loc.bucket}`;
}
