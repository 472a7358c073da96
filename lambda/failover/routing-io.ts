/**
 * Reads and changes routing through the AWS control planes: the pointer parameter (SSM, one
 * copy per region) or the Multi-Region Access Point routes (S3 Control, through the failover
 * control regions tried in turn).
 */
import {
  GetMultiRegionAccessPointRoutesCommand,
  S3ControlClient,
  SubmitMultiRegionAccessPointRoutesCommand,
} from '@aws-sdk/client-s3-control';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describeError, errorNameOf } from '../shared/errors';
import { createS3ControlClient, createSsmClient, StaticCredentials } from './clients';
import { FailoverConfig } from './core/config';
import { PlannedStep } from './core/decide';
import { formatPointerValue, parsePointerValue, PointerReading, RouteReading, RoutingState } from './core/routing';

/** What happened to one planned step. */
export interface StepResult {
  readonly step: PlannedStep;
  readonly ok: boolean;
  /** For route changes: the control-plane region that accepted it. */
  readonly controlRegion?: string;
  readonly error?: string;
}

/** The clients one run needs, built once. */
export class RoutingIO {
  private readonly ssm = new Map<string, SSMClient>();
  private readonly s3control = new Map<string, S3ControlClient>();
  /** The control region that last answered: tried first next time. */
  private preferredControlRegion?: string;
  /** What `read()` could not read, with the errors as thrown. */
  readonly readFailures: { input: string; error: unknown }[] = [];

  constructor(
    private readonly config: FailoverConfig,
    private readonly credentials?: StaticCredentials,
  ) {}

  private ssmClient(region: string): SSMClient {
    let c = this.ssm.get(region);
    if (!c) {
      c = createSsmClient({ region, endpoint: this.config.endpoints.ssm, credentials: this.credentials });
      this.ssm.set(region, c);
    }
    return c;
  }

  private controlClient(region: string): S3ControlClient {
    let c = this.s3control.get(region);
    if (!c) {
      c = createS3ControlClient({ region, endpoint: this.config.endpoints.s3Control, credentials: this.credentials });
      this.s3control.set(region, c);
    }
    return c;
  }

  /** Pointer regions in write order for a failover: the replica region first, the source region last. */
  pointerRegions(): string[] {
    return [this.config.replica.region, this.config.source.region];
  }

  async read(): Promise<RoutingState> {
    return this.config.plan === 'pointer' ? this.readPointers() : this.readRoutes();
  }

  private async readPointers(): Promise<RoutingState> {
    const name = this.config.parameterName!;
    const pointers = await Promise.all(
      this.pointerRegions().map(async (region): Promise<PointerReading> => {
        try {
          const out = await this.ssmClient(region).send(new GetParameterCommand({ Name: name }));
          const parsed = parsePointerValue(out.Parameter?.Value ?? '');
          return typeof parsed === 'string'
            ? { region, state: 'unreadable', error: parsed }
            : { region, state: 'ok', value: parsed };
        } catch (err) {
          if (errorNameOf(err) === 'ParameterNotFound') return { region, state: 'missing' };
          this.readFailures.push({ input: `pointer ${name} in ${region}`, error: err });
          return { region, state: 'unreadable', error: describeError(err) };
        }
      }),
    );
    return { plan: 'pointer', pointers };
  }

  private controlOrder(): string[] {
    const regions = [...this.config.controlRegions];
    const p = this.preferredControlRegion;
    return p ? [p, ...regions.filter((r) => r !== p)] : regions;
  }

  private async readRoutes(): Promise<RoutingState> {
    const errors: string[] = [];
    const failures: { input: string; error: unknown }[] = [];
    for (const region of this.controlOrder()) {
      try {
        const out = await this.controlClient(region).send(
          new GetMultiRegionAccessPointRoutesCommand({ AccountId: this.config.accountId!, Mrap: this.config.mrapArn! }),
        );
        this.preferredControlRegion = region;
        const routes: RouteReading[] = (out.Routes ?? []).map((r) => ({
          region: r.Region ?? '',
          ...(r.Bucket ? { bucket: r.Bucket } : {}),
          dial: r.TrafficDialPercentage ?? 0,
        }));
        return { plan: 'mrap', routes };
      } catch (err) {
        errors.push(`${region}: ${describeError(err)}`);
        failures.push({ input: `access point routes through ${region}`, error: err });
      }
    }
    // One region answering is enough; otherwise every failure counts.
    this.readFailures.push(...failures);
    return { plan: 'mrap', error: `no failover control region answered (${errors.join('; ')})` };
  }

  /**
   * Carries out steps in order. Pointer writes are best effort (each region is tried, the
   * failing region last); route changes stop at the first failure, so the old side is never
   * set passive unless the new side was set active.
   */
  async execute(steps: readonly PlannedStep[]): Promise<StepResult[]> {
    const results: StepResult[] = [];
    for (const step of steps) {
      if (step.kind === 'put-pointer') {
        try {
          await this.ssmClient(step.region).send(
            new PutParameterCommand({
              Name: this.config.parameterName!,
              Value: formatPointerValue(step.value),
              Type: 'String',
              Overwrite: true,
            }),
          );
          results.push({ step, ok: true });
        } catch (err) {
          results.push({ step, ok: false, error: describeError(err) });
        }
        continue;
      }
      const result = await this.submitRoute(step);
      results.push(result);
      if (!result.ok) break;
    }
    return results;
  }

  private async submitRoute(step: Extract<PlannedStep, { kind: 'set-route' }>): Promise<StepResult> {
    const errors: string[] = [];
    for (const region of this.controlOrder()) {
      try {
        await this.controlClient(region).send(
          new SubmitMultiRegionAccessPointRoutesCommand({
            AccountId: this.config.accountId!,
            Mrap: this.config.mrapArn!,
            RouteUpdates: [{ Bucket: step.bucket, Region: step.region, TrafficDialPercentage: step.dial }],
          }),
        );
        this.preferredControlRegion = region;
        return { step, ok: true, controlRegion: region };
      } catch (err) {
        errors.push(`${region}: ${describeError(err)}`);
      }
    }
    return { step, ok: false, error: `no failover control region accepted the change (${errors.join('; ')})` };
  }
}
