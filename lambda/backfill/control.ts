/**
 * The S3 Control calls of a Batch Replication job: CreateJob, DescribeJob, UpdateJobStatus, with
 * the library's client (credentials chain, request timeout, failure context).
 */
import {
  CreateJobCommand,
  CreateJobRequest,
  DescribeJobCommand,
  JobDescriptor,
  S3ControlClient,
  UpdateJobStatusCommand,
} from '@aws-sdk/client-s3-control';
import { createS3ControlClient } from '../failover/clients';
import { BackfillCreateJobInput } from './core/create-job';

export interface BackfillControlOptions {
  /** The source bucket's region: a job runs in the region of the bucket it reads. */
  readonly region: string;
  readonly account: string;
  /** A custom S3 Control endpoint (private endpoints, tests), used verbatim. */
  readonly endpoint?: string;
}

export class BackfillControl {
  private readonly client: S3ControlClient;

  constructor(private readonly opts: BackfillControlOptions) {
    this.client = createS3ControlClient({ region: opts.region, endpoint: opts.endpoint });
  }

  async createJob(input: BackfillCreateJobInput): Promise<string> {
    // No cast: the pure input must stay assignable to the SDK's request (checked by the compiler).
    const request: CreateJobRequest = input;
    const out = await this.client.send(new CreateJobCommand(request));
    if (!out.JobId) throw new Error('CreateJob answered without a JobId');
    return out.JobId;
  }

  async describeJob(jobId: string): Promise<JobDescriptor> {
    const out = await this.client.send(new DescribeJobCommand({ AccountId: this.opts.account, JobId: jobId }));
    if (!out.Job) throw new Error(`DescribeJob of ${jobId} answered without a job`);
    return out.Job;
  }

  /** Ready confirms a job awaiting confirmation; Cancelled cancels it. Returns the new status. */
  async updateStatus(jobId: string, requested: 'Ready' | 'Cancelled', reason: string): Promise<string | undefined> {
    const out = await this.client.send(
      new UpdateJobStatusCommand({
        AccountId: this.opts.account,
        JobId: jobId,
        RequestedJobStatus: requested,
        StatusUpdateReason: reason,
      }),
    );
    return out.Status;
  }

  destroy(): void {
    this.client.destroy();
  }
}
