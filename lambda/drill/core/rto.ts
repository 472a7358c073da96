/**
 * A recovery-time estimate from one drill: the measured restore throughput of the sample,
 * extrapolated to everything under the drilled prefix.
 */
export interface RtoInput {
  /** Objects and bytes the drill restored, and the wall time of the restore phase. */
  readonly sampleObjects: number;
  readonly sampleBytes: number;
  readonly restoreSeconds: number;
  /** Parallel restores the drill ran. */
  readonly concurrency: number;
  /** Everything a full restore would copy (from the drill's listing). */
  readonly totalObjects: number;
  readonly totalBytes: number;
  /** Wall time of the drill's listing, which a full restore would repeat. */
  readonly listSeconds: number;
}

export interface RtoEstimate {
  /** The estimated time to restore everything, in seconds. */
  readonly seconds: number;
  readonly listSeconds: number;
  readonly copySeconds: number;
  /** Which of the two rates bounds the estimate. */
  readonly boundBy: 'objects' | 'bytes';
  readonly objectsPerSecond: number;
  readonly bytesPerSecond: number;
  readonly concurrency: number;
  readonly totalObjects: number;
  readonly totalBytes: number;
  readonly model: string;
  readonly assumptions: string[];
}

export const RTO_MODEL =
  'rto = list time + max(total objects / measured objects per second, total bytes / measured bytes per second), ' +
  'with both rates measured over the restore phase of the drill at its concurrency';

export const RTO_ASSUMPTIONS: readonly string[] = [
  'the full restore runs with the same concurrency, client location and network path as the drill',
  'the sample is representative of the object sizes under the prefix (a sample of small objects underestimates a bucket of large ones: check the bytes rate)',
  'throughput stays constant at scale: request-rate throttling (503 slowdown) that a larger restore would meet is not in the measurement',
  'the listing is repeated once; verification, cleanup and any deploy or failover steps are not included',
];

/** Undefined when nothing was restored or no time was measured: no rate to extrapolate. */
export function estimateRto(input: RtoInput): RtoEstimate | undefined {
  if (input.sampleObjects <= 0 || !(input.restoreSeconds > 0)) return undefined;
  const objectsPerSecond = input.sampleObjects / input.restoreSeconds;
  const bytesPerSecond = input.sampleBytes / input.restoreSeconds;
  const byObjects = input.totalObjects / objectsPerSecond;
  const byBytes = bytesPerSecond > 0 ? input.totalBytes / bytesPerSecond : 0;
  const copySeconds = Math.max(byObjects, byBytes);
  return {
    seconds: input.listSeconds + copySeconds,
    listSeconds: input.listSeconds,
    copySeconds,
    boundBy: byBytes > byObjects ? 'bytes' : 'objects',
    objectsPerSecond,
    bytesPerSecond,
    concurrency: input.concurrency,
    totalObjects: input.totalObjects,
    totalBytes: input.totalBytes,
    model: RTO_MODEL,
    assumptions: [...RTO_ASSUMPTIONS],
  };
}
