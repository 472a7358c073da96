#!/usr/bin/env node
/**
 * The example two-region app: a primary stack in us-east-1 and a replica stack in us-west-2.
 * `npx cdk synth` synthesizes it offline (explicit example account ids, no lookups) with the
 * four cdk-nag packs and the AWS Control Tower proactive controls (cfn-guard) applied; synth
 * fails on any finding that is not acknowledged with a reason. `-c twoWay=both` adds a two-way
 * replicated pair in two more stacks (bin/example-two-way.ts).
 */
import { App } from 'aws-cdk-lib';
import { addControlTowerChecks } from './guard';
import { addNagPacks } from './nag';
import { buildExampleApp } from './example';
import { buildTwoWayExample, TWO_WAY_CONTEXT } from './example-two-way';

const app = new App();
buildExampleApp(app);
// Off by default: `-c twoWay=first-to-second` (first deployment), then `-c twoWay=both`.
const twoWay = app.node.tryGetContext(TWO_WAY_CONTEXT) as string | undefined;
if (twoWay !== undefined) buildTwoWayExample(app, String(twoWay));
addNagPacks(app);
addControlTowerChecks(app);
app.synth();
