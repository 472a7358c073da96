import { App } from 'aws-cdk-lib';
import { buildExampleApp } from '../../bin/example';
import { testApp } from '../support/app';
import { COMPOSITIONS } from '../support/compositions';
import { acknowledgements, nagFindings, stripAcknowledgements, unusedAcknowledgements } from '../support/nag';

describe.each<readonly [string, (app: App) => void]>([
  ['the example app', (app) => void buildExampleApp(app)],
  ...COMPOSITIONS,
])('cdk-nag on %s', (_name, build) => {
  test('has zero findings in all four packs', () => {
    const app = testApp();
    build(app);
    expect(nagFindings(app)).toEqual([]);
  });

  test('acknowledges only real findings, each with a reason', () => {
    const app = testApp();
    build(app);
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) expect(a.reason.length).toBeGreaterThan(40);
    stripAcknowledgements(app);
    const raw = nagFindings(app);
    expect(raw.length).toBeGreaterThan(0);
    expect(unusedAcknowledgements(acks, raw)).toEqual([]);
  });
});
