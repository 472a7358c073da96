import {
  AuditCheckpoint,
  AuditRecord,
  auditListings,
  AuditInterruptedError,
  compareKeys,
  currentKeys,
  EngineOptions,
  keyInRange,
  ListedVersion,
  mergeReports,
  planRanges,
  RangeReport,
  resumeAfter,
  describeComparison,
  EngineResult,
  Enrichment,
  groupVersions,
  KeyPair,
} from '../../../../lambda/audit/core';
import { batches, dm, NOW, obj } from '../../../support/audit-fixtures';

const MD5B = '92eb5ffee6ae2fec3ad71c777531578f';

/** A source and replica with every kind of difference spread over 300 keys. */
function fixture(): { source: ListedVersion[]; replica: ListedVersion[] } {
  const source: ListedVersion[] = [];
  const replica: ListedVersion[] = [];
  for (let i = 0; i < 300; i++) {
    const key = `k/${String(i).padStart(4, '0')}`;
    const s = obj(key);
    source.push(s);
    if (i % 50 === 7) continue; // missing
    if (i % 50 === 11)
      replica.push(obj(key, { size: 11 })); // size-mismatch
    else if (i % 50 === 13)
      replica.push(obj(key, { etag: MD5B })); // content-mismatch
    else if (i % 50 === 17)
      replica.push(obj(key, { etag: `${MD5B}-2` })); // unverified
    else replica.push(s);
    if (i % 50 === 19) replica.push(obj(`${key}x`)); // extra
  }
  source.push(obj('k/\u{1F600}', { lastModified: NOW - 5_000 })); // pending missing, sorts last
  source.push(obj('k/\uE000'));
  replica.push(obj('k/\uE000'));
  source.sort((a, b) => compareKeys(a.key, b.key));
  replica.sort((a, b) => compareKeys(a.key, b.key));
  return { source, replica };
}

const base: EngineOptions = {
  mode: 'current',
  range: {},
  fingerprint: 'fp',
  lagWindowSeconds: 900,
  deleteMarkerReplication: false,
  versionIdsPreserved: true,
  headCheck: false,
  now: NOW,
};

function listingsFor(f: ReturnType<typeof fixture>, after?: string) {
  const from = (vs: ListedVersion[]) => vs.filter((v) => after === undefined || compareKeys(v.key, after) > 0);
  return {
    source: currentKeys(batches(from(f.source)), 'source'),
    replica: currentKeys(batches(from(f.replica)), 'replica'),
  };
}

async function run(opts: EngineOptions, f = fixture(), checkpoint?: AuditCheckpoint, stopEvery?: number) {
  const records: AuditRecord[] = [];
  let n = 0;
  const result = await auditListings(
    opts,
    {
      ...listingsFor(f, resumeAfter(opts.range, checkpoint)),
      sink: (r) => {
        records.push(r);
      },
      shouldStop: stopEvery ? () => ++n % stopEvery === 0 : undefined,
    },
    checkpoint,
  );
  return { result, records };
}

describe('auditListings', () => {
  test('finds every planted difference exactly', async () => {
    const { result, records } = await run(base);
    expect(result.status).toBe('complete');
    const s = result.summary;
    expect(s.counts).toEqual({
      matched: 300 - 6 - 6 - 6 + 1, // on both sides and equal (unverified included), plus k/\uE000
      missing: 6,
      extra: 6,
      sizeMismatch: 6,
      contentMismatch: 6,
      versionMismatch: 0,
      deleteMarkerMismatch: 0,
      pending: 1,
    });
    expect(s.discrepancies).toBe(24);
    expect(s.comparison.bySizeOnly).toBe(6);
    expect(s.source.objects).toBe(302);
    expect(s.replica.objects).toBe(301 - 6 + 6);
    expect(s.maxObservedLagSeconds).toBe(3600);
    expect(records.filter((r) => r.kind === 'unverified')).toHaveLength(6);
    expect(records.find((r) => r.kind === 'pending')).toMatchObject({
      key: 'k/\u{1F600}',
      pendingKind: 'missing',
      ageSeconds: 5,
    });
    expect(records.map((r) => r.key)).toEqual([...records.map((r) => r.key)].sort(compareKeys));
    expect(describeComparison(s)).toMatch(/6 by size only/);
  });

  test('resuming from checkpoints gives the same summary and records as one pass', async () => {
    const whole = await run(base);
    for (const every of [1, 7, 100]) {
      let checkpoint: AuditCheckpoint | undefined;
      const records: AuditRecord[] = [];
      let parts = 0;
      for (;;) {
        const cp = JSON.parse(JSON.stringify(checkpoint ?? null)) ?? undefined; // through JSON, as stored
        const part = await run(base, fixture(), cp, every);
        records.push(...part.records);
        parts++;
        checkpoint = part.result.checkpoint;
        expect(JSON.stringify(checkpoint).length).toBeLessThan(2000);
        if (part.result.status === 'complete') {
          expect(part.result.summary).toEqual(whole.result.summary);
          break;
        }
      }
      expect(records).toEqual(whole.records);
      expect(parts).toBeGreaterThan(1);
    }
  });

  test('a failing listing raises AuditInterruptedError whose checkpoint resumes to the same result', async () => {
    const whole = await run(base);
    const f = fixture();
    async function* failing(vs: ListedVersion[]) {
      for (const [i, v] of vs.entries()) {
        if (i === 120) throw new Error('connect ECONNREFUSED');
        yield [v];
      }
    }
    const records: AuditRecord[] = [];
    const err = await auditListings(base, {
      source: currentKeys(failing(f.source), 'source'),
      replica: currentKeys(batches(f.replica), 'replica'),
      sink: (r) => {
        records.push(r);
      },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(AuditInterruptedError);
    const cp = (err as AuditInterruptedError).checkpoint;
    expect(cp.lastKey).toBeDefined();
    expect((err as Error).cause).toEqual(new Error('connect ECONNREFUSED'));
    const rest = await run(base, f, cp);
    expect([...records, ...rest.records]).toEqual(whole.records);
    expect(rest.result.summary).toEqual(whole.result.summary);
  });

  describe('lookups (HEADs, source version lookups) run while listing continues', () => {
    const opts: EngineOptions = { ...base, headCheck: true };
    /** Answers after a delay that makes later keys finish first; counts lookups in flight. */
    function slowEnrich(failAt?: string) {
      const state = { inFlight: 0, maxInFlight: 0, calls: 0 };
      const enrich = async (pair: KeyPair, need: { heads: boolean; sourceLookup: boolean }): Promise<Enrichment> => {
        state.calls++;
        state.inFlight++;
        state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
        await new Promise((r) => setTimeout(r, 30 - (state.calls % 5) * 6));
        state.inFlight--;
        if (pair.key === failAt) throw new Error('HEAD: socket hang up');
        if (need.sourceLookup) return { sourceLookedUp: true, sourceLookup: undefined };
        // Multipart ETags (-2) get equal checksums; the others keep their content difference.
        const same = pair.replica?.latest.etag?.endsWith('-2');
        return {
          sourceHead: { etag: pair.source!.latest.etag, checksums: { SHA256: 'a' } },
          replicaHead: { etag: pair.replica!.latest.etag, checksums: { SHA256: same ? 'a' : 'b' } },
        };
      };
      return { state, enrich };
    }
    async function runWith(lookahead: number, failAt?: string) {
      const { state, enrich } = slowEnrich(failAt);
      const records: AuditRecord[] = [];
      const f = fixture();
      const result = await auditListings(
        { ...opts, lookahead },
        { ...listingsFor(f), enrich, sink: (r) => void records.push(r) },
      ).catch((e: unknown) => e);
      return { result, records, state };
    }

    test('overlap, yet give the records and summary of one lookup at a time, in key order', async () => {
      const serial = await runWith(1);
      const overlapped = await runWith(64);
      expect(serial.state.maxInFlight).toBe(1);
      expect(overlapped.state.maxInFlight).toBeGreaterThan(1);
      expect(overlapped.state.calls).toBe(serial.state.calls);
      expect(overlapped.records).toEqual(serial.records);
      expect((overlapped.result as EngineResult).summary).toEqual((serial.result as EngineResult).summary);
      expect((serial.result as EngineResult).summary.comparison.byChecksum).toBe(6);
      expect(overlapped.records.map((r) => r.key)).toEqual([...overlapped.records.map((r) => r.key)].sort(compareKeys));
    });

    test('a failed lookup stops the run at the key before it, and resuming gives the one-pass result', async () => {
      const whole = await runWith(64);
      const failAt = 'k/0113'; // a same-size key whose ETags differ: it needs HEADs
      const failed = await runWith(64, failAt);
      expect(failed.result).toBeInstanceOf(AuditInterruptedError);
      const cp = (failed.result as AuditInterruptedError).checkpoint;
      expect(cp.lastKey).toBe('k/0112');
      expect(failed.records.every((r) => compareKeys(r.key, failAt) < 0)).toBe(true);
      const { enrich } = slowEnrich();
      const rest: AuditRecord[] = [];
      const resumed = await auditListings(
        opts,
        { ...listingsFor(fixture(), cp.lastKey), enrich, sink: (r) => void rest.push(r) },
        cp,
      );
      expect([...failed.records, ...rest]).toEqual(whole.records);
      expect(resumed.summary).toEqual((whole.result as EngineResult).summary);
    });
  });

  test('refuses a checkpoint of another audit or range', async () => {
    const { result } = await run(base);
    await expect(run({ ...base, fingerprint: 'other' }, fixture(), result.checkpoint)).rejects.toThrow(
      /belongs to another audit/,
    );
    await expect(run({ ...base, range: { endAt: 'k/' } }, fixture(), result.checkpoint)).rejects.toThrow(
      /checkpoint is for range/,
    );
    await expect(run(base, fixture(), { ...result.checkpoint, version: 2 as 1 })).rejects.toThrow(/version is 2/);
  });

  test('all-versions mode: version ids, delete markers and deletes not replicated', async () => {
    const source = [
      dm('a', { versionId: 'a2', lastModified: NOW - 7200_000 }),
      obj('a', { versionId: 'a1', isLatest: false }),
      obj('b', { versionId: 'b2' }),
      obj('b', { versionId: 'b1', isLatest: false }),
      obj('c', { versionId: 'c1' }),
    ];
    const replica = [
      obj('a', { versionId: 'a1' }),
      obj('b', { versionId: 'b1' }),
      dm('c', { versionId: 'x' }),
      obj('c', { versionId: 'c1', isLatest: false }),
    ];
    const records: AuditRecord[] = [];
    const { summary } = await auditListings(
      { ...base, mode: 'versions' },
      {
        source: groupVersions(batches(source), 'source'),
        replica: groupVersions(batches(replica), 'replica'),
        sink: (r) => void records.push(r),
      },
    );
    expect(records.map((r) => [r.key, r.kind])).toEqual([
      ['b', 'version-mismatch'],
      ['c', 'delete-marker-mismatch'],
    ]);
    expect(summary.deletesNotReplicated).toBe(1);
    expect(summary.source.versions).toBe(5);
    expect(summary.source.objects).toBe(2);
  });
});

describe('ranges', () => {
  const keys = fixture().source.map((v) => v.key);

  test('planRanges from a sample covers the key space with disjoint ranges', () => {
    const ranges = planRanges({ sampleKeys: keys.filter((_, i) => i % 3 === 0), count: 4 });
    expect(ranges).toHaveLength(4);
    expect(ranges[0].startAfter).toBeUndefined();
    expect(ranges[3].endAt).toBeUndefined();
    for (const k of keys) expect(ranges.filter((r) => keyInRange(k, r))).toHaveLength(1);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i].startAfter).toBe(ranges[i - 1].endAt);
  });

  test('planRanges from boundaries sorts them in S3 order and drops duplicates', () => {
    expect(planRanges({ boundaries: ['\u{1F600}', 'm', '\uE000', 'm'] })).toEqual([
      { endAt: 'm' },
      { startAfter: 'm', endAt: '\uE000' },
      { startAfter: '\uE000', endAt: '\u{1F600}' },
      { startAfter: '\u{1F600}' },
    ]);
    expect(planRanges({ sampleKeys: [], count: 3 })).toEqual([{}]);
    expect(planRanges({ boundaries: ['a', 'm', 'z'], within: { startAfter: 'b', endAt: 'z' } })).toEqual([
      { startAfter: 'b', endAt: 'm' },
      { startAfter: 'm', endAt: 'z' },
    ]);
    expect(() => planRanges({ count: 0 })).toThrow(/count must be a positive integer/);
  });

  test('auditing the ranges and merging their reports gives the one-pass summary and records', async () => {
    const whole = await run(base);
    const ranges = planRanges({ sampleKeys: keys, count: 5 });
    const reports: RangeReport[] = [];
    for (const range of ranges.reverse()) {
      const part = await run({ ...base, range });
      reports.push({ range, summary: part.result.summary, records: part.records });
    }
    const merged = mergeReports(reports);
    expect(merged.summary).toEqual(whole.result.summary);
    expect(merged.records).toEqual(whole.records);
    expect(merged.range).toEqual({});
    const capped = mergeReports(reports, 3);
    expect(capped.records).toEqual(whole.records.slice(0, 3));
    expect(capped.truncated).toBe(true);
  });

  test('mergeReports refuses overlapping ranges', () => {
    const { summary } = { summary: undefined as never };
    expect(() =>
      mergeReports([
        { range: { endAt: 'm' }, summary, records: [] },
        { range: { startAfter: 'a' }, summary, records: [] },
      ]),
    ).toThrow(/ranges overlap/);
  });
});
