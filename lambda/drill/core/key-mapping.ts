import { DRILL_PREFIX } from '../../shared/reserved';

/** S3's limit on the length of an object key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/**
 * The restore prefix as given, with a trailing slash; the library's reserved drill prefix when
 * none was given, so scratch objects are easy to recognise and to expire with a lifecycle rule.
 */
export function normalizeRestorePrefix(prefix: string | undefined): string {
  if (!prefix) return DRILL_PREFIX;
  return prefix.endsWith('/') ? prefix : prefix + '/';
}

/** Where one drill writes: `<restore prefix>/<drillId>/`. Nothing is written outside it. */
export function drillRoot(restorePrefix: string | undefined, drillId: string): string {
  return normalizeRestorePrefix(restorePrefix) + drillId + '/';
}

/**
 * The scratch key of a restored object: the drill root followed by the full replica key, so
 * that two keys never map to one scratch key and the original key is plain to see.
 */
export function targetKey(root: string, replicaKey: string): string {
  return root + replicaKey;
}

/** Why a target key cannot be written, or undefined when it can. */
export function targetKeyProblem(key: string): string | undefined {
  const bytes = Buffer.byteLength(key, 'utf8');
  return bytes > MAX_KEY_BYTES
    ? `the scratch key would be ${bytes} bytes long, over S3's ${MAX_KEY_BYTES}: give a shorter restore prefix`
    : undefined;
}

/**
 * The source key of a replica key: replication keeps keys, so with equal prefixes it is the
 * same key; with different prefixes the replica prefix is swapped for the source prefix.
 */
export function sourceKeyFor(replicaKey: string, replicaPrefix: string, sourcePrefix: string): string {
  if (replicaPrefix === sourcePrefix || !replicaKey.startsWith(replicaPrefix)) return replicaKey;
  return sourcePrefix + replicaKey.slice(replicaPrefix.length);
}

/** A drill id: sortable by start time, unique, and safe in a key: `drill-20261120T120000Z-1a2b3c4d`. */
export function newDrillId(now: Date, random: () => number = Math.random): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const suffix = Math.floor(random() * 0x100000000)
    .toString(16)
    .padStart(8, '0');
  return `drill-${stamp}-${suffix}`;
}

const DRILL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A given drill id must be a single safe path segment. */
export function drillIdProblem(id: string): string | undefined {
  return DRILL_ID.test(id)
    ? undefined
    : `drill id "${id}" must be 1-128 letters, digits, dots, hyphens or underscores, starting with a letter or digit`;
}
