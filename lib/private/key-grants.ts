import { Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { eventRules } from './service-principal';

/** Per key and statement id: the source ARNs the statement allows, filled in as constructs ask. */
const granted = new WeakMap<kms.IKey, Map<string, string[]>>();

/**
 * Lets an AWS service principal use a key of this app, only on behalf of `sourceArn` of this
 * account (`aws:SourceAccount`, `aws:SourceArn`): one statement per key and statement id however
 * many constructs ask, listing the source ARN of each. Keys imported from elsewhere are left alone (`addToResourcePolicy` does nothing
 * for them).
 */
export function allowServiceToUseKey(
  key: kms.IKey,
  grant: {
    readonly sid: string;
    readonly service: string;
    readonly actions: readonly string[];
    readonly sourceArn: string;
  },
): void {
  const bySid = granted.get(key) ?? new Map<string, string[]>();
  granted.set(key, bySid);
  const sources = bySid.get(grant.sid);
  if (sources) {
    if (!sources.includes(grant.sourceArn)) sources.push(grant.sourceArn);
    return;
  }
  const arns = [grant.sourceArn];
  bySid.set(grant.sid, arns);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: grant.sid,
      principals: [new iam.ServicePrincipal(grant.service)],
      actions: [...grant.actions],
      resources: ['*'], // in a key policy, "*" means this key
      conditions: {
        StringEquals: { 'aws:SourceAccount': Stack.of(key).account },
        ArnLike: { 'aws:SourceArn': Lazy.list({ produce: () => arns }) },
      },
    }),
    /* allowNoOp */ true,
  );
}

/**
 * EventBridge writes undeliverable events to KMS-encrypted dead-letter queues only if the key
 * lets it encrypt: on behalf of the rules of this account and region only.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 */
export function allowEventBridgeToUseKey(key: kms.IKey): void {
  allowServiceToUseKey(key, {
    sid: 'AllowEventBridgeDeadLetters',
    service: 'events.amazonaws.com',
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    sourceArn: eventRules(key),
  });
}
