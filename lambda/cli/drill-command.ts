import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { outputFailed, checkOutputPath } from './output-paths';
import { COPY_MODES, CopyMode, DEFAULTS } from '../drill/contract';
import { newDrillId } from '../drill/core/key-mapping';
import {
  assertDrillOptions,
  DEFAULT_CONCURRENCY,
  DEFAULT_SAMPLE_SIZE,
  describePlan,
  DrillLocation,
  DrillOptions,
  MAX_CONCURRENCY,
  MAX_SAMPLE_SIZE,
  planDrill,
} from '../drill/core/options';
import { parseIsoTime, parseSampleMode, parseWholeNumber } from '../drill/core/parse';
import { summarizeDrill } from '../drill/core/report';
import { newSeed } from '../drill/core/sampling';
import { runDrill } from '../drill/run-drill';
import { IncompleteError, UsageError } from '../shared/errors';
import { DRILL_PREFIX } from '../shared/reserved';
import { parseS3Uri } from '../shared/s3-uri';
import { CliIO, Progress } from './io';
import { endpointOption, EXIT_CODES_HELP, LIMITS_HELP, PAIR_OPTIONS, parseOptions, regionOption } from './options';

export const DRILL_USAGE = `usage: cdk-s3-dr drill --source s3://bucket[/prefix] --replica s3://bucket[/prefix] --restore-to s3://bucket[/prefix] [options]

Restores a sample of the replica into a scratch target, verifies every restored object byte for
byte (SHA-256 against the same source version; against the replica's checksum or ETag when the
source is down), estimates the RTO and removes everything it wrote. It never writes to the source
or the replica: the restore target must be another bucket, and the drill writes only under
<restore-to prefix>/<drill id>/ (prefix ${DRILL_PREFIX} when none is given).

options:
  --source URI              the source bucket and prefix (read only, for verification)
  --replica URI             the replica bucket and prefix to drill (read only)
  --restore-to URI          the scratch bucket and prefix to restore into
  --source-region R, --replica-region R, --restore-region R
                            regions (default AWS_REGION; the restore target defaults to the replica's)
  --source-endpoint URL, --replica-endpoint URL, --restore-endpoint URL
                            S3-compatible endpoints (the restore target defaults to the replica's)
  --sample N                objects to restore (default ${DEFAULT_SAMPLE_SIZE})
  --sample-mode MODE        random (default, seeded), newest, or prefix (the first N in key order)
  --seed TEXT               seed of the random sample, to repeat a drill (default: a fresh one, reported)
  --as-of TIME              point in time (ISO 8601, e.g. 2026-11-20T12:00:00Z): restore the prefix as it was then
  --concurrency N           parallel restores (default ${DEFAULT_CONCURRENCY})
  --copy MODE               auto (default): server-side (CopyObject, the target reads the replica
                            directly) when replica and target are on one endpoint or AWS partition,
                            streamed (GET + PUT through the drill) where they are not;
                            server-side or stream to force one (the report says which ran and why)
  --server-side-copy        the same as --copy server-side
  --allow-unverifiable      let objects that cannot be verified pass
  --report FILE             write the JSON report to FILE ('-' for stdout)
  --max-attempts N          attempts per S3 request, first included (default 10)
${LIMITS_HELP}
  --help                    this text

${EXIT_CODES_HELP}`;

/** The names of the options, as the CLI spells them, for validation messages. */
const CLI_NAMES = {
  source: '--source',
  replica: '--replica',
  restoreTo: '--restore-to',
  sampleSize: '--sample',
  sampleMode: '--sample-mode',
  concurrency: '--concurrency',
  maxAttempts: '--max-attempts',
  asOf: '--as-of',
  copyMode: '--copy',
};

function parse(args: string[]) {
  return parseOptions('drill', args, {
    ...PAIR_OPTIONS,
    'restore-to': { type: 'string' },
    'restore-endpoint': { type: 'string' },
    'restore-region': { type: 'string' },
    sample: { type: 'string' },
    'sample-mode': { type: 'string' },
    seed: { type: 'string' },
    'as-of': { type: 'string' },
    concurrency: { type: 'string' },
    copy: { type: 'string' },
    'server-side-copy': { type: 'boolean' },
    'allow-unverifiable': { type: 'boolean' },
    report: { type: 'string' },
    'max-attempts': { type: 'string' },
  });
}

/** A point in time to restore must have happened: a future one would silently mean "now". */
function notInFuture(t: Date, raw: string): Date {
  if (t.getTime() > Date.now()) {
    throw new UsageError(
      `--as-of "${raw}" is in the future: give a past time (or leave --as-of out to restore the current objects)`,
    );
  }
  return t;
}

/** `--copy MODE`, or `--server-side-copy` (its older spelling); the default is auto. */
function copyModeOption(copy: string | undefined, serverSide: boolean | undefined): CopyMode {
  if (copy !== undefined && !(COPY_MODES as readonly string[]).includes(copy)) {
    throw new UsageError(`--copy "${copy}" is unknown: use ${COPY_MODES.join(', ')}`);
  }
  if (serverSide && copy !== undefined && copy !== 'server-side') {
    throw new UsageError(
      `--server-side-copy and --copy ${copy} contradict each other: give one (--server-side-copy is --copy server-side)`,
    );
  }
  return serverSide ? 'server-side' : ((copy as CopyMode | undefined) ?? DEFAULTS.copyMode);
}

/** Turns the command line into drill options; UsageError names the option, the value and the fix. */
export function drillOptionsFromArgs(args: string[], env: NodeJS.ProcessEnv): DrillOptions & { report?: string } {
  const v = parse(args);
  for (const [opt, val] of [
    ['--source', v.source],
    ['--replica', v.replica],
    ['--restore-to', v['restore-to']],
  ] as const) {
    if (!val) throw new UsageError(`${opt} is required: give it as s3://bucket[/prefix] (see --help)`);
  }
  const defaultRegion = regionOption(
    env.AWS_REGION ? 'AWS_REGION' : 'AWS_DEFAULT_REGION',
    env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
  );
  const region = (opt: string, val: string | undefined, fallback?: string): string => {
    const r = regionOption(opt, val) ?? fallback;
    if (!r)
      throw new UsageError(
        `${opt} is required when AWS_REGION is not set: give the bucket's region, e.g. ${opt} eu-west-1`,
      );
    return r;
  };
  const src = parseS3Uri(v.source!, '--source');
  const rep = parseS3Uri(v.replica!, '--replica');
  const dst = parseS3Uri(v['restore-to']!, '--restore-to');
  const replica: DrillLocation = {
    ...rep,
    region: region('--replica-region', v['replica-region'], defaultRegion),
    endpoint: endpointOption('--replica-endpoint', v['replica-endpoint']),
  };
  const source: DrillLocation = {
    ...src,
    region: region('--source-region', v['source-region'], defaultRegion),
    endpoint: endpointOption('--source-endpoint', v['source-endpoint']),
  };
  const restoreTo: DrillLocation = {
    ...dst,
    region: regionOption('--restore-region', v['restore-region']) ?? replica.region,
    endpoint:
      endpointOption('--restore-endpoint', v['restore-endpoint']) ??
      (v['restore-region'] ? undefined : replica.endpoint),
  };
  if (v.seed !== undefined && v.seed.length === 0)
    throw new UsageError('--seed "" is empty: give any text, e.g. --seed 42');
  return {
    source,
    replica,
    restoreTo,
    sampleSize:
      v.sample === undefined ? DEFAULT_SAMPLE_SIZE : parseWholeNumber('--sample', v.sample, 1, MAX_SAMPLE_SIZE),
    sampleMode: v['sample-mode'] === undefined ? 'random' : parseSampleMode('--sample-mode', v['sample-mode']),
    seed: v.seed,
    asOf: v['as-of'] === undefined ? undefined : notInFuture(parseIsoTime('--as-of', v['as-of']), v['as-of']),
    concurrency:
      v.concurrency === undefined
        ? DEFAULT_CONCURRENCY
        : parseWholeNumber('--concurrency', v.concurrency, 1, MAX_CONCURRENCY),
    maxAttempts:
      v['max-attempts'] === undefined ? undefined : parseWholeNumber('--max-attempts', v['max-attempts'], 1, 100),
    copyMode: copyModeOption(v.copy, v['server-side-copy']),
    allowUnverifiable: v['allow-unverifiable'] ?? false,
    report: v.report,
  };
}

/** `cdk-s3-dr drill`: 0 passed, 1 drill failures; throws UsageError (2) and IncompleteError (3). */
export async function drillCommand(args: string[], io: CliIO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(DRILL_USAGE);
    return 0;
  }
  const { report: reportFile, ...options } = drillOptionsFromArgs(args, io.env);
  assertDrillOptions(options, CLI_NAMES);
  if (reportFile !== undefined && reportFile !== '-') checkOutputPath('--report', reportFile);
  const drillId = newDrillId(new Date());
  const seed = options.seed ?? newSeed(() => randomBytes(4).readUInt32BE() / 0x100000000);
  for (const line of describePlan(planDrill(options, drillId, seed))) io.err(line);
  const progress = new Progress(io);
  const report = await runDrill(
    { ...options, drillId, seed },
    {
      onProgress: (p) =>
        progress.update(
          p.total === undefined ? `${p.phase}: ${p.done}` : `${p.phase}: ${p.done}/${p.total}`,
          p.total ? p.done / p.total : undefined,
        ),
    },
  ).finally(() => progress.done());
  const json = JSON.stringify(report, null, 2);
  if (reportFile === '-') io.out(json);
  for (const line of summarizeDrill(report)) io.err(line);
  if (reportFile !== undefined && reportFile !== '-') {
    try {
      writeFileSync(reportFile, json + '\n');
    } catch (err) {
      throw outputFailed(
        '--report',
        reportFile,
        err,
        `the drill ${report.passed ? 'passed' : 'failed'} (summary above) but its report is lost`,
      );
    }
  }
  if (!report.cleanup.complete) {
    throw new IncompleteError(
      `the drill could not remove ${report.cleanup.leftovers.length} scratch object version(s) it wrote (${report.cleanup.error})`,
      `delete them by version id (they are listed in the report's cleanup.leftovers), under s3://${options.restoreTo.bucket}/${report.plan.writes.onlyUnder}`,
    );
  }
  return report.passed ? 0 : 1;
}
