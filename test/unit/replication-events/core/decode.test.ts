import {
  decodeNotification,
  describeFailureReason,
  FAILURE_REASONS,
  FAILURE_REASONS_URL,
} from '../../../../lambda/replication-events/core/decode';

/**
 * Shaped like the example message in the AWS docs ("Receiving replication failure events with
 * Amazon S3 Event Notifications"): event version 2.2, principal s3.amazonaws.com, the
 * replicationEventData block with rule id, destination bucket ARN, operation, request time and
 * failure reason.
 */
const awsDocsFailure = {
  Records: [
    {
      eventVersion: '2.2',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: '2024-09-05T21:04:32.527Z',
      eventName: 'Replication:OperationFailedReplication',
      userIdentity: { principalId: 's3.amazonaws.com' },
      requestParameters: { sourceIPAddress: 's3.amazonaws.com' },
      responseElements: { 'x-amz-request-id': '123bf045-2b4b-4ca8-a1c8-example', 'x-amz-id-2': 'example-id-2' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'ReplicationEventName',
        bucket: {
          name: 'amzn-s3-demo-bucket1',
          ownerIdentity: { principalId: 'A1EXAMPLE' },
          arn: 'arn:aws:s3:::amzn-s3-demo-bucket1',
        },
        object: {
          key: 'replication-object-put-test.png',
          size: 520080,
          eTag: 'e12345ca7e88a38428305d3ff7fcb99f',
          versionId: 'abc',
          sequencer: '0066DA1A5B8E3A4E5B',
        },
      },
      replicationEventData: {
        replicationRuleId: 'notification-test-replication-rule',
        destinationBucket: 'arn:aws:s3:::amzn-s3-demo-bucket2',
        s3Operation: 'OBJECT_PUT',
        requestTime: '2024-09-05T21:03:59.168Z',
        failureReason: 'AssumeRoleNotPermitted',
      },
    },
  ],
};

function record(eventName: string, data: Record<string, unknown> = {}, key = 'k', versionId: string | null = 'v1') {
  return {
    eventName,
    eventTime: '2026-01-01T00:00:00.000Z',
    awsRegion: 'us-east-1',
    s3: { bucket: { name: 'src' }, object: { key, ...(versionId ? { versionId } : {}) } },
    replicationEventData: { destinationBucket: 'arn:aws:s3:::dst', ...data },
  };
}

const body = (...records: unknown[]) => JSON.stringify({ Records: records });

describe('FAILURE_REASONS', () => {
  // The 28 reasons of the AWS table "Amazon S3 replication failure reasons".
  const AWS_REASONS = [
    'AssumeRoleNotPermitted',
    'DstBucketInvalidRegion',
    'DstBucketNotFound',
    'DstBucketObjectLockConfigMissing',
    'DstBucketUnversioned',
    'DstDelObjNotPermitted',
    'DstKmsKeyInvalidState',
    'DstKmsKeyNotFound',
    'DstMultipartCompleteNotPermitted',
    'DstMultipartInitNotPermitted',
    'DstMultipartPartUploadNotPermitted',
    'DstObjectHardDeleted',
    'DstPutAclNotPermitted',
    'DstPutLegalHoldNotPermitted',
    'DstPutObjectNotPermitted',
    'DstPutTaggingNotPermitted',
    'DstVersionNotFound',
    'InitiateReplicationNotPermitted',
    'SrcBucketInvalidRegion',
    'SrcBucketNotFound',
    'SrcBucketReplicationConfigMissing',
    'SrcGetAclNotPermitted',
    'SrcGetObjectNotPermitted',
    'SrcGetTaggingNotPermitted',
    'SrcHeadObjectNotPermitted',
    'SrcKmsKeyInvalidState',
    'SrcObjectNotEligible',
    'SrcVersionNotFound',
  ];

  test('has exactly the reasons of the AWS table', () => {
    expect(Object.keys(FAILURE_REASONS).sort()).toEqual([...AWS_REASONS].sort());
  });

  test.each(AWS_REASONS)('%s decodes to its own readable line with what to check', (reason) => {
    const [e] = decodeNotification(body(record('Replication:OperationFailedReplication', { failureReason: reason })));
    const info = FAILURE_REASONS[reason];
    expect(e.failureReason).toBe(reason);
    expect(e.message).toBe(
      `replication of s3://src/k (version v1) to s3://dst failed: ${info.text} (${reason}); check ${info.check}`,
    );
    // Lower case start, no trailing period, something to check.
    expect(info.text).toMatch(/^[a-zS]/);
    expect(info.text).not.toMatch(/\.$/);
    expect(info.check.length).toBeGreaterThan(10);
  });

  test('every line is distinct', () => {
    const lines = Object.keys(FAILURE_REASONS).map((r) => describeFailureReason(r));
    expect(new Set(lines).size).toBe(lines.length);
  });

  test('the four Batch Replication-only reasons are marked', () => {
    expect(
      Object.entries(FAILURE_REASONS)
        .filter(([, i]) => i.batchOnly)
        .map(([r]) => r)
        .sort(),
    ).toEqual([
      'DstBucketInvalidRegion',
      'DstObjectHardDeleted',
      'InitiateReplicationNotPermitted',
      'SrcBucketInvalidRegion',
    ]);
  });
});

describe('decodeNotification', () => {
  test('decodes the AWS docs example to the expected line and fields', () => {
    expect(decodeNotification(JSON.stringify(awsDocsFailure))).toEqual([
      {
        message:
          'replication of s3://amzn-s3-demo-bucket1/replication-object-put-test.png (version abc) to s3://amzn-s3-demo-bucket2 failed: ' +
          'S3 could not assume the replication role (AssumeRoleNotPermitted); check that the role exists, that its trust policy lets ' +
          's3.amazonaws.com assume it, and that the replication configuration names it',
        eventName: 'Replication:OperationFailedReplication',
        bucket: 'amzn-s3-demo-bucket1',
        key: 'replication-object-put-test.png',
        versionId: 'abc',
        failureReason: 'AssumeRoleNotPermitted',
        eventTime: '2024-09-05T21:04:32.527Z',
        region: 'us-east-1',
        destinationBucket: 'amzn-s3-demo-bucket2',
        ruleId: 'notification-test-replication-rule',
        s3Operation: 'OBJECT_PUT',
      },
    ]);
  });

  test('the destination KMS key line reads as documented for the README', () => {
    const [e] = decodeNotification(
      body(record('Replication:OperationFailedReplication', { failureReason: 'DstKmsKeyNotFound' }, 'key', 'abc')),
    );
    expect(e.message).toBe(
      'replication of s3://src/key (version abc) to s3://dst failed: the destination KMS key does not exist (DstKmsKeyNotFound); check the replica key ARN in the replication rule',
    );
  });

  test('an unknown reason is kept verbatim with a generic line', () => {
    const [e] = decodeNotification(
      body(record('Replication:OperationFailedReplication', { failureReason: 'DstSomethingNew' })),
    );
    expect(e.failureReason).toBe('DstSomethingNew');
    expect(e.message).toBe(
      `replication of s3://src/k (version v1) to s3://dst failed: S3 gave the failure reason DstSomethingNew, which this library does not know; see ${FAILURE_REASONS_URL}`,
    );
  });

  test('a reason that is an Object.prototype name is still unknown', () => {
    const [e] = decodeNotification(
      body(record('Replication:OperationFailedReplication', { failureReason: 'toString' })),
    );
    expect(e.message).toContain('S3 gave the failure reason toString, which this library does not know');
  });

  test('a failure without a reason says so', () => {
    const [e] = decodeNotification(body(record('Replication:OperationFailedReplication')));
    expect(e.failureReason).toBeUndefined();
    expect(e.message).toContain('failed: S3 gave no failure reason');
  });

  test('the other three replication event types have their own lines', () => {
    const events = decodeNotification(
      body(
        record('Replication:OperationMissedThreshold', { threshold: '15 minutes' }),
        record('Replication:OperationReplicatedAfterThreshold', { replicationTime: '2026-01-01T00:20:00Z' }),
        record('Replication:OperationNotTracked'),
      ),
    );
    expect(events.map((e) => e.message)).toEqual([
      'replication of s3://src/k (version v1) to s3://dst missed the Replication Time Control threshold (15 minutes) and has not completed yet',
      'replication of s3://src/k (version v1) to s3://dst completed after the Replication Time Control threshold at 2026-01-01T00:20:00Z',
      'replication of s3://src/k (version v1) to s3://dst is no longer tracked by S3 replication metrics; check its replication status (HeadObject x-amz-replication-status)',
    ]);
  });

  test('several records give one event each, in order', () => {
    const events = decodeNotification(
      body(
        record('Replication:OperationFailedReplication', { failureReason: 'DstBucketNotFound' }, 'a'),
        record('Replication:OperationFailedReplication', { failureReason: 'SrcGetObjectNotPermitted' }, 'b'),
        record('Replication:OperationNotTracked', {}, 'c'),
      ),
    );
    expect(events.map((e) => [e.key, e.failureReason, e.eventName])).toEqual([
      ['a', 'DstBucketNotFound', 'Replication:OperationFailedReplication'],
      ['b', 'SrcGetObjectNotPermitted', 'Replication:OperationFailedReplication'],
      ['c', undefined, 'Replication:OperationNotTracked'],
    ]);
  });

  test('URL-encoded keys are decoded; a malformed escape keeps the raw key', () => {
    const [a, b] = decodeNotification(
      body(
        record('Replication:OperationNotTracked', {}, 'my+folder/caf%C3%A9.txt'),
        record('Replication:OperationNotTracked', {}, 'bad%E0%A4%A'),
      ),
    );
    expect(a.key).toBe('my folder/café.txt');
    expect(b.key).toBe('bad%E0%A4%A');
  });

  test('no version id and no destination are left out of the line', () => {
    const r = record('Replication:OperationFailedReplication', { failureReason: 'DstBucketUnversioned' }, 'k', null);
    delete (r.replicationEventData as Record<string, unknown>).destinationBucket;
    const [e] = decodeNotification(body(r));
    expect(e.message).toMatch(/^replication of s3:\/\/src\/k to its destination failed: versioning is not enabled/);
    expect(e).not.toHaveProperty('versionId');
  });

  test('the s3:TestEvent yields nothing', () => {
    const test = {
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: '2026-01-01T00:00:00.000Z',
      Bucket: 'src',
      RequestId: 'r',
      HostId: 'h',
    };
    expect(decodeNotification(JSON.stringify(test))).toEqual([]);
  });

  test.each([
    ['not JSON', '{"Records": [', 'it is not JSON'],
    ['JSON without Records', '{"hello": 1}', 'it has no Records list'],
    ['a JSON array', '[1, 2]', 'it has no Records list'],
    ['an empty Records list', '{"Records": []}', 'its Records list is empty'],
    ['null', 'null', 'it has no Records list'],
  ])('a malformed body (%s) gives one line saying so, never a throw', (_name, input, why) => {
    const events = decodeNotification(input);
    expect(events).toHaveLength(1);
    expect(events[0].eventName).toBe('Unreadable');
    expect(events[0].message).toBe(
      `an unreadable message reached the replication events queue (${why}); it starts with: ${JSON.stringify(input)}`,
    );
  });

  test('a long malformed body is cut to 200 characters in the line', () => {
    const [e] = decodeNotification('x'.repeat(5000));
    expect(e.message).toContain(JSON.stringify('x'.repeat(200) + '...'));
    expect(e.message.length).toBeLessThan(400);
  });

  test('a record that is not an object, or has no s3 block, still gives a line', () => {
    const events = decodeNotification(
      JSON.stringify({ Records: [42, { eventName: 'Replication:OperationNotTracked' }] }),
    );
    expect(events[0]).toMatchObject({ eventName: 'Unreadable' });
    expect(events[0].message).toContain('a record is not an object');
    expect(events[1].message).toContain('s3://(unknown bucket)/(unknown key)');
  });

  test('a notification that is not a replication event is named as such', () => {
    const [e] = decodeNotification(body(record('ObjectCreated:Put')));
    expect(e.message).toBe(
      "an S3 notification that is not a replication event (ObjectCreated:Put) for s3://src/k (version v1) reached the replication events queue; check the bucket's notification configuration",
    );
  });
});
