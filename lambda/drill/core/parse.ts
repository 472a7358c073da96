import { UsageError } from '../../shared/errors';
import { SAMPLE_MODES, SampleMode } from './sampling';

/** Parsers for option values; `what` names the option or variable in the error message. */

export function parseWholeNumber(what: string, value: string | number, min: number, max: number): number {
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${what} "${value}" is not a whole number from ${min} to ${max}: give one in that range`);
  }
  return n;
}

export function parseSampleMode(what: string, value: string): SampleMode {
  if (!(SAMPLE_MODES as readonly string[]).includes(value)) {
    throw new UsageError(`${what} "${value}" is not a sample mode: use one of ${SAMPLE_MODES.join(', ')}`);
  }
  return value as SampleMode;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** An ISO 8601 time with a zone designator (a time without one is ambiguous). */
export function parseIsoTime(what: string, value: string): Date {
  const example = '2026-11-20T12:00:00Z';
  if (!ISO_8601.test(value)) {
    throw new UsageError(`${what} "${value}" is not an ISO 8601 time: write ${example}`);
  }
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) {
    throw new UsageError(`${what} "${value}" is not a valid time: write ${example}`);
  }
  return d;
}
