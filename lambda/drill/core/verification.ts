import { createHash, Hash } from 'node:crypto';
import * as zlib from 'node:zlib';

/**
 * What a restored object was verified against, strongest first:
 *  - source-sha256: SHA-256 of the source object version with the same version id (or, when the
 *    source has no such version, the source's current version);
 *  - replica-checksum: a full-object additional checksum the replica stored with the object;
 *  - replica-etag-md5: the replica's ETag, when it is a plain MD5 of the bytes (single-part
 *    upload, not SSE-KMS or SSE-C);
 *  - unverifiable: none of the above was available.
 */
export type VerifiedAgainst = 'source-sha256' | 'replica-checksum' | 'replica-etag-md5' | 'unverifiable';

export type ChecksumAlgorithm = 'SHA256' | 'SHA1' | 'CRC32' | 'CRC32C';
/** Checksum algorithms the drill can recompute, in order of preference. */
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['SHA256', 'SHA1', 'CRC32C', 'CRC32'];

/** What the replica recorded about an object version (from GetObject/HeadObject). */
export interface ReplicaRecord {
  readonly etag?: string;
  /** x-amz-server-side-encryption: 'AES256', 'aws:kms', 'aws:kms:dsse'. */
  readonly serverSideEncryption?: string;
  /** Set for SSE-C objects. */
  readonly sseCustomerAlgorithm?: string;
  /** Additional checksums as S3 returns them (base64), when ChecksumMode was ENABLED. */
  readonly checksums?: Partial<Record<ChecksumAlgorithm | 'CRC64NVME', string>>;
  /** 'FULL_OBJECT' or 'COMPOSITE'; composite checksums cover parts, not the whole object. */
  readonly checksumType?: string;
}

export interface VerificationRule {
  readonly against: VerifiedAgainst;
  /** For replica-checksum. */
  readonly algorithm?: ChecksumAlgorithm;
  /** The value to match: hex for sha256 and md5, base64 for checksums. */
  readonly expected?: string;
  /** Why this rule, in a few words, for the report. */
  readonly why: string;
}

const PLAIN_MD5_ETAG = /^"?([0-9a-fA-F]{32})"?$/;

/** The MD5 (lower-case hex) an ETag stands for, or undefined when it is not a plain MD5. */
export function plainMd5FromEtag(rec: ReplicaRecord): string | undefined {
  if (!rec.etag) return undefined;
  const sse = (rec.serverSideEncryption ?? '').toLowerCase();
  if (sse.startsWith('aws:kms') || rec.sseCustomerAlgorithm) return undefined;
  const m = PLAIN_MD5_ETAG.exec(rec.etag);
  return m ? m[1].toLowerCase() : undefined;
}

/**
 * Picks how to verify a restored object when the source cannot be used: a stored full-object
 * checksum, else a plain-MD5 ETag, else unverifiable. With the source available the rule is
 * always source-sha256 (the expected value is computed from the source's bytes).
 */
export function chooseVerification(sourceAvailable: boolean, rec: ReplicaRecord): VerificationRule {
  if (sourceAvailable) return { against: 'source-sha256', why: 'sha-256 of the source object version' };
  const composite = (rec.checksumType ?? '').toUpperCase() === 'COMPOSITE';
  if (!composite) {
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      const value = rec.checksums?.[algorithm];
      // A "-N" suffix marks a checksum of part checksums: not recomputable from the bytes.
      if (value && !/-\d+$/.test(value)) {
        return {
          against: 'replica-checksum',
          algorithm,
          expected: value,
          why: `the replica's stored ${algorithm} checksum`,
        };
      }
    }
  }
  const md5 = plainMd5FromEtag(rec);
  if (md5)
    return { against: 'replica-etag-md5', expected: md5, why: "the replica's etag (md5 of a single-part upload)" };
  const sse = (rec.serverSideEncryption ?? '').toLowerCase();
  const reason = !rec.etag
    ? 'the replica returned no etag'
    : sse.startsWith('aws:kms')
      ? 'the etag of an sse-kms object is not an md5 of its bytes'
      : rec.sseCustomerAlgorithm
        ? 'the etag of an sse-c object is not an md5 of its bytes'
        : /-\d+"?$/.test(rec.etag)
          ? 'the etag of a multipart upload is not an md5 of the whole object'
          : `the etag ${rec.etag} is not an md5`;
  return {
    against: 'unverifiable',
    why: `the source is unavailable, the replica stored no usable checksum and ${reason}`,
  };
}

/** The digests of one stream of bytes: SHA-256 and MD5 (hex) always, checksums on demand. */
export interface Digests {
  sha256: string;
  md5: string;
  bytes: number;
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

let crc32cTable: Uint32Array | undefined;
function crc32cUpdate(crc: number, data: Uint8Array): number {
  if (!crc32cTable) {
    crc32cTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
      crc32cTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = crc32cTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

function crcBase64(crc: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc >>> 0);
  return b.toString('base64');
}

/** Incremental digests over chunks, for streams too large to hold in memory. */
export class DigestBuilder {
  private readonly sha256 = createHash('sha256');
  private readonly md5 = createHash('md5');
  private readonly sha1?: Hash;
  private crc32?: number;
  private crc32c?: number;
  private bytes = 0;

  constructor(extra: readonly ChecksumAlgorithm[] = []) {
    if (extra.includes('SHA1')) this.sha1 = createHash('sha1');
    if (extra.includes('CRC32')) this.crc32 = 0;
    if (extra.includes('CRC32C')) this.crc32c = 0;
  }

  update(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    this.sha256.update(chunk);
    this.md5.update(chunk);
    this.sha1?.update(chunk);
    if (this.crc32 !== undefined) this.crc32 = zlib.crc32(chunk, this.crc32);
    if (this.crc32c !== undefined) this.crc32c = crc32cUpdate(this.crc32c, chunk);
  }

  digest(): Digests {
    const sha256 = this.sha256.digest();
    const checksums: Digests['checksums'] = { SHA256: sha256.toString('base64') };
    if (this.sha1) checksums.SHA1 = this.sha1.digest('base64');
    if (this.crc32 !== undefined) checksums.CRC32 = crcBase64(this.crc32);
    if (this.crc32c !== undefined) checksums.CRC32C = crcBase64(this.crc32c);
    return { sha256: sha256.toString('hex'), md5: this.md5.digest('hex'), bytes: this.bytes, checksums };
  }
}

export interface Judgement {
  readonly ok: boolean;
  /** Why it failed (or why it could not be checked), lower case. */
  readonly reason?: string;
}

/**
 * Judges the restored object's digests against a rule. For source-sha256 the caller passes
 * the source's SHA-256 as `sourceSha256`.
 */
export function judge(rule: VerificationRule, restored: Digests, sourceSha256?: string): Judgement {
  switch (rule.against) {
    case 'source-sha256':
      if (!sourceSha256) return { ok: false, reason: 'the source sha-256 was not computed' };
      return restored.sha256 === sourceSha256
        ? { ok: true }
        : { ok: false, reason: `restored sha-256 ${restored.sha256} differs from the source's ${sourceSha256}` };
    case 'replica-checksum': {
      const actual = rule.algorithm ? restored.checksums[rule.algorithm] : undefined;
      if (!actual) return { ok: false, reason: `the restored ${rule.algorithm} checksum was not computed` };
      return actual === rule.expected
        ? { ok: true }
        : {
            ok: false,
            reason: `restored ${rule.algorithm} ${actual} differs from the replica's stored ${rule.expected}`,
          };
    }
    case 'replica-etag-md5':
      return restored.md5 === rule.expected
        ? { ok: true }
        : { ok: false, reason: `restored md5 ${restored.md5} differs from the replica's etag ${rule.expected}` };
    case 'unverifiable':
      return { ok: false, reason: `unverifiable: ${rule.why}` };
  }
}
