import {
  ConfirmPolicy,
  confirmOutage,
  Datapoint,
  decide,
  DecisionInput,
  leavesAllPassive,
  planFailback,
} from '../../../../lambda/failover/core/decide';
import {
  PointerValue,
  RoutingState,
  Sides,
  simulateDials,
  someActive,
  summarizeRouting,
} from '../../../../lambda/failover/core/routing';

const sides: Sides = {
  source: { bucket: 'data-src', region: 'eu-west-1' },
  replica: { bucket: 'data-rep', region: 'eu-central-1' },
};
const NOW = Date.parse('2026-06-01T12:00:00Z');
const MIN = 60_000;
const policy: ConfirmPolicy = { unavailable: { failing: 3, window: 5 } };

/** Datapoints one minute apart, oldest first, the last at NOW. */
function series(...values: number[]): Datapoint[] {
  return values.map((value, i) => ({ at: NOW - (values.length - 1 - i) * MIN, value }));
}

function ptr(side: 'source' | 'replica', since = '2026-05-01T00:00:00Z'): PointerValue {
  return { ...sides[side], since, reason: 'test' };
}

const onSource: RoutingState = {
  plan: 'pointer',
  pointers: [
    { region: 'eu-central-1', state: 'ok', value: ptr('source') },
    { region: 'eu-west-1', state: 'ok', value: ptr('source') },
  ],
};
const mrapOnSource: RoutingState = {
  plan: 'mrap',
  routes: [
    { region: 'eu-west-1', bucket: 'data-src', dial: 100 },
    { region: 'eu-central-1', bucket: 'data-rep', dial: 0 },
  ],
};

function input(over: Partial<DecisionInput> = {}): DecisionInput {
  return {
    now: NOW,
    mode: 'automatic',
    plan: 'pointer',
    sides,
    alarmState: 'ALARM',
    availability: series(1, 0, 0, 0, 0),
    routing: onSource,
    cooldownMs: 60 * MIN,
    policy,
    ...over,
  };
}

describe('confirmOutage (N of M)', () => {
  test('confirms when at least N of the last M are unavailable and the latest is', () => {
    expect(confirmOutage(policy, series(1, 1, 0, 0, 0)).confirmed).toBe(true);
  });
  test('one flapping datapoint does not confirm', () => {
    const c = confirmOutage(policy, series(1, 1, 1, 0, 1, 1, 0));
    expect(c.confirmed).toBe(false);
    expect(c.reasons.join()).toMatch(/2 of the last 5/);
  });
  test('only the last M datapoints count', () => {
    // Three old failures, then five good ones.
    expect(confirmOutage(policy, series(0, 0, 0, 1, 1, 1, 1, 1)).confirmed).toBe(false);
  });
  test('a source that recovered in the latest datapoint is not confirmed', () => {
    const c = confirmOutage(policy, series(0, 0, 0, 0, 1));
    expect(c.confirmed).toBe(false);
    expect(c.reasons.join()).toMatch(/latest shows it available/);
  });
  test('no datapoints at all does not confirm', () => {
    expect(confirmOutage(policy, []).confirmed).toBe(false);
  });
  test('datapoints in any order are sorted by time', () => {
    expect(confirmOutage(policy, series(1, 1, 0, 0, 0).reverse()).confirmed).toBe(true);
  });
  test('lag above the RPO for M datapoints confirms; a missed canary counts as over', () => {
    const lagPolicy: ConfirmPolicy = { ...policy, lag: { thresholdSeconds: 900, window: 3 } };
    const avail = series(1, 1, 1, 1, 1);
    expect(confirmOutage(lagPolicy, avail, series(10, 1000, 2000), []).confirmed).toBe(false);
    expect(
      confirmOutage(
        lagPolicy,
        avail,
        [
          { at: NOW - 2 * MIN, value: 1000 },
          { at: NOW - MIN, value: 2000 },
        ],
        series(0, 0, 1),
      ).confirmed,
    ).toBe(true);
    expect(confirmOutage(lagPolicy, avail, series(1000, 2000, 3000)).confirmed).toBe(true);
    expect(confirmOutage(lagPolicy, avail, series(1000, 20, 3000)).confirmed).toBe(false);
  });
});

describe('decide: fail over', () => {
  test('pointer: replica region first, then the source region', () => {
    const d = decide(input());
    expect(d.action).toBe('fail-over');
    expect(d.execute).toBe(true);
    expect(d.steps.map((s) => s.region)).toEqual(['eu-central-1', 'eu-west-1']);
    for (const s of d.steps) {
      expect(s.kind === 'put-pointer' && s.value.bucket).toBe('data-rep');
      expect(s.kind === 'put-pointer' && s.value.since).toBe(new Date(NOW).toISOString());
    }
  });
  test('mrap: replica to 100 before source to 0', () => {
    const d = decide(input({ plan: 'mrap', routing: mrapOnSource }));
    expect(d.action).toBe('fail-over');
    expect(d.steps).toEqual([
      { kind: 'set-route', region: 'eu-central-1', bucket: 'data-rep', dial: 100 },
      { kind: 'set-route', region: 'eu-west-1', bucket: 'data-src', dial: 0 },
    ]);
    expect(leavesAllPassive(mrapOnSource, d.steps)).toBe(false);
  });
  test('the alarm alone is not enough: flapping data means no failover', () => {
    const d = decide(input({ availability: series(1, 0, 1, 1, 0) }));
    expect(d.action).toBe('none');
    expect(d.steps).toEqual([]);
    expect(d.reasons.join('\n')).toMatch(/not confirmed by the probe data/);
  });
  test('data alone is not enough when the alarm is OK', () => {
    const d = decide(input({ alarmState: 'OK' }));
    expect(d.action).toBe('none');
    expect(d.reasons.join('\n')).toMatch(/alarm state is OK/);
  });
  test('an alarm that was not found does not fail over', () => {
    expect(decide(input({ alarmState: undefined })).action).toBe('none');
  });
  test('cooldown: no automatic failover soon after the last change', () => {
    const d = decide(input({ lastChange: { direction: 'fail-back', at: NOW - 10 * MIN } }));
    expect(d.action).toBe('none');
    expect(d.reasons.join('\n')).toMatch(/cooldown.*2026-06-01T12:50:00.000Z/);
  });
  test('cooldown over: fails over', () => {
    expect(decide(input({ lastChange: { direction: 'fail-back', at: NOW - 61 * MIN } })).action).toBe('fail-over');
  });
  test('force skips alarm, data and cooldown', () => {
    const d = decide(
      input({ force: true, alarmState: 'OK', availability: [], lastChange: { direction: 'fail-back', at: NOW - MIN } }),
    );
    expect(d.action).toBe('fail-over');
    expect(d.steps).toHaveLength(2);
  });
  test('approval mode: awaits approval with the plan, changes nothing', () => {
    const d = decide(input({ mode: 'approval' }));
    expect(d.action).toBe('await-approval');
    expect(d.pending).toBe('fail-over');
    expect(d.execute).toBe(false);
    expect(d.steps).toHaveLength(2);
  });
  test('dry-run mode: the action it would take, not executed', () => {
    const d = decide(input({ mode: 'dry-run' }));
    expect(d.action).toBe('fail-over');
    expect(d.execute).toBe(false);
    expect(d.reasons.join('\n')).toMatch(/dry-run/);
  });
});

describe('decide: idempotence and interrupted runs', () => {
  test('pointer already on the replica everywhere: nothing to do', () => {
    const routing: RoutingState = {
      plan: 'pointer',
      pointers: [
        { region: 'eu-central-1', state: 'ok', value: ptr('replica') },
        { region: 'eu-west-1', state: 'ok', value: ptr('replica') },
      ],
    };
    const d = decide(input({ routing, force: true }));
    expect(d.action).toBe('none');
    expect(d.reasons.join('\n')).toMatch(/already points to the replica/);
  });
  test('mrap already on the replica: nothing to do', () => {
    const routing: RoutingState = {
      plan: 'mrap',
      routes: [
        { region: 'eu-west-1', dial: 0 },
        { region: 'eu-central-1', dial: 100 },
      ],
    };
    expect(decide(input({ plan: 'mrap', routing })).action).toBe('none');
  });
  test('replica pointer updated, source region unreadable (down): counts as done', () => {
    const routing: RoutingState = {
      plan: 'pointer',
      pointers: [
        { region: 'eu-central-1', state: 'ok', value: ptr('replica') },
        { region: 'eu-west-1', state: 'unreadable', error: 'connect ECONNREFUSED' },
      ],
    };
    expect(decide(input({ routing })).action).toBe('none');
  });
  test('pointer updated in one region only: completes it, even in the cooldown and with an OK alarm', () => {
    const routing: RoutingState = {
      plan: 'pointer',
      pointers: [
        { region: 'eu-central-1', state: 'ok', value: ptr('replica', '2026-06-01T11:59:00Z') },
        { region: 'eu-west-1', state: 'ok', value: ptr('source', '2026-05-01T00:00:00Z') },
      ],
    };
    const d = decide(
      input({
        routing,
        alarmState: 'OK',
        availability: series(1, 1, 1),
        lastChange: { direction: 'fail-over', at: NOW - MIN },
      }),
    );
    expect(d.action).toBe('complete-partial');
    expect(d.target).toBe('replica');
    expect(d.steps).toHaveLength(1);
    expect(d.steps[0]).toMatchObject({ kind: 'put-pointer', region: 'eu-west-1', target: 'replica' });
  });
  test('interrupted failback (source pointer newer): completes toward the source', () => {
    const routing: RoutingState = {
      plan: 'pointer',
      pointers: [
        { region: 'eu-central-1', state: 'ok', value: ptr('replica', '2026-06-01T10:00:00Z') },
        { region: 'eu-west-1', state: 'ok', value: ptr('source', '2026-06-01T11:00:00Z') },
      ],
    };
    const d = decide(input({ routing }));
    expect(d.action).toBe('complete-partial');
    expect(d.target).toBe('source');
    expect(d.steps).toEqual([expect.objectContaining({ region: 'eu-central-1', target: 'source' })]);
  });
  test('missing parameter counts as the source', () => {
    const routing: RoutingState = {
      plan: 'pointer',
      pointers: [
        { region: 'eu-central-1', state: 'missing' },
        { region: 'eu-west-1', state: 'missing' },
      ],
    };
    const d = decide(input({ routing }));
    expect(d.action).toBe('fail-over');
    expect(d.steps).toHaveLength(2);
  });
  test('nothing readable: no change', () => {
    const routing: RoutingState = {
      plan: 'pointer',
      pointers: [
        { region: 'eu-central-1', state: 'unreadable' },
        { region: 'eu-west-1', state: 'unreadable' },
      ],
    };
    const d = decide(input({ routing, force: true }));
    expect(d.action).toBe('none');
    expect(d.reasons.join('\n')).toMatch(/routing state unknown/);
  });
  test('mrap both active after an interrupted failover: sets the source to 0', () => {
    const routing: RoutingState = {
      plan: 'mrap',
      routes: [
        { region: 'eu-west-1', dial: 100 },
        { region: 'eu-central-1', dial: 100 },
      ],
    };
    const d = decide(input({ plan: 'mrap', routing, lastChange: { direction: 'fail-over', at: NOW - MIN } }));
    expect(d.action).toBe('complete-partial');
    expect(d.steps).toEqual([{ kind: 'set-route', region: 'eu-west-1', bucket: 'data-src', dial: 0 }]);
  });
  test('mrap both active with no record: left alone', () => {
    const routing: RoutingState = {
      plan: 'mrap',
      routes: [
        { region: 'eu-west-1', dial: 100 },
        { region: 'eu-central-1', dial: 100 },
      ],
    };
    const d = decide(input({ plan: 'mrap', routing }));
    expect(d.action).toBe('none');
    expect(d.reasons.join('\n')).toMatch(/active-active/);
  });
  test('mrap both passive: never left so; restores the replica when the outage is confirmed', () => {
    const routing: RoutingState = {
      plan: 'mrap',
      routes: [
        { region: 'eu-west-1', dial: 0 },
        { region: 'eu-central-1', dial: 0 },
      ],
    };
    const d = decide(input({ plan: 'mrap', routing }));
    expect(d.action).toBe('complete-partial');
    expect(d.steps[0]).toEqual({ kind: 'set-route', region: 'eu-central-1', bucket: 'data-rep', dial: 100 });
    expect(d.steps).toHaveLength(1);
    const healthy = decide(input({ plan: 'mrap', routing, availability: series(1, 1, 1, 1, 1) }));
    expect(healthy.steps).toEqual([{ kind: 'set-route', region: 'eu-west-1', bucket: 'data-src', dial: 100 }]);
  });
  test('a route missing for a side: unknown, no change', () => {
    const routing: RoutingState = { plan: 'mrap', routes: [{ region: 'eu-west-1', dial: 100 }] };
    expect(decide(input({ plan: 'mrap', routing })).action).toBe('none');
  });
});

describe('never all passive', () => {
  test('no generated plan has a moment with every region passive', () => {
    const dials = [0, 100];
    for (const a of dials)
      for (const b of dials)
        for (const direction of ['fail-over', 'fail-back'] as const) {
          const routing: RoutingState = {
            plan: 'mrap',
            routes: [
              { region: 'eu-west-1', dial: a },
              { region: 'eu-central-1', dial: b },
            ],
          };
          const d = decide(input({ plan: 'mrap', routing, force: true, lastChange: { direction, at: NOW - MIN } }));
          const updates = d.steps.flatMap((s) => (s.kind === 'set-route' ? [{ region: s.region, dial: s.dial }] : []));
          const states = simulateDials(routing.routes!, updates);
          for (const st of states) expect(someActive(st)).toBe(true);
          // And the end state has exactly one active side.
          const end = states.length ? states[states.length - 1] : routing.routes!;
          if (d.steps.length) expect(end.filter((r) => r.dial > 0)).toHaveLength(1);
        }
  });
  test('leavesAllPassive detects a bad order', () => {
    expect(
      leavesAllPassive(mrapOnSource, [
        { kind: 'set-route', region: 'eu-west-1', bucket: 'data-src', dial: 0 },
        { kind: 'set-route', region: 'eu-central-1', bucket: 'data-rep', dial: 100 },
      ]),
    ).toBe(true);
  });
  test('failback plan: source to 100 first, then the replica to 0', () => {
    const routing: RoutingState = {
      plan: 'mrap',
      routes: [
        { region: 'eu-west-1', dial: 0 },
        { region: 'eu-central-1', dial: 100 },
      ],
    };
    expect(planFailback(routing, sides, NOW, 'failback')).toEqual([
      { kind: 'set-route', region: 'eu-west-1', bucket: 'data-src', dial: 100 },
      { kind: 'set-route', region: 'eu-central-1', bucket: 'data-rep', dial: 0 },
    ]);
  });
  test('failback plan, pointer: the source region first', () => {
    const routing: RoutingState = {
      plan: 'pointer',
      pointers: [
        { region: 'eu-central-1', state: 'ok', value: ptr('replica') },
        { region: 'eu-west-1', state: 'ok', value: ptr('replica') },
      ],
    };
    const steps = planFailback(routing, sides, NOW, 'failback');
    expect(steps.map((s) => s.region)).toEqual(['eu-west-1', 'eu-central-1']);
    expect(steps.every((s) => s.kind === 'put-pointer' && s.value.bucket === 'data-src')).toBe(true);
  });
});

describe('summarizeRouting', () => {
  test('a pointer naming neither side is reported and ignored', () => {
    const s = summarizeRouting(
      {
        plan: 'pointer',
        pointers: [
          {
            region: 'eu-central-1',
            state: 'ok',
            value: { bucket: 'other', region: 'us-east-1', since: 'x', reason: '' },
          },
          { region: 'eu-west-1', state: 'ok', value: ptr('source') },
        ],
      },
      sides,
    );
    expect(s.active).toBe('source');
    expect(s.details.join()).toMatch(/neither the source nor the replica/);
  });
});
