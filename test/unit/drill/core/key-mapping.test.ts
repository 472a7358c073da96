import {
  drillIdProblem,
  drillRoot,
  newDrillId,
  normalizeRestorePrefix,
  sourceKeyFor,
  targetKey,
  targetKeyProblem,
} from '../../../../lambda/drill/core/key-mapping';
import { DRILL_PREFIX } from '../../../../lambda/shared/reserved';

describe('drill key mapping', () => {
  test('uses the reserved drill prefix when no restore prefix is given', () => {
    expect(normalizeRestorePrefix('')).toBe(DRILL_PREFIX);
    expect(normalizeRestorePrefix(undefined)).toBe(DRILL_PREFIX);
    expect(drillRoot('', 'drill-1')).toBe(`${DRILL_PREFIX}drill-1/`);
  });

  test('adds a slash to the restore prefix and writes under <prefix>/<drillId>/<full key>', () => {
    expect(drillRoot('restores', 'd1')).toBe('restores/d1/');
    expect(drillRoot('restores/', 'd1')).toBe('restores/d1/');
    expect(targetKey('restores/d1/', 'data/2026/a.bin')).toBe('restores/d1/data/2026/a.bin');
  });

  test('flags scratch keys over 1024 bytes', () => {
    expect(targetKeyProblem('r/d/' + 'k'.repeat(1021))).toMatch(/1025 bytes long, over S3's 1024/);
    expect(targetKeyProblem('r/d/' + 'k'.repeat(1020))).toBeUndefined();
    // Multi-byte characters count by their UTF-8 length.
    expect(targetKeyProblem('é'.repeat(513))).toMatch(/1026 bytes/);
  });

  test('maps replica keys to source keys across different prefixes', () => {
    expect(sourceKeyFor('data/a', 'data/', 'data/')).toBe('data/a');
    expect(sourceKeyFor('replica/a', 'replica/', 'src/')).toBe('src/a');
    expect(sourceKeyFor('x/a', '', '')).toBe('x/a');
  });

  test('makes sortable, key-safe drill ids and rejects unsafe given ones', () => {
    const id = newDrillId(new Date('2026-11-20T12:34:56.789Z'), () => 0.5);
    expect(id).toBe('drill-20261120T123456Z-80000000');
    expect(drillIdProblem(id)).toBeUndefined();
    expect(drillIdProblem('../escape')).toMatch(/drill id "..\/escape" must be/);
    expect(drillIdProblem('a/b')).toMatch(/must be/);
  });
});
