/**
 * The planner's probe: what ListObjectsV2 request it sends for a start, a delimiter and a
 * sub-prefix, and how it makes the answer relative to the audited prefix. The client is the SDK's
 * own S3Client; only its transport is replaced, by a middleware that answers each ListObjectsV2 from
 * keys in memory (the in-memory listing of the partition tests) instead of sending it, so `send`,
 * the command and its input are the real ones and no server is needed.
 */
import { ListObjectsV2CommandInput, S3Client } from '@aws-sdk/client-s3';
import { keyProbe } from '../../../lambda/audit/planner';
import { CANARY_PREFIX } from '../../../lambda/shared/reserved';
import { listingOf } from '../../support/key-space';

const KEYS = [
  'other/x',
  'logs/2026/01/01/0000001.gz',
  'logs/2026/01/01/0000002.gz',
  'logs/2026/01/02/0000003.gz',
  'logs/2026/02/01/0000004.gz',
  `${CANARY_PREFIX}probe`,
].sort();

/** A real S3Client whose ListObjectsV2 requests are answered from KEYS, and the inputs it was sent. */
function clientOverKeys(): { client: S3Client; sent: ListObjectsV2CommandInput[] } {
  const client = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const sent: ListObjectsV2CommandInput[] = [];
  const { probe } = listingOf(KEYS, 1000);
  client.middlewareStack.add(
    () => async (args) => {
      const input = args.input as ListObjectsV2CommandInput;
      sent.push(input);
      const page = await probe(input.StartAfter, input.Delimiter, input.Prefix);
      return {
        output: {
          $metadata: {},
          Contents: page.keys.map((Key) => ({ Key })),
          CommonPrefixes: page.prefixes?.map((Prefix) => ({ Prefix })),
          IsTruncated: page.truncated,
        },
        response: {},
      } as never;
    },
    { step: 'initialize', name: 'answerFromMemory' },
  );
  return { client, sent };
}

test('a probe with a sub-prefix sends Prefix as the audited prefix and the sub-prefix joined', async () => {
  const { client, sent } = clientOverKeys();
  const probe = keyProbe({ client, side: 'source', bucket: 'b', prefix: 'logs/' });
  const page = await probe(undefined, '/', '2026/');
  expect(sent).toEqual([expect.objectContaining({ Bucket: 'b', Prefix: 'logs/2026/', Delimiter: '/' })]);
  expect(sent[0].StartAfter).toBeUndefined();
  // Prefixes come back relative to the audited prefix, not to the sub-prefix.
  expect(page).toEqual({ keys: [], prefixes: ['2026/01/', '2026/02/'], truncated: false });
  client.destroy();
});

test('a probe after a key inside a sub-prefix starts after the whole key', async () => {
  const { client, sent } = clientOverKeys();
  const probe = keyProbe({ client, side: 'source', bucket: 'b', prefix: 'logs/' });
  const page = await probe('2026/01/01/0000001.gz', undefined, '2026/01/');
  expect(sent[0]).toEqual(
    expect.objectContaining({ Prefix: 'logs/2026/01/', StartAfter: 'logs/2026/01/01/0000001.gz', MaxKeys: 1000 }),
  );
  expect(page).toEqual({ keys: ['2026/01/01/0000002.gz', '2026/01/02/0000003.gz'], truncated: false });
  const all = await probe(undefined);
  expect(sent[1].Prefix).toBe('logs/');
  expect(all.keys).toEqual([
    '2026/01/01/0000001.gz',
    '2026/01/01/0000002.gz',
    '2026/01/02/0000003.gz',
    '2026/02/01/0000004.gz',
  ]);
  client.destroy();
});

test('without an audited prefix or a sub-prefix a probe sends no Prefix, and leaves canaries out', async () => {
  const { client, sent } = clientOverKeys();
  const probe = keyProbe({ client, side: 'source', bucket: 'b', prefix: '' });
  const page = await probe(undefined);
  expect(sent[0].Prefix).toBeUndefined();
  expect(page.keys).toEqual(KEYS.filter((k) => !k.startsWith(CANARY_PREFIX)));
  expect(page.keys).toHaveLength(KEYS.length - 1);
  const sub = await probe(undefined, '/', 'logs/2026/');
  expect(sent[1].Prefix).toBe('logs/2026/');
  expect(sub.prefixes).toEqual(['logs/2026/01/', 'logs/2026/02/']);
  client.destroy();
});
