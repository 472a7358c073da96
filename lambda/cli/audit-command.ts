import type { S3Client } from '@aws-sdk/client-s3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  AuditCheckpoint,
  compareKeys,
  DEFAULT_LAG_WINDOW_SECONDS,
  describeBalance,
  KeyRange,
  rangeBalance,
} from '../audit/core';
import { LIMITS } from '../audit/contract';
import { buildReport, humanSummary, writeReport } from '../audit/report';
import { AuditOptions, AuditRunResult, runAudit } from '../audit/run-audit';
import { auditInParallel } from './audit-parallel';
import { JsonlFileSink } from '../audit/sink';
import { AccessError, IncompleteError, OutputError, UsageError } from '../shared/errors';
import { S3Access } from '../shared/s3-access';
import { RequestStats } from '../shared/s3-options';
import { formatS3Uri, parseS3Uri, S3Location } from '../shared/s3-uri';
import { CliIO, Progress } from './io';
import { endpointOption, EXIT_CODES_HELP, LIMITS_HELP, PAIR_OPTIONS, parseOptions, regionOption } from './options';
import { checkOutputPath, outputFailed } from './output-paths';

export const AUDIT_USAGE = `usage: cdk-s3-dr audit --source s3://bucket[/prefix] --replica s3://bucket[/prefix] [options]

Proves the replica matches the source, read-only: lists both sides (one request per 1,000 keys
per side), compares sizes, ETags and, where ETags are not comparable, checksums (HeadObject).

options:
  --source URI                  the source bucket and optional prefix (required)
  --replica URI                 the replica bucket and optional prefix (required)
  --source-region REGION        default: AWS_REGION, else us-east-1
  --replica-region REGION       default: AWS_REGION, else us-east-1
  --source-endpoint URL         an S3-compatible endpoint for the source (path-style)
  --replica-endpoint URL        an S3-compatible endpoint for the replica (path-style)
  --report FILE|s3://b/key      the JSON report (default: audit-report.json)
  --report-region REGION        region of an s3:// report bucket (default: the replica's region)
  --report-endpoint URL         endpoint of an s3:// report bucket (default: the replica's endpoint)
  --jsonl FILE                  every discrepancy as JSON Lines (default: the report name with .jsonl)
  --lag-window SECONDS          differences younger than this are pending, not failures (default ${DEFAULT_LAG_WINDOW_SECONDS}, at most ${LIMITS.lagWindowSeconds.max})
  --versions                    all-versions mode (ListObjectVersions): compares latest version ids and delete markers
  --delete-marker-replication   the replication rule replicates delete markers (default: it does not)
  --no-head-check               do not HeadObject equal-size objects whose ETags differ (faster; treats plain ETags as MD5s)
  --range-start-after KEY       audit only keys after KEY (relative to the prefix, S3 byte order)
  --range-end-at KEY            audit only keys up to KEY, inclusive
  --checkpoint FILE             where to save the checkpoint if the run cannot complete (default: next to the report)
  --resume FILE                 continue an interrupted run from its checkpoint (give the same options)
  --max-attempts N              attempts per request, retries included (default 10)
  --page-size N                 keys per list request, 1-1000 (default 1000)
  --hints                       save the page boundaries beside the report (<report>.hints.json) and, when
                                a previous run saved them, list the ranges between them in parallel:
                                faster against a distant endpoint, at the cost of more memory
  --source-inventory URI        inventory mode: the folder of the source bucket's S3 Inventory configuration
                                (s3://bucket/<prefix><source bucket>/<configuration id>/); with
                                --replica-inventory. The newest complete reports of both sides are compared,
                                every differing key is read again live, the rest is not listed. Read with
                                the source's region and endpoint. Not with --parallel, --resume, --hints or a range
  --replica-inventory URI       inventory mode: the folder of the replica bucket's inventory configuration
                                (read with the replica's region and endpoint)
  --failed-manifest FILE|s3://b/key  inventory mode: write the source versions whose replication FAILED as an
                                S3 Batch Operations CSV manifest (for the backfill); s3:// goes where --report would
  --parallel N                  split the key space into N ranges of about equal size and list them at once,
                                1-64 (default 1); the report is the same as a single-range run's. The split
                                comes from the saved page boundaries with --hints, else from a sample of the
                                source (at most 20 list requests). Not with --resume: a --parallel run that
                                stops saves no checkpoint
${LIMITS_HELP}
  --help                        show this help

Pending differences alone are not failures. When a service is unreachable or failing (exit 3) a
checkpoint is saved: resume with --resume.
${EXIT_CODES_HELP}`;

function positiveInt(
  v: string | undefined,
  option: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(
      `${option} "${v}" must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}`,
    );
  }
  return Number(v);
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** What an audit command line asks for, every option validated. */
interface AuditInvocation {
  readonly sourceSide: SideOptions;
  readonly replicaSide: SideOptions;
  readonly options: Omit<AuditOptions, 'checkpoint' | 'hints'>;
  readonly maxAttempts?: number;
  readonly parallel: number;
  readonly checkpoint?: AuditCheckpoint;
  /** Where the report goes: a local file or s3://bucket/key. */
  readonly report: string;
  readonly reportIsS3: boolean;
  readonly reportSide: SideOptions;
  readonly jsonl: string;
  readonly checkpointFile: string;
  /** The page boundaries file, with --hints and a local report. */
  readonly hintsFile?: string;
  /** Inventory mode: both sides' inventory folders, and where the FAILED manifest goes. */
  readonly inventory?: InventoryFlags;
}

interface InventoryFlags {
  readonly source: S3Location;
  readonly replica: S3Location;
  readonly failedManifest?: string;
}

interface SideOptions {
  readonly region: string;
  readonly endpoint?: string;
}

export async function auditCommand(args: string[], io: CliIO): Promise<number> {
  const inv = parseAuditArgs(args, io.env);
  if (inv === 'help') {
    io.out(AUDIT_USAGE);
    return 0;
  }
  const source = formatS3Uri(inv.options.source);
  const replica = formatS3Uri(inv.options.replica);
  const range = inv.options.range ?? {};
  const stats = new RequestStats();
  const sink = new JsonlFileSink(
    inv.jsonl,
    inv.checkpoint ? Number(inv.checkpoint.extra?.sinkPosition ?? 0) : undefined,
  );
  // Page boundaries of the previous run of this same audit (kept beside a local report): the
  // ranges between them are listed in parallel with no more requests. Opt-in (--hints): it saves a
  // file the user did not ask for otherwise, and parallel ranges hold more memory.
  const hints = inv.hintsFile ? readHints(inv.hintsFile, source, replica) : undefined;
  const boundaries: Record<'source' | 'replica', string[]> = { source: [], replica: [] };
  const onPageEnd = (side: 'source' | 'replica', key: string) => {
    if (boundaries[side].length < MAX_HINTS) boundaries[side].push(key);
  };
  const progress = new Progress(io);
  let result: ListedResult;
  try {
    result = await listAndCompare(inv, { stats, sink, hints, onPageEnd, progress, io });
  } catch (err) {
    progress.done();
    await sink.close().catch(() => undefined);
    if (sink.failed) throw outputFailed('--jsonl', inv.jsonl, sink.failed, 'the audit stopped');
    throw stopped(err, inv, args);
  }
  progress.done();
  if (result.note) io.err(result.note);
  try {
    await sink.close();
  } catch (err) {
    throw outputFailed('--jsonl', inv.jsonl, err, 'the list of discrepancies is incomplete');
  }
  const built = await buildReport({
    status: result.status,
    source,
    replica,
    range,
    summary: result.summary,
    sink,
    jsonl: inv.jsonl,
    requestsByOperation: stats.byOperation,
    sides: { source: inv.sourceSide, replica: inv.replicaSide },
  });
  const where = await saveReport(inv, built);
  if (inv.hintsFile && result.status === 'complete' && !range.startAfter && !range.endAt && !inv.checkpoint) {
    writeHints(inv.hintsFile, source, replica, boundaries);
  }
  io.err(humanSummary(built));
  if (built.truncated)
    io.err(`the report embeds the first ${built.recordCap} records; all of them are in ${inv.jsonl}`);
  io.out(`report: ${where}`);
  io.out(`discrepancies (JSON Lines): ${inv.jsonl}`);
  return result.summary.discrepancies === 0 ? 0 : 1;
}

/** Reads and validates every option before any request: a bad one is a UsageError naming it. */
function parseAuditArgs(args: string[], env: CliIO['env']): AuditInvocation | 'help' {
  const v = parseOptions('audit', args, {
    ...PAIR_OPTIONS,
    report: { type: 'string' },
    'report-region': { type: 'string' },
    'report-endpoint': { type: 'string' },
    jsonl: { type: 'string' },
    'lag-window': { type: 'string' },
    versions: { type: 'boolean' },
    'delete-marker-replication': { type: 'boolean' },
    'no-head-check': { type: 'boolean' },
    'range-start-after': { type: 'string' },
    'range-end-at': { type: 'string' },
    checkpoint: { type: 'string' },
    resume: { type: 'string' },
    'max-attempts': { type: 'string' },
    'page-size': { type: 'string' },
    hints: { type: 'boolean' },
    parallel: { type: 'string' },
    'source-inventory': { type: 'string' },
    'replica-inventory': { type: 'string' },
    'failed-manifest': { type: 'string' },
  });
  if (v.help) return 'help';
  const source = parseS3Uri(v.source as string, '--source');
  const replica = parseS3Uri(v.replica as string, '--replica');
  const lag =
    positiveInt(v['lag-window'], '--lag-window', LIMITS.lagWindowSeconds.min, LIMITS.lagWindowSeconds.max) ??
    DEFAULT_LAG_WINDOW_SECONDS;
  const maxAttempts = positiveInt(v['max-attempts'], '--max-attempts', 1, 100);
  const pageSize = positiveInt(v['page-size'], '--page-size', 1, 1000);
  const parallel = positiveInt(v.parallel, '--parallel', 1, MAX_PARALLEL) ?? 1;
  if (parallel > 1 && v.resume !== undefined) {
    throw new UsageError(
      `--parallel ${parallel} cannot resume a checkpoint: resume with the same options without --parallel, or start a new audit`,
    );
  }
  const inventory = inventoryFlags(v);
  const defaultRegion = regionOption('AWS_REGION', env.AWS_REGION || undefined) ?? 'us-east-1';
  const sourceSide = {
    region: regionOption('--source-region', v['source-region']) ?? defaultRegion,
    endpoint: endpointOption('--source-endpoint', v['source-endpoint']),
  };
  const replicaSide = {
    region: regionOption('--replica-region', v['replica-region']) ?? defaultRegion,
    endpoint: endpointOption('--replica-endpoint', v['replica-endpoint']),
  };
  // Reports go to the replica side by default: it is the side that must stay writable.
  const reportSide = {
    region: regionOption('--report-region', v['report-region']) ?? replicaSide.region,
    endpoint: endpointOption('--report-endpoint', v['report-endpoint']) ?? replicaSide.endpoint,
  };
  if (
    source.bucket === replica.bucket &&
    sourceSide.endpoint === replicaSide.endpoint &&
    sourceSide.region === replicaSide.region
  ) {
    throw new UsageError(
      `--source and --replica name the same bucket "${source.bucket}" at the same endpoint and region: give the replica bucket (or, for a same-named bucket elsewhere, its --replica-region or --replica-endpoint)`,
    );
  }
  const range = keyRange(v['range-start-after'], v['range-end-at']);
  const checkpoint = v.resume === undefined ? undefined : readCheckpoint(v.resume);
  const report = v.report ?? 'audit-report.json';
  const reportIsS3 = report.startsWith('s3://');
  if (reportIsS3) {
    const loc = parseS3Uri(report, '--report');
    if (!loc.prefix || loc.prefix.endsWith('/'))
      throw new UsageError(`--report "${report}" needs an object key: write s3://bucket/path/report.json`);
    if (loc.bucket === source.bucket || loc.bucket === replica.bucket) {
      throw new UsageError(
        `--report "${report}" is in an audited bucket: the audit never writes to the source or replica; use another bucket`,
      );
    }
  }
  const localBase = reportIsS3 ? 'audit-report' : report.replace(/\.json$/i, '');
  const resumedJsonl = typeof checkpoint?.extra?.jsonl === 'string' ? checkpoint.extra.jsonl : undefined;
  const jsonl = v.jsonl ?? resumedJsonl ?? `${localBase}.jsonl`;
  const checkpointFile = v.checkpoint ?? v.resume ?? `${localBase}.checkpoint.json`;
  checkOutputs([
    ['--report', reportIsS3 ? undefined : report],
    ['--jsonl', jsonl],
    ['--checkpoint', checkpointFile],
    ['--failed-manifest', inventory?.failedManifest?.startsWith('s3://') ? undefined : inventory?.failedManifest],
  ]);
  if (checkpoint && !existsSync(jsonl)) {
    throw new UsageError(
      `the JSON Lines file "${jsonl}" of the interrupted run is missing: give it with --jsonl, or start a new audit without --resume`,
    );
  }
  return {
    sourceSide,
    replicaSide,
    options: {
      source,
      replica,
      mode: v.versions ? 'versions' : 'current',
      lagWindowSeconds: lag,
      deleteMarkerReplication: Boolean(v['delete-marker-replication']),
      headCheck: !v['no-head-check'],
      range,
      pageSize,
    },
    maxAttempts,
    parallel,
    checkpoint,
    report,
    reportIsS3,
    reportSide,
    jsonl,
    checkpointFile,
    hintsFile: reportIsS3 || !v.hints ? undefined : `${report}.hints.json`,
    inventory,
  };
}

/** The inventory flags: both folders or neither, and nothing a one-pass inventory run cannot do. */
function inventoryFlags(v: Record<string, unknown>): InventoryFlags | undefined {
  const s = v['source-inventory'] as string | undefined;
  const r = v['replica-inventory'] as string | undefined;
  const failedManifest = v['failed-manifest'] as string | undefined;
  if (s === undefined && r === undefined) {
    if (failedManifest !== undefined) {
      throw new UsageError(
        '--failed-manifest is read from the source inventory: give --source-inventory and --replica-inventory',
      );
    }
    return undefined;
  }
  if (s === undefined || r === undefined) {
    const [given, missing] =
      s === undefined ? ['--replica-inventory', '--source-inventory'] : ['--source-inventory', '--replica-inventory'];
    throw new UsageError(
      `${given} is given without ${missing}: an inventory audit reads both sides' reports; give both, or neither for a listing audit`,
    );
  }
  for (const flag of ['parallel', 'resume', 'hints', 'range-start-after', 'range-end-at']) {
    if (v[flag] !== undefined && v[flag] !== false) {
      throw new UsageError(
        `--${flag} does not apply to an inventory audit (one pass over the whole prefix): drop it, or drop --source-inventory and --replica-inventory for a listing audit`,
      );
    }
  }
  if (failedManifest?.startsWith('s3://')) {
    const loc = parseS3Uri(failedManifest, '--failed-manifest');
    if (!loc.prefix || loc.prefix.endsWith('/')) {
      throw new UsageError(
        `--failed-manifest "${failedManifest}" needs an object key: write s3://bucket/path/failed.csv`,
      );
    }
  }
  return {
    source: parseS3Uri(s, '--source-inventory'),
    replica: parseS3Uri(r, '--replica-inventory'),
    ...(failedManifest !== undefined ? { failedManifest } : {}),
  };
}

/** The range of --range-start-after and --range-end-at, refused when empty. */
function keyRange(startAfter: string | undefined, endAt: string | undefined): KeyRange {
  if (startAfter !== undefined && endAt !== undefined && compareKeys(startAfter, endAt) >= 0) {
    throw new UsageError(
      `--range-start-after "${startAfter}" is not before --range-end-at "${endAt}" in S3 key order, so the range is empty: swap them or widen the range`,
    );
  }
  return { ...(startAfter !== undefined ? { startAfter } : {}), ...(endAt !== undefined ? { endAt } : {}) };
}

function readCheckpoint(file: string): AuditCheckpoint {
  if (!existsSync(file))
    throw new UsageError(`--resume "${file}" does not exist: give the checkpoint file the interrupted run saved`);
  let checkpoint: AuditCheckpoint;
  try {
    checkpoint = JSON.parse(readFileSync(file, 'utf8')) as AuditCheckpoint;
  } catch (err) {
    throw new UsageError(`--resume "${file}" is not a checkpoint (invalid JSON: ${(err as Error).message})`);
  }
  if (typeof checkpoint !== 'object' || checkpoint === null || checkpoint.version !== 1) {
    throw new UsageError(`--resume "${file}" is not a checkpoint of this tool (expected an object with version 1)`);
  }
  return checkpoint;
}

/** Every local output must be writable, and no two may be the same file. */
function checkOutputs(outputs: ReadonlyArray<readonly [string, string | undefined]>): void {
  for (const [opt, file] of outputs) if (file !== undefined) checkOutputPath(opt, file);
  for (let i = 0; i < outputs.length; i++) {
    for (let j = i + 1; j < outputs.length; j++) {
      const [a, fa] = outputs[i];
      const [b, fb] = outputs[j];
      if (fa !== undefined && fb !== undefined && resolve(fa) === resolve(fb)) {
        throw new UsageError(
          `${a} and ${b} are the same file "${fa}": one would overwrite the other; give each its own`,
        );
      }
    }
  }
}

/** A run's result, with what an inventory run read (printed before the summary). */
type ListedResult = AuditRunResult & { readonly note?: string };

interface RunDeps {
  readonly stats: RequestStats;
  readonly sink: JsonlFileSink;
  readonly hints?: { source?: string[]; replica?: string[] };
  readonly onPageEnd: (side: 'source' | 'replica', key: string) => void;
  readonly progress: Progress;
  readonly io: CliIO;
}

/**
 * Lists both sides and compares them: as one range (resumable), or as --parallel ranges at once;
 * in inventory mode compares the two inventories instead. `note` says what an inventory run read.
 */
async function listAndCompare(inv: AuditInvocation, d: RunDeps): Promise<ListedResult> {
  if (inv.inventory) return compareInventories(inv, inv.inventory, d);
  const started = Date.now();
  let n = 0;
  const report = (keys: number, discrepancies: number, pending: number) => {
    if (++n % 500 !== 0) return;
    const secs = (Date.now() - started) / 1000;
    d.progress.update(
      `audit: ${keys} keys, ${discrepancies} discrepancies, ${pending} pending, ${Math.round(keys / Math.max(secs, 0.001))} keys/s`,
    );
  };
  const side = (s: SideOptions) => ({ region: s.region, endpoint: s.endpoint, maxAttempts: inv.maxAttempts });
  if (inv.parallel > 1) {
    const result = await auditInParallel({
      options: inv.options,
      sourceSide: side(inv.sourceSide),
      replicaSide: side(inv.replicaSide),
      parallel: inv.parallel,
      pageEnds: d.hints?.source,
      stats: d.stats,
      sink: d.sink,
      onPlan: (plan) =>
        d.io.err(
          `audit: ${plan.ranges.length} ranges from ${plan.from === 'page-ends' ? "the previous run's page boundaries" : 'a sample of the source'} (${plan.requests} list requests), listed ${inv.parallel} at a time`,
        ),
      onPageEnd: d.onPageEnd,
      onProgress: report,
    });
    // How evenly the plan shared the keys: the wall time follows the largest range.
    d.io.err(`audit: ${describeBalance(rangeBalance(result.rangeKeys))}`);
    return result;
  }
  // Described, not built: the audit's requests go out before (and mostly without) loading the SDK.
  const client = (s: SideOptions) => S3Access.fromOptions({ ...side(s), stats: d.stats });
  return runAudit(
    { ...inv.options, checkpoint: inv.checkpoint, hints: d.hints },
    {
      sourceClient: client(inv.sourceSide),
      replicaClient: client(inv.replicaSide),
      stats: d.stats,
      sink: d.sink,
      onPageEnd: d.onPageEnd,
      onProgress: (s) => report(s.keys, s.discrepancies, s.counts.pending),
    },
  );
}

/** The inventory audit: both sides' newest complete inventories compared, every difference read again live. */
async function compareInventories(
  inv: AuditInvocation,
  flags: InventoryFlags,
  d: RunDeps,
): Promise<AuditRunResult & { note: string }> {
  const { createS3Client } = await import('../shared/s3-client');
  const { runInventoryAudit } = await import('../audit/run-inventory');
  const client = (s: SideOptions) => createS3Client({ ...s, maxAttempts: inv.maxAttempts, stats: d.stats });
  const failed = flags.failedManifest;
  const r = await runInventoryAudit(
    {
      ...inv.options,
      sourceInventory: flags.source,
      replicaInventory: flags.replica,
      ...(failed
        ? {
            writeFailedManifest: (csv: string) =>
              writeText(failed, csv, () => createS3Client({ ...inv.reportSide, maxAttempts: inv.maxAttempts })),
          }
        : {}),
    },
    {
      sourceInventoryClient: client(inv.sourceSide),
      replicaInventoryClient: client(inv.replicaSide),
      sourceClient: S3Access.fromOptions({ ...inv.sourceSide, maxAttempts: inv.maxAttempts, stats: d.stats }),
      replicaClient: S3Access.fromOptions({ ...inv.replicaSide, maxAttempts: inv.maxAttempts, stats: d.stats }),
      stats: d.stats,
      sink: d.sink,
    },
  );
  const note =
    `inventories: ${r.source.folder} and ${r.replica.folder}; ${r.recheckedKeys} differing keys read again live` +
    (r.failedManifest ? `; ${r.failedVersions} failed replications in ${r.failedManifest}` : '');
  return { status: 'complete', summary: r.summary, note };
}

/** Writes text to a local file or to s3://bucket/key; returns where it went. */
async function writeText(target: string, text: string, client: () => S3Client): Promise<string> {
  if (!target.startsWith('s3://')) {
    try {
      writeFileSync(target, text);
    } catch (err) {
      throw outputFailed(
        '--failed-manifest',
        target,
        err,
        'the audit completed without its failed-replication manifest',
      );
    }
    return target;
  }
  const loc = parseS3Uri(target, '--failed-manifest');
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  await client().send(
    new PutObjectCommand({ Bucket: loc.bucket, Key: loc.prefix, Body: text, ContentType: 'text/csv' }),
  );
  return target;
}

/**
 * What a run that stopped early becomes: a one-range run saves its checkpoint and names the
 * exact command that resumes it; a --parallel run saves none (one range's cannot resume the others).
 */
function stopped(err: unknown, inv: AuditInvocation, args: string[]): unknown {
  if (err instanceof AccessError || !(err instanceof IncompleteError)) return err;
  if (inv.parallel > 1) {
    return new IncompleteError(
      `${err.message} (one of ${inv.parallel} ranges listed at once)`,
      'run the audit again once the region is reachable; without --parallel an interrupted audit saves a checkpoint to resume from',
      undefined,
      { cause: err.cause },
    );
  }
  if (!err.checkpoint) return err;
  const cp = err.checkpoint as AuditCheckpoint;
  const saved: AuditCheckpoint = { ...cp, extra: { ...cp.extra, jsonl: inv.jsonl } };
  try {
    writeFileSync(inv.checkpointFile, JSON.stringify(saved, null, 2) + '\n');
  } catch (e) {
    return outputFailed(
      '--checkpoint',
      inv.checkpointFile,
      e,
      `the audit stopped (${err.message}) and cannot be resumed`,
    );
  }
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--resume' || args[i] === '--checkpoint') {
      i++;
      continue;
    }
    if (args[i].startsWith('--resume=') || args[i].startsWith('--checkpoint=')) continue;
    rest.push(args[i]);
  }
  const command = ['cdk-s3-dr', 'audit', ...rest, '--resume', inv.checkpointFile].map(shellQuote).join(' ');
  return new IncompleteError(
    `${err.message}; checkpoint saved to ${inv.checkpointFile} (${cp.summarySoFar.keys} keys audited so far)`,
    `once the region is reachable again, resume with: ${command}`,
    saved,
    { cause: err.cause },
  );
}

/** Writes the report to its file or s3:// key; returns where it went. */
async function saveReport(inv: AuditInvocation, built: Awaited<ReturnType<typeof buildReport>>): Promise<string> {
  const reportsClient = inv.reportIsS3
    ? (await import('../shared/s3-client')).createS3Client({ ...inv.reportSide, maxAttempts: inv.maxAttempts })
    : undefined;
  try {
    return await writeReport(inv.report, built, reportsClient);
  } catch (err) {
    if (inv.reportIsS3 || err instanceof OutputError) throw err;
    throw outputFailed('--report', inv.report, err, `the audit completed (${inv.jsonl} lists every discrepancy)`);
  }
}

/** Ranges an audit may list at once. */
const MAX_PARALLEL = 64;

/** Page boundaries kept per side; 10,000 cover ten million keys. */
const MAX_HINTS = 10_000;

interface HintsFile {
  readonly version: 1;
  readonly source: { readonly uri: string; readonly boundaries: string[] };
  readonly replica: { readonly uri: string; readonly boundaries: string[] };
}

/** The previous run's page boundaries for this pair, or undefined (missing, unreadable, another pair). */
function readHints(
  file: string,
  source: string,
  replica: string,
): { source?: string[]; replica?: string[] } | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as HintsFile;
    if (h.version !== 1 || h.source?.uri !== source || h.replica?.uri !== replica) return undefined;
    const ok = (a: unknown): a is string[] => Array.isArray(a) && a.every((k) => typeof k === 'string');
    return {
      source: ok(h.source.boundaries) ? h.source.boundaries : undefined,
      replica: ok(h.replica.boundaries) ? h.replica.boundaries : undefined,
    };
  } catch {
    return undefined;
  }
}

function writeHints(file: string, source: string, replica: string, b: Record<'source' | 'replica', string[]>): void {
  const h: HintsFile = {
    version: 1,
    // Ranges listed at once add their boundaries as their pages arrive: stored in key order.
    source: { uri: source, boundaries: [...b.source].sort(compareKeys) },
    replica: { uri: replica, boundaries: [...b.replica].sort(compareKeys) },
  };
  try {
    writeFileSync(file, JSON.stringify(h) + '\n');
  } catch {
    // Hints only speed up the next run; failing to save them changes nothing about this one.
  }
}
