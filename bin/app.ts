#!/usr/bin/env node
/**
 * The example two-region app: a primary stack in us-east-1 and a replica stack in us-west-2.
 * `npx cdk synth` synthesizes it offline (explicit example account ids, no lookups) with the
 * four cdk-nag packs and the AWS Control Tower proactive controls (cfn-guard) applied; synth
 * fails on any finding that is not acknowledged with a reason.
 */
import { App } from 'aws-cdk-lib';
import { addControlTowerChecks } from './guard';
import { addNagPacks } from './nag';
import { buildExampleApp } from './example';

const app = new App();
buildExampleApp(app);
addNagPacks(app);
addControlTowerChecks(app);
app.synth();
