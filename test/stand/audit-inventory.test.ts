/**
 * The inventory-backed audit against the stand: the stand's own buckets are listed, written as S3
 * Inventory reports in AWS's layout (manifest.json, manifest.checksum, gzipped CSV data files, all
 * versions) into a reports bucket, differences are planted, and the real handler and CLI must
 * give the report a listing audit gives, including for keys changed after the snapshot.
 */
import { GetObjectCommand, ListObjectVersionsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { AuditRecord, AuditSummary } from '../../lambda/audit/core';
import { auditInvocation } from '../../lambda/audit/index';
import { main } from '../../lambda/cli/main';
import { AuditReport } from '../../lambda/audit/report';
import { createBucket, emptyAndDeleteBucket, standClient, standEnv, standSide } from '../support/stand';
import { InvRow, VERSIONS_SCHEMA, writeInventory } from '../support/inventory-files';

jest.setTimeout(180_000);

const env = standEnv();
process.env.AWS_ACCESS_KEY_ID = env.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = env.secretAccessKey;
const za = standSide('za');
const client = standClient('za');
const CONFIG_ID = 'cdk-s3-dr-audit';

const created: string[] = [];
afterAll(async () => {
  for (const bucket of created) await emptyAndDeleteBucket('za', bucket).catch(() => undefined);
});

const put = (bucket: string, key: string, body: string) =>
  client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));

/** Every version of the bucket as inventory rows (what S3 Inventory would report now). */
async function inventoryRows(s3: S3Client, bucket: string, status?: (key: string) => string): Promise<InvRow[]> {
  const rows: InvRow[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const page = await s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }),
    );
    for (const v of page.Versions ?? []) {
      rows.push({
        key: v.Key!,
        versionId: v.VersionId,
        isLatest: v.IsLatest,
        size: v.Size,
        etag: v.ETag?.replace(/"/g, ''),
        lastModified: v.LastModified!.getTime(),
        replicationStatus: status?.(v.Key!) ?? 'COMPLETED',
      });
    }
    for (const m of page.DeleteMarkers ?? []) {
      rows.push({
        key: m.Key!,
        versionId: m.VersionId,
        isLatest: m.IsLatest,
        isDeleteMarker: true,
        lastModified: m.LastModified!.getTime(),
      });
    }
    if (!page.IsTruncated) break;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
  return rows;
}

/** Uploads a folder written by writeInventory to the bucket, keys relative to `root`. */
async function upload(root: string, dir: string, bucket: string, skip?: (key: string) => boolean): Promise<void> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      await upload(root, path, bucket, skip);
      continue;
    }
    const key = relative(root, path).split('\\').join('/');
    if (skip?.(key)) continue;
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(path) }));
  }
}

async function writeSnapshot(reports: string, bucket: string, createdAt: number, status?: (key: string) => string) {
  const root = mkdtempSync(join(tmpdir(), 'inv-'));
  const rows = await inventoryRows(client, bucket, status);
  writeInventory(root, { bucket, rows, schema: VERSIONS_SCHEMA, fileCount: 3, createdAt, configId: CONFIG_ID });
  await upload(root, root, reports);
}

const kinds = (records: readonly AuditRecord[]) => records.map((r) => [r.key, r.kind]);

/** The summary minus what differs between two runs made at different times. */
function comparable(summary: AuditSummary) {
  const { requests: _r, retries: _t, durationMs: _d, startedAt: _s, maxObservedLagSeconds: _l, ...rest } = summary;
  return rest;
}

async function readJson<T>(bucket: string, key: string): Promise<T> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse(await out.Body!.transformToString()) as T;
}

describe('an inventory-backed audit on the stand', () => {
  let src: string;
  let dst: string;
  let reports: string;
  let baseEnv: Record<string, string>;

  beforeAll(async () => {
    [src, dst, reports] = await Promise.all([
      createBucket('za', { versioned: true }),
      createBucket('za', { versioned: true }),
      createBucket('za', { versioned: false }),
    ]);
    created.push(src, dst, reports);
    // 40 objects on both sides, then the planted differences.
    for (let i = 0; i < 40; i++) {
      const key = `obj/k${String(i).padStart(3, '0')}`;
      await put(src, key, `body ${i}`);
      await put(dst, key, `body ${i}`);
    }
    await put(src, 'obj/missing', 'only in the source');
    await put(dst, 'obj/extra', 'only in the replica');
    await put(src, 'obj/k005', 'body 5 changed, longer'); // size mismatch
    await put(src, 'obj/k006', 'body 7'); // same size, other content
    await put(src, 'obj/late', 'replicated after the snapshot');
    await put(src, 'obj/healed', 'fixed after the snapshot');
    await put(dst, 'obj/healed', 'stale, before fix');
    await put(src, 'outside/x', 'outside the audited prefix');

    // An older complete report, and a newer one S3 is still writing (no manifest.checksum): the
    // audit must take the newest complete one.
    const t0 = Date.now() - 3 * 3600_000;
    await writeSnapshot(reports, src, t0 - 24 * 3600_000);
    await writeSnapshot(reports, dst, t0 - 24 * 3600_000);
    await writeSnapshot(reports, src, t0, (key) => (key === 'obj/missing' ? 'FAILED' : 'COMPLETED'));
    await writeSnapshot(reports, dst, t0);
    const partial = mkdtempSync(join(tmpdir(), 'inv-'));
    const rows = await inventoryRows(client, src);
    writeInventory(partial, {
      bucket: src,
      rows,
      schema: VERSIONS_SCHEMA,
      fileCount: 1,
      createdAt: t0 + 3600_000,
      configId: CONFIG_ID,
    });
    await upload(partial, partial, reports, (key) => key.endsWith('manifest.checksum'));

    // After the snapshot: one difference heals, one key reaches the replica. Only the live
    // re-check can know.
    await put(dst, 'obj/late', 'replicated after the snapshot');
    await put(dst, 'obj/healed', 'fixed after the snapshot');

    baseEnv = {
      SOURCE_BUCKET: src,
      REPLICA_BUCKET: dst,
      SOURCE_PREFIX: 'obj/',
      REPLICA_PREFIX: 'obj/',
      REPORTS_BUCKET: reports,
      REPORTS_PREFIX: 'audits/',
      SOURCE_REGION: za.region,
      REPLICA_REGION: za.region,
      SOURCE_ENDPOINT: za.endpoint,
      REPLICA_ENDPOINT: za.endpoint,
      LAG_WINDOW_SECONDS: '0',
      AUDIT_NAME: 'inventory',
    };
  });

  const ctx = { getRemainingTimeInMillis: () => 900_000 };

  test('the handler in inventory mode gives the listing audit report for the re-checked keys, and the failed-objects manifest', async () => {
    const inventoryEnv = {
      ...baseEnv,
      SOURCE_INVENTORY: `s3://${reports}/${src}/${CONFIG_ID}/`,
      REPLICA_INVENTORY: `s3://${reports}/${dst}/${CONFIG_ID}/`,
    };
    const emf: string[] = [];
    const fromInventory = await auditInvocation({ runId: 'inventory' }, ctx, {
      env: inventoryEnv,
      emit: (l) => emf.push(l),
    });
    const fromListing = await auditInvocation({ runId: 'listing' }, ctx, { env: baseEnv, emit: () => undefined });

    const inv = await readJson<AuditReport & { inventories: Record<string, unknown> }>(
      reports,
      fromInventory.reportKey,
    );
    const listed = await readJson<AuditReport>(reports, fromListing.reportKey);
    expect(fromInventory.reportKey).toBe('audits/inventory/report.json');
    // The planted differences as a listing audit sees them now: missing, extra, size, content.
    expect(kinds(listed.discrepancies)).toEqual([
      ['extra', 'extra'],
      ['k005', 'size-mismatch'],
      ['k006', 'content-mismatch'],
      ['missing', 'missing'],
    ]);
    // obj/late and obj/healed differed in the snapshot and were read again live: no record.
    expect(kinds(inv.discrepancies)).toEqual(kinds(listed.discrepancies));
    expect(inv.unverified).toEqual(listed.unverified);
    expect(inv.inventories).toMatchObject({
      source: expect.stringMatching(
        new RegExp(`^s3://${reports}/${src}/${CONFIG_ID}/\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\dZ/$`),
      ),
      recheckedKeys: 6,
      failedVersions: 1,
      failedManifest: `s3://${reports}/audits/inventory/failed-replications.csv`,
    });
    const manifest = await client.send(
      new GetObjectCommand({ Bucket: reports, Key: 'audits/inventory/failed-replications.csv' }),
    );
    expect(await manifest.Body!.transformToString()).toMatch(new RegExp(`^${src},obj/missing,[^,\\n]+\\n$`));
    expect(emf).toHaveLength(1);
    expect(comparable(inv.summary)).toEqual(comparable(listed.summary));
  });

  test('the CLI in inventory mode gives the listing audit report and writes the failed-objects manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inv-cli-'));
    const io = (lines: string[]) => ({
      out: (l: string) => lines.push(l),
      err: (l: string) => lines.push(l),
      isTTY: false,
      env: { ...process.env, AWS_REGION: za.region },
    });
    const common = [
      '--source',
      `s3://${src}/obj/`,
      '--replica',
      `s3://${dst}/obj/`,
      '--source-endpoint',
      za.endpoint,
      '--replica-endpoint',
      za.endpoint,
      '--lag-window',
      '0',
    ];
    const lines: string[] = [];
    const code = await main(
      [
        'audit',
        ...common,
        '--source-inventory',
        `s3://${reports}/${src}/${CONFIG_ID}/`,
        '--replica-inventory',
        `s3://${reports}/${dst}/${CONFIG_ID}/`,
        '--failed-manifest',
        join(dir, 'failed.csv'),
        '--report',
        join(dir, 'inventory.json'),
      ],
      io(lines),
    );
    expect(code).toBe(1); // discrepancies
    expect(lines.join('\n')).toMatch(/6 differing keys read again live; 1 failed replications in .*failed\.csv/);
    expect(await main(['audit', ...common, '--report', join(dir, 'listing.json')], io([]))).toBe(1);
    const read = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as AuditReport;
    const [inv, listed] = [read('inventory.json'), read('listing.json')];
    expect(kinds(inv.discrepancies)).toEqual(kinds(listed.discrepancies));
    expect(comparable(inv.summary)).toEqual(comparable(listed.summary));
    expect(readFileSync(join(dir, 'failed.csv'), 'utf8')).toMatch(new RegExp(`^${src},obj/missing,[^,\\n]+\\n$`));
  });
});
