/**
 * The Control Tower proactive controls (cfn-guard) over the compositions the example app does not
 * have, as template-acknowledgements.test.ts runs them over the example app: every finding is
 * acknowledged on its own resource, and every acknowledgement covers a finding there.
 */
import { rmSync } from 'node:fs';
import { GUARD_PLUGIN } from '../../lib/private/guard';
import { COMPOSITIONS } from '../support/compositions';
import { guardFindings } from '../support/guard';
import { allAcknowledgements } from '../support/nag';
import { synthesizeTo } from '../support/synth';

describe.each(COMPOSITIONS)('Control Tower controls on %s', (_name, build) => {
  test('every finding is acknowledged on its resource, and every acknowledgement covers one', () => {
    const synth = synthesizeTo(build, 'cdk-s3-dr-guard-');
    try {
      const raw = guardFindings(synth);
      const acks = allAcknowledgements(synth.app).filter((a) => a.id.startsWith(`${GUARD_PLUGIN}::`));
      const covers = (a: { id: string; path: string }, f: { rule: string; path: string }) =>
        a.id === `${GUARD_PLUGIN}::${f.rule}` && a.path === f.path;
      expect(raw.filter((f) => !acks.some((a) => covers(a, f)))).toEqual([]);
      expect(acks.filter((a) => !raw.some((f) => covers(a, f)))).toEqual([]);
      expect(acks.length).toBeGreaterThan(0);
    } finally {
      rmSync(synth.outdir, { recursive: true, force: true });
    }
  });
});
