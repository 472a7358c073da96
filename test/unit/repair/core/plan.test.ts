import { Discrepancy, SideEvidence } from '../../../../lambda/audit/core/types';
import { planAction, planRepair, RepairOptions, writesAnything } from '../../../../lambda/repair/core/plan';

const object = (lastModified: string, etag = 'aaa', size = 3): SideEvidence => ({
  size,
  etag,
  lastModified,
  isDeleteMarker: false,
});
const marker = (lastModified: string): SideEvidence => ({ size: 0, lastModified, isDeleteMarker: true });
const T1 = '2026-12-01T10:00:00.000Z';
const T2 = '2026-12-01T11:00:00.000Z';

const d = (
  kind: Discrepancy['kind'],
  source?: SideEvidence,
  replica?: SideEvidence,
  extra: Partial<Discrepancy> = {},
): Discrepancy => ({
  key: 'k',
  kind,
  source,
  replica,
  detail: kind,
  ...extra,
});

const toReplica: RepairOptions = { to: 'replica', delete: false };
const toReplicaDeleting: RepairOptions = { to: 'replica', delete: true };
const toSource: RepairOptions = { to: 'source', delete: false };
const toSourceDeleting: RepairOptions = { to: 'source', delete: true };

describe('repair plan', () => {
  test.each([
    // [name, discrepancy, options, expected kind]
    ['missing on the replica is copied', d('missing', object(T1)), toReplica, 'copy'],
    ['a replica-only key is kept without delete', d('extra', undefined, object(T1)), toReplica, 'kept'],
    ['a replica-only key is deleted with delete', d('extra', undefined, object(T1)), toReplicaDeleting, 'delete'],
    [
      'an older different replica object is replaced',
      d('size-mismatch', object(T2, 'b', 4), object(T1)),
      toReplica,
      'copy',
    ],
    [
      'a newer different replica object is a conflict',
      d('content-mismatch', object(T1, 'b'), object(T2)),
      toReplica,
      'conflict',
    ],
    [
      'a pending difference is left to replication',
      d('pending', object(T2), undefined, { pendingKind: 'missing', ageSeconds: 5 }),
      toReplica,
      'pending',
    ],
    [
      'equal content with other version ids writes nothing',
      d('version-mismatch', object(T2), object(T1)),
      toReplica,
      'equal',
    ],
    [
      'a source delete marker with the replica object older: deleted with delete',
      d('delete-marker-mismatch', marker(T2), object(T1)),
      toReplicaDeleting,
      'delete',
    ],
    [
      'a source delete marker with the replica object older: kept without delete',
      d('delete-marker-mismatch', marker(T2), object(T1)),
      toReplica,
      'kept',
    ],
    [
      'a source delete marker older than the replica object: conflict, not deleted',
      d('delete-marker-mismatch', marker(T1), object(T2)),
      toReplicaDeleting,
      'conflict',
    ],
    [
      'a replica delete marker newer than the source object: conflict, not resurrected',
      d('delete-marker-mismatch', object(T1), marker(T2)),
      toReplica,
      'conflict',
    ],
    [
      'a replica delete marker older than the source object: copied',
      d('delete-marker-mismatch', object(T2), marker(T1)),
      toReplica,
      'copy',
    ],
    // Coming home: the replica took the writes during a failover.
    [
      'written on the replica during a failover: copied to the source',
      d('extra', undefined, object(T2)),
      toSource,
      'copy',
    ],
    [
      'deleted on the replica during a failover: kept on the source without delete',
      d('missing', object(T1)),
      toSource,
      'kept',
    ],
    [
      'deleted on the replica during a failover: deleted on the source with delete',
      d('missing', object(T1)),
      toSourceDeleting,
      'delete',
    ],
    [
      'overwritten on the replica during a failover: copied to the source',
      d('content-mismatch', object(T1), object(T2, 'b')),
      toSource,
      'copy',
    ],
    [
      'overwritten on the source after the replica: conflict',
      d('content-mismatch', object(T2), object(T1, 'b')),
      toSource,
      'conflict',
    ],
  ])('%s', (_name, discrepancy, options, kind) => {
    expect(planAction(discrepancy, options).kind).toBe(kind);
  });

  test('a copy names the version it copies and the one it replaces', () => {
    const action = planAction(d('size-mismatch', object(T2, 'new', 9), object(T1, 'old', 4)), toReplica);
    expect(action).toEqual({
      kind: 'copy',
      key: 'k',
      from: object(T2, 'new', 9),
      replaces: object(T1, 'old', 4),
      reason: 'differs on the replica (size-mismatch)',
    });
  });

  test('content is compared by checksum when both sides have one, not by ETag', () => {
    const a = { ...object(T2, 'etag-a'), checksum: 'SHA256:x' };
    const b = { ...object(T1, 'etag-b'), checksum: 'SHA256:x' };
    expect(planAction(d('version-mismatch', a, b), toReplica).kind).toBe('equal');
    expect(planAction(d('content-mismatch', a, { ...b, checksum: 'SHA256:y' }), toReplica).kind).toBe('copy');
  });

  test('the plan counts every action and keeps the audit order; writes only for copies and deletes', () => {
    const plan = planRepair(
      [
        { ...d('missing', object(T1)), key: 'a' },
        { ...d('extra', undefined, object(T1)), key: 'b' },
        { ...d('content-mismatch', object(T1, 'b'), object(T2)), key: 'c' },
      ],
      toReplica,
    );
    expect(plan.actions.map((a) => [a.key, a.kind])).toEqual([
      ['a', 'copy'],
      ['b', 'kept'],
      ['c', 'conflict'],
    ]);
    expect(plan.counts).toEqual({ copy: 1, delete: 0, conflict: 1, kept: 1, pending: 0, equal: 0 });
    expect([plan.from, plan.to]).toEqual(['source', 'replica']);
    expect(writesAnything(plan)).toBe(true);
    expect(writesAnything(planRepair([{ ...d('extra', undefined, object(T1)), key: 'b' }], toReplica))).toBe(false);
  });
});
