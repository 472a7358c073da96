import { Metrics } from '../shared/metrics';
import { AuditSummary } from './core';

/** One EMF line: a metric per kind, total discrepancies, objects audited and the observed lag. */
export function emitMetrics(name: string, s: AuditSummary, emit?: (line: string) => void): void {
  const m = new Metrics({ Audit: name });
  m.add('Missing', s.counts.missing)
    .add('Extra', s.counts.extra)
    .add('SizeMismatch', s.counts.sizeMismatch)
    .add('ContentMismatch', s.counts.contentMismatch)
    .add('VersionMismatch', s.counts.versionMismatch)
    .add('DeleteMarkerMismatch', s.counts.deleteMarkerMismatch)
    .add('Pending', s.counts.pending)
    .add('Discrepancies', s.discrepancies)
    .add('ObjectsAudited', s.keys)
    .add('MaxObservedLagSeconds', s.maxObservedLagSeconds, 'Seconds');
  m.flush(emit);
}
