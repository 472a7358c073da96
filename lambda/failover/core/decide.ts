/**
 * The failover decision: pure, no AWS SDK. The controller gathers the inputs (alarm state,
 * probe datapoints, routing state, last change) and carries out the steps this returns.
 *
 * Rules:
 *  - the alarm alone is not enough: the probe's own datapoints must confirm the outage
 *    (at least N of the last M SourceAvailable datapoints at 0 and the latest one too, or the
 *    replication lag above the RPO for the last M datapoints), so one flapping datapoint does
 *    not fail over;
 *  - a cooldown after the last routing change stops ping-pong;
 *  - idempotent: routing already on the replica means nothing to do;
 *  - a half-done change (an interrupted run) is completed, whatever the cooldown;
 *  - no plan ever leaves every region passive, not even between two steps.
 */
import {
  BucketSide,
  FailoverPlan,
  PointerValue,
  RouteReading,
  RoutingState,
  Side,
  Sides,
  simulateDials,
  someActive,
  summarizeRouting,
} from './routing';

export type FailoverMode = 'automatic' | 'approval' | 'dry-run';
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export type DecisionAction = 'fail-over' | 'none' | 'complete-partial' | 'await-approval';

/** One metric datapoint; `at` in epoch milliseconds. */
export interface Datapoint {
  readonly at: number;
  readonly value: number;
}

/** How the outage must show in the probe's data before a failover. */
export interface ConfirmPolicy {
  /** At least `failing` of the last `window` SourceAvailable datapoints are 0 (and the latest is). */
  readonly unavailable: { readonly failing: number; readonly window: number };
  /** Optional: replication lag above `thresholdSeconds` (or the canary not replicated) for the last `window` datapoints. */
  readonly lag?: { readonly thresholdSeconds: number; readonly window: number };
}

export interface LastChange {
  readonly direction: 'fail-over' | 'fail-back';
  /** Epoch milliseconds. */
  readonly at: number;
}

export interface DecisionInput {
  /** Epoch milliseconds. */
  readonly now: number;
  readonly mode: FailoverMode;
  readonly plan: FailoverPlan;
  readonly sides: Sides;
  /** The composite alarm's state; undefined when the alarm was not found. */
  readonly alarmState?: AlarmState;
  /** The probe's SourceAvailable datapoints (1 available, 0 not), any order. */
  readonly availability: readonly Datapoint[];
  /** The probe's ReplicationLagSeconds datapoints. */
  readonly lag?: readonly Datapoint[];
  /** The probe's CanaryNotReplicated datapoints (1: the canary missed its deadline). */
  readonly notReplicated?: readonly Datapoint[];
  readonly routing: RoutingState;
  readonly lastChange?: LastChange;
  readonly cooldownMs: number;
  readonly policy: ConfirmPolicy;
  /** An operator's explicit request: skips the alarm, data and cooldown checks, never the safety ones. */
  readonly force?: boolean;
  /** Why this run happened (alarm event, operator, approval), for the pointer's reason. */
  readonly trigger?: string;
}

export type PlannedStep =
  | {
      readonly kind: 'put-pointer';
      /** The region whose parameter is written. */
      readonly region: string;
      readonly target: Side;
      readonly value: PointerValue;
    }
  | {
      readonly kind: 'set-route';
      /** The bucket region whose dial is set. */
      readonly region: string;
      readonly bucket: string;
      readonly dial: 0 | 100;
    };

export interface Decision {
  readonly action: DecisionAction;
  readonly reasons: string[];
  /** The steps to carry out, in order (also listed for await-approval and dry-run). */
  readonly steps: PlannedStep[];
  /** The side routing ends on when the steps are carried out. */
  readonly target?: Side;
  /** For await-approval and dry-run: what would be carried out. */
  readonly pending?: 'fail-over' | 'complete-partial';
  /** True when the controller should carry out the steps now. */
  readonly execute: boolean;
  readonly mode: FailoverMode;
}

/** Outcome of the data check: confirmed or not, with the evidence. */
export interface Confirmation {
  readonly confirmed: boolean;
  readonly reasons: string[];
}

function latest(points: readonly Datapoint[], count: number): Datapoint[] {
  return [...points].sort((a, b) => b.at - a.at).slice(0, count);
}

/** N of M on SourceAvailable, or M of M on replication lag. */
export function confirmOutage(
  policy: ConfirmPolicy,
  availability: readonly Datapoint[],
  lag: readonly Datapoint[] = [],
  notReplicated: readonly Datapoint[] = [],
): Confirmation {
  const reasons: string[] = [];
  const { failing, window } = policy.unavailable;
  const recent = latest(availability, window);
  const down = recent.filter((p) => p.value < 1).length;
  if (recent.length === 0) {
    reasons.push('no SourceAvailable datapoints from the probe: the outage is not confirmed by data');
  } else if (down >= failing && recent[0].value < 1) {
    reasons.push(`source unavailable in ${down} of the last ${recent.length} probe datapoints (needs ${failing})`);
    return { confirmed: true, reasons };
  } else if (down >= failing) {
    reasons.push(
      `source unavailable in ${down} of the last ${recent.length} probe datapoints, but the latest shows it available`,
    );
  } else {
    reasons.push(
      `source unavailable in ${down} of the last ${recent.length} probe datapoints (needs ${failing} of ${window})`,
    );
  }
  if (policy.lag) {
    const { thresholdSeconds, window: lagWindow } = policy.lag;
    // One value per period: a missed canary counts as over the threshold.
    const byAt = new Map<number, number>();
    for (const p of lag) byAt.set(p.at, p.value);
    for (const p of notReplicated) if (p.value >= 1) byAt.set(p.at, Number.POSITIVE_INFINITY);
    const periods = latest(
      [...byAt].map(([at, value]) => ({ at, value })),
      lagWindow,
    );
    const over = periods.filter((p) => p.value > thresholdSeconds).length;
    if (periods.length === lagWindow && over === lagWindow) {
      reasons.push(
        `replication lag above ${thresholdSeconds} s (or canary not replicated) in the last ${lagWindow} datapoints`,
      );
      return { confirmed: true, reasons };
    }
    reasons.push(
      `replication lag above ${thresholdSeconds} s in ${over} of the last ${periods.length} datapoints (needs ${lagWindow} of ${lagWindow})`,
    );
  }
  return { confirmed: false, reasons };
}

/** The steps that move routing to `target`, skipping what is already there; safe order. */
export function planRouting(
  routing: RoutingState,
  sides: Sides,
  target: Side,
  value: { since: string; reason: string },
): PlannedStep[] {
  const to: BucketSide = sides[target];
  const from: BucketSide = target === 'replica' ? sides.source : sides.replica;
  if (routing.plan === 'pointer') {
    const pointerValue: PointerValue = {
      bucket: to.bucket,
      region: to.region,
      since: value.since,
      reason: value.reason,
    };
    // The side becoming active is written first; the other (for a failover, the failing region) last, best effort.
    const order = [to.region, from.region, ...routing.pointers.map((p) => p.region)];
    const regions = [...new Set(order)].filter((r) => routing.pointers.some((p) => p.region === r));
    return regions
      .filter((region) => {
        const p = routing.pointers.find((x) => x.region === region)!;
        if (p.state !== 'ok' || !p.value) return true;
        return !(p.value.bucket === to.bucket && p.value.region === to.region);
      })
      .map((region) => ({ kind: 'put-pointer' as const, region, target, value: pointerValue }));
  }
  const routes = routing.routes ?? [];
  const steps: PlannedStep[] = [];
  const dialOf = (s: BucketSide) => routes.find((r) => r.region === s.region)?.dial;
  // The new active side goes to 100 BEFORE the old one goes to 0: never every region passive.
  if (dialOf(to) !== 100) steps.push({ kind: 'set-route', region: to.region, bucket: to.bucket, dial: 100 });
  if (dialOf(from) !== 0) steps.push({ kind: 'set-route', region: from.region, bucket: from.bucket, dial: 0 });
  return steps;
}

/** True when some moment of carrying out `steps` would leave every region passive. */
export function leavesAllPassive(routing: RoutingState, steps: readonly PlannedStep[]): boolean {
  if (routing.plan !== 'mrap') return false;
  const updates = steps.flatMap((s) => (s.kind === 'set-route' ? [{ region: s.region, dial: s.dial }] : []));
  const routes: readonly RouteReading[] = routing.routes ?? [];
  return simulateDials(routes, updates).some((state) => !someActive(state));
}

function finish(
  input: DecisionInput,
  wanted: 'fail-over' | 'complete-partial',
  target: Side,
  reasons: string[],
): Decision {
  const steps = planRouting(input.routing, input.sides, target, {
    since: new Date(input.now).toISOString(),
    reason: `${wanted === 'fail-over' ? 'failover' : `complete interrupted change to the ${target}`}: ${input.trigger ?? 'controller'}`,
  });
  if (leavesAllPassive(input.routing, steps)) {
    return {
      action: 'none',
      reasons: [...reasons, 'refused: the plan would leave every region passive'],
      steps: [],
      execute: false,
      mode: input.mode,
    };
  }
  if (input.mode === 'approval') {
    return {
      action: 'await-approval',
      reasons: [...reasons, 'mode approval: nothing changed until an operator approves'],
      steps,
      target,
      pending: wanted,
      execute: false,
      mode: input.mode,
    };
  }
  if (input.mode === 'dry-run') {
    return {
      action: wanted,
      reasons: [...reasons, 'mode dry-run: the plan is logged, nothing changed'],
      steps,
      target,
      pending: wanted,
      execute: false,
      mode: input.mode,
    };
  }
  return { action: wanted, reasons, steps, target, execute: steps.length > 0, mode: input.mode };
}

function none(input: DecisionInput, reasons: string[]): Decision {
  return { action: 'none', reasons, steps: [], execute: false, mode: input.mode };
}

export function decide(input: DecisionInput): Decision {
  const summary = summarizeRouting(input.routing, input.sides);
  const reasons = [...summary.details];
  const data = confirmOutage(input.policy, input.availability, input.lag, input.notReplicated);

  if (summary.active === 'unknown') {
    return none(input, [
      ...reasons,
      'routing state unknown: nothing changed; check the parameters or the access point',
    ]);
  }

  if (summary.active === 'partial') {
    // Where was the interrupted change heading? The state itself, else the last recorded change,
    // else (both sides passive) the side the data supports.
    let heading = summary.heading;
    if (!heading && input.lastChange) {
      heading = input.lastChange.direction === 'fail-over' ? 'replica' : 'source';
      reasons.push(`the last recorded change was a ${input.lastChange.direction}`);
    }
    if (!heading && input.routing.plan === 'mrap') {
      const routes = input.routing.routes ?? [];
      if (!someActive(routes)) {
        heading = data.confirmed ? 'replica' : 'source';
        reasons.push(...data.reasons, `every region passive: restoring the ${heading}`);
      }
    }
    if (!heading) {
      return none(input, [
        ...reasons,
        'both regions active and no record of an interrupted change: left as is (active-active?); run failover or failback to choose',
      ]);
    }
    return finish(input, 'complete-partial', heading, [
      ...reasons,
      `completing the interrupted change to the ${heading}`,
    ]);
  }

  if (summary.active === 'replica') {
    return none(input, [...reasons, 'routing already points to the replica: nothing to do']);
  }

  // Routing is on the source: fail over only when the outage is confirmed.
  if (input.force) {
    reasons.push('forced by the operator: alarm, data and cooldown checks skipped');
    return finish(input, 'fail-over', 'replica', reasons);
  }
  if (input.alarmState !== 'ALARM') {
    return none(input, [
      ...reasons,
      `alarm state is ${input.alarmState ?? 'unknown (alarm not found)'}, not ALARM`,
      ...data.reasons,
    ]);
  }
  reasons.push('alarm state is ALARM');
  if (!data.confirmed) {
    return none(input, [...reasons, ...data.reasons, 'the alarm is not confirmed by the probe data: no failover']);
  }
  reasons.push(...data.reasons);
  if (input.lastChange && input.now - input.lastChange.at < input.cooldownMs) {
    const until = new Date(input.lastChange.at + input.cooldownMs).toISOString();
    return none(input, [
      ...reasons,
      `cooldown: the last ${input.lastChange.direction} was at ${new Date(input.lastChange.at).toISOString()}; no automatic failover before ${until} (an operator can force one)`,
    ]);
  }
  return finish(input, 'fail-over', 'replica', reasons);
}

/** Failback plan: routing back to the source (source active first, then the replica passive). */
export function planFailback(routing: RoutingState, sides: Sides, now: number, reason: string): PlannedStep[] {
  return planRouting(routing, sides, 'source', { since: new Date(now).toISOString(), reason });
}
