import { App } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExampleApp } from '../../bin/example';
import { nagFindings } from '../support/nag';
import { templateSemantics } from '../support/template-semantics';

/**
 * Every construct behaves the same whatever the app's feature flags: an app with none set (a bare
 * `new App()`, aws-cdk-lib's old defaults) and an app with the flags `cdk init` writes today
 * (aws-cdk-lib's recommended-feature-flags.json) must grant and configure exactly the same things.
 * The example app composes every construct of the library.
 */
const INIT_FLAGS: Record<string, unknown> = JSON.parse(
  readFileSync(join(require.resolve('aws-cdk-lib/package.json'), '..', 'recommended-feature-flags.json'), 'utf8'),
);

function synth(context: Record<string, unknown>) {
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  buildExampleApp(app);
  const assembly = app.synth();
  return { app, templates: Object.fromEntries(assembly.stacks.map((s) => [s.stackName, s.template])) };
}

describe('feature flags', () => {
  const bare = synth({});
  const init = synth(INIT_FLAGS);

  test('the flags cdk init writes are the ones the example app uses', () => {
    const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;
    expect(Object.keys(INIT_FLAGS).length).toBeGreaterThan(50);
    for (const [flag, value] of Object.entries(INIT_FLAGS)) expect([flag, cdkJson[flag]]).toEqual([flag, value]);
  });

  test.each(['S3DrReplica', 'S3DrPrimary'])(
    '%s grants and configures the same with no flags and with cdk init flags',
    (stack) => {
      const a = templateSemantics(bare.templates[stack]);
      const b = templateSemantics(init.templates[stack]);
      expect(a.length).toBeGreaterThan(50);
      expect(a.filter((line) => !b.includes(line))).toEqual([]);
      expect(b.filter((line) => !a.includes(line))).toEqual([]);
    },
  );

  test('server access logs are delivered through a bucket policy, never an ACL, in a bare app', () => {
    for (const template of Object.values(bare.templates)) {
      const resources = Object.values(template.Resources as Record<string, { Type: string; Properties?: any }>);
      const buckets = resources.filter((r) => r.Type === 'AWS::S3::Bucket');
      expect(buckets.length).toBeGreaterThan(0);
      for (const bucket of buckets) {
        expect(bucket.Properties?.AccessControl).toBeUndefined();
        expect(bucket.Properties?.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
      }
      const logged = buckets.filter((b) => b.Properties?.LoggingConfiguration);
      const logPolicies = resources.filter(
        (r) => r.Type === 'AWS::S3::BucketPolicy' && JSON.stringify(r.Properties).includes('logging.s3.amazonaws.com'),
      );
      expect(logged.length).toBeGreaterThan(0);
      expect(logPolicies.length).toBeGreaterThan(0);
    }
  });

  test('a bare app has no unacknowledged cdk-nag finding', () => {
    expect(nagFindings(bare.app)).toEqual([]);
  });
});
