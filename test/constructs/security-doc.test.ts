import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExampleApp } from '../../bin/example';
import { GUARD } from '../../lib/private/guard';
import { NAG, WILDCARD_REASONS } from '../../lib/private/nag';
import { testApp } from '../support/app';
import { acknowledgements } from '../support/nag';

/** docs/security.md: the security decisions and every acknowledgement the library makes. */
const page = readFileSync(join(__dirname, '..', '..', 'docs', 'security.md'), 'utf8');

describe('docs/security.md', () => {
  test.each(Object.entries(NAG))('lists the %s acknowledgement with its reason', (_name, ack) => {
    expect(page).toContain(ack.reason);
    const rule = ack.ids[0].replace(/^(NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-/, '');
    expect(page).toContain(rule);
  });

  test.each(Object.entries(WILDCARD_REASONS))('lists the %s wildcard reason', (_name, reason) => {
    expect(page).toContain(reason);
  });

  test.each(Object.entries(GUARD))('lists the %s Control Tower acknowledgement', (_name, ack) => {
    expect(page).toContain(ack.reason);
    for (const control of ack.controls) expect(page).toContain(control);
  });

  test('states the example app acknowledgement count that the app really has', () => {
    const app = testApp();
    buildExampleApp(app);
    const n = acknowledgements(app).length;
    expect(page).toContain(`The example app carries ${n} acknowledgements`);
  });
});
