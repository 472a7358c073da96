import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_LAG_WINDOW_SECONDS, Discrepancy } from '../audit/core';
import type { AuditReport } from '../audit/report';
import { readJsonl } from '../audit/sink';
import { JournalEntry, JournalHeader, readJournal, repairExitCode } from '../repair/core/apply';
import { RepairTarget } from '../repair/core/plan';
import { buildRepairReport, repairSummary } from '../repair/report';
import { ActionResult, CopyMode, runRepair } from '../repair/run-repair';
import { UsageError } from '../shared/errors';
import { RequestStats } from '../shared/s3-options';
import { formatS3Uri, parseS3Uri, S3Location } from '../shared/s3-uri';
import { CliIO, Progress } from './io';
import {
  conflicting,
  endpointOption,
  EXIT_CODES_HELP,
  LIMITS_HELP,
  PAIR_OPTIONS,
  parseOptions,
  regionOption,
} from './options';
import { checkOutputPath, outputFailed } from './output-paths';

export const REPAIR_USAGE = `usage: cdk-s3-dr repair --source s3://bucket[/prefix] --replica s3://bucket[/prefix] [--to replica|source]
                        [--apply [--delete]] [--from-report FILE] [--report FILE] [options]

Makes one side match the other where an audit finds them different. A dry run by default: it
audits (or reads --from-report), prints the plan and writes nothing. With --apply it copies every
object missing or different (size or content) on the written side, and only those; it never
overwrites an object that is newer on the written side (a conflict, listed for a person) and
never deletes anything unless --delete is given too. A copy keeps the content type and other
content headers, user metadata, tags and the checksum.

options:
  --source URI                  the source bucket and optional prefix (required unless --from-report)
  --replica URI                 the replica bucket and optional prefix (required unless --from-report)
  --source-region REGION        default: AWS_REGION, else us-east-1
  --replica-region REGION       default: AWS_REGION, else us-east-1
  --source-endpoint URL         an S3-compatible endpoint for the source (path-style)
  --replica-endpoint URL        an S3-compatible endpoint for the replica (path-style)
  --to replica|source           the side written to (default replica); source brings a failover's writes home
  --apply                       write: copy what is missing or different on the written side
  --delete                      with --apply, also delete what exists only on the written side
                                (a delete marker where the bucket is versioned); without --apply the
                                plan shows these deletes and nothing is deleted
  --from-report FILE            the JSON report of a complete 'cdk-s3-dr audit' of this pair: no audit is run;
                                the repair works where the audit read each side (its regions and endpoints)
  --report FILE                 write the plan and what was done as JSON (default: none)
  --journal FILE                the journal of writes sent and finished (default: <report>.journal.jsonl,
                                else repair.journal.jsonl); an interrupted run leaves it, and the same
                                command run again skips what it records finished and checks the writes
                                it left in flight last; removed once a run completes
  --copy auto|server-side|stream
                                auto (default): CopyObject when both sides share an endpoint (any AWS
                                region), else GET from one side and PUT to the other
  --concurrency N               writes in flight at once, 1-64 (default 8)
  --lag-window SECONDS          the audit's lag window: younger differences are pending, left to
                                replication (default ${DEFAULT_LAG_WINDOW_SECONDS})
  --versions                    audit in all-versions mode: sees delete markers on both sides
  --delete-marker-replication   the replication rule replicates delete markers (default: it does not)
  --no-head-check               the audit does not HeadObject equal-size objects whose ETags differ
  --max-attempts N              attempts per request, retries included (default 10)
  --page-size N                 keys per list request, 1-1000 (default 1000)
${LIMITS_HELP}
  --help                        show this help

A dry run exits 1 when the plan would write something and 0 when it would not. With --apply it
exits 0 when no difference remains and 1 when some do (conflicts, kept or pending keys, objects
changed since the audit). When a service fails mid-run (exit 3) run the same command again.
${EXIT_CODES_HELP}`;

function wholeNumber(v: string | undefined, option: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
    throw new UsageError(`${option} "${v}" must be a whole number from ${min} to ${max}`);
  return Number(v);
}

/** A side of a report's `sides`: a region, and an endpoint or none. */
const readAtShape = (at: unknown): boolean => {
  const { region, endpoint } = (at ?? {}) as { region?: unknown; endpoint?: unknown };
  return typeof region === 'string' && (endpoint === undefined || typeof endpoint === 'string');
};

/** The audit report given with --from-report, checked, and its discrepancies (all of them). */
async function readAuditReport(file: string): Promise<{ report: AuditReport; discrepancies: Discrepancy[] }> {
  if (!existsSync(file))
    throw new UsageError(`--from-report "${file}" does not exist: give the JSON report a 'cdk-s3-dr audit' wrote`);
  let report: AuditReport;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as AuditReport;
  } catch (err) {
    throw new UsageError(`--from-report "${file}" is not an audit report (invalid JSON: ${(err as Error).message})`);
  }
  if (
    typeof report !== 'object' ||
    report === null ||
    report.version !== 1 ||
    !Array.isArray(report.discrepancies) ||
    typeof report.source !== 'string' ||
    !(report.sides === undefined || (readAtShape(report.sides.source) && readAtShape(report.sides.replica)))
  ) {
    throw new UsageError(
      `--from-report "${file}" is not an audit report of this tool (expected version 1 with source and discrepancies)`,
    );
  }
  if (report.status !== 'complete') {
    throw new UsageError(
      `--from-report "${file}" is a ${String(report.status)} audit: finish it (cdk-s3-dr audit --resume) or repair without --from-report`,
    );
  }
  if (report.range && (report.range.startAfter !== undefined || report.range.endAt !== undefined)) {
    throw new UsageError(
      `--from-report "${file}" audited only a key range: repair from a report of the whole pair, or without --from-report`,
    );
  }
  if (!report.truncated) return { report, discrepancies: report.discrepancies };
  // More records than the report embeds: all of them are in its JSON Lines file.
  const jsonl = report.jsonl;
  const candidates = jsonl ? [jsonl, ...(isAbsolute(jsonl) ? [] : [join(dirname(file), jsonl)])] : [];
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new UsageError(
      `--from-report "${file}" embeds only its first ${report.recordCap} records and its JSON Lines file${jsonl ? ` "${jsonl}"` : ''} is not there: put it beside the report, or repair without --from-report`,
    );
  }
  const records = await readJsonl(found, Number.MAX_SAFE_INTEGER);
  return { report, discrepancies: records.filter((r): r is Discrepancy => r.kind !== 'unverified') };
}

export async function repairCommand(args: string[], io: CliIO): Promise<number> {
  const v = parseOptions('repair', args, {
    ...PAIR_OPTIONS,
    to: { type: 'string' },
    apply: { type: 'boolean' },
    delete: { type: 'boolean' },
    'from-report': { type: 'string' },
    report: { type: 'string' },
    journal: { type: 'string' },
    copy: { type: 'string' },
    concurrency: { type: 'string' },
    'lag-window': { type: 'string' },
    versions: { type: 'boolean' },
    'delete-marker-replication': { type: 'boolean' },
    'no-head-check': { type: 'boolean' },
    'max-attempts': { type: 'string' },
    'page-size': { type: 'string' },
  });
  if (v.help) {
    io.out(REPAIR_USAGE);
    return 0;
  }
  // Everything is checked before the first request.
  const to = (v.to ?? 'replica') as RepairTarget;
  if (to !== 'replica' && to !== 'source') {
    throw new UsageError(
      `--to "${v.to}" is not a side: use --to replica (make the replica match the source) or --to source (bring the replica's writes home)`,
    );
  }
  const copy = (v.copy ?? 'auto') as CopyMode;
  if (!['auto', 'server-side', 'stream'].includes(copy))
    throw new UsageError(`--copy "${v.copy}" is unknown: use auto, server-side or stream`);
  const fromReport = v['from-report'];
  if (fromReport !== undefined) {
    conflicting(
      v,
      (['lag-window', 'versions', 'delete-marker-replication', 'no-head-check', 'page-size'] as const).map((o) => [
        'from-report',
        o,
        'the report already holds the audit; give the audit options to cdk-s3-dr audit, or repair without --from-report',
      ]),
    );
  }
  const concurrency = wholeNumber(v.concurrency, '--concurrency', 1, 64) ?? 8;
  const maxAttempts = wholeNumber(v['max-attempts'], '--max-attempts', 1, 100);
  const pageSize = wholeNumber(v['page-size'], '--page-size', 1, 1000);
  const lag = wholeNumber(v['lag-window'], '--lag-window', 0, Number.MAX_SAFE_INTEGER) ?? DEFAULT_LAG_WINDOW_SECONDS;
  let audit: { report: AuditReport; discrepancies: Discrepancy[] } | undefined;
  if (fromReport !== undefined) audit = await readAuditReport(fromReport);
  // A side's region and endpoint: as given, else where the audit of --from-report read it, else
  // the default. Given ones must be where the audit read (the report's discrepancies are of there).
  const defaultRegion = regionOption('AWS_REGION', io.env.AWS_REGION || undefined) ?? 'us-east-1';
  const readAt = (side: 'source' | 'replica') => {
    const at = audit?.report.sides?.[side];
    const region = regionOption(`--${side}-region`, v[`${side}-region`]);
    const endpoint = endpointOption(`--${side}-endpoint`, v[`${side}-endpoint`]);
    for (const [option, given, audited] of [
      [`--${side}-region`, region, at?.region],
      [`--${side}-endpoint`, endpoint, at ? (at.endpoint ?? 'none: AWS') : undefined],
    ] as const) {
      if (given !== undefined && audited !== undefined && given !== audited) {
        throw new UsageError(
          `${option} "${given}" is not where --from-report "${fromReport}" read the ${side} (${audited}): leave ${option} out to repair there, or audit again at "${given}"`,
        );
      }
    }
    return { region: region ?? at?.region ?? defaultRegion, endpoint: endpoint ?? at?.endpoint };
  };
  const { region: sourceRegion, endpoint: sourceEndpoint } = readAt('source');
  const { region: replicaRegion, endpoint: replicaEndpoint } = readAt('replica');
  const sideOf = (option: '--source' | '--replica', value: string | undefined, inReport?: string): S3Location => {
    if (value === undefined && inReport === undefined)
      throw new UsageError(`${option} is required: give the bucket as s3://bucket[/prefix]`);
    const loc = parseS3Uri((value ?? inReport)!, option);
    if (inReport !== undefined && formatS3Uri(loc) !== formatS3Uri(parseS3Uri(inReport, '--from-report'))) {
      throw new UsageError(
        `${option} "${value}" is not the ${option.slice(2)} of --from-report "${fromReport}" (${inReport}): give the pair that was audited, or leave ${option} out`,
      );
    }
    return loc;
  };
  const source = sideOf('--source', v.source, audit?.report.source);
  const replica = sideOf('--replica', v.replica, audit?.report.replica);
  if (source.bucket === replica.bucket && sourceEndpoint === replicaEndpoint && sourceRegion === replicaRegion) {
    throw new UsageError(
      `--source and --replica name the same bucket "${source.bucket}" at the same endpoint and region: give the replica bucket (or, for a same-named bucket elsewhere, its --replica-region or --replica-endpoint)`,
    );
  }

  const apply = v.apply === true;
  const report = v.report;
  const journal = apply
    ? (v.journal ?? (report ? `${report.replace(/\.json$/i, '')}.journal.jsonl` : 'repair.journal.jsonl'))
    : undefined;
  if (v.journal !== undefined && !apply)
    throw new UsageError(`--journal "${v.journal}" is used only with --apply: a dry run writes no journal`);
  if (report !== undefined) {
    if (report.startsWith('s3://'))
      throw new UsageError(`--report "${report}" must be a local file: the repair writes its report locally`);
    checkOutputPath('--report', report);
  }
  if (journal !== undefined) checkOutputPath('--journal', journal);
  const files: [string, string | undefined][] = [
    ['--report', report],
    ['--journal', journal],
    ['--from-report', fromReport],
  ];
  for (let i = 0; i < files.length; i++) {
    for (let j = i + 1; j < files.length; j++) {
      const [a, fa] = files[i];
      const [b, fb] = files[j];
      if (fa !== undefined && fb !== undefined && resolve(fa) === resolve(fb))
        throw new UsageError(`${a} and ${b} are the same file "${fa}": give each its own`);
    }
  }

  const uris = { source: formatS3Uri(source), replica: formatS3Uri(replica) };
  const header: Omit<JournalHeader, 'journal' | 'startedAt'> = { ...uris, to, delete: v.delete === true };
  let done: Map<string, JournalEntry> | undefined;
  let inDoubt: Map<string, string> | undefined;
  if (journal !== undefined && existsSync(journal)) {
    let read: ReturnType<typeof readJournal>;
    try {
      read = readJournal(readFileSync(journal, 'utf8'), header);
    } catch (err) {
      throw new UsageError(
        `--journal "${journal}" cannot resume this repair: ${(err as Error).message}; give another --journal, or remove the file if that repair is over`,
      );
    }
    ({ done, inDoubt } = read);
    const doubt = inDoubt.size
      ? `; ${inDoubt.size} in flight when it stopped, checked again last (the server may still have carried ${inDoubt.size === 1 ? 'it' : 'them'} out)`
      : '';
    io.err(`resuming the interrupted repair recorded in ${journal}: ${done.size} writes already done${doubt}`);
  }
  const appendJournal = (line: object) => {
    try {
      appendFileSync(journal!, JSON.stringify(line) + '\n');
    } catch (err) {
      throw outputFailed('--journal', journal!, err, 'the repair stopped (its finished writes stay done)');
    }
  };
  if (journal !== undefined && done === undefined) {
    appendJournal({ journal: 1, ...header, startedAt: new Date().toISOString() } satisfies JournalHeader);
  }

  const stats = new RequestStats();
  const progress = new Progress(io);
  const started = Date.now();
  if (!audit) io.err(`auditing ${uris.source} against ${uris.replica}...`);
  const result = await runRepair(
    {
      source: { ...source, region: sourceRegion, endpoint: sourceEndpoint },
      replica: { ...replica, region: replicaRegion, endpoint: replicaEndpoint },
      to,
      delete: v.delete === true,
      apply,
      copy,
      concurrency,
      maxAttempts,
      discrepancies: audit?.discrepancies,
      audit: {
        mode: v.versions ? 'versions' : 'current',
        lagWindowSeconds: lag,
        deleteMarkerReplication: v['delete-marker-replication'] === true,
        headCheck: !v['no-head-check'],
        pageSize,
      },
    },
    {
      stats,
      done,
      inDoubt,
      journal: journal !== undefined ? appendJournal : undefined,
      onAuditProgress: (s) => progress.update(`audit: ${s.keys} keys, ${s.discrepancies} discrepancies`),
      onWrite: (c) =>
        progress.update(`repair: ${c.copied} copied, ${c.deleted} deleted, ${c.alreadyDone} already done`),
    },
  );
  progress.done();
  const built = buildRepairReport({
    result,
    ...uris,
    apply,
    delete: v.delete === true,
    differencesFrom: fromReport !== undefined ? `the audit report ${fromReport}` : 'an audit run by this repair',
    started,
    now: Date.now(),
    requestsByOperation: stats.byOperation,
  });
  printPlan(io, result.results, apply);
  io.err(repairSummary(built));
  if (report !== undefined) {
    try {
      writeFileSync(report, JSON.stringify(built, null, 2) + '\n');
    } catch (err) {
      throw outputFailed('--report', report, err, 'the repair itself is done (the journal records its writes)');
    }
    io.out(`report: ${report}`);
  }
  if (journal !== undefined) rmSync(journal, { force: true }); // complete: nothing to resume
  return repairExitCode(result.plan, result.counts, !apply);
}

/** Lines shown per kind of action; the report holds every one. */
const SHOWN_PER_KIND = 20;

function printPlan(io: CliIO, results: readonly ActionResult[], apply: boolean): void {
  const shown: Record<string, number> = {};
  const hidden: Record<string, number> = {};
  for (const r of results) {
    if (r.kind === 'equal') continue;
    const tag = apply && r.outcome ? `${r.kind}: ${r.outcome}` : r.kind;
    shown[r.kind] ??= 0;
    if (shown[r.kind]++ >= SHOWN_PER_KIND) {
      hidden[r.kind] = (hidden[r.kind] ?? 0) + 1;
      continue;
    }
    io.out(`${tag.padEnd(apply ? 22 : 9)} ${r.key}  (${r.reason})`);
  }
  for (const [kind, n] of Object.entries(hidden)) io.out(`... and ${n} more ${kind} (the --report lists every one)`);
}
