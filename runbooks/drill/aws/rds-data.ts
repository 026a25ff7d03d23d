import { ExecuteStatementCommand, type Field, type SqlParameter } from '@aws-sdk/client-rds-data';
import type { AwsCaller } from './caller';
import type { AwsClients } from './clients';
import { AWS_OPERATIONS as ops } from './operations';
import type { SqlApi, SqlValue } from './ports';

/** Canary statements through the RDS Data API of the target's region. */
export function rdsDataSql(clients: AwsClients, caller: AwsCaller): SqlApi {
  return {
    async execute(target, statement, parameters = {}) {
      const out = await caller.call(ops.executeStatement, target.region, () =>
        clients.rdsData(target.region).send(
          new ExecuteStatementCommand({
            resourceArn: target.clusterArn,
            secretArn: target.secretArn,
            database: target.database,
            sql: statement,
            parameters: Object.entries(parameters).map(([name, value]) =>
              sqlParameter(name, value),
            ),
          }),
        ),
      );
      return (out.records ?? []).map((row) => row.map(fieldValue));
    },
  };
}

function sqlParameter(name: string, value: string | number): SqlParameter {
  return { name, value: typeof value === 'number' ? { longValue: value } : { stringValue: value } };
}

function fieldValue(field: Field): SqlValue {
  if (field.isNull) return null;
  if (field.longValue !== undefined) return field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.stringValue !== undefined) return field.stringValue;
  return null;
}
