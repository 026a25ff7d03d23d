// The readiness function's work, apart from its Lambda entry point (readiness.ts) so tests run
// it on the simulation: read the Drill* outputs from their SSM mirrors, observe the deployment
// as `drill preflight` does, judge this region as the target with the preflight's own checks,
// and publish the verdict.
import { PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import {
  READINESS_DIMENSIONS,
  READINESS_METRIC_NAMESPACE,
  READINESS_METRICS,
  type DrillOutputKey,
} from '../contract';
import { AwsCaller, sdkAdapters, type ClientNetworkApi } from '../../runbooks/drill/aws/adapters';
import type { AwsClients } from '../../runbooks/drill/aws/clients';
import { AWS_OPERATIONS } from '../../runbooks/drill/aws/operations';
import type { Clock } from '../../runbooks/drill/clock';
import { topologyFromOutputs } from '../../runbooks/drill/discovery';
import { errorText } from '../../runbooks/drill/errors';
import type { DrillKind } from '../../runbooks/drill/model';
import { observe } from '../../runbooks/drill/observe';
import type { OutputsFile } from '../../runbooks/drill/output-reader';
import { evaluatePreflight, type CheckResult } from '../../runbooks/drill/preflight';

/** One SSM parameter that mirrors a Drill* output (lib/drill-outputs.ts). */
export interface OutputParameter {
  readonly region: string;
  readonly stackName: string;
  readonly key: DrillOutputKey;
  readonly name: string;
}

/** Why the client canary check is skipped here (its reason in the published result). */
export const READINESS_CLIENT_CANARY_SKIPPED =
  "not run in the readiness function: the client canary resolves and calls the public names from an operator's network; `drill preflight` runs it";

/** The client canary's network in Lambda: none, so the probe skips with the reason above. */
export const NO_OPERATOR_NETWORK: ClientNetworkApi = {
  resolve: () => Promise.reject(new Error(READINESS_CLIENT_CANARY_SKIPPED)),
  send: () => Promise.reject(new Error(READINESS_CLIENT_CANARY_SKIPPED)),
  unavailable: READINESS_CLIENT_CANARY_SKIPPED,
};

/** The check id of a run that could not read its inputs (no snapshot to judge). */
export const READINESS_INPUTS_CHECK = 'readiness-inputs';

export interface ReadinessInput {
  /** The function's region: the region judged as the target. */
  readonly region: string;
  /** Region of the Route 53 calls and the routing stack's alarms. */
  readonly homeRegion: string;
  readonly outputParameters: readonly OutputParameter[];
  readonly clients: AwsClients;
  readonly clock: Clock;
}

/** One run's verdict, as published and logged. */
export interface ReadinessResult {
  readonly region: string;
  readonly ready: boolean;
  /** The move judged (absent when this region holds the writer or nothing could be read). */
  readonly kind?: DrillKind;
  readonly writerRegion?: string;
  readonly checks: readonly CheckResult[];
}

/** Runs the preflight for this region, publishes the metrics, returns the verdict. */
export async function runReadiness(input: ReadinessInput): Promise<ReadinessResult> {
  const result = await judge(input);
  await publish(input, result);
  return result;
}

async function judge(input: ReadinessInput): Promise<ReadinessResult> {
  const { region, homeRegion, clients, clock } = input;
  // Read-only: the caller refuses every mutating operation (the drill's dry-run chokepoint).
  const caller = new AwsCaller('dry-run');
  try {
    const outputs = await readOutputs(input, caller);
    const topology = topologyFromOutputs(outputs, 'the Drill* output parameters (SSM)');
    const aws = sdkAdapters(clients, caller, homeRegion, NO_OPERATOR_NETWORK);
    const snapshot = await observe(aws, topology, {
      clock,
      homeRegion,
      preferredRegions: [region],
      client: {},
      capacity: true,
    });
    const writerRegion = snapshot.writerRegion;
    if (writerRegion === region) {
      return {
        region,
        ready: true,
        writerRegion,
        checks: [
          {
            id: 'standby',
            title: `${region} is a standby`,
            ok: true,
            reason: `not a standby: ${region} holds the writer; the other regions' functions judge their readiness`,
          },
        ],
      };
    }
    // As `drill preflight` chooses: a move to the primary region is a failback.
    const kind: DrillKind = region === topology.primaryRegion ? 'failback' : 'switchover';
    const checks = evaluatePreflight(snapshot, topology, { kind, targetRegion: region });
    return {
      region,
      ready: checks.every((c) => c.ok),
      kind,
      ...(writerRegion ? { writerRegion } : {}),
      checks,
    };
  } catch (err) {
    return {
      region,
      ready: false,
      checks: [
        {
          id: READINESS_INPUTS_CHECK,
          title: 'the Drill* outputs and the global cluster can be read',
          ok: false,
          reason: errorText(err),
        },
      ],
    };
  }
}

/** The outputs file `cdk deploy --outputs-file` would write, from the parameters that mirror it. */
async function readOutputs(input: ReadinessInput, caller: AwsCaller): Promise<OutputsFile> {
  const values = await Promise.all(
    input.outputParameters.map(async (p) => {
      const out = await caller.call(AWS_OPERATIONS.getParameter, p.region, () =>
        input.clients.ssm(p.region).send(new GetParameterCommand({ Name: p.name })),
      );
      return { p, value: out.Parameter?.Value ?? '' };
    }),
  );
  const outputs: Record<string, Record<string, string>> = {};
  for (const { p, value } of values) (outputs[p.stackName] ??= {})[p.key] = value;
  return outputs;
}

/**
 * `StandbyReady` (1 or 0) and one `PreflightCheckFailed` per failed check, in this region's
 * namespace (CloudWatch API Reference, PutMetricData: up to 1,000 metrics per request).
 */
async function publish(input: ReadinessInput, result: ReadinessResult): Promise<void> {
  const timestamp = new Date(input.clock.now());
  const region = { Name: READINESS_DIMENSIONS.region, Value: result.region };
  const data: MetricDatum[] = [
    {
      MetricName: READINESS_METRICS.ready,
      Dimensions: [region],
      Timestamp: timestamp,
      Value: result.ready ? 1 : 0,
      Unit: 'Count',
    },
    ...result.checks
      .filter((c) => !c.ok)
      .map((c) => ({
        MetricName: READINESS_METRICS.checkFailed,
        Dimensions: [region, { Name: READINESS_DIMENSIONS.check, Value: c.id }],
        Timestamp: timestamp,
        Value: 1,
        Unit: 'Count' as const,
      })),
  ];
  await input.clients
    .cloudwatch(input.region)
    .send(new PutMetricDataCommand({ Namespace: READINESS_METRIC_NAMESPACE, MetricData: data }));
}
