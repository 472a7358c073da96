import { mrapComposition } from '../support/compositions';
import { testApp } from '../support/app';
import { acknowledgements, nagFindings, stripAcknowledgements, unusedAcknowledgements } from '../support/nag';

describe.each([['an MRAP composition with alarm forwarding', mrapComposition]])('cdk-nag on %s', (_name, build) => {
  test('has zero findings in all four packs', () => {
    const app = testApp();
    build(app);
    expect(nagFindings(app)).toEqual([]);
  });

  test('acknowledges only real findings, each with a reason', () => {
    const app = testApp();
    build(app);
    const acks = acknowledgements(app);
    for (const a of acks) expect(a.reason.length).toBeGreaterThan(40);
    stripAcknowledgements(app);
    expect(unusedAcknowledgements(acks, nagFindings(app))).toEqual([]);
  });
});
