import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExampleApp } from '../../bin/example';
import { NAG, WILDCARD_REASONS } from '../../lib/private/nag';
import { testApp } from '../support/app';
import { acknowledgements } from '../support/nag';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

describe('README', () => {
  test('shows the two commands first', () => {
    const firstCode = readme.indexOf('```sh');
    expect(readme.slice(firstCode, readme.indexOf('```', firstCode + 5))).toMatch(
      /npm ci && npx cdk synth[\s\S]*npm test/,
    );
    expect(readme.indexOf('## The two commands')).toBeLessThan(readme.indexOf('## Contents'));
  });

  test.each(Object.entries(NAG))('lists the %s acknowledgement with its reason', (_name, ack) => {
    expect(readme).toContain(ack.reason);
    const rule = ack.ids[0].replace(/^(NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-/, '');
    expect(readme).toContain(rule);
  });

  test.each(Object.entries(WILDCARD_REASONS))('lists the %s wildcard reason', (_name, reason) => {
    expect(readme).toContain(reason);
  });

  test('states the example app acknowledgement count that the app really has', () => {
    const app = testApp();
    buildExampleApp(app);
    const n = acknowledgements(app).length;
    expect(readme).toContain(`The example app carries ${n} acknowledgements`);
  });
});
