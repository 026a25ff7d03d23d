import * as ssm from '@aws-sdk/client-ssm';
import type { AwsCaller } from './caller';
import type { AwsClients } from './clients';
import { AWS_OPERATIONS as ops } from './operations';
import type { LockParameterApi, SwitchApi } from './ports';

const errorName = (err: unknown) => (err as { name?: string } | undefined)?.name;

/** The drain switches, on the SSM client of each call's region. */
export function ssmSwitches(clients: AwsClients, caller: AwsCaller): SwitchApi {
  return {
    async get(region, name) {
      const out = await caller.call(ops.getParameter, region, () =>
        clients.ssm(region).send(new ssm.GetParameterCommand({ Name: name })),
      );
      return out.Parameter?.Value;
    },
    async put(region, name, value) {
      await caller.call(ops.putParameter, region, () =>
        clients.ssm(region).send(
          new ssm.PutParameterCommand({
            Name: name,
            Value: value,
            Overwrite: true,
            Type: 'String',
          }),
        ),
      );
    },
  };
}

/** The drill lock parameters, on the SSM client of each call's region. */
export function ssmLocks(clients: AwsClients, caller: AwsCaller): LockParameterApi {
  return {
    create: (region, name, value) =>
      caller.call(ops.createLock, region, async () => {
        try {
          await clients
            .ssm(region)
            .send(new ssm.PutParameterCommand({ Name: name, Value: value, Type: 'String' }));
          return true;
        } catch (err) {
          if (errorName(err) === 'ParameterAlreadyExists') return false;
          throw err;
        }
      }),
    read: (region, name) =>
      caller.call(ops.readLock, region, async () => {
        try {
          return (await clients.ssm(region).send(new ssm.GetParameterCommand({ Name: name })))
            .Parameter?.Value;
        } catch (err) {
          if (errorName(err) === 'ParameterNotFound') return undefined;
          throw err;
        }
      }),
    async overwrite(region, name, value) {
      await caller.call(ops.writeLock, region, () =>
        clients
          .ssm(region)
          .send(new ssm.PutParameterCommand({ Name: name, Value: value, Overwrite: true })),
      );
    },
    remove: (region, name) =>
      caller.call(ops.deleteLock, region, async () => {
        try {
          await clients.ssm(region).send(new ssm.DeleteParameterCommand({ Name: name }));
          return true;
        } catch (err) {
          // DeleteParameter: "ParameterNotFound: The parameter couldn't be found" (API Reference, Errors).
          if (errorName(err) === 'ParameterNotFound') return false;
          throw err;
        }
      }),
  };
}
