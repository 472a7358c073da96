import type { S3Client } from '@aws-sdk/client-s3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AuditCheckpoint, compareKeys, DEFAULT_LAG_WINDOW_SECONDS, KeyRange } from '../audit/core';
import { LIMITS } from '../audit/contract';
import { buildReport, humanSummary, writeReport } from '../audit/report';
import { runAudit } from '../audit/run-audit';
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

export async function auditCommand(args: string[], io: CliIO): Promise<number> {
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
  if (v.help) {
    io.out(AUDIT_USAGE);
    return 0;
  }
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
  const inventory = inventoryOptions(v);
  const defaultRegion = regionOption('AWS_REGION', io.env.AWS_REGION || undefined) ?? 'us-east-1';
  const sourceRegion = regionOption('--source-region', v['source-region']) ?? defaultRegion;
  const replicaRegion = regionOption('--replica-region', v['replica-region']) ?? defaultRegion;
  regionOption('--report-region', v['report-region']);
  endpointOption('--report-endpoint', v['report-endpoint']);
  const sourceEndpoint = endpointOption('--source-endpoint', v['source-endpoint']);
  const replicaEndpoint = endpointOption('--replica-endpoint', v['replica-endpoint']);
  if (source.bucket === replica.bucket && sourceEndpoint === replicaEndpoint && sourceRegion === replicaRegion) {
    throw new UsageError(
      `--source and --replica name the same bucket "${source.bucket}" at the same endpoint and region: give the replica bucket (or, for a same-named bucket elsewhere, its --replica-region or --replica-endpoint)`,
    );
  }
  if (
    v['range-start-after'] !== undefined &&
    v['range-end-at'] !== undefined &&
    compareKeys(v['range-start-after'], v['range-end-at']) >= 0
  ) {
    throw new UsageError(
      `--range-start-after "${v['range-start-after']}" is not before --range-end-at "${v['range-end-at']}" in S3 key order, so the range is empty: swap them or widen the range`,
    );
  }
  const range: KeyRange = {
    ...(v['range-start-after'] !== undefined ? { startAfter: v['range-start-after'] } : {}),
    ...(v['range-end-at'] !== undefined ? { endAt: v['range-end-at'] } : {}),
  };

  let checkpoint: AuditCheckpoint | undefined;
  if (v.resume !== undefined) {
    if (!existsSync(v.resume))
      throw new UsageError(`--resume "${v.resume}" does not exist: give the checkpoint file the interrupted run saved`);
    try {
      checkpoint = JSON.parse(readFileSync(v.resume, 'utf8')) as AuditCheckpoint;
    } catch (err) {
      throw new UsageError(`--resume "${v.resume}" is not a checkpoint (invalid JSON: ${(err as Error).message})`);
    }
    if (typeof checkpoint !== 'object' || checkpoint === null || checkpoint.version !== 1) {
      throw new UsageError(
        `--resume "${v.resume}" is not a checkpoint of this tool (expected an object with version 1)`,
      );
    }
  }

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
  for (const [opt, file] of [
    ['--report', reportIsS3 ? undefined : report],
    ['--jsonl', jsonl],
    ['--checkpoint', checkpointFile],
  ] as const) {
    if (file !== undefined) checkOutputPath(opt, file);
  }
  const outputs: [string, string | undefined][] = [
    ['--report', reportIsS3 ? undefined : report],
    ['--jsonl', jsonl],
    ['--checkpoint', checkpointFile],
  ];
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
  if (checkpoint && !existsSync(jsonl)) {
    throw new UsageError(
      `the JSON Lines file "${jsonl}" of the interrupted run is missing: give it with --jsonl, or start a new audit without --resume`,
    );
  }

  const stats = new RequestStats();
  // Described, not built: the audit's requests go out before (and mostly without) loading the SDK.
  const sourceClient = S3Access.fromOptions({
    region: sourceRegion,
    endpoint: sourceEndpoint,
    maxAttempts,
    stats,
  });
  const replicaClient = S3Access.fromOptions({
    region: replicaRegion,
    endpoint: replicaEndpoint,
    maxAttempts,
    stats,
  });
  const sinkPosition = checkpoint?.extra?.sinkPosition;
  const sink = new JsonlFileSink(jsonl, checkpoint ? Number(sinkPosition ?? 0) : undefined);
  const progress = new Progress(io);
  const started = Date.now();
  let n = 0;
  // Page boundaries of the previous run of this same audit (kept beside a local report): the
  // ranges between them are listed in parallel with no more requests. Opt-in (--hints): it saves a
  // file the user did not ask for otherwise, and parallel ranges hold more memory.
  const hintsFile = reportIsS3 || !v.hints ? undefined : `${report}.hints.json`;
  const hints = hintsFile ? readHints(hintsFile, formatS3Uri(source), formatS3Uri(replica)) : undefined;
  const boundaries: Record<'source' | 'replica', string[]> = { source: [], replica: [] };

  const onPageEnd = (side: 'source' | 'replica', key: string) => {
    if (boundaries[side].length < MAX_HINTS) boundaries[side].push(key);
  };
  let result;
  let inventoryNote: string | undefined;
  try {
    if (inventory) {
      const { createS3Client } = await import('../shared/s3-client');
      const { runInventoryAudit } = await import('../audit/run-inventory');
      const reportsSide = {
        region: v['report-region'] ?? v['replica-region'] ?? defaultRegion,
        endpoint: endpointOption('--report-endpoint', v['report-endpoint']) ?? replicaEndpoint,
      };
      const failed = v['failed-manifest'];
      const r = await runInventoryAudit(
        {
          source,
          replica,
          sourceInventory: inventory.source,
          replicaInventory: inventory.replica,
          mode: v.versions ? 'versions' : 'current',
          lagWindowSeconds: lag,
          deleteMarkerReplication: Boolean(v['delete-marker-replication']),
          headCheck: !v['no-head-check'],
          pageSize,
          ...(failed
            ? {
                writeFailedManifest: (csv: string) =>
                  writeText(failed, csv, () => createS3Client({ ...reportsSide, maxAttempts })),
              }
            : {}),
        },
        {
          sourceInventoryClient: createS3Client({ region: sourceRegion, endpoint: sourceEndpoint, maxAttempts, stats }),
          replicaInventoryClient: createS3Client({
            region: replicaRegion,
            endpoint: replicaEndpoint,
            maxAttempts,
            stats,
          }),
          sourceClient,
          replicaClient,
          stats,
          sink,
        },
      );
      result = { status: 'complete' as const, summary: r.summary };
      inventoryNote =
        `inventories: ${r.source.folder} and ${r.replica.folder}; ${r.recheckedKeys} differing keys read again live` +
        (r.failedManifest ? `; ${r.failedVersions} failed replications in ${r.failedManifest}` : '');
    } else if (parallel > 1) {
      const sideOptions = (region: string, endpoint: string | undefined) => ({ region, endpoint, maxAttempts });
      result = await auditInParallel({
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
        sourceSide: sideOptions(sourceRegion, sourceEndpoint),
        replicaSide: sideOptions(replicaRegion, replicaEndpoint),
        parallel,
        pageEnds: hints?.source,
        stats,
        sink,
        onPlan: (plan) =>
          io.err(
            `audit: ${plan.ranges.length} ranges from ${plan.from === 'page-ends' ? "the previous run's page boundaries" : 'a sample of the source'} (${plan.requests} list requests), listed ${parallel} at a time`,
          ),
        onPageEnd,
        onProgress: (keys, discrepancies, pending) => {
          if (++n % 500 !== 0) return;
          const secs = (Date.now() - started) / 1000;
          progress.update(
            `audit: ${keys} keys, ${discrepancies} discrepancies, ${pending} pending, ${Math.round(keys / Math.max(secs, 0.001))} keys/s`,
          );
        },
      });
    } else {
      result = await runAudit(
        {
          source,
          replica,
          mode: v.versions ? 'versions' : 'current',
          lagWindowSeconds: lag,
          deleteMarkerReplication: Boolean(v['delete-marker-replication']),
          headCheck: !v['no-head-check'],
          range,
          checkpoint,
          pageSize,
          hints,
        },
        {
          sourceClient,
          replicaClient,
          stats,
          sink,
          onPageEnd,
          onProgress: (s) => {
            if (++n % 500 !== 0) return;
            const secs = (Date.now() - started) / 1000;
            progress.update(
              `audit: ${s.keys} keys, ${s.discrepancies} discrepancies, ${s.counts.pending} pending, ${Math.round(s.keys / Math.max(secs, 0.001))} keys/s`,
            );
          },
        },
      );
    }
  } catch (err) {
    progress.done();
    await sink.close().catch(() => undefined);
    if (sink.failed) throw outputFailed('--jsonl', jsonl, sink.failed, 'the audit stopped');
    if (err instanceof AccessError) throw err;
    if (err instanceof IncompleteError && parallel > 1) {
      // One range's checkpoint cannot resume the others: nothing is saved.
      throw new IncompleteError(
        `${err.message} (one of ${parallel} ranges listed at once)`,
        'run the audit again once the region is reachable; without --parallel an interrupted audit saves a checkpoint to resume from',
        undefined,
        { cause: err.cause },
      );
    }
    if (err instanceof IncompleteError && err.checkpoint) {
      const cp = err.checkpoint as AuditCheckpoint;
      const saved: AuditCheckpoint = { ...cp, extra: { ...cp.extra, jsonl } };
      try {
        writeFileSync(checkpointFile, JSON.stringify(saved, null, 2) + '\n');
      } catch (e) {
        throw outputFailed(
          '--checkpoint',
          checkpointFile,
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
      const command = ['cdk-s3-dr', 'audit', ...rest, '--resume', checkpointFile].map(shellQuote).join(' ');
      throw new IncompleteError(
        `${err.message}; checkpoint saved to ${checkpointFile} (${cp.summarySoFar.keys} keys audited so far)`,
        `once the region is reachable again, resume with: ${command}`,
        saved,
        { cause: err.cause },
      );
    }
    throw err;
  }
  progress.done();
  try {
    await sink.close();
  } catch (err) {
    throw outputFailed('--jsonl', jsonl, err, 'the list of discrepancies is incomplete');
  }
  const built = await buildReport({
    status: result.status,
    source: formatS3Uri(source),
    replica: formatS3Uri(replica),
    range,
    summary: result.summary,
    sink,
    jsonl,
    requestsByOperation: stats.byOperation,
  });
  const reportsClient = reportIsS3
    ? // Reports go to the replica side by default: it is the side that must stay writable.
      (await import('../shared/s3-client')).createS3Client({
        region: v['report-region'] ?? v['replica-region'] ?? defaultRegion,
        endpoint: endpointOption('--report-endpoint', v['report-endpoint']) ?? replicaEndpoint,
        maxAttempts,
      })
    : undefined;
  let where: string;
  try {
    where = await writeReport(report, built, reportsClient);
  } catch (err) {
    if (reportIsS3 || err instanceof OutputError) throw err;
    throw outputFailed('--report', report, err, `the audit completed (${jsonl} lists every discrepancy)`);
  }
  if (hintsFile && result.status === 'complete' && !range.startAfter && !range.endAt && !checkpoint) {
    writeHints(hintsFile, formatS3Uri(source), formatS3Uri(replica), boundaries);
  }
  if (inventoryNote) io.err(inventoryNote);
  io.err(humanSummary(built));
  if (built.truncated) io.err(`the report embeds the first ${built.recordCap} records; all of them are in ${jsonl}`);
  io.out(`report: ${where}`);
  io.out(`discrepancies (JSON Lines): ${jsonl}`);
  return result.summary.discrepancies === 0 ? 0 : 1;
}

/** The inventory flags: both folders or neither, and nothing a one-pass inventory run cannot do. */
function inventoryOptions(v: Record<string, unknown>): { source: S3Location; replica: S3Location } | undefined {
  const s = v['source-inventory'] as string | undefined;
  const r = v['replica-inventory'] as string | undefined;
  if (s === undefined && r === undefined) {
    if (v['failed-manifest'] !== undefined) {
      throw new UsageError(
        '--failed-manifest is read from the source inventory: give --source-inventory and --replica-inventory',
      );
    }
    return undefined;
  }
  if (s === undefined || r === undefined) {
    throw new UsageError(
      `${s === undefined ? '--replica-inventory' : '--source-inventory'} is given without ${s === undefined ? '--source-inventory' : '--replica-inventory'}: an inventory audit reads both sides' reports; give both, or neither for a listing audit`,
    );
  }
  for (const flag of ['parallel', 'resume', 'hints', 'range-start-after', 'range-end-at']) {
    if (v[flag] !== undefined && v[flag] !== false) {
      throw new UsageError(
        `--${flag} does not apply to an inventory audit (one pass over the whole prefix): drop it, or drop --source-inventory and --replica-inventory for a listing audit`,
      );
    }
  }
  return { source: parseS3Uri(s, '--source-inventory'), replica: parseS3Uri(r, '--replica-inventory') };
}

/** Writes text to a local file or to s3://bucket/key; returns where it went. */
async function writeText(target: string, text: string, client: () => S3Client): Promise<string> {
  if (!target.startsWith('s3://')) {
    writeFileSync(target, text);
    return target;
  }
  const loc = parseS3Uri(target, '--failed-manifest');
  if (!loc.prefix || loc.prefix.endsWith('/')) {
    throw new UsageError(`--failed-manifest "${target}" needs an object key: write s3://bucket/path/failed.csv`);
  }
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  await client().send(
    new PutObjectCommand({ Bucket: loc.bucket, Key: loc.prefix, Body: text, ContentType: 'text/csv' }),
  );
  return target;
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
