/**
 * Self-chosen audit ranges: partitioning overhead and range balance, on synthetic key sets probed
 * in memory the way ListObjectsV2 answers (1,000 entries after StartAfter, S3 byte order; with a
 * Delimiter, CommonPrefixes rolled up and counted among the 1,000). Prints, per
 * layout and range count, the planning requests against the list requests of a two-sided audit
 * (one per 1,000 keys per side) and the largest range over the smallest, for a plan from a sample
 * and for a plan from the previous run's page boundaries; for the sample, also its round trips
 * (requests sent while none other was in flight: each waits for the one before) and the largest
 * range over the mean (the wall time of ranges listed side by side against even ones). Asserts
 * nothing.
 *
 *   npm run bench:partition -- [--keys 1000000] [--budget 20] [--layout <part of a layout's name>]
 */
import { KeyProbe, planFromSample, planRanges, sampleKeySpace } from '../lambda/audit/core';
import { balanceOf as balance, keyLayouts, listingOf, overMean, sortedKeys } from '../test/support/key-space';
import { numberArg, stringArg } from './args';

const n = numberArg('keys', 1_000_000);
const budget = numberArg('budget', 20);
const only = stringArg('layout', '');
const layouts = Object.entries(keyLayouts(n)).filter(([name]) => name.includes(only));

async function main() {
  console.log(`self-chosen ranges on ${n} keys; sample budget ${budget} list requests`);
  console.log(
    '| layout | ranges | sample: requests / listing | sample: round trips | sample: largest / smallest | sample: largest / mean | page boundaries: largest / smallest |',
  );
  console.log('|---|---|---|---|---|---|---|');
  if (layouts.length === 0) throw new Error(`--layout ${only}: no layout's name contains it`);
  for (const [name, gen] of layouts) {
    const keys = sortedKeys(gen);
    const listing = 2 * Math.ceil(keys.length / 1000);
    const pageEnds = keys.filter((_, i) => i % 1000 === 999 || i === keys.length - 1);
    for (const count of [4, 16]) {
      const listed = listingOf(keys).probe;
      let inFlight = 0;
      let trips = 0;
      const probe: KeyProbe = async (...args) => {
        if (inFlight++ === 0) trips++;
        try {
          return await listed(...args);
        } finally {
          inFlight--;
        }
      };
      const sample = await sampleKeySpace(probe, { maxRequests: budget });
      const planned = planFromSample(sample, count).ranges;
      const fromSample = balance(keys, planned);
      const fromPages = balance(keys, planRanges({ count, sampleKeys: pageEnds }));
      const pct = ((100 * sample.requests) / listing).toFixed(2);
      console.log(
        `| ${name} | ${count} | ${sample.requests} / ${listing} = ${pct}% | ${trips} | ${fromSample.toFixed(2)}x | ${overMean(keys, planned).toFixed(2)}x | ${fromPages.toFixed(2)}x (0 requests) |`,
      );
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
