/**
 * The control planes the failover controller talks to (SSM Parameter Store, CloudWatch alarms and
 * metric data), served by moto's standalone server (`moto_server`, from the Python package
 * `moto[server]`) on a free loopback port. The tests drive and read it with the real SDK clients,
 * exactly as the handlers do, so a request moto does not understand fails the test.
 *
 * moto has no Multi-Region Access Point routes and no Batch Operations jobs in its S3 Control:
 * those calls (and injected failures such as a 503 from one region) stay on the home-made
 * control-plane recorder (control-plane-recorder.ts).
 *
 * `MotoServer.start({ enforceAuth: true })` starts a server that checks signatures against its own
 * IAM (moto's INITIAL_NO_AUTH_ACTION_COUNT=0): any key it did not issue is refused with a real
 * 403, which is how the tests produce a permissions problem.
 */
import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  GetParameterCommand,
  GetParameterHistoryCommand,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

export const MOTO_INSTALL_HINT =
  "the control-plane tests need moto's server: pip install 'moto[server]' (it provides the moto_server command)";

const CREDENTIALS = { accessKeyId: 'AKIDMOTOTEST', secretAccessKey: 'moto-test-secret' };
const NAMESPACE = 'CdkS3Dr';

export interface StoredParameter {
  readonly value: string;
  readonly version: number;
}

export interface MotoDatapoint {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly value: number;
}

/** True when `moto_server` can be started from PATH. */
export function motoAvailable(): boolean {
  const r = spawnSync('moto_server', ['--help'], { stdio: 'ignore' });
  return r.status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

export class MotoServer {
  /** Starts moto_server on a free loopback port and waits until it answers (at most 30 s). */
  static async start(opts: { enforceAuth?: boolean } = {}): Promise<MotoServer> {
    if (!motoAvailable()) throw new Error(`moto_server was not found on PATH: ${MOTO_INSTALL_HINT}`);
    const port = await freePort();
    const env = { ...process.env };
    if (opts.enforceAuth) env.INITIAL_NO_AUTH_ACTION_COUNT = '0';
    else delete env.INITIAL_NO_AUTH_ACTION_COUNT;
    const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { env, stdio: 'ignore' });
    const server = new MotoServer(child, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}: ${MOTO_INSTALL_HINT}`);
      try {
        const res = await fetch(`${server.endpoint}/moto-api/`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return server;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        child.kill();
        throw new Error(`moto_server did not answer on ${server.endpoint} within 30 s`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Static keys moto accepts (without enforced auth any key is accepted). */
  readonly credentials = CREDENTIALS;

  private constructor(
    private readonly child: ChildProcess,
    readonly endpoint: string,
  ) {}

  /** Forgets every resource (POST /moto-api/reset). */
  async reset(): Promise<void> {
    const res = await fetch(`${this.endpoint}/moto-api/reset`, { method: 'POST' });
    if (!res.ok) throw new Error(`moto reset answered ${res.status}`);
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await new Promise<void>((done) => {
      this.child.once('exit', () => done());
      this.child.kill();
    });
  }

  ssm(region: string): SSMClient {
    return new SSMClient({ region, endpoint: this.endpoint, credentials: CREDENTIALS, maxAttempts: 1 });
  }

  cloudWatch(region: string): CloudWatchClient {
    return new CloudWatchClient({ region, endpoint: this.endpoint, credentials: CREDENTIALS, maxAttempts: 1 });
  }

  async setParameter(region: string, name: string, value: string): Promise<void> {
    await this.ssm(region).send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
  }

  /** The parameter's current value and version, or undefined when it does not exist. */
  async getParameter(region: string, name: string): Promise<StoredParameter | undefined> {
    try {
      const out = await this.ssm(region).send(new GetParameterCommand({ Name: name }));
      return { value: out.Parameter!.Value!, version: out.Parameter!.Version! };
    } catch (err) {
      if (err instanceof ParameterNotFound) return undefined;
      throw err;
    }
  }

  /** Every value the parameter has had, oldest first: one entry per PutParameter that took effect. */
  async parameterHistory(region: string, name: string): Promise<string[]> {
    const values: string[] = [];
    let token: string | undefined;
    try {
      do {
        const out = await this.ssm(region).send(new GetParameterHistoryCommand({ Name: name, NextToken: token }));
        for (const p of out.Parameters ?? []) values.push(p.Value!);
        token = out.NextToken;
      } while (token);
    } catch (err) {
      if (err instanceof ParameterNotFound) return [];
      throw err;
    }
    return values;
  }

  /** Puts datapoints of the probe's metric (namespace CdkS3Dr, dimension Probe) in `region`. */
  async putDatapoints(region: string, metricName: string, probe: string, points: MotoDatapoint[]): Promise<void> {
    if (points.length === 0) return;
    await this.cloudWatch(region).send(
      new PutMetricDataCommand({
        Namespace: NAMESPACE,
        MetricData: points.map((p) => ({
          MetricName: metricName,
          Dimensions: [{ Name: 'Probe', Value: probe }],
          Timestamp: new Date(p.at),
          Value: p.value,
        })),
      }),
    );
  }

  /** Creates (or updates) a metric alarm named `name` in `region` and sets its state. */
  async setAlarm(region: string, name: string, state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'): Promise<void> {
    const cw = this.cloudWatch(region);
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: NAMESPACE,
        MetricName: 'SourceAvailable',
        Statistic: 'Minimum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
      }),
    );
    await cw.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: 'set by the test' }));
  }
}
