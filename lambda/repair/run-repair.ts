/**
 * A repair: audits the pair (or takes an audit's discrepancies), plans what to copy, delete or
 * leave (core/plan.ts), and, when asked to apply, carries out each write after checking that the
 * written side still holds what the audit saw (core/apply.ts). The written side gets one
 * CopyObject (same endpoint) or one GET + PUT (other endpoints) per copied object and one
 * DeleteObject per deleted key, nothing else; the side copied from is only read.
 */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { AuditMode, AuditRecord, AuditSummary, Discrepancy } from '../audit/core';
import { runAudit } from '../audit/run-audit';
import { MemorySink } from '../audit/sink';
import {
  accessErrorFrom,
  describeError,
  errorNameOf,
  httpStatusOf,
  IncompleteError,
  isNotFound,
  isPreconditionFailed,
  serviceFailure,
} from '../shared/errors';
import { createS3Client, RequestStats } from '../shared/s3-client';
import { S3Location } from '../shared/s3-uri';
import {
  actionId,
  checksumOf,
  copySource,
  CurrentState,
  IN_DOUBT_SETTLE_MS,
  isWrite,
  JournalEntry,
  JournalSent,
  MAX_SINGLE_COPY_BYTES,
  putFieldsFrom,
  recheck,
  RepairCounts,
  unquote,
  WriteAction,
  writeCondition,
  WriteOutcome,
} from './core/apply';
import { planRepair, RepairActionKind, RepairPlan, RepairTarget } from './core/plan';

/** One side of the pair: bucket, prefix, region and an optional S3-compatible endpoint. */
export interface RepairSide extends S3Location {
  readonly region: string;
  readonly endpoint?: string;
}

/** How copies are made: auto picks server-side on one endpoint, stream across endpoints. */
export type CopyMode = 'auto' | 'server-side' | 'stream';

export interface RepairRunOptions {
  readonly source: RepairSide;
  readonly replica: RepairSide;
  readonly to: RepairTarget;
  /** Also delete what exists only on the written side. */
  readonly delete: boolean;
  /** See RepairOptions.deleteOnlyDeleted. @default false */
  readonly deleteOnlyDeleted?: boolean;
  /** False: plan only, write nothing. */
  readonly apply: boolean;
  /** @default 'auto' */
  readonly copy?: CopyMode;
  /** The audit to run when no discrepancies are given. */
  readonly audit?: {
    readonly mode?: AuditMode;
    readonly lagWindowSeconds?: number;
    readonly deleteMarkerReplication?: boolean;
    readonly headCheck?: boolean;
    readonly pageSize?: number;
  };
  /** An audit's discrepancies (from its report): no audit is run. */
  readonly discrepancies?: readonly Discrepancy[];
  /** Writes in flight at once. @default 8 */
  readonly concurrency?: number;
  /** Attempts per request. @default 10 */
  readonly maxAttempts?: number;
  /** Start no write after this many milliseconds: the run is 'partial'. */
  readonly timeBudgetMs?: number;
}

export interface RepairDeps {
  readonly stats?: RequestStats;
  /** Writes an interrupted run finished, by action id (core/apply.ts actionId). */
  readonly done?: ReadonlyMap<string, JournalEntry>;
  /** Writes an interrupted run sent without an outcome, by action id, with the time each was sent. */
  readonly inDoubt?: ReadonlyMap<string, string>;
  /** Called before a write is sent ({id, sent}) and once it is certain or found done ({id, outcome}). */
  readonly journal?: (entry: JournalEntry | JournalSent) => void;
  /** Waits (tests pass a clock of their own). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onAuditProgress?: (summary: AuditSummary) => void;
  readonly onWrite?: (counts: RepairCounts) => void;
  readonly clock?: () => number;
  /** Clients per side (tests); by default built with createS3Client. */
  readonly sourceClient?: S3Client;
  readonly replicaClient?: S3Client;
}

/** What happened to one planned action. */
export interface ActionResult {
  readonly key: string;
  readonly kind: RepairActionKind;
  readonly reason: string;
  /** Writes only: what the run did. */
  readonly outcome?: WriteOutcome | 'not-attempted';
  /** For copies: where the copy came from (version id or ETag) and what it wrote. */
  readonly versionId?: string;
  readonly etag?: string;
  readonly writtenVersionId?: string;
}

export interface RepairResult {
  readonly status: 'complete' | 'partial';
  readonly plan: RepairPlan;
  readonly counts: RepairCounts;
  readonly results: readonly ActionResult[];
  /** The summary of the audit this run made (absent when discrepancies were given). */
  readonly audit?: AuditSummary;
  /** Objects the audit matched by size only (not repaired: nothing proves they differ). */
  readonly unverified: number;
  readonly copyMode: 'server-side' | 'stream';
}

function endpointIdentity(endpoint: string | undefined): string {
  if (endpoint === undefined) return 'aws';
  try {
    const u = new URL(endpoint);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`.toLowerCase();
  } catch {
    return endpoint.toLowerCase().replace(/\/+$/, '');
  }
}

/** Server-side copies need both sides behind one endpoint (every AWS region counts as one: S3 copies across regions). */
export function resolveCopyMode(mode: CopyMode, a: RepairSide, b: RepairSide): 'server-side' | 'stream' {
  if (mode !== 'auto') return mode;
  return endpointIdentity(a.endpoint) === endpointIdentity(b.endpoint) ? 'server-side' : 'stream';
}

/** Runs the audit to its end, keeping its records. */
async function auditPair(
  o: RepairRunOptions,
  clients: { source: S3Client; replica: S3Client },
  deps: RepairDeps,
): Promise<{ records: AuditRecord[]; summary: AuditSummary }> {
  const sink = new MemorySink();
  let checkpoint;
  for (;;) {
    const result = await runAudit(
      {
        source: { bucket: o.source.bucket, prefix: o.source.prefix },
        replica: { bucket: o.replica.bucket, prefix: o.replica.prefix },
        mode: o.audit?.mode,
        lagWindowSeconds: o.audit?.lagWindowSeconds,
        deleteMarkerReplication: o.audit?.deleteMarkerReplication,
        headCheck: o.audit?.headCheck,
        pageSize: o.audit?.pageSize,
        checkpoint,
      },
      {
        sourceClient: clients.source,
        replicaClient: clients.replica,
        stats: deps.stats,
        sink,
        onProgress: deps.onAuditProgress,
      },
    );
    if (result.status === 'complete') return { records: sink.records, summary: result.summary };
    checkpoint = result.checkpoint;
  }
}

/** The 404 of a HEAD whose key has a delete marker as its current version says so in a header. */
const isDeleteMarker = (err: unknown) =>
  (err as { $response?: { headers?: Record<string, string> } })?.$response?.headers?.['x-amz-delete-marker'] === 'true';
/** 409 ConditionalRequestConflict: another write to the key raced a conditional one. */
const isConflict = (err: unknown) => errorNameOf(err) === 'ConditionalRequestConflict' || httpStatusOf(err) === 409;
/** The side copied from no longer holds the version the audit saw. */
const isGone = (err: unknown) => isNotFound(err) || errorNameOf(err) === 'NoSuchVersion' || isPreconditionFailed(err);

export async function runRepair(o: RepairRunOptions, deps: RepairDeps = {}): Promise<RepairResult> {
  const clock = deps.clock ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = clock();
  const stats = deps.stats;
  const client = (side: RepairSide) =>
    createS3Client({ region: side.region, endpoint: side.endpoint, maxAttempts: o.maxAttempts, stats });
  const clients = {
    source: deps.sourceClient ?? client(o.source),
    replica: deps.replicaClient ?? client(o.replica),
  };
  let audit: AuditSummary | undefined;
  let discrepancies: readonly Discrepancy[];
  let unverified = 0;
  if (o.discrepancies) discrepancies = o.discrepancies;
  else {
    const audited = await auditPair(o, clients, deps);
    audit = audited.summary;
    discrepancies = audited.records.filter((r): r is Discrepancy => r.kind !== 'unverified');
    unverified = audited.records.length - discrepancies.length;
  }
  const plan = planRepair(discrepancies, { to: o.to, delete: o.delete, deleteOnlyDeleted: o.deleteOnlyDeleted });
  const fromSide = o[plan.from];
  const toSide = o[plan.to];
  const fromClient = clients[plan.from];
  const toClient = clients[plan.to];
  const copyMode = resolveCopyMode(o.copy ?? 'auto', fromSide, toSide);

  const results: ActionResult[] = plan.actions.map((a) => ({ key: a.key, kind: a.kind, reason: a.reason }));
  const c = { copied: 0, deleted: 0, alreadyDone: 0, changed: 0, tooLarge: 0, notAttempted: 0 };
  const counts = (): RepairCounts => ({ planned: plan.counts, ...c });
  const planned = plan.actions.map((a, i) => [a, i] as const).filter((x): x is [WriteAction, number] => isWrite(x[0]));
  // Writes a killed run left in flight go last, so the server has had time to finish them.
  const inDoubt = (w: readonly [WriteAction, number]) => deps.inDoubt?.has(actionId(w[0])) === true;
  const writes = deps.inDoubt?.size ? [...planned.filter((w) => !inDoubt(w)), ...planned.filter(inDoubt)] : planned;
  if (!o.apply) {
    c.notAttempted = writes.length;
    for (const [, i] of writes) results[i] = { ...results[i], outcome: 'not-attempted' };
    return { status: 'complete', plan, counts: counts(), results, audit, unverified, copyMode };
  }

  const record = (i: number, action: WriteAction, outcome: WriteOutcome, extra: Partial<ActionResult> = {}) => {
    results[i] = { ...results[i], outcome, ...extra };
    if (outcome === 'copied') c.copied++;
    else if (outcome === 'deleted') c.deleted++;
    else if (outcome === 'already-done') c.alreadyDone++;
    else if (outcome === 'changed') c.changed++;
    else c.tooLarge++;
    if (outcome !== 'changed' && outcome !== 'too-large')
      deps.journal?.({ id: actionId(action), outcome, at: new Date(clock()).toISOString() });
    deps.onWrite?.(counts());
  };

  const current = async (key: string): Promise<CurrentState> => {
    try {
      const h = await toClient.send(
        new HeadObjectCommand({ Bucket: toSide.bucket, Key: toSide.prefix + key, ChecksumMode: 'ENABLED' }),
      );
      const sum = checksumOf(h);
      return {
        exists: true,
        size: h.ContentLength,
        etag: unquote(h.ETag),
        ...(sum ? { checksum: `${sum.algorithm}:${sum.value}` } : {}),
      };
    } catch (err) {
      if (isNotFound(err)) return { exists: false, deleteMarker: isDeleteMarker(err) };
      throw err;
    }
  };

  type Condition = ReturnType<typeof writeCondition>;
  const copyServerSide = async (a: Extract<WriteAction, { kind: 'copy' }>, condition: Condition) => {
    const algorithm = a.from.checksum?.split(':')[0] as 'SHA256' | undefined;
    const out = await toClient.send(
      new CopyObjectCommand({
        Bucket: toSide.bucket,
        Key: toSide.prefix + a.key,
        CopySource: copySource(fromSide.bucket, fromSide.prefix + a.key, a.from.versionId),
        // Pinned to what the audit saw: its version id, or else its ETag.
        CopySourceIfMatch: a.from.versionId === undefined ? a.from.etag : undefined,
        MetadataDirective: 'COPY',
        TaggingDirective: 'COPY',
        ...condition,
        ...(algorithm ? { ChecksumAlgorithm: algorithm } : {}),
      }),
    );
    return { writtenVersionId: out.VersionId, etag: unquote(out.CopyObjectResult?.ETag) };
  };

  const copyStreamed = async (a: Extract<WriteAction, { kind: 'copy' }>, condition: Condition) => {
    const key = fromSide.prefix + a.key;
    const got = await fromClient.send(
      new GetObjectCommand({
        Bucket: fromSide.bucket,
        Key: key,
        VersionId: a.from.versionId,
        IfMatch: a.from.versionId === undefined ? a.from.etag : undefined,
        ChecksumMode: 'ENABLED',
      }),
    );
    const body = got.Body as NodeJS.ReadableStream & { destroy?: () => void };
    try {
      const tags = await fromClient.send(
        new GetObjectTaggingCommand({
          Bucket: fromSide.bucket,
          Key: key,
          VersionId: got.VersionId ?? a.from.versionId,
        }),
      );
      const out = await toClient.send(
        new PutObjectCommand({
          Bucket: toSide.bucket,
          Key: toSide.prefix + a.key,
          Body: got.Body,
          ContentLength: got.ContentLength,
          ...condition,
          ...putFieldsFrom(got, tags.TagSet),
        }),
      );
      return { writtenVersionId: out.VersionId, etag: unquote(out.ETag) };
    } catch (err) {
      body.destroy?.(); // free the connection of a body that was not read to its end
      throw err;
    }
  };

  const one = async (a: WriteAction, i: number): Promise<void> => {
    const id = actionId(a);
    if (deps.done?.has(id)) {
      results[i] = { ...results[i], outcome: 'already-done' };
      c.alreadyDone++;
      deps.onWrite?.(counts());
      return;
    }
    if (a.kind === 'copy' && a.from.size > MAX_SINGLE_COPY_BYTES) return record(i, a, 'too-large');
    const sentBefore = deps.inDoubt?.get(id);
    if (sentBefore !== undefined) {
      const wait = Date.parse(sentBefore) + IN_DOUBT_SETTLE_MS - clock();
      if (wait > 0) await sleep(wait);
    }
    const now = await current(a.key);
    const check = recheck(a, now);
    if (check !== 'write') return record(i, a, check);
    deps.journal?.({ id, sent: new Date(clock()).toISOString() });
    if (a.kind === 'delete') {
      await toClient.send(new DeleteObjectCommand({ Bucket: toSide.bucket, Key: toSide.prefix + a.key }));
      return record(i, a, 'deleted');
    }
    try {
      const condition = writeCondition(a, now);
      const out = copyMode === 'server-side' ? await copyServerSide(a, condition) : await copyStreamed(a, condition);
      record(i, a, 'copied', { versionId: a.from.versionId, ...out });
    } catch (err) {
      // 412: the version copied from is gone, or (If-None-Match) the key was written since the
      // HEAD; 409: a write to the key raced this one. What the written side holds now decides.
      if (isGone(err) || isConflict(err)) {
        const after = recheck(a, await current(a.key));
        return record(i, a, after === 'already-done' ? 'already-done' : 'changed');
      }
      throw err;
    }
  };

  let next = 0;
  let failure: unknown;
  const budget = o.timeBudgetMs;
  const worker = async () => {
    while (failure === undefined && next < writes.length) {
      if (budget !== undefined && clock() - started >= budget) return;
      const [a, i] = writes[next++];
      try {
        await one(a, i);
      } catch (err) {
        failure ??= Object.assign(err as object, { repairKey: a.key });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 8) }, worker));
  for (const [, i] of writes) {
    if (results[i].outcome === undefined) {
      results[i] = { ...results[i], outcome: 'not-attempted' };
      c.notAttempted++;
    }
  }
  if (failure !== undefined) throw repairFailure(failure, counts(), plan.to);
  return {
    status: c.notAttempted > 0 ? 'partial' : 'complete',
    plan,
    counts: counts(),
    results,
    audit,
    unverified,
    copyMode,
  };
}

/** The error that stopped the writes, classified: access (exit 4), outage (exit 3), anything else as it is. */
function repairFailure(err: unknown, counts: RepairCounts, to: RepairTarget): unknown {
  const key = (err as { repairKey?: string }).repairKey;
  const progress = `${counts.copied} copied and ${counts.deleted} deleted before it stopped`;
  const f = serviceFailure(err);
  if (f?.kind === 'access') return accessErrorFrom(f, `the repair of "${key}" on the ${to}`);
  if (f) {
    return new IncompleteError(
      `the repair stopped at "${key}" (${progress}): a service was unreachable or failing: ${describeError(f.error)}`,
      'once the endpoints answer again, run the same command again: finished writes are not repeated',
      undefined,
      { cause: err },
    );
  }
  return err;
}
