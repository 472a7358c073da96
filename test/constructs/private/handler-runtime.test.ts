/**
 * cdk-nag's AwsSolutions-L1 asks for the newest Node.js runtime the installed aws-cdk-lib knows.
 * The handlers run on the one they are tested on, and the acknowledgement exists only when the
 * installed aws-cdk-lib knows a newer one. A newer aws-cdk-lib is stood in for by declaring one
 * more runtime, which aws-cdk-lib's own Runtime constructor adds to Runtime.ALL, as its releases
 * do; jest gives this file a module registry of its own, so no other test file sees it.
 */
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { buildExampleApp } from '../../../bin/example';
import { HANDLER_RUNTIME, newerNodeRuntimeKnown } from '../../../lib/private/dr-function';
import { NAG } from '../../../lib/private/nag';
import { testApp } from '../../support/app';
import { acknowledgements, nagFindings, stripAcknowledgements } from '../../support/nag';

const l1 = <T extends { id?: string; rule?: string }>(rules: T[]): T[] =>
  rules.filter((r) => (r.id ?? r.rule) === 'AwsSolutions-L1');

describe('the handlers’ runtime and AwsSolutions-L1', () => {
  test('with the aws-cdk-lib this repository pins: the newest Node.js runtime, no acknowledgement', () => {
    expect(newerNodeRuntimeKnown()).toBe(false);
    const app = testApp();
    buildExampleApp(app);
    expect(l1(acknowledgements(app))).toEqual([]);
    stripAcknowledgements(app);
    expect(l1(nagFindings(app))).toEqual([]);
  });

  test('with an aws-cdk-lib that knows a newer one: the same runtime, each function acknowledged with the reason', () => {
    const major = Number(/^nodejs(\d+)/.exec(HANDLER_RUNTIME.name)![1]);
    new lambda.Runtime(`nodejs${major + 2}.x`, lambda.RuntimeFamily.NODEJS);
    expect(newerNodeRuntimeKnown()).toBe(true);

    const app = testApp();
    const ex = buildExampleApp(app);
    expect(nagFindings(app)).toEqual([]);
    const acks = l1(acknowledgements(app));
    const functions = app.node.findAll().filter((c) => c instanceof lambda.CfnFunction);
    expect(functions.length).toBeGreaterThan(0);
    expect(acks.map((a) => a.path).sort()).toEqual(functions.map((f) => f.node.path).sort());
    for (const a of acks) expect(a.reason).toBe(NAG.HANDLER_RUNTIME.reason);
    expect(NAG.HANDLER_RUNTIME.reason).toContain(`run on ${HANDLER_RUNTIME.name}`);
    const fn = ex.audit.node.findAll().find((c) => c instanceof lambda.CfnFunction) as lambda.CfnFunction;
    expect(fn.runtime).toBe(HANDLER_RUNTIME.name);

    stripAcknowledgements(app);
    expect(
      l1(nagFindings(app))
        .map((f) => (f as { path: string }).path)
        .sort(),
    ).toEqual(functions.map((f) => f.node.path).sort());
  });
});
