/**
 * What a repair does about each difference an audit found: pure, no I/O.
 *
 * A repair makes one side (the side written, `to`) match the other (the side copied from). It
 * copies every object that is missing or different on the written side, and only those; it
 * deletes what exists only on the written side only when asked (`delete`), and never overwrites
 * or deletes an object that is newer on the written side than what it would be replaced with:
 * that is a conflict, for a person to decide.
 */
import { Discrepancy, SideEvidence } from '../../audit/core/types';

/** The side a repair writes to. The audit's own sides: source and replica. */
export type RepairTarget = 'replica' | 'source';

export interface RepairOptions {
  readonly to: RepairTarget;
  /** Also remove what exists only on the written side. */
  readonly delete: boolean;
  /**
   * With `delete`: remove a key from the written side only when the other side records its
   * deletion (a delete marker, seen in versions mode); a key the other side never had is kept.
   * Failback sets it: an object only on the source may be a write replication never carried
   * before the outage, not one deleted during it. @default false
   */
  readonly deleteOnlyDeleted?: boolean;
}

export type RepairAction =
  /** Copy the object's current version from the other side (a new version on the written side). */
  | {
      readonly kind: 'copy';
      readonly key: string;
      readonly from: SideEvidence;
      readonly replaces?: SideEvidence;
      readonly reason: string;
    }
  /** Delete the key on the written side (a delete marker where the bucket is versioned). */
  | { readonly kind: 'delete'; readonly key: string; readonly current: SideEvidence; readonly reason: string }
  /** Nothing written; why is in `reason`. */
  | { readonly kind: 'conflict' | 'kept' | 'pending' | 'equal'; readonly key: string; readonly reason: string };

export type RepairActionKind = RepairAction['kind'];

export interface RepairPlan {
  readonly to: RepairTarget;
  readonly from: RepairTarget;
  readonly actions: readonly RepairAction[];
  /** Actions by kind. */
  readonly counts: Readonly<Record<RepairActionKind, number>>;
}

const other = (side: RepairTarget): RepairTarget => (side === 'replica' ? 'source' : 'replica');
const present = (e: SideEvidence | undefined): e is SideEvidence => e !== undefined && !e.isDeleteMarker;
const time = (e: SideEvidence) => Date.parse(e.lastModified);
const sameContent = (a: SideEvidence, b: SideEvidence) =>
  a.size === b.size &&
  (a.checksum !== undefined ? a.checksum === b.checksum : a.etag !== undefined && a.etag === b.etag);

/** The action for one discrepancy. */
export function planAction(d: Discrepancy, options: RepairOptions): RepairAction {
  const key = d.key;
  const fromSide = other(options.to);
  const from = d[fromSide];
  const written = d[options.to];
  if (d.kind === 'pending') {
    return {
      kind: 'pending',
      key,
      reason: `younger than the lag window (${d.pendingKind}): replication may still bring it`,
    };
  }
  const newerOnWrittenSide = written !== undefined && from !== undefined && time(written) > time(from);

  if (present(from)) {
    if (present(written) && sameContent(from, written)) {
      return {
        kind: 'equal',
        key,
        reason: 'same content on both sides; only the version ids differ, which a copy cannot make equal',
      };
    }
    if (newerOnWrittenSide) {
      const what = written!.isDeleteMarker ? 'deleted' : 'written';
      return {
        kind: 'conflict',
        key,
        reason: `${what} on the ${options.to} at ${written!.lastModified}, after the ${fromSide}'s version (${from.lastModified}): not overwritten`,
      };
    }
    const replaces = present(written) ? written : undefined;
    const reason = replaces ? `differs on the ${options.to} (${d.kind})` : `missing on the ${options.to}`;
    return { kind: 'copy', key, from, replaces, reason };
  }

  if (present(written)) {
    const deletedAt = d[fromSide]?.lastModified;
    if (!options.delete)
      return { kind: 'kept', key, reason: `exists only on the ${options.to}; kept (delete not requested)` };
    if (options.deleteOnlyDeleted && d[fromSide] === undefined) {
      return {
        kind: 'kept',
        key,
        reason: `exists only on the ${options.to} and the ${fromSide} has no record of it (never replicated, not deleted): kept`,
      };
    }
    if (newerOnWrittenSide) {
      return {
        kind: 'conflict',
        key,
        reason: `written on the ${options.to} at ${written.lastModified}, after the ${fromSide} deleted it (${deletedAt}): not deleted`,
      };
    }
    return { kind: 'delete', key, current: written, reason: `exists only on the ${options.to}` };
  }
  return { kind: 'equal', key, reason: 'deleted on both sides' };
}

/** The plan for every discrepancy of an audit, in the audit's key order. */
export function planRepair(discrepancies: Iterable<Discrepancy>, options: RepairOptions): RepairPlan {
  const actions: RepairAction[] = [];
  const counts: Record<RepairActionKind, number> = { copy: 0, delete: 0, conflict: 0, kept: 0, pending: 0, equal: 0 };
  for (const d of discrepancies) {
    const action = planAction(d, options);
    actions.push(action);
    counts[action.kind] += 1;
  }
  return { to: options.to, from: other(options.to), actions, counts };
}

/** Whether the plan writes anything: a dry run's exit code (1 when it would). */
export const writesAnything = (plan: RepairPlan) => plan.counts.copy + plan.counts.delete > 0;
