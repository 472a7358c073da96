import { createHash } from 'node:crypto';
import {
  ChecksumAlgorithm,
  chooseVerification,
  DigestBuilder,
  judge,
  plainMd5FromEtag,
  ReplicaRecord,
} from '../../../../lambda/drill/core/verification';

const body = Buffer.from('hello restore drill\n');
const md5 = createHash('md5').update(body).digest('hex');
const sha256 = createHash('sha256').update(body).digest('hex');

function digestsOf(b: Buffer, extra: ChecksumAlgorithm[] = []) {
  const d = new DigestBuilder(extra);
  // In two chunks: the digests are incremental.
  d.update(b.subarray(0, 5));
  d.update(b.subarray(5));
  return d.digest();
}

describe('verification rule selection', () => {
  test('uses the source sha-256 whenever the source is available', () => {
    expect(chooseVerification(true, { etag: `"${md5}"` }).against).toBe('source-sha256');
    expect(chooseVerification(true, {}).against).toBe('source-sha256');
  });

  test('without the source, prefers a stored full-object checksum', () => {
    const rec: ReplicaRecord = { etag: `"${md5}"`, checksums: { CRC32: 'AAAAAA==', SHA256: 'abc=' } };
    expect(chooseVerification(false, rec)).toMatchObject({
      against: 'replica-checksum',
      algorithm: 'SHA256',
      expected: 'abc=',
    });
  });

  test('skips composite checksums and falls back to a plain md5 etag', () => {
    const composite: ReplicaRecord = { etag: `"${md5}"`, checksums: { SHA256: 'abc=-3' } };
    expect(chooseVerification(false, composite)).toMatchObject({ against: 'replica-etag-md5', expected: md5 });
    const typed: ReplicaRecord = { etag: `"${md5}"`, checksums: { CRC32: 'abc=' }, checksumType: 'COMPOSITE' };
    expect(chooseVerification(false, typed).against).toBe('replica-etag-md5');
  });

  test('uses a plain md5 etag of a single-part, non-kms object', () => {
    expect(chooseVerification(false, { etag: `"${md5.toUpperCase()}"`, serverSideEncryption: 'AES256' })).toMatchObject(
      {
        against: 'replica-etag-md5',
        expected: md5,
      },
    );
  });

  test('is unverifiable for multipart, sse-kms, sse-c and missing etags, and says why', () => {
    expect(chooseVerification(false, { etag: `"${md5}-3"` })).toMatchObject({
      against: 'unverifiable',
      why: expect.stringMatching(/multipart/),
    });
    expect(chooseVerification(false, { etag: `"${md5}"`, serverSideEncryption: 'aws:kms' })).toMatchObject({
      against: 'unverifiable',
      why: expect.stringMatching(/sse-kms/),
    });
    expect(chooseVerification(false, { etag: `"${md5}"`, sseCustomerAlgorithm: 'AES256' }).why).toMatch(/sse-c/);
    expect(chooseVerification(false, {}).why).toMatch(/no etag/);
    expect(plainMd5FromEtag({ etag: '"not-an-md5"' })).toBeUndefined();
  });
});

describe('digests and judgement', () => {
  test('computes sha-256, md5 and requested checksums incrementally', () => {
    const d = digestsOf(body, ['SHA1', 'CRC32', 'CRC32C']);
    expect(d.sha256).toBe(sha256);
    expect(d.md5).toBe(md5);
    expect(d.bytes).toBe(body.length);
    expect(d.checksums.SHA1).toBe(createHash('sha1').update(body).digest('base64'));
    // Reference values for "123456789": CRC32 cbf43926, CRC32C e3069283.
    const check = digestsOf(Buffer.from('123456789'), ['CRC32', 'CRC32C']);
    expect(Buffer.from(check.checksums.CRC32!, 'base64').toString('hex')).toBe('cbf43926');
    expect(Buffer.from(check.checksums.CRC32C!, 'base64').toString('hex')).toBe('e3069283');
  });

  test('passes matching bytes and names both digests on a mismatch', () => {
    const good = digestsOf(body);
    const bad = digestsOf(Buffer.from('hello restore drilL\n'));
    const src = chooseVerification(true, {});
    expect(judge(src, good, sha256)).toEqual({ ok: true });
    expect(judge(src, bad, sha256).reason).toMatch(
      new RegExp(`restored sha-256 ${bad.sha256} differs from the source's ${sha256}`),
    );

    const etag = chooseVerification(false, { etag: `"${md5}"` });
    expect(judge(etag, good)).toEqual({ ok: true });
    expect(judge(etag, bad).reason).toMatch(/differs from the replica's etag/);

    const sum = chooseVerification(false, { checksums: { CRC32C: digestsOf(body, ['CRC32C']).checksums.CRC32C } });
    expect(judge(sum, digestsOf(body, ['CRC32C']))).toEqual({ ok: true });
    expect(judge(sum, digestsOf(Buffer.from('x'), ['CRC32C'])).ok).toBe(false);
  });

  test('never passes an unverifiable object', () => {
    const rule = chooseVerification(false, { etag: `"${md5}-2"` });
    expect(judge(rule, digestsOf(body))).toMatchObject({ ok: false, reason: expect.stringMatching(/^unverifiable: /) });
  });
});
