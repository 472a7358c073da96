import { parseFailoverConfig, parseFailoverEvent } from '../../../../lambda/failover/core/config';
import { catchUpPollSeconds } from '../../../../lambda/failover/run-failover';
import { RepairConfig } from '../../../../lambda/repair/contract';
import { parseRepairEvent } from '../../../../lambda/repair/core/event';

const side = (bucket: string) => ({ bucket, region: 'eu-west-1' });

describe('the repair Lambda event', () => {
  test('applies defaults: plan only, to the replica, no deletes', () => {
    expect(parseRepairEvent({ source: side('src-b'), replica: side('rep-b') }, 900)).toEqual({
      source: { bucket: 'src-b', prefix: '', region: 'eu-west-1' },
      replica: { bucket: 'rep-b', prefix: '', region: 'eu-west-1' },
      to: 'replica',
      apply: false,
      delete: false,
      lagWindowSeconds: 900,
      mode: 'current',
    });
  });

  test('lists every problem at once, naming the field, the value and the fix', () => {
    const bad = () =>
      parseRepairEvent(
        {
          source: { bucket: 'Bad_Bucket', region: 'EU' },
          to: 'backup',
          apply: 'yes',
          lagWindowSeconds: -1,
          mode: 'all',
        },
        900,
      );
    expect(bad).toThrow(/source.bucket "Bad_Bucket" is not a bucket name/);
    expect(bad).toThrow(/source.region "EU" is not a region name/);
    expect(bad).toThrow(/replica is required/);
    expect(bad).toThrow(/to "backup" is not a side: use "replica" or "source"/);
    expect(bad).toThrow(/apply must be true or false, got "yes"/);
    expect(bad).toThrow(/lagWindowSeconds must be a whole number of seconds from 0, got -1/);
    expect(bad).toThrow(/mode "all" is unknown/);
  });

  test('refuses the same bucket on both sides and a non-object event', () => {
    expect(() => parseRepairEvent({ source: side('same-b'), replica: side('same-b') }, 0)).toThrow(
      /source and replica are the same bucket "same-b"/,
    );
    expect(() => parseRepairEvent('repair', 0)).toThrow(/event must be a JSON object/);
  });
});

describe('the event of a function deployed for one pair and direction', () => {
  const deployed: RepairConfig = {
    source: { bucket: 'src-b', region: 'us-east-1', prefix: 'p/' },
    replica: { bucket: 'rep-b', region: 'us-west-2', prefix: 'p/' },
    to: 'source',
    allowDelete: false,
    lagWindowSeconds: 300,
    mode: 'versions',
  };

  test('takes the pair, the side, the mode and the lag window from the deployment', () => {
    expect(parseRepairEvent({ apply: true }, 900, deployed)).toEqual({
      source: { bucket: 'src-b', region: 'us-east-1', prefix: 'p/' },
      replica: { bucket: 'rep-b', region: 'us-west-2', prefix: 'p/' },
      to: 'source',
      apply: true,
      delete: false,
      lagWindowSeconds: 300,
      mode: 'versions',
    });
    // Naming the same pair and side is allowed; the lag window may be overridden.
    expect(
      parseRepairEvent(
        { source: deployed.source, replica: deployed.replica, to: 'source', lagWindowSeconds: 0 },
        900,
        deployed,
      ),
    ).toMatchObject({ to: 'source', apply: false, lagWindowSeconds: 0 });
  });

  test('refuses another pair, the other side, another mode and a delete its role may not make, all at once', () => {
    const bad = () =>
      parseRepairEvent(
        { source: { bucket: 'other-b', region: 'us-east-1' }, to: 'replica', mode: 'current', delete: true },
        900,
        deployed,
      );
    expect(bad).toThrow(
      /source \{"bucket":"other-b","region":"us-east-1"\} is not this function's source: it repairs s3:\/\/src-b\/p\/ \(us-east-1\) -> s3:\/\/rep-b\/p\/ \(us-west-2\) only/,
    );
    expect(bad).toThrow(/to "replica": this function writes only to the source, the one side its role may write/);
    expect(bad).toThrow(/mode "current": this function audits in mode "versions"/);
    expect(bad).toThrow(/delete true: this function was deployed without allowDelete/);
    expect(parseRepairEvent({ apply: true, delete: true }, 900, { ...deployed, allowDelete: true }).delete).toBe(true);
  });
});

describe('failback settings', () => {
  const base = {
    plan: 'pointer',
    source: { bucket: 'data-src', region: 'eu-west-1' },
    replica: { bucket: 'data-rep', region: 'eu-central-1' },
    parameterName: '/app/s3-active',
    alarmName: 'a',
    probeName: 'p',
    reports: { bucket: 'app-reports', region: 'eu-central-1' },
  };

  test('two-way replication is off by default; the pending window is 900 s', () => {
    const c = parseFailoverConfig(base);
    expect([c.twoWayReplication, c.failbackCatchUpSeconds]).toEqual([false, 900]);
    const t = parseFailoverConfig({ ...base, twoWayReplication: true, failbackCatchUpSeconds: 60 });
    expect([t.twoWayReplication, t.failbackCatchUpSeconds]).toEqual([true, 60]);
  });

  test('bad values name the key and the range', () => {
    expect(() => parseFailoverConfig({ ...base, twoWayReplication: 'yes' })).toThrow(
      /twoWayReplication must be true or false, got "yes"/,
    );
    expect(() => parseFailoverConfig({ ...base, failbackCatchUpSeconds: -5 })).toThrow(
      /failbackCatchUpSeconds must be a whole number from 0 to 86400, got -5/,
    );
    expect(() => parseFailoverConfig({ ...base, twoWayReplicaton: true })).toThrow(/did you mean "twoWayReplication"/);
  });

  test('a failback event may approve the repair', () => {
    expect(parseFailoverEvent({ action: 'failback', apply: true }, 'a')).toMatchObject({
      action: 'failback',
      apply: true,
    });
    expect(parseFailoverEvent({ action: 'failback' }, 'a')).toMatchObject({ apply: false });
    expect(() => parseFailoverEvent({ action: 'failback', apply: 1 }, 'a')).toThrow(/apply must be true or false/);
  });

  test('the catch-up polls a tenth of the window, from 1 to 30 s', () => {
    expect([catchUpPollSeconds(3), catchUpPollSeconds(120), catchUpPollSeconds(3600)]).toEqual([1, 12, 30]);
  });
});
