/**
 * Puts inventory rows in S3 key order with bounded memory: an external merge sort. Inventory data
 * files are in no useful order across files, and the audit's merge needs both sides in S3 byte
 * order (UTF-8 code point order, see ../core/key-order.ts), so rows are sorted in memory in
 * batches of `runRows`, each batch is written to a gzip-compressed run file in a private
 * temporary folder, and the runs are merged `fanIn` at a time (in several passes when there are
 * more runs than that) into one sorted stream. Memory holds at most `runRows` rows while runs are
 * written and one row per open run while they are merged; the folder is removed when the stream
 * ends or is abandoned.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { compareKeys } from '../core/key-order';
import { InventoryVersion, ReplicationStatus } from './csv';

export interface SortOptions {
  /** Folder for the run files; a private subfolder is created in it and removed afterwards. */
  readonly tmpDir: string;
  /** Rows sorted in memory at once; each batch becomes one run file. @default 250000 */
  readonly runRows?: number;
  /** Runs merged at once (open files while merging). @default 64 */
  readonly fanIn?: number;
}

export const DEFAULT_RUN_ROWS = 250_000;
export const DEFAULT_FAN_IN = 64;

export interface SortStats {
  /** Rows sorted. */
  rows: number;
  /** Run files written from the input (0 when every row fit in one batch and stayed in memory). */
  runs: number;
  /** Intermediate merge passes (runs merged into fewer runs before the final streamed merge). */
  mergePasses: number;
  /** Compressed bytes written to disk, all passes together. */
  bytesWritten: number;
  /** The most run files present at once: the disk use is about that many runs' bytes. */
  peakRunFiles: number;
  /** The most rows held in memory at once (a batch being sorted, or one row per open run). */
  peakRowsInMemory: number;
}

/** A sorted inventory: read it once; its temporary files go when the reading ends. */
export interface SortedInventory {
  readonly stats: SortStats;
  /** The rows in S3 key order; per key, the latest version first, then newer before older. */
  rows(): AsyncGenerator<InventoryVersion>;
  /** Removes the temporary files (also done when `rows()` finishes or is abandoned). */
  dispose(): Promise<void>;
}

/** S3 key order; for one key, the latest version first, then by last modified (newest first) and version id. */
export function compareVersions(a: InventoryVersion, b: InventoryVersion): number {
  return (
    compareKeys(a.key, b.key) ||
    Number(b.isLatest) - Number(a.isLatest) ||
    b.lastModified - a.lastModified ||
    compareKeys(a.versionId ?? '', b.versionId ?? '')
  );
}

/** Sorts `input` (any order) into S3 key order, spilling to disk past `runRows` rows. */
export async function sortInventory(
  input: AsyncIterable<InventoryVersion>,
  options: SortOptions,
): Promise<SortedInventory> {
  const runRows = options.runRows ?? DEFAULT_RUN_ROWS;
  const fanIn = options.fanIn ?? DEFAULT_FAN_IN;
  if (!Number.isInteger(runRows) || runRows < 1) throw new Error(`runRows must be a positive integer, got ${runRows}`);
  if (!Number.isInteger(fanIn) || fanIn < 2) throw new Error(`fanIn must be an integer of at least 2, got ${fanIn}`);

  const stats: SortStats = { rows: 0, runs: 0, mergePasses: 0, bytesWritten: 0, peakRunFiles: 0, peakRowsInMemory: 0 };
  let dir: string | undefined;
  let disposed = false;
  const files = new Set<string>();
  let seq = 0;
  const dispose = async (): Promise<void> => {
    disposed = true;
    if (dir) await rm(dir, { recursive: true, force: true });
    files.clear();
  };
  const newRun = async (rows: AsyncIterable<InventoryVersion> | Iterable<InventoryVersion>): Promise<string> => {
    dir ??= await mkdtemp(join(options.tmpDir, 'inventory-sort-'));
    const file = join(dir, `run-${String(++seq).padStart(6, '0')}.ndjson.gz`);
    files.add(file);
    stats.peakRunFiles = Math.max(stats.peakRunFiles, files.size);
    await pipeline(Readable.from(encodeRun(rows)), createGzip({ level: 1 }), createWriteStream(file));
    stats.bytesWritten += (await stat(file)).size;
    return file;
  };

  let runs: string[] = [];
  let batch: InventoryVersion[] = [];
  try {
    for await (const row of input) {
      batch.push(row);
      stats.rows++;
      if (batch.length >= runRows) {
        stats.peakRowsInMemory = Math.max(stats.peakRowsInMemory, batch.length);
        batch.sort(compareVersions);
        runs.push(await newRun(batch));
        stats.runs++;
        batch = [];
      }
    }
    stats.peakRowsInMemory = Math.max(stats.peakRowsInMemory, batch.length);
    batch.sort(compareVersions);
    if (runs.length > 0 && batch.length > 0) {
      runs.push(await newRun(batch));
      stats.runs++;
      batch = [];
    }
    // Merge passes until one streamed merge can take every run.
    while (runs.length > fanIn) {
      stats.mergePasses++;
      const next: string[] = [];
      for (let i = 0; i < runs.length; i += fanIn) {
        const group = runs.slice(i, i + fanIn);
        if (group.length === 1) {
          next.push(group[0]);
          continue;
        }
        stats.peakRowsInMemory = Math.max(stats.peakRowsInMemory, group.length);
        next.push(await newRun(mergeRuns(group.map(readRun))));
        for (const f of group) {
          await rm(f, { force: true });
          files.delete(f);
        }
      }
      runs = next;
    }
  } catch (err) {
    await dispose();
    throw err;
  }

  const inMemory = batch;
  const finalRuns = runs;
  let used = false;
  return {
    stats,
    dispose,
    async *rows() {
      if (used) throw new Error('a sorted inventory can be read once');
      if (disposed) throw new Error('the sorted inventory was disposed');
      used = true;
      try {
        if (finalRuns.length === 0) {
          yield* inMemory;
        } else {
          stats.peakRowsInMemory = Math.max(stats.peakRowsInMemory, finalRuns.length);
          yield* mergeRuns(finalRuns.map(readRun));
        }
      } finally {
        await dispose();
      }
    },
  };
}

/** A row as one compact JSON array: key, versionId, flags, size, lastModified, etag, bucket, and the inventory fields. */
type Encoded = [
  string,
  string | null,
  number,
  number,
  number,
  string | null,
  string,
  string | null,
  string | null,
  string | null,
  string | null,
];

/**
 * The run format: one compact JSON array per row, newline-terminated (gzip it to store it). Runs
 * written elsewhere (for example one per key range by a partitioning pass) are read back with
 * `decodeRun` and merged with `mergeRuns`.
 */
export async function* encodeRun(
  rows: AsyncIterable<InventoryVersion> | Iterable<InventoryVersion>,
): AsyncGenerator<string> {
  let chunk = '';
  for await (const r of rows) {
    const e: Encoded = [
      r.key,
      r.versionId ?? null,
      (r.isDeleteMarker ? 1 : 0) | (r.isLatest ? 2 : 0),
      r.size,
      r.lastModified,
      r.etag ?? null,
      r.bucket,
      r.replicationStatus ?? null,
      r.checksumAlgorithm ?? null,
      r.storageClass ?? null,
      r.encryptionStatus ?? null,
    ];
    chunk += `${JSON.stringify(e)}\n`;
    if (chunk.length >= 65536) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

function decode(line: string): InventoryVersion {
  const [key, versionId, flags, size, lastModified, etag, bucket, repl, algo, cls, enc] = JSON.parse(line) as Encoded;
  return {
    key,
    bucket,
    versionId: versionId ?? undefined,
    isDeleteMarker: (flags & 1) !== 0,
    isLatest: (flags & 2) !== 0,
    size,
    lastModified,
    etag: etag ?? undefined,
    replicationStatus: (repl ?? undefined) as ReplicationStatus | undefined,
    checksumAlgorithm: algo ?? undefined,
    storageClass: cls ?? undefined,
    encryptionStatus: enc ?? undefined,
  };
}

function readRun(file: string): AsyncGenerator<InventoryVersion> {
  return decodeRun(createReadStream(file, { highWaterMark: 64 * 1024 }));
}

/** Reads a gzipped run (sorted rows in the `encodeRun` format): a local file or a GetObject body. */
export async function* decodeRun(gzipped: Readable | AsyncIterable<Uint8Array>): AsyncGenerator<InventoryVersion> {
  const source = gzipped instanceof Readable ? gzipped : Readable.from(gzipped);
  const lines = createInterface({ input: source.pipe(createGunzip()), crlfDelay: Infinity });
  try {
    for await (const line of lines) if (line !== '') yield decode(line);
  } finally {
    lines.close();
  }
}

/** k-way merge of sorted streams with a binary heap; holds one row per stream. */
export async function* mergeRuns(
  streams: AsyncIterator<InventoryVersion>[] | AsyncGenerator<InventoryVersion>[],
): AsyncGenerator<InventoryVersion> {
  type Head = { row: InventoryVersion; it: AsyncIterator<InventoryVersion> };
  const heap: Head[] = [];
  const less = (a: Head, b: Head) => compareVersions(a.row, b.row) < 0;
  const push = (h: Head) => {
    heap.push(h);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i], heap[p])) break;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
  };
  const siftDown = () => {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l], heap[m])) m = l;
      if (r < heap.length && less(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  try {
    for (const it of streams) {
      const n = await it.next();
      if (!n.done) push({ row: n.value, it });
    }
    while (heap.length > 0) {
      const top = heap[0];
      yield top.row;
      const n = await top.it.next();
      if (n.done) {
        const last = heap.pop()!;
        if (heap.length > 0) {
          heap[0] = last;
          siftDown();
        }
      } else {
        top.row = n.value;
        siftDown();
      }
    }
  } finally {
    await Promise.allSettled(streams.map((s) => s.return?.(undefined)));
  }
}
