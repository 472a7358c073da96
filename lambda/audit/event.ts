import { UsageError } from '../shared/errors';
import { AuditCheckpoint, AuditMode, KeyRange } from './core';
import type { AuditConfig } from './contract';
import { AUDIT_MODES, DEFAULTS, LIMITS } from './contract';
import { wholeNumberFromText, wholeNumberProblem } from '../shared/rules';
import { planEventProblems } from './plan-step';

/**
 * The audit Lambda's event: what a Step Functions loop (or a schedule) sends, validated at the
 * edge so the run sees typed data.
 */

/** The event a Step Functions loop (or a schedule) sends; every field is optional. */
export interface AuditEvent {
  readonly range?: KeyRange;
  readonly checkpoint?: AuditCheckpoint;
  readonly lagWindowSeconds?: number;
  readonly mode?: AuditMode;
  /**
   * Groups the ranges of one distributed run under one report prefix (the state machine passes
   * its execution name). @default - the start time of the run
   */
  readonly runId?: string;
  /**
   * False for the ranges of a distributed run: the merge step emits the run's metrics once.
   * @default true
   */
  readonly emitMetrics?: boolean;
  /** Merge the range reports of a finished distributed run into one report (and emit its metrics). */
  readonly merge?: { readonly runId: string; readonly ranges: readonly KeyRange[] };
  /** Split the key space into about `count` ranges for a distributed run (see plan-step.ts). */
  readonly plan?: { readonly count: number };
}

/** The lag window rule, for the event field and the LAG_WINDOW_SECONDS environment variable alike. */
export function lagWindow(v: unknown, what: string, problems: string[]): number {
  const n = typeof v === 'string' ? wholeNumberFromText(v) : v;
  const { min, max } = LIMITS.lagWindowSeconds;
  if (typeof n !== 'number' || wholeNumberProblem(n, min, max) !== undefined) {
    problems.push(
      `${what}=${JSON.stringify(v)} must be a whole number of seconds from ${min} to ${max} (for example ${DEFAULTS.lagWindowSeconds})`,
    );
    return DEFAULTS.lagWindowSeconds;
  }
  return n;
}

export function parseEvent(event: unknown): AuditEvent {
  if (event === undefined || event === null) return {};
  if (typeof event !== 'object' || Array.isArray(event))
    throw new UsageError(`the event must be an object, got ${JSON.stringify(event)}`);
  const e = event as Record<string, unknown>;
  const problems: string[] = [];
  const known = ['range', 'checkpoint', 'lagWindowSeconds', 'mode', 'runId', 'emitMetrics', 'merge', 'plan'];
  for (const k of Object.keys(e))
    if (!known.includes(k)) problems.push(`event field "${k}" is not known: use ${known.join(', ')}`);
  if (e.range !== undefined) checkRange(e.range, 'event field range', problems);
  if (e.runId !== undefined && (typeof e.runId !== 'string' || !RUN_ID.test(e.runId)))
    problems.push(
      `event field runId=${JSON.stringify(e.runId)} must be 1-80 characters without spaces or slashes (a Step Functions execution name)`,
    );
  if (e.emitMetrics !== undefined && typeof e.emitMetrics !== 'boolean')
    problems.push(`event field emitMetrics=${JSON.stringify(e.emitMetrics)} must be true or false`);
  if (e.merge !== undefined) {
    const m = e.merge as Record<string, unknown>;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      problems.push(`event field merge must be an object { runId, ranges }, got ${JSON.stringify(e.merge)}`);
    } else {
      if (typeof m.runId !== 'string' || !RUN_ID.test(m.runId))
        problems.push(
          `event field merge.runId=${JSON.stringify(m.runId)} must be 1-80 characters without spaces or slashes (a Step Functions execution name)`,
        );
      if (!Array.isArray(m.ranges) || m.ranges.length === 0)
        problems.push(`event field merge.ranges must be the non-empty list of ranges the run audited`);
      else m.ranges.forEach((r, i) => checkRange(r, `event field merge.ranges[${i}]`, problems));
    }
    const others = Object.keys(e).filter((k) => k !== 'merge');
    if (others.length) problems.push(`a merge event takes no other fields: remove ${others.join(', ')}`);
  }
  if (e.plan !== undefined) problems.push(...planEventProblems(e));
  if (
    e.checkpoint !== undefined &&
    (typeof e.checkpoint !== 'object' || e.checkpoint === null || (e.checkpoint as { version?: unknown }).version !== 1)
  ) {
    problems.push(
      'event field checkpoint must be the checkpoint a previous invocation returned (an object with version 1)',
    );
  }
  if (e.lagWindowSeconds !== undefined) lagWindow(e.lagWindowSeconds, 'event field lagWindowSeconds', problems);
  if (e.mode !== undefined && !(AUDIT_MODES as readonly unknown[]).includes(e.mode)) {
    problems.push(
      `event field mode=${JSON.stringify(e.mode)} must be ${AUDIT_MODES.map((m) => `"${m}"`).join(' or ')}`,
    );
  }
  if (problems.length) throw new UsageError(problems.join('; '));
  return e as AuditEvent;
}

/** Run ids become a folder of report keys: a Step Functions execution name (no spaces or slashes). */
const RUN_ID = /^[^\s/\\]{1,80}$/u;

function checkRange(v: unknown, what: string, problems: string[]): void {
  const r = v as Record<string, unknown>;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) {
    problems.push(`${what} must be an object { startAfter?, endAt? }, got ${JSON.stringify(v)}`);
    return;
  }
  for (const k of Object.keys(r)) {
    if (k !== 'startAfter' && k !== 'endAt') problems.push(`${what}.${k} is not known: use startAfter and endAt`);
    else if (typeof r[k] !== 'string') problems.push(`${what}.${k} must be a string key, got ${JSON.stringify(r[k])}`);
  }
}

/**
 * Where a run's range writes: one folder per range under the run's prefix. A range with no bound
 * is the whole key space, the same as no range: the state machine's loop resumes a single-range
 * run with `range: {}` (the checkpoint's), which must write where the first invocation wrote.
 */
export function rangeBase(cfg: Pick<AuditConfig, 'reportsPrefix'>, runId: string, range: KeyRange | undefined): string {
  const bounded = range !== undefined && (range.startAfter !== undefined || range.endAt !== undefined);
  const dir = bounded
    ? `range-${encodeURIComponent(range.startAfter ?? '')}_${encodeURIComponent(range.endAt ?? '')}/`
    : '';
  return `${cfg.reportsPrefix}${runId}/${dir}`;
}
