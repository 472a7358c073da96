import { GetObjectCommandOutput, HeadObjectCommand, HeadObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { errorNameOf, isNotFound } from '../../shared/errors';
import { listVersionPages } from '../../shared/listing';
import { mergeVersionPage, VersionEntry } from '../core/point-in-time';
import { DrillObjectResult } from '../core/report';
import { ChecksumAlgorithm, DigestBuilder, Digests, ReplicaRecord } from '../core/verification';
import { DrillRun } from './state';

/** What the restore phase hands to verification for one restored object. */
export interface Restored {
  readonly result: DrillObjectResult;
  /**
   * What the replica recorded about the restored version. A server-side copy does not read it
   * (the copy is pinned to the listed ETag or version id instead); verification reads it only
   * when it needs the replica's checksums, that is when the source cannot be used.
   */
  record?: ReplicaRecord;
  /** The replica's ETag of the restored version, from the listing or the read. */
  readonly etag?: string;
  /** SHA-256 of the bytes read from the replica while streaming (not in server-side copy mode). */
  readonly replicaSha256?: string;
}

/** No such key or version; or a version id the side does not take (`InvalidArgument`). */
export function isMissing(err: unknown): boolean {
  const n = errorNameOf(err);
  return isNotFound(err) || n === 'NoSuchVersion' || n === 'InvalidArgument';
}

/** What a GET or HEAD answer says the replica recorded: ETag, encryption, stored checksums. */
export function recordOf(o: {
  ETag?: string;
  ServerSideEncryption?: string;
  SSECustomerAlgorithm?: string;
  ChecksumSHA256?: string;
  ChecksumSHA1?: string;
  ChecksumCRC32?: string;
  ChecksumCRC32C?: string;
  ChecksumCRC64NVME?: string;
  ChecksumType?: string;
}): ReplicaRecord {
  return {
    etag: o.ETag,
    serverSideEncryption: o.ServerSideEncryption,
    sseCustomerAlgorithm: o.SSECustomerAlgorithm,
    checksums: {
      SHA256: o.ChecksumSHA256,
      SHA1: o.ChecksumSHA1,
      CRC32: o.ChecksumCRC32,
      CRC32C: o.ChecksumCRC32C,
      CRC64NVME: o.ChecksumCRC64NVME,
    },
    checksumType: o.ChecksumType,
  };
}

/** Reads a body to its end, hashing it. */
export async function digestBody(
  body: GetObjectCommandOutput['Body'],
  extra: readonly ChecksumAlgorithm[] = [],
): Promise<Digests> {
  const d = new DigestBuilder(extra);
  if (body) for await (const chunk of body as Readable) d.update(chunk as Uint8Array);
  return d.digest();
}

/** HEAD of the replica's version of a sampled object, with its checksums. */
export function headReplica(run: DrillRun, result: DrillObjectResult): Promise<HeadObjectCommandOutput> {
  return run.replica.send(
    new HeadObjectCommand({
      Bucket: run.options.replica.bucket,
      Key: result.key,
      VersionId: result.versionId,
      ChecksumMode: 'ENABLED',
    }),
  );
}

/** S3 returns ETags in quotes; the shared listing drops them, the copy's pin and the report keep them. */
export const quoted = (etag: string | undefined) => (etag === undefined ? undefined : `"${etag}"`);

/** Every version and delete marker under a prefix, grouped by key, newest first within a key. */
export async function* listVersions(client: S3Client, bucket: string, prefix: string): AsyncGenerator<VersionEntry> {
  for await (const page of listVersionPages(client, { bucket, prefix })) {
    const versions: VersionEntry[] = [];
    const markers: VersionEntry[] = [];
    for (const e of page) {
      const common = {
        key: e.key,
        versionId: e.versionId ?? 'null',
        lastModified: new Date(e.lastModified),
        isLatest: e.isLatest,
      };
      if (e.isDeleteMarker) markers.push({ ...common, isDeleteMarker: true });
      else versions.push({ ...common, isDeleteMarker: false, size: e.size, etag: quoted(e.etag) });
    }
    yield* mergeVersionPage(versions, markers);
  }
}
