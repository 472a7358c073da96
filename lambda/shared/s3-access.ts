import type { S3Client } from '@aws-sdk/client-s3';
import { defaultCredentials } from './credentials';
import { RawS3 } from './raw-s3';
import { S3ClientOptions } from './s3-options';

/**
 * One side's S3 access for the audit. Its bulk reads (listings, HEADs, one-key version lookups)
 * go out as raw signed requests; the SDK client is built only when something needs it (a report
 * written to S3, or a client the raw path cannot stand in for), so a command-line audit sends
 * its first listing requests without loading the SDK.
 */
export class S3Access {
  /** Wraps an SDK client; the raw path is used when it was made by `createS3Client`. */
  static from(access: S3Client | S3Access): S3Access {
    return access instanceof S3Access ? access : new S3Access(RawS3.for(access), Promise.resolve(access));
  }

  /** Access described by client options; the SDK client is built on first use with the same options. */
  static fromOptions(options: S3ClientOptions): S3Access {
    const withCredentials = { ...options, credentials: options.credentials ?? defaultCredentials() };
    return new S3Access(RawS3.fromOptions(withCredentials), undefined, withCredentials);
  }

  private constructor(
    /** Raw signed requests; undefined when only the SDK client can be used. */
    readonly raw: RawS3 | undefined,
    private sdk?: Promise<S3Client>,
    private readonly options?: S3ClientOptions,
  ) {}

  /** The SDK client (loads the SDK the first time). */
  client(): Promise<S3Client> {
    this.sdk ??= import('./s3-client').then((m) => m.createS3Client(this.options!));
    return this.sdk;
  }
}
