import { App } from 'aws-cdk-lib';
import { readFileSync, rmSync } from 'node:fs';
import { buildExampleApp } from '../../bin/example';
import { COMPOSITIONS } from '../support/compositions';
import { synthesizeTo } from '../support/synth';

interface Statement {
  readonly Principal?: { Service?: string | string[] };
  readonly Condition?: Record<string, Record<string, unknown>>;
  readonly Action: string | string[];
}

interface Grant {
  readonly where: string;
  readonly service: string;
  readonly conditionKeys: string[];
}

/**
 * The documented exceptions (lib/private/service-principal.ts): a service principal that is
 * narrowed by another key than aws:SourceAccount and aws:SourceArn, with the key it has instead.
 */
const EXCEPTIONS: Array<{ service: RegExp; kind: string; instead: string[]; reason: string }> = [
  {
    service: /^lambda\.amazonaws\.com$/,
    kind: 'AssumeRolePolicyDocument',
    instead: ['aws:SourceAccount'],
    reason: 'Lambda documents aws:SourceArn only where the function is the target, not for its execution role',
  },
  {
    service: /^logs\.[a-z0-9-]+\.amazonaws\.com$/,
    kind: 'KeyPolicy',
    instead: ['kms:EncryptionContext:aws:logs:arn'],
    reason: "CloudWatch Logs documents the log group encryption context as its key policy's condition",
  },
];

/** Every grant to a service principal in a template: trust policies, resource policies, Lambda permissions. */
function serviceGrants(template: {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}) {
  const grants: Grant[] = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    const p = r.Properties ?? {};
    for (const kind of ['AssumeRolePolicyDocument', 'KeyPolicy', 'PolicyDocument']) {
      const doc = p[kind] as { Statement?: Statement[] } | undefined;
      for (const st of doc?.Statement ?? []) {
        for (const service of ([] as string[]).concat(st.Principal?.Service ?? [])) {
          const keys = Object.values(st.Condition ?? {}).flatMap((c) => Object.keys(c));
          grants.push({ where: `${r.Type} ${id} ${kind}`, service, conditionKeys: keys });
        }
      }
    }
    if (r.Type === 'AWS::Lambda::Permission' && /\.amazonaws\.com$/.test(String(p.Principal))) {
      grants.push({
        where: `${r.Type} ${id}`,
        service: String(p.Principal),
        conditionKeys: [...(p.SourceAccount ? ['aws:SourceAccount'] : []), ...(p.SourceArn ? ['aws:SourceArn'] : [])],
      });
    }
  }
  return grants;
}

describe.each<readonly [string, (app: App) => void]>([
  ['the example app', (app) => void buildExampleApp(app)],
  ...COMPOSITIONS,
])('confused-deputy conditions in %s', (_name, build) => {
  const synth = synthesizeTo(build, 'cdk-s3-dr-principals-');
  afterAll(() => rmSync(synth.outdir, { recursive: true, force: true }));
  const grants = synth.templates.flatMap((f) => serviceGrants(JSON.parse(readFileSync(f, 'utf8'))));

  test('every grant to a service principal has aws:SourceAccount and aws:SourceArn, or its documented key', () => {
    expect(grants.length).toBeGreaterThan(2);
    const missing = grants.filter((g) => {
      const exception = EXCEPTIONS.find((e) => e.service.test(g.service) && g.where.endsWith(e.kind));
      const required = exception ? exception.instead : ['aws:SourceAccount', 'aws:SourceArn'];
      return !required.every((k) => g.conditionKeys.includes(k));
    });
    expect(missing).toEqual([]);
  });

  test('no statement lets a service principal act without any condition', () => {
    expect(grants.filter((g) => g.conditionKeys.length === 0)).toEqual([]);
  });
});

test('the exceptions are the ones the library documents', () => {
  const source = readFileSync(`${__dirname}/../../lib/private/service-principal.ts`, 'utf8');
  expect(source).toContain('`lambda.amazonaws.com` assuming a function');
  expect(source).toContain('`logs.<region>.amazonaws.com` on a key');
  for (const e of EXCEPTIONS) expect(e.reason.length).toBeGreaterThan(40);
});
