/**
 * The repair's report (JSON) and its summary for people. Pure: no I/O.
 */
import { AuditSummary } from '../audit/core';
import { remaining, RepairCounts } from './core/apply';
import { RepairTarget } from './core/plan';
import { ActionResult, RepairResult } from './run-repair';

/** How many actions the report embeds. */
export const REPAIR_REPORT_ACTION_CAP = 10_000;

export interface RepairReport {
  readonly version: 1;
  readonly status: 'planned' | 'complete' | 'partial';
  readonly source: string;
  readonly replica: string;
  /** The side written to and the side copied from. */
  readonly to: RepairTarget;
  readonly from: RepairTarget;
  readonly apply: boolean;
  readonly delete: boolean;
  readonly copyMode: 'server-side' | 'stream';
  /** Where the differences came from: an audit run now, or an audit report. */
  readonly differencesFrom: string;
  readonly generatedAt: string;
  readonly durationMs: number;
  readonly counts: RepairCounts;
  /** Writes made by this run: copies plus deletes. */
  readonly writes: number;
  /** Differences left: conflicts, kept, pending, changed, too large, not attempted. */
  readonly remaining: number;
  readonly unverified: number;
  readonly audit?: AuditSummary;
  readonly actions: readonly ActionResult[];
  readonly truncated: boolean;
  readonly requestsByOperation?: Readonly<Record<string, number>>;
}

export function buildRepairReport(args: {
  result: RepairResult;
  source: string;
  replica: string;
  apply: boolean;
  delete: boolean;
  differencesFrom: string;
  started: number;
  now: number;
  requestsByOperation?: Readonly<Record<string, number>>;
}): RepairReport {
  const r = args.result;
  return {
    version: 1,
    status: args.apply ? r.status : 'planned',
    source: args.source,
    replica: args.replica,
    to: r.plan.to,
    from: r.plan.from,
    apply: args.apply,
    delete: args.delete,
    copyMode: r.copyMode,
    differencesFrom: args.differencesFrom,
    generatedAt: new Date(args.now).toISOString(),
    durationMs: args.now - args.started,
    counts: r.counts,
    writes: r.counts.copied + r.counts.deleted,
    remaining: args.apply ? remaining(r.counts) : r.plan.counts.copy + r.plan.counts.delete,
    unverified: r.unverified,
    ...(r.audit ? { audit: r.audit } : {}),
    actions: r.results.slice(0, REPAIR_REPORT_ACTION_CAP),
    truncated: r.results.length > REPAIR_REPORT_ACTION_CAP,
    ...(args.requestsByOperation ? { requestsByOperation: { ...args.requestsByOperation } } : {}),
  };
}

/** One paragraph: what the plan holds and what was done. */
export function repairSummary(report: RepairReport): string {
  const p = report.counts.planned;
  const c = report.counts;
  const plan =
    `${p.copy} to copy, ${p.delete} to delete, ${p.conflict} conflicts, ${p.kept} kept, ` +
    `${p.pending} pending, ${p.equal} equal in content`;
  const head = `repair of the ${report.to} from the ${report.from} (${report.source} -> ${report.replica})`;
  if (!report.apply) {
    return `${head}: dry run, nothing written. Plan: ${plan}. Run again with --apply to write ${p.copy + p.delete} changes${p.delete === 0 && p.kept > 0 && !report.delete ? ' (--delete also removes the kept keys)' : ''}.`;
  }
  return (
    `${head}: ${report.status}. Plan: ${plan}. Done: ${c.copied} copied, ${c.deleted} deleted (${report.writes} writes), ` +
    `${c.alreadyDone} already done, ${c.changed} changed since the audit (skipped), ${c.tooLarge} too large, ` +
    `${c.notAttempted} not attempted. ${report.remaining} differences remain.`
  );
}
