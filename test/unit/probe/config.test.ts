import { canariesToDelete, canaryKey, parseProbeEnv } from '../../../lambda/probe/config';
import { probeMetrics, ProbeResult } from '../../../lambda/probe/run-probe';
import { CANARY_PREFIX } from '../../../lambda/shared/reserved';

const env = {
  SOURCE_BUCKET: 'data-src',
  SOURCE_REGION: 'eu-west-1',
  REPLICA_BUCKET: 'data-rep',
  REPLICA_REGION: 'eu-central-1',
  PROBE_NAME: 'app',
  LAG_DEADLINE_SECONDS: '60',
};

describe('parseProbeEnv', () => {
  test('reads the environment with defaults', () => {
    expect(parseProbeEnv(env)).toEqual({
      source: { bucket: 'data-src', region: 'eu-west-1' },
      replica: { bucket: 'data-rep', region: 'eu-central-1' },
      probeName: 'app',
      lagDeadlineSeconds: 60,
      keep: 5,
      sourceTimeoutSeconds: 10,
    });
    expect(parseProbeEnv({ ...env, SOURCE_ENDPOINT: 'http://127.0.0.1:8000' }).source.endpoint).toBe(
      'http://127.0.0.1:8000',
    );
  });
  test('fails naming every bad variable, its value and the fix', () => {
    expect(() =>
      parseProbeEnv({
        ...env,
        SOURCE_BUCKET: undefined,
        LAG_DEADLINE_SECONDS: '9999',
        PROBE_NAME: 'a/b',
        REPLICA_ENDPOINT: 'localhost',
      }),
    ).toThrow(
      /SOURCE_BUCKET is not set[\s\S]*PROBE_NAME="a\/b" is not a valid name: use 1-64[\s\S]*LAG_DEADLINE_SECONDS="9999" is not a whole number of seconds from 1 to 840/,
    );
    expect(() => parseProbeEnv({ ...env, REPLICA_ENDPOINT: 'localhost' })).toThrow(
      /REPLICA_ENDPOINT="localhost" is not an http\(s\) endpoint [^:]*: write http/,
    );
    expect(() => parseProbeEnv({ ...env, LAG_DEADLINE_SECONDS: undefined })).toThrow(
      /environment variable LAG_DEADLINE_SECONDS is not set: set it to a whole number of seconds from 1 to 840/,
    );
  });
});

describe('canary keys and cleanup', () => {
  test('keys sort by write time under the probe prefix', () => {
    const a = canaryKey(CANARY_PREFIX, 'app', Date.parse('2026-01-01T00:00:09Z'), 'x');
    const b = canaryKey(CANARY_PREFIX, 'app', Date.parse('2026-01-01T00:00:10Z'), 'a');
    expect(a.startsWith(`${CANARY_PREFIX}app/`)).toBe(true);
    expect([b, a].sort()).toEqual([a, b]);
  });
  test('keeps the newest keys, deletes every version of older ones, never a key outside the prefix', () => {
    const p = `${CANARY_PREFIX}app/`;
    const versions = [
      { key: `${p}1`, versionId: 'v1' },
      { key: `${p}1`, versionId: 'v1b' },
      { key: `${p}2`, versionId: 'v2' },
      { key: `${p}3`, versionId: 'v3' },
      { key: 'data/important', versionId: 'd' },
      { key: `${CANARY_PREFIX}other/1`, versionId: 'o' },
    ];
    expect(canariesToDelete(versions, p, 2)).toEqual([
      { key: `${p}1`, versionId: 'v1' },
      { key: `${p}1`, versionId: 'v1b' },
    ]);
    expect(canariesToDelete(versions, p, 10)).toEqual([]);
  });
});

describe('probeMetrics', () => {
  const base: ProbeResult = {
    probeName: 'app',
    canaryKey: 'k',
    canaryId: 'i',
    writtenAt: '2026-01-01T00:00:00.000Z',
    sourceAvailable: true,
    sourcePutMs: 12,
    replicated: true,
    lagSeconds: 1.25,
    notReplicated: false,
    replicaPolls: 3,
    cleanup: { deleted: 0, kept: 1 },
  };
  test('a healthy run', () => {
    const doc = probeMetrics(base).toEmf(0)!;
    expect(doc).toMatchObject({
      Probe: 'app',
      SourceAvailable: 1,
      SourceLatencyMs: 12,
      ReplicationLagSeconds: 1.25,
      CanaryNotReplicated: 0,
    });
  });
  test('source down: SourceAvailable 0 and no lag or latency', () => {
    const doc = probeMetrics({
      ...base,
      sourceAvailable: false,
      sourcePutMs: undefined,
      replicated: false,
      lagSeconds: undefined,
    }).toEmf(0)!;
    expect(doc.SourceAvailable).toBe(0);
    expect(doc).not.toHaveProperty('ReplicationLagSeconds');
    expect(doc).not.toHaveProperty('SourceLatencyMs');
    expect(doc).not.toHaveProperty('CanaryNotReplicated');
  });
  test('deadline passed: CanaryNotReplicated 1', () => {
    const doc = probeMetrics({ ...base, replicated: false, lagSeconds: undefined, notReplicated: true }).toEmf(0)!;
    expect(doc.CanaryNotReplicated).toBe(1);
  });
});
