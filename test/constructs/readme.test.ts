import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NAG } from '../../lib/private/nag';

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
    const rule = ack.ids[0].replace(/^[A-Za-z0-9.]+-(?=[A-Z])/, '');
    expect(readme).toContain(rule.startsWith('IAM5') ? 'AwsSolutions-IAM5' : rule);
  });
});
