/** The replication probe's configuration and canary keys. Pure: no AWS SDK. */
import { fromEnv, ProbeConfig } from './contract';

export type { ProbeConfig, ProbeSide } from './contract';

/** The configuration from the environment (the probe contract's `fromEnv`). */
export const parseProbeEnv: (env: Record<string, string | undefined>) => ProbeConfig = fromEnv;

/** Canary keys sort by write time: `<CANARY_PREFIX><probe>/<ISO time>-<id>.json`. */
export function canaryKey(prefix: string, probeName: string, writtenAt: number, id: string): string {
  return `${prefix}${probeName}/${new Date(writtenAt).toISOString()}-${id}.json`;
}

/**
 * Which canary versions to delete: every version of every key but the newest `keep` keys,
 * and only keys under `prefix` (anything else is never touched).
 */
export function canariesToDelete(
  versions: readonly { key: string; versionId?: string }[],
  prefix: string,
  keep: number,
): { key: string; versionId?: string }[] {
  const mine = versions.filter((v) => v.key.startsWith(prefix));
  const keys = [...new Set(mine.map((v) => v.key))].sort();
  const kept = new Set(keys.slice(Math.max(0, keys.length - keep)));
  return mine.filter((v) => !kept.has(v.key));
}
