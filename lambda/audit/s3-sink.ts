import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AuditRecord } from './core';
import { RecordSink } from './sink';

/**
 * JSON Lines in the reports bucket: records are buffered and written as numbered chunk objects
 * `<base>records-<part>-<chunk>.jsonl` (about 4 MiB each), so memory stays bounded. Each
 * invocation of a resumed run writes its own part; readBack reads the parts in order.
 */
export class S3RecordSink implements RecordSink {
  private buffer: string[] = [];
  private bufferBytes = 0;
  private chunk = 0;
  private written: number;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    /** Key prefix of this run (ends with '/'). */
    private readonly base: string,
    private readonly part: number,
    resumeCount = 0,
    private readonly chunkBytes = 4 * 1024 * 1024,
  ) {
    this.written = resumeCount;
  }

  async write(record: AuditRecord): Promise<void> {
    const line = JSON.stringify(record) + '\n';
    this.buffer.push(line);
    this.bufferBytes += Buffer.byteLength(line);
    this.written++;
    if (this.bufferBytes >= this.chunkBytes) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const key = `${this.base}records-${pad(this.part)}-${pad(this.chunk++)}.jsonl`;
    const body = this.buffer.join('');
    this.buffer = [];
    this.bufferBytes = 0;
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' }),
    );
  }

  async close(): Promise<void> {
    await this.flush();
  }

  async readBack(limit: number): Promise<AuditRecord[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.base}records-`, ContinuationToken: token }),
      );
      for (const c of out.Contents ?? []) if (c.Key) keys.push(c.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    keys.sort();
    const records: AuditRecord[] = [];
    for (const key of keys) {
      if (records.length >= limit) break;
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const text = (await out.Body?.transformToString()) ?? '';
      for (const line of text.split('\n')) {
        if (!line) continue;
        records.push(JSON.parse(line) as AuditRecord);
        if (records.length >= limit) break;
      }
    }
    return records;
  }

  position(): number {
    return this.written;
  }
}

function pad(n: number): string {
  return String(n).padStart(4, '0');
}
