import { Stack, Token } from 'aws-cdk-lib';
import type { ReplicationPair } from '../replication/replication-pair';
import { PropProblem } from './errors';
import { checkBucketName, checkKeyArn, checkRegion, checkStackRegion, regionOfArn } from './validate';

/** Shared checks of a source/replica pair, for the audit and the drill. */
export function sameSideProblems(stack: Stack, p: ReplicationPair): PropProblem[] {
  const problems: PropProblem[] = [
    ...checkStackRegion('env.region (stack)', stack.region, 'that it runs in the replica region'),
    ...checkBucketName('sourceBucketName', p.sourceBucketName),
    ...checkBucketName('replicaBucketName', p.replicaBucketName),
    ...checkRegion('sourceRegion', p.sourceRegion),
    ...checkRegion('replicaRegion', p.replicaRegion),
    ...checkKeyArn('sourceKeyArn', p.sourceKeyArn),
    ...checkKeyArn('replicaKeyArn', p.replicaKeyArn),
  ];
  const known = (v: string | undefined): v is string => v !== undefined && !Token.isUnresolved(v);
  if (
    known(p.sourceBucketName) &&
    known(p.replicaBucketName) &&
    p.sourceBucketName === p.replicaBucketName &&
    p.sourceRegion === p.replicaRegion
  ) {
    problems.push({
      prop: 'replicaBucketName',
      value: p.replicaBucketName,
      problem: 'the replica is the source bucket itself',
      fix: 'name the replica bucket of the replication rule',
    });
  }
  if (known(p.replicaRegion) && known(stack.region) && p.replicaRegion !== stack.region) {
    problems.push({
      prop: 'replicaRegion',
      value: p.replicaRegion,
      problem: `this stack is in ${stack.region}; audits and drills run in the replica region so they survive a source outage`,
      fix: `create the construct in a stack of ${p.replicaRegion}`,
    });
  }
  for (const [prop, arn, region] of [
    ['sourceKeyArn', p.sourceKeyArn, p.sourceRegion],
    ['replicaKeyArn', p.replicaKeyArn, p.replicaRegion],
  ] as const) {
    const r = regionOfArn(arn);
    if (known(r) && known(region) && r !== region) {
      problems.push({
        prop,
        value: arn,
        problem: `the key is in ${r} but its bucket is in ${region}`,
        fix: `use the bucket's key from ${region}`,
      });
    }
  }
  return problems;
}
