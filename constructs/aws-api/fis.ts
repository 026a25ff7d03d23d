/**
 * AWS Fault Injection Service API (2020-12-01), the operations a game day calls.
 *
 * Protocol: REST JSON, signed as `fis`, endpoint `fis.<region>.amazonaws.com` (AWS General
 * Reference, "AWS Fault Injection Service endpoints and quotas"). An experiment runs in the
 * Region of its template.
 *
 * @see https://docs.aws.amazon.com/fis/latest/APIReference/Welcome.html
 */
import type { MetadataBearer } from '@smithy/types';
import {
  JsonCommand,
  type JsonRequest,
  SignedJsonClient,
  type SignedJsonClientConfig,
} from './signed-json-client';

/** `ExperimentState.status` (FIS API Reference, "ExperimentState"). */
export type ExperimentStatus =
  | 'pending'
  | 'initiating'
  | 'running'
  | 'completed'
  | 'stopping'
  | 'stopped'
  | 'failed'
  | 'cancelled';

/** The fields of an `Experiment` a game day reads. */
export interface Experiment {
  readonly id?: string;
  readonly arn?: string;
  readonly experimentTemplateId?: string;
  readonly roleArn?: string;
  readonly state?: {
    readonly status?: ExperimentStatus;
    readonly reason?: string;
    readonly error?: {
      readonly code?: string;
      readonly location?: string;
      readonly accountId?: string;
    };
  };
  readonly targets?: Readonly<Record<string, unknown>>;
  readonly actions?: Readonly<
    Record<
      string,
      {
        readonly actionId?: string;
        readonly state?: { readonly status?: string; readonly reason?: string };
        readonly startTime?: number | string;
        readonly endTime?: number | string;
      }
    >
  >;
  readonly stopConditions?: readonly { readonly source?: string; readonly value?: string }[];
  readonly creationTime?: number | string;
  readonly startTime?: number | string;
  readonly endTime?: number | string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface StartExperimentInput {
  readonly experimentTemplateId: string;
  /** Idempotency token: a retried start with the same token starts one experiment. */
  readonly clientToken: string;
  readonly experimentOptions?: { readonly actionsMode?: 'skip-all' | 'run-all' };
  readonly tags?: Readonly<Record<string, string>>;
}
export interface ExperimentOutput extends MetadataBearer {
  readonly experiment?: Experiment;
}
export interface GetExperimentInput {
  readonly id: string;
}
export interface StopExperimentInput {
  readonly id: string;
}

type FisInput = StartExperimentInput | GetExperimentInput | StopExperimentInput;

/** FIS in one Region. */
export class FisClient extends SignedJsonClient<FisInput, ExperimentOutput> {
  constructor(config: SignedJsonClientConfig) {
    super(config, { clientName: 'FisClient', signingName: 'fis' }, '2020-12-01', (region) => ({
      hostname: `fis.${region}.amazonaws.com`,
      signingRegion: region,
    }));
  }
}

const experimentPath = (id: string) => `/experiments/${encodeURIComponent(id)}`;

/** `POST /experiments` (FIS API Reference, "StartExperiment"). */
export class StartExperimentCommand extends JsonCommand<StartExperimentInput, ExperimentOutput> {
  readonly operation = 'StartExperiment';
  protected request(input: StartExperimentInput): JsonRequest {
    return { method: 'POST', path: '/experiments', body: input };
  }
}

/** `GET /experiments/{id}` (FIS API Reference, "GetExperiment"). */
export class GetExperimentCommand extends JsonCommand<GetExperimentInput, ExperimentOutput> {
  readonly operation = 'GetExperiment';
  protected request(input: GetExperimentInput): JsonRequest {
    return { method: 'GET', path: experimentPath(input.id) };
  }
}

/** `DELETE /experiments/{id}` (FIS API Reference, "StopExperiment"). */
export class StopExperimentCommand extends JsonCommand<StopExperimentInput, ExperimentOutput> {
  readonly operation = 'StopExperiment';
  protected request(input: StopExperimentInput): JsonRequest {
    return { method: 'DELETE', path: experimentPath(input.id) };
  }
}
