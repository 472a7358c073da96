/**
 * The value rules every side shares, written once: the constructs check props with them at synth
 * time (lib/private/validate.ts), the handlers check their environment with them (each handler's
 * contract.ts), the command line checks its flags with them. Pure: no AWS SDK, no aws-cdk-lib.
 * Each rule returns the problem as text (undefined when the value is good), so every caller can
 * word the rest of its message (the prop, variable or flag; the fix) its own way.
 */

/** An example bucket name that passes {@link bucketNameProblem}. */
export const BUCKET_NAME_EXAMPLE = 'my-replica-bucket';

/**
 * A general purpose bucket name as S3 accepts it.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'a bucket name is 3 to 63 characters long';
  if (!/^[a-z0-9.-]+$/.test(name)) return 'a bucket name has only lower-case letters, digits, dots and hyphens';
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return 'a bucket name begins and ends with a letter or digit';
  if (name.includes('..')) return 'a bucket name has no two adjacent dots';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'a bucket name is not formatted as an IP address';
  const prefix = ['xn--', 'sthree-', 'amzn-s3-demo-'].find((p) => name.startsWith(p));
  if (prefix) return `a bucket name must not start with the reserved prefix "${prefix}"`;
  const suffix = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'].find((s) => name.endsWith(s));
  if (suffix) return `a bucket name must not end with the reserved suffix "${suffix}"`;
  return undefined;
}

/** A valid bucket name close to the one given, or undefined when there is none worth proposing. */
export function nearBucketName(name: string): string | undefined {
  const near = name
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .slice(0, 63)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return near !== name && bucketNameProblem(near) === undefined ? near : undefined;
}

/** A region code such as `us-east-1`, `us-gov-west-1`, `cn-north-1` or `eu-central-2`. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * The region an S3-compatible server signs with can be any lower-case name (a local stand
 * calls its zonegroup `stand`): accepted only where a custom endpoint is given.
 */
export const SIGNING_REGION_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** A region code; with `customEndpoint`, any signing region name the server may use. */
export function regionProblem(value: string, customEndpoint = false): string | undefined {
  if (REGION_PATTERN.test(value)) return undefined;
  if (customEndpoint && SIGNING_REGION_PATTERN.test(value)) return undefined;
  return customEndpoint ? 'not a region name' : 'not a region code';
}

/** S3 keys (and so key prefixes) are at most 1,024 bytes of UTF-8. */
export const MAX_KEY_PREFIX_BYTES = 1024;

/** One problem of a key prefix, with the prefix proposed instead. */
export interface PrefixProblem {
  readonly kind: 'leading-slash' | 'glob' | 'too-long';
  readonly problem: string;
  /** A prefix close to the one given that passes {@link prefixProblems}. */
  readonly near: string;
}

/**
 * A key prefix: no leading "/" (S3 keys have none), no glob characters (prefixes match
 * literally), at most 1,024 bytes. An empty prefix is the whole bucket.
 */
export function prefixProblems(value: string): PrefixProblem[] {
  const problems: PrefixProblem[] = [];
  // One proposal for both shape problems, so that the fix passes this check itself.
  const near = value.replace(/^\/+/, '').replace(/[*?].*$/, '');
  if (value.startsWith('/'))
    problems.push({
      kind: 'leading-slash',
      problem: 'a key prefix must not start with "/" (S3 keys have no leading slash)',
      near,
    });
  if (/[*?]/.test(value))
    problems.push({ kind: 'glob', problem: 'replication filters match a literal prefix, not a glob', near });
  if (Buffer.byteLength(value, 'utf8') > MAX_KEY_PREFIX_BYTES)
    problems.push({ kind: 'too-long', problem: 'a key prefix is at most 1,024 bytes', near: near.slice(0, 40) });
  return problems;
}

/**
 * A custom S3 (or other service) endpoint: `http(s)://host[:port]`, optionally with one trailing
 * slash, and nothing else (no path, query or credentials: the SDK appends its own paths).
 */
export function endpointProblem(value: string): string | undefined {
  if (!/^https?:\/\/[^/\s?#@]+\/?$/.test(value)) return 'not an http(s) endpoint (scheme, host and port only)';
  return undefined;
}

/** Text that spells a whole number (digits, surrounding blanks allowed), as its number; else NaN. */
export function wholeNumberFromText(text: string): number {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
}

/** A whole number from `min` to `max`, both included. */
export function wholeNumberProblem(value: number, min: number, max: number): string | undefined {
  if (Number.isInteger(value) && value >= min && value <= max) return undefined;
  return `must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`;
}

/** Inclusive bounds of a number. */
export interface Limits {
  readonly min: number;
  readonly max: number;
}

/**
 * A duration in seconds from `min` to `max` (both included); `human` formats a number of
 * seconds for the message (the constructs pass aws-cdk-lib's Duration wording).
 */
export function durationProblem(
  seconds: number,
  limits: Limits,
  human: (seconds: number) => string = (s) => `${s} seconds`,
): string | undefined {
  if (seconds >= limits.min && seconds <= limits.max) return undefined;
  const range =
    limits.min === 0
      ? `from 0 to ${human(limits.max)}`
      : limits.max === Infinity
        ? `at least ${human(limits.min)}`
        : `from ${human(limits.min)} to ${human(limits.max)}`;
  return `must be ${range}`;
}

/** A name used as a metric dimension value and in report keys: letters, digits, dots, hyphens, underscores. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
