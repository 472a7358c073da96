/**
 * Key prefixes this library reserves. They are part of the public contract (documented in
 * docs/monitoring.md and docs/audit.md): audits skip the canary prefix, and nothing else is ever written by the library
 * to a source or replica bucket.
 */

/** The probe's canary objects in the source bucket: the only writes this library makes to a source. */
export const CANARY_PREFIX = '.cdk-s3-dr/canary/';

/** The default prefix of a restore drill's scratch objects in its restore target. */
export const DRILL_PREFIX = 'cdk-s3-dr-drill/';
