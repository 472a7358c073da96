import { classify, ClassifyOptions, KeyPair, ListedVersion, needs, Outcome } from '../../../../lambda/audit/core';
import { dm, listed, NOW, obj, OLD } from '../../../support/audit-fixtures';

const opts: ClassifyOptions = {
  lagWindowSeconds: 900,
  deleteMarkerReplication: false,
  versionIdsPreserved: true,
  headCheck: true,
  now: NOW,
};

function pair(s?: ListedVersion, r?: ListedVersion): KeyPair {
  return { key: (s ?? r)!.key, source: s && listed(s), replica: r && listed(r) };
}
function kind(o: Outcome): string {
  if (o.type === 'discrepancy') return o.discrepancy.kind;
  if (o.type === 'matched') return `matched:${o.by}${o.unverified ? ':unverified' : ''}`;
  return o.type;
}
const MD5A = '0cc175b9c0f1b6a831c399e269772661';
const MD5B = '92eb5ffee6ae2fec3ad71c777531578f';

describe('classify', () => {
  test('equal size and ETag is matched by ETag', () => {
    expect(kind(classify(pair(obj('k'), obj('k')), opts))).toBe('matched:etag');
    expect(kind(classify(pair(obj('k', { etag: `"${MD5A}"` }), obj('k', { etag: MD5A })), opts))).toBe('matched:etag');
  });

  test('source only is missing, with evidence', () => {
    const o = classify(pair(obj('k', { versionId: 'v1' }), undefined), opts);
    expect(o.type === 'discrepancy' && o.discrepancy).toMatchObject({
      key: 'k',
      kind: 'missing',
      source: { size: 10, versionId: 'v1', lastModified: new Date(OLD).toISOString(), isDeleteMarker: false },
      replica: undefined,
    });
    expect(o.type === 'discrepancy' && o.lagSeconds).toBe(3600);
  });

  test('replica only is extra and never pending', () => {
    const o = classify(pair(undefined, obj('k', { lastModified: NOW, versionId: 'v' })), opts);
    expect(kind(o)).toBe('extra');
    expect(o.type === 'discrepancy' && o.lagSeconds).toBeUndefined();
  });

  test('size differs is size-mismatch, even when ETags and versions differ too', () => {
    const o = classify(
      pair(obj('k', { size: 1, versionId: 'a', etag: MD5A }), obj('k', { size: 2, versionId: 'b', etag: MD5B })),
      opts,
    );
    expect(kind(o)).toBe('size-mismatch');
    expect(o.type === 'discrepancy' && o.discrepancy.detail).toMatch(/source 1 bytes, replica 2 bytes/);
  });

  test('same size, plain MD5 ETags that differ, no SSE-KMS: content-mismatch before version-mismatch', () => {
    const p = pair(obj('k', { etag: MD5A, versionId: 'a' }), obj('k', { etag: MD5B, versionId: 'b' }));
    expect(needs(p, opts)).toEqual({ heads: true, sourceLookup: false });
    const heads = { sourceHead: { checksums: {}, sse: 'AES256' }, replicaHead: { checksums: {} } };
    expect(kind(classify(p, opts, heads))).toBe('content-mismatch');
  });

  test('same content with different latest version ids is version-mismatch, unless ids are not preserved', () => {
    const p = pair(obj('k', { versionId: 'a' }), obj('k', { versionId: 'b' }));
    expect(kind(classify(p, opts))).toBe('version-mismatch');
    expect(kind(classify(p, { ...opts, versionIdsPreserved: false }))).toBe('matched:etag');
    // current mode lists no version ids: nothing to compare
    expect(kind(classify(pair(obj('k'), obj('k')), opts))).toBe('matched:etag');
  });

  test('same-algorithm checksums decide over ETags', () => {
    const p = pair(obj('k', { etag: `${MD5A}-2` }), obj('k', { etag: MD5B }));
    const same = {
      sourceHead: { checksums: { SHA256: 'x' } },
      replicaHead: { checksums: { SHA256: 'x', CRC32: 'c' } },
    };
    const diff = { sourceHead: { checksums: { SHA256: 'x' } }, replicaHead: { checksums: { SHA256: 'y' } } };
    expect(kind(classify(p, opts, same))).toBe('matched:checksum');
    expect(kind(classify(p, opts, diff))).toBe('content-mismatch');
    const o = classify(p, opts, diff);
    expect(o.type === 'discrepancy' && o.discrepancy.source?.checksum).toBe('SHA256:x');
  });

  test('checksums of different algorithms do not decide', () => {
    const p = pair(obj('k', { etag: `${MD5A}-2` }), obj('k', { etag: MD5B }));
    const heads = { sourceHead: { checksums: { SHA256: 'x' } }, replicaHead: { checksums: { CRC32: 'y' } } };
    expect(kind(classify(p, opts, heads))).toBe('matched:size-only:unverified');
  });

  test('multipart ETags that differ are not proof: unverified, matched by size only', () => {
    const p = pair(obj('k', { etag: `${MD5A}-3` }), obj('k', { etag: `${MD5B}-2` }));
    const o = classify(p, opts, { sourceHead: { checksums: {} }, replicaHead: { checksums: {} } });
    expect(kind(o)).toBe('matched:size-only:unverified');
    expect(o.type === 'matched' && o.unverified?.detail).toMatch(/multipart ETag/);
  });

  test('SSE-KMS on either side makes plain ETags incomparable', () => {
    const p = pair(obj('k', { etag: MD5A }), obj('k', { etag: MD5B }));
    const o = classify(p, opts, { sourceHead: { checksums: {} }, replicaHead: { checksums: {}, sse: 'aws:kms' } });
    expect(kind(o)).toBe('matched:size-only:unverified');
    expect(o.type === 'matched' && o.unverified?.replica.sse).toBe('aws:kms');
  });

  test('without HeadObject data (head check on but not fetched) plain ETags are not trusted', () => {
    const p = pair(obj('k', { etag: MD5A }), obj('k', { etag: MD5B }));
    expect(kind(classify(p, opts))).toBe('matched:size-only:unverified');
  });

  test('with the head check off, plain ETags are taken as MD5s', () => {
    const p = pair(obj('k', { etag: MD5A }), obj('k', { etag: MD5B }));
    const off = { ...opts, headCheck: false };
    expect(needs(p, off).heads).toBe(false);
    expect(kind(classify(p, off))).toBe('content-mismatch');
    expect(kind(classify(pair(obj('k', { etag: `${MD5A}-2` }), obj('k', { etag: MD5B })), off))).toBe(
      'matched:size-only:unverified',
    );
  });

  describe('delete markers', () => {
    test('source deleted, replica still has it: expected without delete marker replication', () => {
      const p = pair(dm('k'), obj('k', { versionId: 'v' }));
      expect(kind(classify(p, opts))).toBe('delete-not-replicated');
      expect(kind(classify(p, { ...opts, deleteMarkerReplication: true }))).toBe('delete-marker-mismatch');
    });

    test('a delete marker on the replica only is always a discrepancy', () => {
      const p = pair(obj('k', { versionId: 'v' }), dm('k'));
      expect(kind(classify(p, opts))).toBe('delete-marker-mismatch');
      expect(kind(classify(p, { ...opts, deleteMarkerReplication: true }))).toBe('delete-marker-mismatch');
      expect(kind(classify(pair(undefined, dm('k')), opts))).toBe('delete-marker-mismatch');
    });

    test('delete markers on both sides, or on the source with no replica key, match', () => {
      expect(kind(classify(pair(dm('k'), dm('k')), opts))).toBe('matched:deleted');
      expect(kind(classify(pair(dm('k'), undefined), opts))).toBe('matched:deleted');
    });

    test('current mode: a replica-only key is looked up in the source, and a delete marker there is a delete', () => {
      const p = pair(undefined, obj('k'));
      expect(needs(p, opts)).toEqual({ heads: false, sourceLookup: true });
      expect(kind(classify(p, opts, { sourceLookedUp: true, sourceLookup: dm('k') }))).toBe('delete-not-replicated');
      expect(kind(classify(p, opts, { sourceLookedUp: true, sourceLookup: undefined }))).toBe('extra');
      // versions mode lists delete markers itself: no lookup
      expect(needs(pair(undefined, obj('k', { versionId: 'v' })), opts).sourceLookup).toBe(false);
    });
  });

  describe('pending', () => {
    test('a difference whose source change is younger than the lag window is pending with its age', () => {
      const young = NOW - 60_000;
      const o = classify(pair(obj('k', { lastModified: young }), undefined), opts);
      expect(o.type === 'discrepancy' && o.discrepancy).toMatchObject({
        kind: 'pending',
        pendingKind: 'missing',
        ageSeconds: 60,
      });
      const sized = classify(pair(obj('k', { lastModified: young, size: 5 }), obj('k')), opts);
      expect(sized.type === 'discrepancy' && sized.discrepancy.pendingKind).toBe('size-mismatch');
    });

    test('the window edge: exactly the window old is a fault, one second less is pending', () => {
      const at = classify(pair(obj('k', { lastModified: NOW - 900_000 }), undefined), opts);
      const before = classify(pair(obj('k', { lastModified: NOW - 899_000 }), undefined), opts);
      expect(kind(at)).toBe('missing');
      expect(kind(before)).toBe('pending');
      expect(
        kind(classify(pair(obj('k', { lastModified: NOW - 899_000 }), undefined), { ...opts, lagWindowSeconds: 0 })),
      ).toBe('missing');
    });

    test('a young source delete with delete marker replication is pending', () => {
      const p = pair(dm('k', { lastModified: NOW - 10_000 }), obj('k', { versionId: 'v' }));
      const o = classify(p, { ...opts, deleteMarkerReplication: true });
      expect(o.type === 'discrepancy' && o.discrepancy.pendingKind).toBe('delete-marker-mismatch');
    });

    test('a replica newer than the source is not a source change: never pending', () => {
      const p = pair(obj('k', { size: 1, lastModified: OLD }), obj('k', { size: 2, lastModified: NOW }));
      const o = classify(p, opts);
      expect(kind(o)).toBe('size-mismatch');
      expect(o.type === 'discrepancy' && o.lagSeconds).toBeUndefined();
    });
  });
});
