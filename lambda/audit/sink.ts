import { createReadStream, createWriteStream, existsSync, truncateSync, WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { AuditRecord } from './core';

/** Where discrepancies and unverified objects stream to, in key order. */
export interface RecordSink {
  write(record: AuditRecord): void | Promise<void>;
  /** Flushes; the sink may not be written after. */
  close(): Promise<void>;
  /** The first `limit` records written by this run and the runs it resumes, in order. */
  readBack(limit: number): Promise<AuditRecord[]>;
  /** A position to store in a checkpoint, from which a resumed run continues the same sink. */
  position(): number;
}

/** Keeps records in memory (tests, small audits). */
export class MemorySink implements RecordSink {
  readonly records: AuditRecord[] = [];
  write(record: AuditRecord): void {
    this.records.push(record);
  }
  async close(): Promise<void> {}
  async readBack(limit: number): Promise<AuditRecord[]> {
    return this.records.slice(0, limit);
  }
  position(): number {
    return this.records.length;
  }
}

/**
 * A JSON Lines file, one record per line. Resuming truncates the file to the byte position the
 * checkpoint recorded (dropping anything written after it) and appends.
 */
export class JsonlFileSink implements RecordSink {
  private readonly stream: WriteStream;
  private bytes: number;
  /** The stream's first error (a full disk, a path that cannot be opened): later writes reject with it. */
  private failure?: Error;

  constructor(
    readonly path: string,
    resumeAt?: number,
  ) {
    if (resumeAt !== undefined && existsSync(path)) {
      truncateSync(path, resumeAt);
      this.bytes = resumeAt;
      this.stream = createWriteStream(path, { flags: 'a' });
    } else {
      this.bytes = 0;
      this.stream = createWriteStream(path, { flags: 'w' });
    }
    this.stream.on('error', (err) => {
      this.failure ??= err;
    });
  }

  /** The error that stopped the file, if any. */
  get failed(): Error | undefined {
    return this.failure;
  }

  async write(record: AuditRecord): Promise<void> {
    if (this.failure) throw this.failure;
    const line = JSON.stringify(record) + '\n';
    this.bytes += Buffer.byteLength(line);
    if (!this.stream.write(line)) {
      await new Promise<void>((resolve, reject) => {
        this.stream.once('drain', resolve);
        this.stream.once('error', reject);
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      if (this.stream.closed) return resolve();
      this.stream.once('error', reject);
      this.stream.end(() => (this.failure ? reject(this.failure) : resolve()));
    });
  }

  async readBack(limit: number): Promise<AuditRecord[]> {
    return readJsonl(this.path, limit);
  }

  position(): number {
    return this.bytes;
  }
}

/** Reads the first `limit` records of a JSON Lines file. */
export async function readJsonl(path: string, limit: number): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  if (limit <= 0) return out;
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  try {
    for await (const line of rl) {
      if (!line) continue;
      out.push(JSON.parse(line) as AuditRecord);
      if (out.length >= limit) break;
    }
  } finally {
    rl.close();
  }
  return out;
}
