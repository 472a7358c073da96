import { decodeBatch, handler, replicationEventMetrics } from '../../../lambda/replication-events';

const notification = (key: string, failureReason: string) =>
  JSON.stringify({
    Records: [
      {
        eventName: 'Replication:OperationFailedReplication',
        eventTime: '2026-01-01T00:00:00.000Z',
        awsRegion: 'us-east-1',
        s3: { bucket: { name: 'src' }, object: { key, versionId: 'v1' } },
        replicationEventData: { destinationBucket: 'arn:aws:s3:::dst', failureReason },
      },
    ],
  });

/** A batch as EventBridge Pipes passes it from an SQS source. */
const sqsMessage = (body: string, id = 'm1') => ({
  messageId: id,
  receiptHandle: 'AQEB-example',
  body,
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1767225600000' },
  messageAttributes: {},
  md5OfBody: 'x',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:111111111111:events',
  awsRegion: 'us-east-1',
});

describe('replication-events pipe enrichment', () => {
  let out: string[];
  let spy: jest.SpyInstance;
  beforeEach(() => {
    out = [];
    spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
  });
  afterEach(() => spy.mockRestore());

  test('returns one decoded event per record of a pipe batch, in order, skipping test events', async () => {
    const result = await handler([
      sqsMessage(notification('a', 'DstKmsKeyNotFound'), 'm1'),
      sqsMessage(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'src' }), 'm2'),
      sqsMessage(notification('b', 'AssumeRoleNotPermitted'), 'm3'),
    ]);
    expect(result.map((e) => [e.key, e.failureReason])).toEqual([
      ['a', 'DstKmsKeyNotFound'],
      ['b', 'AssumeRoleNotPermitted'],
    ]);
    expect(result[0].message).toBe(
      'replication of s3://src/a (version v1) to s3://dst failed: the destination KMS key does not exist (DstKmsKeyNotFound); check the replica key ARN in the replication rule',
    );
  });

  test('logs each event as a JSON line and emits EMF counts per source bucket', async () => {
    await handler([sqsMessage(notification('a', 'DstKmsKeyNotFound')), sqsMessage('not json')]);
    const lines = out.map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.eventName)).toEqual([
      'Replication:OperationFailedReplication',
      'Unreadable',
    ]);
    const emf = lines.filter((l) => l._aws);
    expect(emf.map((l) => [l.SourceBucket, l.OperationFailedReplication, l.UnreadableNotifications])).toEqual([
      ['src', 1, undefined],
      ['unknown', undefined, 1],
    ]);
    expect(emf[0]._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'CdkS3Dr', Dimensions: [['SourceBucket']] });
  });

  test('a malformed message still becomes an event; the handler never throws', async () => {
    const result = await handler([sqsMessage('{"Records": ['), { messageId: 'x' }, null]);
    expect(result).toHaveLength(3);
    expect(result.every((e) => e.eventName === 'Unreadable')).toBe(true);
    expect(result[1].message).toContain('the pipe passed no string body');
  });

  test('a single message object (not an array) is decoded too', () => {
    expect(decodeBatch(sqsMessage(notification('a', 'SrcObjectNotEligible')))).toHaveLength(1);
  });

  test('metrics count events by type per bucket', () => {
    const [m] = replicationEventMetrics([
      { message: 'x', eventName: 'Replication:OperationFailedReplication', bucket: 'b' },
      { message: 'y', eventName: 'Replication:OperationFailedReplication', bucket: 'b' },
      { message: 'z', eventName: 'Replication:OperationMissedThreshold', bucket: 'b' },
    ]);
    expect(m.toEmf(0)).toMatchObject({ SourceBucket: 'b', OperationFailedReplication: 2, OperationMissedThreshold: 1 });
  });
});
