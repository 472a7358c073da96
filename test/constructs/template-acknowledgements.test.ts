import { Aspects, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildExampleApp } from '../../bin/example';
import { WriteNagAcknowledgementsToTemplate } from '../../bin/nag';
import {
  ReplicaBucket,
  ReplicatedBucket,
  ReplicatedBucketProps,
  ReplicationDestination,
  ReplicationFailureEvents,
} from '../../lib';
import { GUARD, GUARD_PLUGIN } from '../../lib/private/guard';
import { GuardFinding, guardFindings } from '../support/guard';
import { Acknowledgement, allAcknowledgements, nagFindings, stripAcknowledgements } from '../support/nag';
import { SynthesizedApp, synthesizeTo } from '../support/synth';
import { testApp } from '../support/app';

/** The page that lists the acknowledgements and states their counts. */
const securityPage = readFileSync(join(__dirname, '..', '..', 'docs', 'security.md'), 'utf8');

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: {
    cdk_nag?: { rules_to_suppress: Array<{ id: string; reason: string }> };
    guard?: { SuppressedRules: string[]; Reasons: Record<string, string> };
  };
}

/** Every resource of every template, with its construct path. */
function resources(synth: SynthesizedApp): Array<TemplateResource & { path: string }> {
  return synth.templates.flatMap((file) => {
    const template = JSON.parse(readFileSync(file, 'utf8')) as { Resources: Record<string, TemplateResource> };
    return Object.entries(template.Resources).map(([logicalId, r]) => ({
      ...r,
      path: synth.pathOf(file, logicalId) ?? `${file}#${logicalId}`,
    }));
  });
}

describe('acknowledgements written into the example app templates', () => {
  let synth: SynthesizedApp;
  let rawGuard: GuardFinding[];
  let guardAcks: Acknowledgement[];
  beforeAll(() => {
    synth = synthesizeTo((app) => {
      buildExampleApp(app);
      Aspects.of(app).add(new WriteNagAcknowledgementsToTemplate());
    }, 'cdk-s3-dr-acks-');
    rawGuard = guardFindings(synth);
    // Before the cdk-nag test strips every acknowledgement from the tree.
    guardAcks = allAcknowledgements(synth.app).filter((a) => a.id.startsWith(`${GUARD_PLUGIN}::`));
  }, 180_000);
  afterAll(() => rmSync(synth.outdir, { recursive: true, force: true }));

  test('cdk-nag: as many as docs/security.md states, each on a resource where its finding occurs', () => {
    const written = resources(synth).flatMap((r) =>
      (r.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((a) => ({ id: a.id, reason: a.reason, path: r.path })),
    );
    expect(securityPage).toContain(`The example app carries ${written.length} acknowledgements`);
    stripAcknowledgements(synth.app);
    const raw = nagFindings(synth.app);
    const stray = written.filter((a) => !raw.some((f) => f.rule === a.id && f.path === a.path));
    expect(stray).toEqual([]);
    expect(written.length).toBeGreaterThan(0);
  });

  test('Control Tower: the example app has no unacknowledged finding', () => {
    expect(rawGuard.length).toBeGreaterThan(0);
    const acks = guardAcks;
    const uncovered = rawGuard.filter(
      (f) => !acks.some((a) => a.id === `${GUARD_PLUGIN}::${f.rule}` && a.path === f.path),
    );
    expect(uncovered).toEqual([]);
  });

  test('Control Tower: every acknowledgement covers a real finding on its resource and is in the template', () => {
    const acks = guardAcks;
    const stray = acks.filter((a) => !rawGuard.some((f) => a.id === `${GUARD_PLUGIN}::${f.rule}` && a.path === f.path));
    expect(stray).toEqual([]);
    const byPath = new Map(resources(synth).map((r) => [r.path, r]));
    for (const a of acks) {
      const rule = a.id.slice(GUARD_PLUGIN.length + 2);
      expect(byPath.get(a.path)?.Metadata?.guard?.SuppressedRules).toContain(rule);
      expect(byPath.get(a.path)?.Metadata?.guard?.Reasons[rule]).toBe(a.reason);
    }
    expect(securityPage).toContain(`The example app carries ${acks.length} Control Tower acknowledgements`);
  });

  test('CT.KMS.PR.3: every key denies kms:CreateGrant unless it is for an AWS resource or from an AWS service', () => {
    expect(rawGuard.filter((f) => f.control === 'CT.KMS.PR.3')).toEqual([]);
    const keys = resources(synth).filter((r) => r.Type === 'AWS::KMS::Key');
    expect(keys.length).toBeGreaterThan(1);
    for (const key of keys) {
      const statements = (key.Properties?.KeyPolicy as { Statement: unknown[] }).Statement;
      expect(statements).toContainEqual({
        Sid: 'DenyGrantsExceptForAwsServices',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      });
    }
  });

  test.each(Object.entries(GUARD))('docs/security.md lists the %s Control Tower acknowledgement', (_name, ack) => {
    expect(securityPage).toContain(ack.reason);
    for (const control of ack.controls) expect(securityPage).toContain(control);
  });
});

describe('Control Tower acknowledgements that depend on the props', () => {
  function sourceBucketGuardRules(props: Partial<ReplicatedBucketProps>, withEvents: boolean): string[] {
    const app = testApp();
    const west = new Stack(app, 'West', { env: { account: '111111111111', region: 'us-west-2' } });
    const east = new Stack(app, 'East', { env: { account: '111111111111', region: 'us-east-1' } });
    const replica = new ReplicaBucket(west, 'Replica', { objectLockEnabled: props.objectLockEnabled });
    const data = new ReplicatedBucket(east, 'Data', {
      destinations: [ReplicationDestination.toReplicaBucket(replica)],
      ...props,
    });
    if (withEvents) new ReplicationFailureEvents(east, 'Events', { replicatedBucket: data, targetRegion: 'us-west-2' });
    const template = Template.fromStack(east);
    const bucket = template.toJSON().Resources[east.resolve((data.bucket.node.defaultChild as CfnResource).logicalId)];
    return bucket.Metadata?.guard?.SuppressedRules ?? [];
  }

  test('a source bucket without replication events acknowledges the missing notifications; with them it does not', () => {
    expect(sourceBucketGuardRules({}, false)).toContain('s3_event_notifications_enabled_check');
    expect(sourceBucketGuardRules({}, true)).not.toContain('s3_event_notifications_enabled_check');
  });

  test('Object Lock and lifecycle are acknowledged only when they are off', () => {
    expect(sourceBucketGuardRules({}, true)).toEqual(
      expect.arrayContaining(['s3_bucket_object_lock_enabled_check', 's3_lifecycle_policy_check']),
    );
    const rules = sourceBucketGuardRules(
      { objectLockEnabled: true, lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }] },
      true,
    );
    expect(rules).not.toContain('s3_bucket_object_lock_enabled_check');
    expect(rules).not.toContain('s3_lifecycle_policy_check');
    expect(rules).not.toContain('s3_version_lifecycle_policy_check');
  });
});
