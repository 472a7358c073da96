import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';

const granted = new WeakMap<kms.IKey, Set<string>>();

/**
 * Lets an AWS service principal use a key of this app, for this account only
 * (`aws:SourceAccount`), once per key and statement id however many constructs ask. Keys imported
 * from elsewhere are left alone (`addToResourcePolicy` does nothing for them).
 */
export function allowServiceToUseKey(
  key: kms.IKey,
  grant: { readonly sid: string; readonly service: string; readonly actions: readonly string[] },
): void {
  const done = granted.get(key) ?? new Set<string>();
  if (done.has(grant.sid)) return;
  done.add(grant.sid);
  granted.set(key, done);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: grant.sid,
      principals: [new iam.ServicePrincipal(grant.service)],
      actions: [...grant.actions],
      resources: ['*'], // in a key policy, "*" means this key
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(key).account } },
    }),
    /* allowNoOp */ true,
  );
}

/**
 * EventBridge writes undeliverable events to KMS-encrypted dead-letter queues only if the key
 * lets it encrypt.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 */
export function allowEventBridgeToUseKey(key: kms.IKey): void {
  allowServiceToUseKey(key, {
    sid: 'AllowEventBridgeDeadLetters',
    service: 'events.amazonaws.com',
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
  });
}
