import { Annotations, Names, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';

/**
 * Cross-account disaster recovery: the source side (a `ReplicatedBucket`) grants the audits,
 * drills, probes and failover controllers of another account exactly what each one's own policy
 * asks for. Both sides register here, per app, in whichever order they are created; a grant is
 * written as soon as the source has named the consumer's account, and a consumer whose source is
 * in the app but grants nothing to its account fails validation.
 */

/** Which construct reads the source (the `Kind` in statement ids and messages). */
export type DrKind = 'Audit' | 'Drill' | 'Probe' | 'Failback' | 'Repair';

/** What one disaster recovery construct needs on its source bucket, as its own policy asks for it. */
export interface SourceAccessNeed {
  readonly kind: DrKind;
  /** Actions on the bucket itself. */
  readonly bucketActions: readonly string[];
  /** Extra conditions of the bucket statement (for example `s3:prefix`). */
  readonly bucketConditions?: Record<string, Record<string, unknown>>;
  /** Actions on objects under `objectPrefix`. */
  readonly objectActions: readonly string[];
  readonly objectPrefix: string;
  /** KMS actions on the source key, through S3 only. */
  readonly keyActions: readonly string[];
}

export interface DrConsumerProps {
  readonly sourceBucketName: string;
  readonly sourceRegion: string;
  readonly sourceAccount?: string;
  /** The consumer's role name: deterministic when the source is in another account. */
  readonly roleName?: string;
  readonly needs: readonly SourceAccessNeed[];
}

interface Consumer extends DrConsumerProps {
  readonly scope: IConstruct;
  readonly account: string;
  readonly roleArn?: string;
  granted: boolean;
}

interface Source {
  readonly scope: IConstruct;
  readonly account: string;
  readonly region: string;
  readonly bucket: s3.IBucket;
  readonly names: readonly string[];
  readonly key?: kms.IKey;
  readonly accounts: Set<string>;
  statements: number;
}

interface Registry {
  readonly sources: Source[];
  readonly consumers: Consumer[];
}

const registries = new WeakMap<IConstruct, Registry>();

function registryOf(scope: IConstruct): Registry {
  const root = scope.node.root;
  let r = registries.get(root);
  if (!r) registries.set(root, (r = { sources: [], consumers: [] }));
  return r;
}

const known = (v: string | undefined): v is string => v !== undefined && !Token.isUnresolved(v);

/** Whether a pair names a source in another account than the stack of `scope`. */
export function isCrossAccountSource(scope: IConstruct, sourceAccount: string | undefined): boolean {
  const account = Stack.of(scope).account;
  return known(sourceAccount) && known(account) && sourceAccount !== account;
}

/**
 * A unique, deterministic role name for a construct whose source is in another account: the
 * source's policies name it before it exists (`<stack>-<path>-<hash>-<region>`, at most 64).
 */
export function drRoleName(scope: IConstruct): string {
  const region = Token.isUnresolved(Stack.of(scope).region) ? '' : `-${Stack.of(scope).region}`;
  return Names.uniqueResourceName(scope, { maxLength: 64 - region.length, separator: '-' }) + region;
}

export function registerDrSource(
  scope: IConstruct,
  props: { bucket: s3.IBucket; names: readonly (string | undefined)[]; key?: kms.IKey },
): void {
  const stack = Stack.of(scope);
  registryOf(scope).sources.push({
    scope,
    account: stack.account,
    region: stack.region,
    bucket: props.bucket,
    names: props.names.filter((n): n is string => n !== undefined),
    key: props.key,
    accounts: new Set(),
    statements: 0,
  });
}

/** The source names `account`: grant every consumer of that account already registered. */
export function grantDrAccount(scope: IConstruct, account: string): void {
  const r = registryOf(scope);
  const source = r.sources.find((s) => s.scope === scope)!;
  source.accounts.add(account);
  for (const c of r.consumers) {
    if (sourceOf(r, c) === source && c.account === account) grant(source, c);
  }
}

export function registerDrConsumer(scope: IConstruct, props: DrConsumerProps): void {
  const stack = Stack.of(scope);
  const r = registryOf(scope);
  const consumer: Consumer = {
    ...props,
    scope,
    account: stack.account,
    roleArn: props.roleName ? `arn:${stack.partition}:iam::${stack.account}:role/${props.roleName}` : undefined,
    granted: false,
  };
  r.consumers.push(consumer);
  const source = sourceOf(r, consumer);
  if (source && source.accounts.has(consumer.account)) grant(source, consumer);
  scope.node.addValidation({ validate: () => check(r, consumer) });
}

function sourceOf(r: Registry, c: DrConsumerProps): Source | undefined {
  return r.sources.find((s) => s.names.includes(c.sourceBucketName));
}

function crossAccount(source: Source, c: Consumer): boolean {
  return known(source.account) && known(c.account) && source.account !== c.account;
}

/** The bucket and key statements a consumer needs on its source, for account principal + role ARN. */
function statementsFor(
  c: Consumer,
  bucketArn: string,
  arnForObjects: (pattern: string) => string,
  sid: (kind: DrKind, what: string) => string,
  /** A literal bucket ARN for the key's encryption context condition (a token would be a cycle). */
  literalBucketArn: string | undefined,
) {
  const principal = new iam.AccountPrincipal(c.account);
  const onlyTheRole = { ArnEquals: { 'aws:PrincipalArn': c.roleArn } };
  const bucket = c.needs.flatMap((n) => [
    new iam.PolicyStatement({
      sid: sid(n.kind, 'Bucket'),
      principals: [principal],
      actions: [...n.bucketActions],
      resources: [bucketArn],
      conditions: { ...onlyTheRole, ...n.bucketConditions },
    }),
    new iam.PolicyStatement({
      sid: sid(n.kind, 'Objects'),
      principals: [principal],
      actions: [...n.objectActions],
      resources: [arnForObjects(`${n.objectPrefix}*`)],
      conditions: onlyTheRole,
    }),
  ]);
  const key = c.needs
    .filter((n) => n.keyActions.length > 0)
    .map(
      (n) =>
        new iam.PolicyStatement({
          sid: sid(n.kind, 'Key'),
          principals: [principal],
          actions: [...n.keyActions],
          resources: ['*'], // in a key policy, "*" means this key
          conditions: {
            ...onlyTheRole,
            StringEquals: { 'kms:ViaService': `s3.${c.sourceRegion}.amazonaws.com` },
            ...(literalBucketArn
              ? { StringLike: { 'kms:EncryptionContext:aws:s3:arn': [literalBucketArn, `${literalBucketArn}/*`] } }
              : {}),
          },
        }),
    );
  return { bucket, key };
}

function grant(source: Source, c: Consumer): void {
  if (c.granted || !c.roleArn || !crossAccount(source, c)) return;
  c.granted = true;
  const n = ++source.statements;
  // The key policy cannot name the bucket by reference (the bucket names the key): only a literal name.
  const literal = source.names.find((name) => !Token.isUnresolved(name));
  const { bucket, key } = statementsFor(
    c,
    source.bucket.bucketArn,
    (p) => source.bucket.arnForObjects(p),
    (kind, what) => `CdkS3Dr${kind}${n}${what}`,
    literal ? `arn:${Stack.of(source.scope).partition}:s3:::${literal}` : undefined,
  );
  for (const st of bucket) {
    if (!source.bucket.addToResourcePolicy(st).statementAdded) {
      Annotations.of(source.scope).addWarningV2(
        'cdk-s3-dr:dr-bucket-policy',
        `add to the bucket policy of ${source.bucket.node.path}: ${JSON.stringify(Stack.of(source.scope).resolve(st.toStatementJson()))}`,
      );
    }
  }
  for (const st of key) {
    const added = source.key?.addToResourcePolicy(st, /* allowNoOp */ true).statementAdded;
    if (!added) {
      Annotations.of(source.scope).addWarningV2(
        'cdk-s3-dr:dr-key-policy',
        `the source key is not a key of this app: add to its key policy ${JSON.stringify(Stack.of(source.scope).resolve(st.toStatementJson()))}`,
      );
    }
  }
}

/** Validation of one consumer, once the whole app is built. */
function check(r: Registry, c: Consumer): string[] {
  const source = sourceOf(r, c);
  if (source) {
    if (!crossAccount(source, c)) return [];
    const where = `its source bucket ${source.scope.node.path} is in account ${source.account}`;
    if (!c.roleArn) {
      return [
        `${where} and this construct runs in account ${c.account}, but its pair does not say so (sourceAccount ${c.sourceAccount ?? 'not set'}); fix: spread ReplicationPairs.of(...) (it sets sourceAccount) or set sourceAccount: '${source.account}'`,
      ];
    }
    if (!source.accounts.has(c.account)) {
      return [
        `${where} and grants nothing to account ${c.account}, where this construct runs; S3 would deny its requests; fix: call grantDrAccess({ account: '${c.account}' }) on ${source.scope.node.path}`,
      ];
    }
    return [];
  }
  if (c.roleArn && known(c.sourceAccount)) {
    // The source is outside this app: say exactly what its owner must add.
    const bucketArn = `arn:${Stack.of(c.scope).partition}:s3:::${c.sourceBucketName}`;
    const { bucket, key } = statementsFor(
      c,
      bucketArn,
      (p) => `${bucketArn}/${p}`,
      (kind, what) => `CdkS3Dr${kind}${what}`,
      known(c.sourceBucketName) ? bucketArn : undefined,
    );
    const render = (sts: iam.PolicyStatement[]) =>
      JSON.stringify(sts.map((st) => Stack.of(c.scope).resolve(st.toStatementJson())));
    Annotations.of(c.scope).addWarningV2(
      'cdk-s3-dr:dr-source-grant',
      `the source bucket ${c.sourceBucketName} (account ${c.sourceAccount}) is not in this app, and this construct runs in account ${c.account}: add to its bucket policy ${render(bucket)}` +
        (key.length > 0 ? ` and to its key policy ${render(key)}` : ''),
    );
  }
  return [];
}
