/**
 * A loopback HTTP proxy in front of one stand endpoint that injects the faults a healthy local
 * server does not produce on demand, at chosen rates, from a seeded PRNG (same seed, same request
 * order: same faults):
 *  - `slowDown`: a 503 SlowDown answer with a real S3 XML error body (the SDK classifies it as
 *    throttling and retries it);
 *  - `drop`: the connection is destroyed before any response (the SDK sees a reset and retries);
 *  - `slow`: the request is delayed by `slowMs`, then forwarded.
 * Requests are forwarded untouched (method, path, Host header, body) unless a hook changes them:
 * SigV4 signs the Host header the client sent, which names the proxy, and the stand checks the
 * signature against that same header.
 */
import * as http from 'node:http';
import { AddressInfo, Socket } from 'node:net';

export interface FaultRates {
  /** Share of requests answered 503 SlowDown, 0..1. @default 0 */
  readonly slowDownRate?: number;
  /** Share of requests whose connection is dropped before a response, 0..1. @default 0 */
  readonly dropRate?: number;
  /** Share of forwarded requests delayed by `slowMs` first, 0..1. @default 0 */
  readonly slowRate?: number;
  /** @default 1000 */
  readonly slowMs?: number;
}

export interface FaultProxyOptions extends FaultRates {
  /** The endpoint to forward to, e.g. `http://127.0.0.1:7480`. */
  readonly target: string;
  /** PRNG seed. @default 1 */
  readonly seed?: number;
  /**
   * Runs before a request is forwarded and may add headers to it: for tests that change data
   * between two requests of one run, or send a header under the name the stand reads. (An
   * added header is not signed; the stand does not require every x-amz header signed, S3 does.)
   */
  readonly beforeForward?: (req: http.IncomingMessage) => Promise<void> | void;
  /**
   * Headers added to the target's answer to a forwarded request: for tests that make the stand
   * answer as S3 does where it does not (Ceph RGW 16 returns no additional checksums).
   */
  readonly answerHeaders?: (req: http.IncomingMessage, statusCode: number) => Record<string, string> | undefined;
}

export interface FaultProxyStats {
  /** Requests received. Always `forwarded + injected.slowDown + injected.drop`. */
  requests: number;
  /** Requests sent on to the target (delayed ones included). */
  forwarded: number;
  /** Requests answered by a fault instead of the target. */
  readonly injected: { slowDown: number; drop: number };
  /** Forwarded requests that were delayed first. */
  delayed: number;
  /** Forwarded requests that failed at the target (e.g. the zone is stopped): the client's connection is dropped. */
  upstreamErrors: number;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: use it as the client's endpoint. */
  readonly endpoint: string;
  readonly stats: FaultProxyStats;
  /** Injected faults of every kind (`injected.slowDown + injected.drop`). */
  injectedTotal(): number;
  /** Changes fault rates from the next request on; rates not given keep their value. */
  setFaults(rates: FaultRates): void;
  close(): Promise<void>;
}

const SLOW_DOWN_BODY = (requestId: string) =>
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  `<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>${requestId}</RequestId><HostId>fault-proxy</HostId></Error>`;

/** mulberry32: small, fast, good enough to spread faults; deterministic per seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkRate(name: string, value: number | undefined): void {
  if (value !== undefined && !(value >= 0 && value <= 1)) {
    throw new Error(`fault proxy option ${name} must be between 0 and 1, got ${value}`);
  }
}

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(opts.target);
  if (target.protocol !== 'http:')
    throw new Error(`fault proxy target must be an http:// endpoint, got ${opts.target}`);
  const rates = { slowDownRate: 0, dropRate: 0, slowRate: 0, slowMs: 1000 };
  const setFaults = (r: FaultRates) => {
    checkRate('slowDownRate', r.slowDownRate);
    checkRate('dropRate', r.dropRate);
    checkRate('slowRate', r.slowRate);
    if (r.slowMs !== undefined && !(r.slowMs >= 0))
      throw new Error(`fault proxy option slowMs must be >= 0, got ${r.slowMs}`);
    for (const k of ['slowDownRate', 'dropRate', 'slowRate', 'slowMs'] as const) {
      if (r[k] !== undefined) rates[k] = r[k]!;
    }
    if (rates.slowDownRate + rates.dropRate > 1) {
      throw new Error(
        `fault proxy slowDownRate + dropRate must be at most 1, got ${rates.slowDownRate + rates.dropRate}`,
      );
    }
  };
  setFaults(opts);
  const random = prng(opts.seed ?? 1);
  const stats: FaultProxyStats = {
    requests: 0,
    forwarded: 0,
    injected: { slowDown: 0, drop: 0 },
    delayed: 0,
    upstreamErrors: 0,
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let seq = 0;

  const forward = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    stats.forwarded++;
    if (opts.beforeForward) {
      req.pause();
      try {
        await opts.beforeForward(req);
      } catch {
        stats.upstreamErrors++;
        res.destroy();
        return;
      }
    }
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port || 80,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (up) => {
        const added = opts.answerHeaders?.(req, up.statusCode ?? 502) ?? {};
        const headers = [...up.rawHeaders, ...Object.entries(added).flat()];
        res.writeHead(up.statusCode ?? 502, up.statusMessage, headers);
        up.pipe(res);
        up.on('error', () => res.destroy());
      },
    );
    upstream.on('error', () => {
      stats.upstreamErrors++;
      res.destroy();
    });
    req.pipe(upstream);
  };

  const server = http.createServer((req, res) => {
    stats.requests++;
    const r = random();
    if (r < rates.dropRate) {
      stats.injected.drop++;
      req.socket.destroy();
      return;
    }
    if (r < rates.dropRate + rates.slowDownRate) {
      stats.injected.slowDown++;
      const body = SLOW_DOWN_BODY(`fault-proxy-${++seq}`);
      // Read the request body first, as a server does, so the client is not cut off mid-upload.
      req.resume();
      req.on('end', () => {
        res.writeHead(503, 'Slow Down', {
          'content-type': 'application/xml',
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
      });
      return;
    }
    if (rates.slowRate > 0 && random() < rates.slowRate) {
      stats.delayed++;
      req.pause();
      const t = setTimeout(() => {
        timers.delete(t);
        void forward(req, res);
      }, rates.slowMs);
      timers.add(t);
      return;
    }
    void forward(req, res);
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    injectedTotal: () => stats.injected.slowDown + stats.injected.drop,
    setFaults,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      agent.destroy();
      await closed;
    },
  };
}
