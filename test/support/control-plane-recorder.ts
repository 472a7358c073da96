/**
 * A stand-in for the AWS control planes that have no local server (SSM Parameter Store,
 * CloudWatch, S3 Control Multi-Region Access Point routes and Batch Operations jobs): a small,
 * home-made HTTP server on 127.0.0.1 that the REAL SDK clients are pointed at with their
 * `endpoint` option.
 *
 * It records every request (service and region from the SigV4 credential scope, operation from
 * the X-Amz-Target header for the JSON protocols or from the method and path for S3 Control's
 * REST-XML), checks it (method, content type, required fields, the account id header), and
 * answers with canned but protocol-correct responses from state it keeps: parameter values per
 * region, alarm states, metric datapoints, access point route dials, Batch Operations jobs.
 * Failures are injectable per service and region (a region answering 503 so the controller tries
 * the next one).
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';

export type ControlService = 'ssm' | 'monitoring' | 's3';

export interface RecordedRequest {
  readonly service: ControlService | string;
  readonly region: string;
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The status answered. */
  status: number;
  /** The check that failed, when one did (answered 400). */
  problem?: string;
}

export interface StoredParameter {
  value: string;
  version: number;
  lastModified: number;
}

export interface StoredRoute {
  region: string;
  bucket?: string;
  dial: number;
}

export interface StoredDatapoint {
  /** Epoch milliseconds. */
  at: number;
  value: number;
}

interface Failure {
  service: ControlService;
  region?: string;
  operation?: string;
  status: number;
  /** How many more requests fail; Infinity until cleared. */
  remaining: number;
}

class Reject extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const S3_CONTROL_ROUTES = /^\/v20180820\/mrap\/instances\/(.+)\/routes$/;
const S3_CONTROL_JOBS = /^\/v20180820\/jobs(?:\/([^/]+)(\/status)?)?$/;

/**
 * A Batch Operations job as DescribeJob reports it. moto's S3 Control has no jobs (it serves
 * access points, Multi-Region Access Points and Storage Lens), so this recorder is the stand-in.
 */
export interface StoredJob {
  id: string;
  token: string;
  account: string;
  /** The CreateJob request body as received (XML). */
  request: string;
  status: string;
  confirmationRequired: boolean;
  priority: number;
  roleArn: string;
  reportBucket: string;
  reportPrefix: string;
  total?: number;
  succeeded?: number;
  failed?: number;
  elapsedSeconds?: number;
  failureReasons?: { code: string; reason: string }[];
  statusUpdateReason?: string;
  /** States DescribeJob answers next, one per call, before it settles on the last (scripted progress). */
  script?: Partial<StoredJob>[];
}

export class ControlPlaneRecorder {
  readonly requests: RecordedRequest[] = [];
  private readonly parameters = new Map<string, StoredParameter>();
  private readonly alarms = new Map<string, { state: string; composite: boolean; updated: number }>();
  private readonly metrics = new Map<string, StoredDatapoint[]>();
  private readonly routes = new Map<string, StoredRoute[]>();
  private readonly jobs = new Map<string, StoredJob>();
  private readonly failures: Failure[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<ControlPlaneRecorder> {
    let recorder: ControlPlaneRecorder | undefined;
    const server = http.createServer((req, res) => recorder!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    recorder = new ControlPlaneRecorder(server, `http://127.0.0.1:${port}`);
    return recorder;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- state -------------------------------------------------------------------------------

  setParameter(region: string, name: string, value: string): void {
    const prev = this.parameters.get(`${region}|${name}`);
    this.parameters.set(`${region}|${name}`, { value, version: (prev?.version ?? 0) + 1, lastModified: Date.now() });
  }

  getParameter(region: string, name: string): StoredParameter | undefined {
    return this.parameters.get(`${region}|${name}`);
  }

  setAlarm(name: string, state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA', composite = true): void {
    this.alarms.set(name, { state, composite, updated: Date.now() });
  }

  /** Datapoints GetMetricData returns for `metricName` with dimension `Probe=probe`. */
  setDatapoints(metricName: string, probe: string, points: StoredDatapoint[]): void {
    this.metrics.set(`${metricName}|${probe}`, [...points]);
  }

  addDatapoint(metricName: string, probe: string, point: StoredDatapoint): void {
    const key = `${metricName}|${probe}`;
    this.metrics.set(key, [...(this.metrics.get(key) ?? []), point]);
  }

  setRoutes(mrapArn: string, routes: StoredRoute[]): void {
    this.routes.set(
      mrapArn,
      routes.map((r) => ({ ...r })),
    );
  }

  getRoutes(mrapArn: string): StoredRoute[] | undefined {
    return this.routes.get(mrapArn)?.map((r) => ({ ...r }));
  }

  getJob(id: string): StoredJob | undefined {
    return this.jobs.get(id);
  }

  /** The Batch Operations jobs created so far. */
  allJobs(): StoredJob[] {
    return [...this.jobs.values()];
  }

  /** Changes a job (progress, status); `script` makes successive DescribeJob calls answer successive states. */
  setJob(id: string, changes: Partial<StoredJob>): void {
    const job = this.jobs.get(id);
    if (!job) throw new Error(`no job ${id}`);
    Object.assign(job, changes);
  }

  /** Makes requests fail with `status` (503 by default) until cleared, or `times` times. */
  fail(opts: { service: ControlService; region?: string; operation?: string; status?: number; times?: number }): void {
    this.failures.push({
      service: opts.service,
      region: opts.region,
      operation: opts.operation,
      status: opts.status ?? 503,
      remaining: opts.times ?? Number.POSITIVE_INFINITY,
    });
  }

  clearFailures(): void {
    this.failures.length = 0;
  }

  /** Recorded requests of one operation, in order. */
  calls(operation: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  /** Requests that failed a protocol check: a test should expect none. */
  problems(): RecordedRequest[] {
    return this.requests.filter((r) => r.problem !== undefined);
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(
        String(req.headers.authorization ?? ''),
      );
      const region = scope?.[1] ?? '';
      const service = scope?.[2] ?? '';
      const path = (req.url ?? '/').split('?')[0];
      const target = String(req.headers['x-amz-target'] ?? '');
      const jobRoute = S3_CONTROL_JOBS.exec(path);
      const operation =
        service === 's3' && jobRoute
          ? !jobRoute[1]
            ? 'CreateJob'
            : jobRoute[2]
              ? 'UpdateJobStatus'
              : 'DescribeJob'
          : service === 's3'
            ? S3_CONTROL_ROUTES.test(path)
              ? req.method === 'PATCH'
                ? 'SubmitMultiRegionAccessPointRoutes'
                : 'GetMultiRegionAccessPointRoutes'
              : `${req.method} ${path}`
            : target.split('.').pop() || 'unknown';
      const rec: RecordedRequest = {
        service,
        region,
        operation,
        method: req.method ?? '',
        path,
        headers: req.headers,
        body,
        status: 0,
      };
      this.requests.push(rec);
      try {
        if (!scope) throw new Reject(403, 'MissingAuthenticationToken', 'request is not signed with sigv4');
        const failure = this.failures.find(
          (f) =>
            f.remaining > 0 &&
            f.service === service &&
            (f.region === undefined || f.region === region) &&
            (f.operation === undefined || f.operation === operation),
        );
        if (failure) {
          failure.remaining--;
          throw new Reject(failure.status, 'ServiceUnavailable', `injected failure for ${service} in ${region}`);
        }
        if (service === 'ssm') return this.reply(res, rec, 200, 'json11', this.ssm(req, operation, region, body));
        if (service === 'monitoring') return this.reply(res, rec, 200, 'json10', this.cloudWatch(req, operation, body));
        if (service === 's3' && jobRoute) {
          return this.reply(res, rec, 200, 'xml', this.s3ControlJobs(req, operation, jobRoute[1], body));
        }
        if (service === 's3') {
          const xml = this.s3Control(req, path, body);
          return this.reply(res, rec, 200, 'xml', xml);
        }
        throw new Reject(400, 'UnknownService', `service "${service}" is not served by the recorder`);
      } catch (err) {
        if (!(err instanceof Reject)) throw err;
        if (err.status === 400 && err.code.startsWith('Check')) rec.problem = err.message;
        this.replyError(res, rec, service, err);
      }
    });
  }

  private reply(
    res: http.ServerResponse,
    rec: RecordedRequest,
    status: number,
    kind: 'json10' | 'json11' | 'xml',
    payload: unknown,
  ): void {
    rec.status = status;
    res.statusCode = status;
    res.setHeader('x-amzn-requestid', `rec-${this.requests.length}`);
    if (kind === 'xml') {
      res.setHeader('content-type', 'application/xml');
      res.end(payload as string);
    } else {
      res.setHeader('content-type', kind === 'json10' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1');
      res.end(JSON.stringify(payload));
    }
  }

  private replyError(res: http.ServerResponse, rec: RecordedRequest, service: string, err: Reject): void {
    rec.status = err.status;
    res.statusCode = err.status;
    res.setHeader('x-amzn-requestid', `rec-${this.requests.length}`);
    if (service === 's3') {
      res.setHeader('content-type', 'application/xml');
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Code>${err.code}</Code><Message>${escapeXml(err.message)}</Message></Error><RequestId>rec</RequestId></ErrorResponse>`,
      );
      return;
    }
    res.setHeader(
      'content-type',
      service === 'monitoring' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1',
    );
    if (service === 'monitoring') res.setHeader('x-amzn-query-error', `${err.code};Sender`);
    res.end(JSON.stringify({ __type: err.code, message: err.message }));
  }

  private json(req: http.IncomingMessage, body: string, contentType: string): Record<string, unknown> {
    if (req.method !== 'POST') throw new Reject(400, 'CheckMethod', `expected POST, got ${req.method}`);
    if (req.headers['content-type'] !== contentType) {
      throw new Reject(
        400,
        'CheckContentType',
        `expected content-type ${contentType}, got ${req.headers['content-type']}`,
      );
    }
    try {
      return JSON.parse(body || '{}') as Record<string, unknown>;
    } catch {
      throw new Reject(400, 'CheckBody', 'body is not JSON');
    }
  }

  // ---- SSM (AWS JSON 1.1, X-Amz-Target AmazonSSM.<Operation>) ------------------------------

  private ssm(req: http.IncomingMessage, operation: string, region: string, body: string): unknown {
    if (!String(req.headers['x-amz-target']).startsWith('AmazonSSM.'))
      throw new Reject(400, 'CheckTarget', 'bad X-Amz-Target');
    const input = this.json(req, body, 'application/x-amz-json-1.1');
    const name = input.Name;
    if (typeof name !== 'string' || !name) throw new Reject(400, 'CheckName', `${operation}: Name is required`);
    switch (operation) {
      case 'GetParameter': {
        const p = this.getParameter(region, name);
        if (!p) throw new Reject(400, 'ParameterNotFound', `parameter ${name} not found`);
        return {
          Parameter: {
            Name: name,
            Type: 'String',
            Value: p.value,
            Version: p.version,
            LastModifiedDate: p.lastModified / 1000,
            ARN: `arn:aws:ssm:${region}:123456789012:parameter${name.startsWith('/') ? '' : '/'}${name}`,
            DataType: 'text',
          },
        };
      }
      case 'PutParameter': {
        if (typeof input.Value !== 'string') throw new Reject(400, 'CheckValue', 'PutParameter: Value is required');
        if (this.getParameter(region, name) && input.Overwrite !== true) {
          throw new Reject(400, 'ParameterAlreadyExists', `parameter ${name} exists and Overwrite is not true`);
        }
        this.setParameter(region, name, input.Value);
        return { Version: this.getParameter(region, name)!.version, Tier: 'Standard' };
      }
      default:
        throw new Reject(400, 'CheckOperation', `SSM operation ${operation} is not served by the recorder`);
    }
  }

  // ---- CloudWatch (AWS JSON 1.0, X-Amz-Target GraniteServiceVersion20100801.<Operation>) -----

  private cloudWatch(req: http.IncomingMessage, operation: string, body: string): unknown {
    if (!String(req.headers['x-amz-target']).startsWith('GraniteServiceVersion20100801.')) {
      throw new Reject(400, 'CheckTarget', 'bad X-Amz-Target');
    }
    const input = this.json(req, body, 'application/x-amz-json-1.0');
    switch (operation) {
      case 'DescribeAlarms': {
        const names = input.AlarmNames;
        if (!Array.isArray(names) || names.length === 0)
          throw new Reject(400, 'CheckAlarmNames', 'DescribeAlarms: AlarmNames is required');
        const found = names.flatMap((n: string) => {
          const a = this.alarms.get(n);
          return a ? [{ n, a }] : [];
        });
        const render = ({ n, a }: { n: string; a: { state: string; updated: number } }) => ({
          AlarmName: n,
          AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${n}`,
          StateValue: a.state,
          StateReason: 'set by the test',
          StateUpdatedTimestamp: a.updated / 1000,
        });
        return {
          CompositeAlarms: found.filter((x) => x.a.composite).map(render),
          MetricAlarms: found.filter((x) => !x.a.composite).map(render),
        };
      }
      case 'GetMetricData': {
        const queries = input.MetricDataQueries;
        if (!Array.isArray(queries) || queries.length === 0) {
          throw new Reject(400, 'CheckQueries', 'GetMetricData: MetricDataQueries is required');
        }
        if (typeof input.StartTime !== 'number' || typeof input.EndTime !== 'number') {
          throw new Reject(400, 'CheckTimes', 'GetMetricData: StartTime and EndTime are required');
        }
        const start = input.StartTime * 1000;
        const end = input.EndTime * 1000;
        const results = queries.map((q: Record<string, any>) => {
          const stat = q.MetricStat;
          if (!q.Id || !stat?.Metric?.MetricName || !stat.Period || !stat.Stat) {
            throw new Reject(
              400,
              'CheckQuery',
              'GetMetricData: each query needs Id and MetricStat.{Metric.MetricName, Period, Stat}',
            );
          }
          const probe = (stat.Metric.Dimensions ?? []).find((d: { Name: string }) => d.Name === 'Probe')?.Value;
          const points = (this.metrics.get(`${stat.Metric.MetricName}|${probe}`) ?? [])
            .filter((p) => p.at >= start && p.at < end)
            .sort((a, b) => b.at - a.at);
          return {
            Id: q.Id,
            Label: stat.Metric.MetricName,
            Timestamps: points.map((p) => p.at / 1000),
            Values: points.map((p) => p.value),
            StatusCode: 'Complete',
          };
        });
        return { MetricDataResults: results, Messages: [] };
      }
      default:
        throw new Reject(400, 'CheckOperation', `CloudWatch operation ${operation} is not served by the recorder`);
    }
  }

  // ---- S3 Control (REST-XML) ------------------------------------------------------------------

  private s3Control(req: http.IncomingMessage, path: string, body: string): string {
    const m = S3_CONTROL_ROUTES.exec(path);
    if (!m) throw new Reject(400, 'CheckOperation', `S3 Control ${req.method} ${path} is not served by the recorder`);
    const arn = decodeURIComponent(m[1]);
    const account = req.headers['x-amz-account-id'];
    const arnAccount = /^arn:aws[a-z-]*:s3::(\d{12}):accesspoint\//.exec(arn)?.[1];
    if (typeof account !== 'string' || !/^\d{12}$/.test(account)) {
      throw new Reject(400, 'CheckAccountId', `x-amz-account-id header missing or not 12 digits: ${String(account)}`);
    }
    if (account !== arnAccount)
      throw new Reject(400, 'CheckAccountId', `x-amz-account-id ${account} does not own ${arn}`);
    const routes = this.routes.get(arn);
    if (!routes) throw new Reject(404, 'NoSuchMultiRegionAccessPoint', `no access point ${arn}`);
    if (req.method === 'GET') {
      const items = routes
        .map(
          (r) =>
            `<Route>${r.bucket ? `<Bucket>${escapeXml(r.bucket)}</Bucket>` : ''}<Region>${r.region}</Region><TrafficDialPercentage>${r.dial}</TrafficDialPercentage></Route>`,
        )
        .join('');
      return `<?xml version="1.0" encoding="UTF-8"?><GetMultiRegionAccessPointRoutesResult><Mrap>${escapeXml(arn)}</Mrap><Routes>${items}</Routes></GetMultiRegionAccessPointRoutesResult>`;
    }
    if (req.method !== 'PATCH') throw new Reject(400, 'CheckMethod', `expected GET or PATCH, got ${req.method}`);
    if (!body.includes('<SubmitMultiRegionAccessPointRoutesRequest')) {
      throw new Reject(400, 'CheckBody', 'body is not a SubmitMultiRegionAccessPointRoutesRequest');
    }
    const updates = [...body.matchAll(/<Route>([\s\S]*?)<\/Route>/g)].map(([, inner]) => ({
      region: /<Region>([^<]*)<\/Region>/.exec(inner)?.[1],
      bucket: /<Bucket>([^<]*)<\/Bucket>/.exec(inner)?.[1],
      dial: Number(/<TrafficDialPercentage>([^<]*)<\/TrafficDialPercentage>/.exec(inner)?.[1]),
    }));
    if (updates.length === 0) throw new Reject(400, 'CheckBody', 'RouteUpdates is empty');
    for (const u of updates) {
      if ((!u.region && !u.bucket) || !Number.isInteger(u.dial) || u.dial < 0 || u.dial > 100) {
        throw new Reject(400, 'CheckRoute', `bad route update ${JSON.stringify(u)}`);
      }
      if (!routes.some((r) => r.region === u.region || (u.bucket !== undefined && r.bucket === u.bucket))) {
        throw new Reject(400, 'InvalidRequest', `region ${u.region} is not part of ${arn}`);
      }
    }
    // Unspecified regions keep their dials; at least one region must stay active (as AWS enforces).
    const next = routes.map((r) => {
      const u = updates.find((x) => x.region === r.region || (x.bucket !== undefined && x.bucket === r.bucket));
      return u ? { ...r, dial: u.dial } : r;
    });
    if (!next.some((r) => r.dial > 0)) {
      throw new Reject(400, 'InvalidRequest', 'at least one region must be active at all times');
    }
    this.routes.set(arn, next);
    return `<?xml version="1.0" encoding="UTF-8"?><SubmitMultiRegionAccessPointRoutesResult/>`;
  }

  // ---- S3 Control Batch Operations jobs (REST-XML) -------------------------------------------

  /** CreateJob, DescribeJob and UpdateJobStatus, with the checks S3 Control applies to each. */
  s3ControlJobs(req: http.IncomingMessage, operation: string, jobId: string | undefined, body: string): string {
    const account = req.headers['x-amz-account-id'];
    if (typeof account !== 'string' || !/^\d{12}$/.test(account)) {
      throw new Reject(400, 'CheckAccountId', `x-amz-account-id header missing or not 12 digits: ${String(account)}`);
    }
    if (operation === 'CreateJob') {
      if (req.method !== 'POST') throw new Reject(400, 'CheckMethod', `CreateJob: expected POST, got ${req.method}`);
      if (!body.includes('<CreateJobRequest xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/">')) {
        throw new Reject(400, 'CheckBody', 'CreateJob: body is not a CreateJobRequest in the S3 Control namespace');
      }
      const token = xmlValue(body, 'ClientRequestToken');
      const roleArn = xmlValue(body, 'RoleArn');
      const priority = xmlValue(body, 'Priority');
      if (!token || token.length > 64)
        throw new Reject(400, 'CheckToken', 'CreateJob: ClientRequestToken of 1-64 characters is required');
      if (!roleArn) throw new Reject(400, 'CheckRole', 'CreateJob: RoleArn is required');
      if (priority === undefined) throw new Reject(400, 'CheckPriority', 'CreateJob: Priority is required');
      if (!/<Operation>[\s\S]*<\/Operation>/.test(body))
        throw new Reject(400, 'CheckOperation', 'CreateJob: Operation is required');
      if (!/<Report>[\s\S]*<\/Report>/.test(body))
        throw new Reject(400, 'CheckReport', 'CreateJob: Report is required');
      if (!/<Manifest>/.test(body) && !/<ManifestGenerator>/.test(body)) {
        throw new Reject(400, 'CheckManifest', 'CreateJob: Manifest or ManifestGenerator is required');
      }
      const existing = [...this.jobs.values()].find((j) => j.token === token && j.account === account);
      if (existing) {
        if (existing.request !== body) {
          throw new Reject(409, 'IdempotencyException', 'the ClientRequestToken was used with a different request');
        }
        return `<?xml version="1.0" encoding="UTF-8"?><CreateJobResult><JobId>${existing.id}</JobId></CreateJobResult>`;
      }
      const n = this.jobs.size + 1;
      const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
      const report = /<Report>([\s\S]*?)<\/Report>/.exec(body)![1];
      const confirmationRequired = xmlValue(body, 'ConfirmationRequired') === 'true';
      this.jobs.set(id, {
        id,
        token,
        account,
        request: body,
        status: confirmationRequired ? 'Suspended' : 'Ready',
        confirmationRequired,
        priority: Number(priority),
        roleArn,
        reportBucket: xmlValue(report, 'Bucket') ?? '',
        reportPrefix: xmlValue(report, 'Prefix') ?? '',
      });
      return `<?xml version="1.0" encoding="UTF-8"?><CreateJobResult><JobId>${id}</JobId></CreateJobResult>`;
    }
    const job = jobId ? this.jobs.get(decodeURIComponent(jobId)) : undefined;
    if (!job || job.account !== account)
      throw new Reject(404, 'NotFoundException', `no job ${jobId} in account ${account}`);
    if (operation === 'UpdateJobStatus') {
      if (req.method !== 'POST')
        throw new Reject(400, 'CheckMethod', `UpdateJobStatus: expected POST, got ${req.method}`);
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      const requested = query.get('requestedJobStatus');
      if (requested !== 'Ready' && requested !== 'Cancelled') {
        throw new Reject(
          400,
          'CheckRequestedStatus',
          `UpdateJobStatus: requestedJobStatus must be Ready or Cancelled, got ${requested}`,
        );
      }
      if (requested === 'Ready' && job.status !== 'Suspended') {
        throw new Reject(400, 'JobStatusException', `job ${job.id} is ${job.status}, not awaiting confirmation`);
      }
      if (['Complete', 'Failed', 'Cancelled'].includes(job.status)) {
        throw new Reject(400, 'JobStatusException', `job ${job.id} is ${job.status} already`);
      }
      job.status = requested;
      job.statusUpdateReason = query.get('statusUpdateReason') ?? undefined;
      return `<?xml version="1.0" encoding="UTF-8"?><UpdateJobStatusResult><JobId>${job.id}</JobId><Status>${job.status}</Status><StatusUpdateReason>${escapeXml(job.statusUpdateReason ?? '')}</StatusUpdateReason></UpdateJobStatusResult>`;
    }
    if (req.method !== 'GET') throw new Reject(400, 'CheckMethod', `DescribeJob: expected GET, got ${req.method}`);
    const next = job.script?.shift();
    if (next) Object.assign(job, next);
    if (!JOB_STATUSES.has(job.status)) throw new Error(`the test set an unknown job status ${job.status}`);
    const n = (tag: string, v: number | undefined) => (v === undefined ? '' : `<${tag}>${v}</${tag}>`);
    // Lists are serialized with <member> elements, as S3 Control sends them (the SDK reads no other name).
    const failures = job.failureReasons?.length
      ? `<FailureReasons>${job.failureReasons.map((f) => `<member><FailureCode>${escapeXml(f.code)}</FailureCode><FailureReason>${escapeXml(f.reason)}</FailureReason></member>`).join('')}</FailureReasons>`
      : '';
    return (
      `<?xml version="1.0" encoding="UTF-8"?><DescribeJobResult><Job>` +
      `<JobId>${job.id}</JobId><ConfirmationRequired>${job.confirmationRequired}</ConfirmationRequired>` +
      `<Description>recorded</Description><JobArn>arn:aws:s3:${'eu-west-1'}:${job.account}:job/${job.id}</JobArn>` +
      `<Status>${job.status}</Status>` +
      `<Operation><S3ReplicateObject/></Operation><Priority>${job.priority}</Priority>` +
      `<ProgressSummary>${n('TotalNumberOfTasks', job.total)}${n('NumberOfTasksSucceeded', job.succeeded)}${n('NumberOfTasksFailed', job.failed)}${job.elapsedSeconds === undefined ? '' : `<Timers><ElapsedTimeInActiveSeconds>${job.elapsedSeconds}</ElapsedTimeInActiveSeconds></Timers>`}</ProgressSummary>` +
      (job.statusUpdateReason ? `<StatusUpdateReason>${escapeXml(job.statusUpdateReason)}</StatusUpdateReason>` : '') +
      failures +
      `<Report><Bucket>${escapeXml(job.reportBucket)}</Bucket><Format>Report_CSV_20180820</Format><Enabled>true</Enabled><Prefix>${escapeXml(job.reportPrefix)}</Prefix><ReportScope>AllTasks</ReportScope></Report>` +
      `<CreationTime>2026-12-04T10:00:00Z</CreationTime><RoleArn>${escapeXml(job.roleArn)}</RoleArn>` +
      `</Job></DescribeJobResult>`
    );
  }
}

const JOB_STATUSES = new Set([
  'Active',
  'Cancelled',
  'Cancelling',
  'Complete',
  'Completing',
  'Failed',
  'Failing',
  'New',
  'Paused',
  'Pausing',
  'Preparing',
  'Ready',
  'Suspended',
]);

function xmlValue(body: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(body)?.[1];
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
