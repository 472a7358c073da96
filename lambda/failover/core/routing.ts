/**
 * Routing state, as read from the pointer parameters or the Multi-Region Access Point routes,
 * and what it means: which side is active, or whether an earlier run was interrupted half way.
 * Pure: no AWS SDK.
 */

export type Side = 'source' | 'replica';
export type FailoverPlan = 'pointer' | 'mrap';

/** A bucket in a region: one side of the replication pair. */
export interface BucketSide {
  readonly bucket: string;
  readonly region: string;
}

export interface Sides {
  readonly source: BucketSide;
  readonly replica: BucketSide;
}

/** The JSON value of the pointer parameter: where clients should read and write. */
export interface PointerValue {
  readonly bucket: string;
  readonly region: string;
  /** ISO 8601 time of the change that wrote this value. */
  readonly since: string;
  readonly reason: string;
}

/** The pointer parameter as read in one region. */
export interface PointerReading {
  /** The region whose parameter store holds this copy of the pointer. */
  readonly region: string;
  /** ok: read and parsed; missing: no such parameter; unreadable: the region did not answer or the value is not a pointer. */
  readonly state: 'ok' | 'missing' | 'unreadable';
  readonly value?: PointerValue;
  readonly error?: string;
}

/** One route of a Multi-Region Access Point. */
export interface RouteReading {
  readonly region: string;
  readonly bucket?: string;
  /** TrafficDialPercentage: 0 passive, 100 active. */
  readonly dial: number;
}

export type RoutingState =
  | { readonly plan: 'pointer'; readonly pointers: readonly PointerReading[] }
  | { readonly plan: 'mrap'; readonly routes?: readonly RouteReading[]; readonly error?: string };

export interface RoutingSummary {
  /**
   * source / replica: every readable copy agrees on that side;
   * partial: an interrupted change (pointers disagree, or both routes active, or both passive);
   * unknown: nothing could be read.
   */
  readonly active: Side | 'partial' | 'unknown';
  /** For a partial state: the side the interrupted change was heading to, when the state itself tells. */
  readonly heading?: Side;
  readonly details: string[];
}

/** Parses a pointer parameter's value; returns an error message instead of throwing. */
export function parsePointerValue(text: string): PointerValue | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return `pointer value is not JSON: ${JSON.stringify(text.slice(0, 80))}`;
  }
  if (typeof v !== 'object' || v === null) return 'pointer value is not a JSON object';
  const o = v as Record<string, unknown>;
  for (const field of ['bucket', 'region', 'since', 'reason'] as const) {
    if (typeof o[field] !== 'string') return `pointer value has no string field "${field}"`;
  }
  return {
    bucket: o.bucket as string,
    region: o.region as string,
    since: o.since as string,
    reason: o.reason as string,
  };
}

export function formatPointerValue(v: PointerValue): string {
  return JSON.stringify({ bucket: v.bucket, region: v.region, since: v.since, reason: v.reason });
}

/** Which side a pointer value names, or undefined when it names neither. */
export function pointerSide(v: PointerValue, sides: Sides): Side | undefined {
  if (v.bucket === sides.replica.bucket && v.region === sides.replica.region) return 'replica';
  if (v.bucket === sides.source.bucket && v.region === sides.source.region) return 'source';
  return undefined;
}

function routeOf(routes: readonly RouteReading[], side: BucketSide): RouteReading | undefined {
  return routes.find((r) => r.region === side.region && (r.bucket === undefined || r.bucket === side.bucket));
}

export function summarizeRouting(routing: RoutingState, sides: Sides): RoutingSummary {
  return routing.plan === 'pointer' ? summarizePointers(routing.pointers, sides) : summarizeRoutes(routing, sides);
}

function summarizePointers(pointers: readonly PointerReading[], sides: Sides): RoutingSummary {
  const details: string[] = [];
  // A missing parameter means nothing was ever switched: the source is the default.
  const readable: { side: Side; since: number; region: string }[] = [];
  for (const p of pointers) {
    if (p.state === 'unreadable') {
      details.push(`pointer in ${p.region} unreadable: ${p.error ?? 'no answer'}`);
      continue;
    }
    if (p.state === 'missing' || !p.value) {
      details.push(`pointer in ${p.region} missing: counts as the source (the default)`);
      readable.push({ side: 'source', since: Number.NEGATIVE_INFINITY, region: p.region });
      continue;
    }
    const side = pointerSide(p.value, sides);
    if (!side) {
      details.push(
        `pointer in ${p.region} names s3://${p.value.bucket} in ${p.value.region}, which is neither the source nor the replica`,
      );
      continue;
    }
    const since = Date.parse(p.value.since);
    details.push(`pointer in ${p.region} -> ${side} since ${p.value.since}`);
    readable.push({ side, since: Number.isNaN(since) ? Number.NEGATIVE_INFINITY : since, region: p.region });
  }
  if (readable.length === 0) return { active: 'unknown', details };
  const bySide = new Set(readable.map((r) => r.side));
  if (bySide.size === 1) return { active: readable[0].side, details };
  // Pointers disagree: the newest write says where the interrupted change was heading.
  const newest = readable.reduce((a, b) => (b.since > a.since ? b : a));
  details.push(`pointers disagree: the newest (in ${newest.region}) points to the ${newest.side}`);
  return { active: 'partial', heading: newest.side, details };
}

function summarizeRoutes(routing: { routes?: readonly RouteReading[]; error?: string }, sides: Sides): RoutingSummary {
  if (!routing.routes) return { active: 'unknown', details: [`routes unreadable: ${routing.error ?? 'no answer'}`] };
  const src = routeOf(routing.routes, sides.source);
  const rep = routeOf(routing.routes, sides.replica);
  const details = [`routes: ${routing.routes.map((r) => `${r.region}=${r.dial}`).join(', ') || '(none)'}`];
  if (!src || !rep) {
    details.push(`the access point has no route for the ${!src ? 'source' : 'replica'} region`);
    return { active: 'unknown', details };
  }
  if (src.dial > 0 && rep.dial === 0) return { active: 'source', details };
  if (rep.dial > 0 && src.dial === 0) return { active: 'replica', details };
  details.push(src.dial > 0 ? 'both regions active' : 'both regions passive');
  return { active: 'partial', details };
}

/**
 * Applies route updates in order to the dials and returns the state after each step; used to
 * prove a plan never leaves every region passive, not even between two steps.
 */
export function simulateDials(
  routes: readonly RouteReading[],
  updates: readonly { region: string; dial: number }[],
): RouteReading[][] {
  let current = routes.map((r) => ({ ...r }));
  const states: RouteReading[][] = [];
  for (const u of updates) {
    current = current.map((r) => (r.region === u.region ? { ...r, dial: u.dial } : r));
    states.push(current);
  }
  return states;
}

export function someActive(routes: readonly RouteReading[]): boolean {
  return routes.some((r) => r.dial > 0);
}
