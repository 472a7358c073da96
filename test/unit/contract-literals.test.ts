/**
 * Every environment variable and metric name of a handler is spelled once, in its contract: no
 * construct (lib/) and no handler module spells one as a literal again.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as audit from '../../lambda/audit/contract';
import * as drill from '../../lambda/drill/contract';
import * as failover from '../../lambda/failover/contract';
import * as probe from '../../lambda/probe/contract';
import * as repair from '../../lambda/repair/contract';
import * as replicationEvents from '../../lambda/replication-events/contract';
import { METRIC_NAMESPACE } from '../../lambda/shared/metrics';

const root = join(__dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const { dimension: _a, namespace: _an, ...auditMetrics } = audit.METRICS;
const { dimension: _d, namespace: _dn, ...drillMetrics } = drill.METRICS;
const { dimension: _p, namespace: _pn, ...probeMetrics } = probe.METRICS;
const { dimension: _f, namespace: _fn, ...failoverMetrics } = failover.METRICS;
const { dimension: _r, toDimension: _rt, namespace: _rn, ...repairMetrics } = repair.METRICS;
const drillSides = (['source', 'replica', 'restore', 'reports'] as const).flatMap((side) =>
  (['bucket', 'prefix', 'region', 'endpoint'] as const).map((field) => drill.sideEnv(side, field)),
);
const { sides: _sides, ...drillEnv } = drill.ENV;

/** The names a contract owns. */
const owned: Record<string, readonly string[]> = {
  namespace: [METRIC_NAMESPACE],
  audit: [...Object.values(audit.ENV), ...Object.values(auditMetrics)],
  drill: [...Object.values(drillEnv), ...drillSides, ...Object.values(drillMetrics)],
  probe: [...Object.values(probe.ENV), ...Object.values(probeMetrics)],
  failover: [...Object.values(failover.ENV), ...Object.values(failoverMetrics)],
  repair: [...Object.values(repair.ENV), ...Object.values(repairMetrics)],
  'replication-events': [
    replicationEvents.EVENTS.source,
    replicationEvents.EVENTS.detailType,
    replicationEvents.METRICS.unreadableNotifications,
  ],
};

/** The constructs, and the handler modules (not the contracts, which own the names). */
const files = [
  ...tsFiles(join(root, 'lib')),
  ...['audit', 'drill', 'probe', 'failover', 'replication-events', 'repair'].flatMap((h) =>
    tsFiles(join(root, 'lambda', h)),
  ),
].filter((f) => !f.endsWith('contract.ts'));

describe('contract names are spelled once', () => {
  test('the scan covers the constructs and the handlers', () => {
    expect(files.some((f) => f.endsWith(join('lib', 'audit', 'consistency-audit.ts')))).toBe(true);
    expect(files.some((f) => f.endsWith(join('lambda', 'drill', 'index.ts')))).toBe(true);
    expect(Object.values(owned).flat().length).toBeGreaterThan(60);
  });

  test.each(Object.entries(owned))('no literal of the %s contract outside it', (_contract, names) => {
    const found: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const name of names) {
        if (text.includes(`'${name}'`) || text.includes(`"${name}"`)) found.push(`${relative(root, file)}: '${name}'`);
      }
    }
    expect(found).toEqual([]);
  });
});
