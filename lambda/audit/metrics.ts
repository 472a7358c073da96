import { Metrics } from '../shared/metrics';
import { METRICS } from './contract';
import { AuditSummary } from './core';

/** One EMF line: a metric per kind, total discrepancies, objects audited and the observed lag. */
export function emitMetrics(name: string, s: AuditSummary, emit?: (line: string) => void): void {
  const m = new Metrics({ [METRICS.dimension]: name }, METRICS.namespace);
  m.add(METRICS.missing, s.counts.missing)
    .add(METRICS.extra, s.counts.extra)
    .add(METRICS.sizeMismatch, s.counts.sizeMismatch)
    .add(METRICS.contentMismatch, s.counts.contentMismatch)
    .add(METRICS.versionMismatch, s.counts.versionMismatch)
    .add(METRICS.deleteMarkerMismatch, s.counts.deleteMarkerMismatch)
    .add(METRICS.pending, s.counts.pending)
    .add(METRICS.discrepancies, s.discrepancies)
    .add(METRICS.objectsAudited, s.keys)
    .add(METRICS.maxObservedLagSeconds, s.maxObservedLagSeconds, 'Seconds');
  m.flush(emit);
}
