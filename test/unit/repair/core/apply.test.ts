import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SideEvidence } from '../../../../lambda/audit/core/types';
import {
  actionId,
  checksumOf,
  copySource,
  putFieldsFrom,
  readJournal,
  recheck,
  remaining,
  repairExitCode,
  RepairCounts,
  taggingHeader,
  WriteAction,
  writeCondition,
} from '../../../../lambda/repair/core/apply';
import { planAction, planRepair } from '../../../../lambda/repair/core/plan';

const T1 = '2026-12-01T10:00:00.000Z';
const T2 = '2026-12-01T10:00:05.000Z';
const obj = (etag: string, size = 3, extra: Partial<SideEvidence> = {}): SideEvidence => ({
  size,
  etag,
  lastModified: T1,
  isDeleteMarker: false,
  ...extra,
});
const copy = (from: SideEvidence, replaces?: SideEvidence): WriteAction => ({
  kind: 'copy',
  key: 'k',
  from,
  replaces,
  reason: 'r',
});
const del = (current: SideEvidence): WriteAction => ({ kind: 'delete', key: 'k', current, reason: 'r' });

describe('recheck before a write', () => {
  test.each([
    ['a missing object is still missing: write', copy(obj('a')), { exists: false }, 'write'],
    [
      'a missing object now holds the copy: done',
      copy(obj('a')),
      { exists: true, size: 3, etag: '"a"' },
      'already-done',
    ],
    [
      'a missing object now holds something else: changed',
      copy(obj('a')),
      { exists: true, size: 3, etag: 'z' },
      'changed',
    ],
    [
      'the replaced version is still there: write',
      copy(obj('a'), obj('old', 5)),
      { exists: true, size: 5, etag: 'old' },
      'write',
    ],
    [
      'the replaced version was overwritten since the audit: changed',
      copy(obj('a'), obj('old', 5)),
      { exists: true, size: 5, etag: 'newer' },
      'changed',
    ],
    [
      'the replaced version was deleted since the audit: changed',
      copy(obj('a'), obj('old', 5)),
      { exists: false },
      'changed',
    ],
    ['the deleted version is still there: write', del(obj('x')), { exists: true, size: 3, etag: 'x' }, 'write'],
    ['the deleted key is gone: done', del(obj('x')), { exists: false }, 'already-done'],
    ['the deleted key was rewritten: changed', del(obj('x')), { exists: true, size: 3, etag: 'y' }, 'changed'],
    [
      'checksums of one algorithm decide over ETags (a KMS copy has another ETag)',
      copy(obj('a', 3, { checksum: 'SHA256:s' })),
      { exists: true, size: 3, etag: 'kms-etag', checksum: 'SHA256:s' },
      'already-done',
    ],
  ] as const)('%s', (_name, action, now, expected) => {
    expect(recheck(action, now)).toBe(expected);
  });
});

describe('what a copy carries', () => {
  test('content headers, metadata, tags and the full-object checksum', () => {
    const fields = putFieldsFrom(
      {
        ContentType: 'application/json',
        CacheControl: 'max-age=60',
        ContentDisposition: 'attachment',
        ContentEncoding: 'gzip',
        ContentLanguage: 'en',
        Metadata: { owner: 'a' },
        ChecksumSHA256: 'abc=',
      },
      [
        { Key: 'class', Value: 'gold' },
        { Key: 'note', Value: 'a b&c' },
      ],
    );
    expect(fields).toEqual({
      ContentType: 'application/json',
      CacheControl: 'max-age=60',
      ContentDisposition: 'attachment',
      ContentEncoding: 'gzip',
      ContentLanguage: 'en',
      Metadata: { owner: 'a' },
      Tagging: 'class=gold&note=a%20b%26c',
      ChecksumSHA256: 'abc=',
    });
  });

  test('a multipart checksum of checksums (-N) is not sent with a single PUT; no tags, no header', () => {
    expect(checksumOf({ ChecksumCRC32: 'abc=-3' })).toBeUndefined();
    expect(checksumOf({ ChecksumCRC32: 'abc=-3', ChecksumSHA256: 'x=' })).toEqual({ algorithm: 'SHA256', value: 'x=' });
    expect(taggingHeader([])).toBeUndefined();
    expect(putFieldsFrom({}).Tagging).toBeUndefined();
  });

  test('the copy source encodes the key and pins the version', () => {
    expect(copySource('b', 'a dir/ü?.txt', 'v 1')).toBe('b/a%20dir%2F%C3%BC%3F.txt?versionId=v%201');
    expect(copySource('b', 'k')).toBe('b/k');
  });
});

describe('journal', () => {
  const header = { source: 's3://a', replica: 's3://b', to: 'replica' as const, delete: false };
  const text = (lines: object[]) => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';

  test('reads finished writes by action id, skipping a line cut short by a kill', () => {
    const a = copy(obj('a'));
    const j = readJournal(
      text([
        { journal: 1, ...header, startedAt: T1 },
        { id: actionId(a), outcome: 'copied', at: T1 },
      ]) + '{"id":"cut',
      header,
    );
    expect([...j.done.keys()]).toEqual([actionId(a)]);
  });

  test('a write sent without an outcome is in doubt, with the time it was sent; one with an outcome is done', () => {
    const [a, b, c] = [copy(obj('a')), copy(obj('b')), del(obj('c'))];
    const j = readJournal(
      text([
        { journal: 1, ...header, startedAt: T1 },
        { id: actionId(a), sent: T1 },
        { id: actionId(a), outcome: 'copied', at: T1 },
        { id: actionId(b), outcome: 'already-done', at: T1 },
        { id: actionId(c), sent: T2 },
      ]),
      header,
    );
    expect([...j.done.keys()]).toEqual([actionId(a), actionId(b)]);
    expect([...j.inDoubt]).toEqual([[actionId(c), T2]]);
  });

  test('the precondition of a write: none exists for a copy onto nothing, none for a replace, a delete marker or a delete', () => {
    expect(writeCondition(copy(obj('a')), { exists: false })).toEqual({ IfNoneMatch: '*' });
    expect(writeCondition(copy(obj('a')), { exists: false, deleteMarker: true })).toEqual({});
    expect(writeCondition(copy(obj('a')), { exists: true, size: 1, etag: 'e' })).toEqual({});
    expect(writeCondition(del(obj('a')), { exists: false })).toEqual({});
  });

  test('an action id names the version copied: another version of the key is another action', () => {
    expect(actionId(copy(obj('a')))).not.toBe(actionId(copy(obj('b'))));
    expect(actionId(copy(obj('a')))).not.toBe(actionId(del(obj('a'))));
  });

  test('refuses a journal of another pair, direction or delete choice, or no journal at all', () => {
    const j = (over: object) => text([{ journal: 1, ...header, startedAt: T1, ...over }]);
    expect(() => readJournal(j({ to: 'source' }), header)).toThrow(/another repair \(to "source"/);
    expect(() => readJournal(j({ delete: true }), header)).toThrow(/another repair \(delete true/);
    expect(() => readJournal(j({ replica: 's3://c' }), header)).toThrow(/replica "s3:\/\/c"/);
    expect(() => readJournal('{"a":1}\n', header)).toThrow(/not a repair journal/);
    expect(() => readJournal('nope', header)).toThrow(/not a journal header/);
  });
});

describe('exit code and what remains', () => {
  const plan = planRepair(
    [
      { key: 'a', kind: 'missing', source: obj('a'), detail: '' },
      { key: 'b', kind: 'extra', replica: obj('b'), detail: '' },
    ],
    { to: 'replica', delete: false },
  );
  const counts = (over: Partial<RepairCounts>): RepairCounts => ({
    planned: plan.counts,
    copied: 0,
    deleted: 0,
    alreadyDone: 0,
    changed: 0,
    tooLarge: 0,
    notAttempted: 0,
    ...over,
  });

  test('a dry run exits 1 when it would write, 0 when it would not', () => {
    expect(repairExitCode(plan, counts({ notAttempted: 1 }), true)).toBe(1);
    const nothing = planRepair([{ key: 'b', kind: 'extra', replica: obj('b'), detail: '' }], {
      to: 'replica',
      delete: false,
    });
    expect(repairExitCode(nothing, counts({}), true)).toBe(0);
  });

  test('an applied run exits 1 while a kept key, conflict or skipped write remains, else 0', () => {
    expect(remaining(counts({ copied: 1 }))).toBe(1); // the kept key
    expect(repairExitCode(plan, counts({ copied: 1 }), false)).toBe(1);
    const deleting = planRepair([{ key: 'b', kind: 'extra', replica: obj('b'), detail: '' }], {
      to: 'replica',
      delete: true,
    });
    const done = { ...counts({ deleted: 1 }), planned: deleting.counts };
    expect(repairExitCode(deleting, done, false)).toBe(0);
    expect(repairExitCode(deleting, { ...done, deleted: 0, changed: 1 }, false)).toBe(1);
  });
});

describe('failback deletes only what the replica deleted', () => {
  const marker: SideEvidence = { size: 0, lastModified: '2026-12-02T00:00:00.000Z', isDeleteMarker: true };
  const opts = { to: 'source' as const, delete: true, deleteOnlyDeleted: true };

  test('a source-only key the replica never had is kept: it may be a write replication never carried', () => {
    const a = planAction({ key: 'k', kind: 'missing', source: obj('a'), detail: '' }, opts);
    expect(a.kind).toBe('kept');
    expect(a.reason).toMatch(/no record of it/);
  });

  test('a key the replica deleted after the source wrote it is deleted', () => {
    expect(
      planAction({ key: 'k', kind: 'delete-marker-mismatch', source: obj('a'), replica: marker, detail: '' }, opts)
        .kind,
    ).toBe('delete');
  });
});

test('the repair core imports no AWS SDK', () => {
  for (const f of ['plan.ts', 'apply.ts']) {
    const text = readFileSync(join(__dirname, '..', '..', '..', '..', 'lambda', 'repair', 'core', f), 'utf8');
    expect(text).not.toMatch(/@aws-sdk|@smithy/);
  }
});
