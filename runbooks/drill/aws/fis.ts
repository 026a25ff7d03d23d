import {
  GetExperimentCommand,
  StartExperimentCommand,
  StopExperimentCommand,
  type Experiment,
} from '../../../constructs/aws-api/fis';
import type { AwsCaller } from './caller';
import type { AwsClients } from './clients';
import { AWS_OPERATIONS as ops } from './operations';
import type { ExperimentApi, ExperimentView } from './ports';

/** FIS answers times as epoch seconds or ISO strings; the drill keeps milliseconds. */
function millis(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' ? value * 1000 : Date.parse(value);
}

function view(experiment: Experiment | undefined, id?: string): ExperimentView {
  const startTime = millis(experiment?.startTime);
  const endTime = millis(experiment?.endTime);
  return {
    id: experiment?.id ?? id ?? '',
    ...(experiment?.experimentTemplateId ? { templateId: experiment.experimentTemplateId } : {}),
    status: experiment?.state?.status ?? 'unknown',
    ...(experiment?.state?.reason ? { reason: experiment.state.reason } : {}),
    ...(startTime !== undefined ? { startTime } : {}),
    ...(endTime !== undefined ? { endTime } : {}),
  };
}

/** FIS experiments, on the in-house FIS client of each call's region. */
export function fisExperiments(clients: AwsClients, caller: AwsCaller): ExperimentApi {
  return {
    async start(region, templateId, clientToken, tags) {
      const out = await caller.call(ops.startExperiment, region, () =>
        clients
          .fis(region)
          .send(
            new StartExperimentCommand({ experimentTemplateId: templateId, clientToken, tags }),
          ),
      );
      return view(out.experiment);
    },
    async get(region, id) {
      const out = await caller.call(ops.getExperiment, region, () =>
        clients.fis(region).send(new GetExperimentCommand({ id })),
      );
      return view(out.experiment, id);
    },
    async stop(region, id) {
      const out = await caller.call(ops.stopExperiment, region, () =>
        clients.fis(region).send(new StopExperimentCommand({ id })),
      );
      return view(out.experiment, id);
    },
  };
}
