// What a stopped or abandoned drill prints about the canaries' rows and items it leaves, line by
// line, typed here (not built with the code's function) so each test checks the exact text.
import type { DrillTopology } from '../../runbooks/drill/discovery';

/** The lines of the leftover text for `drillId` with `region` as the writer, unprefixed. */
export function canaryLeftoverLines(
  topology: DrillTopology,
  drillId: string,
  region: string,
): string[] {
  const r = topology.regions.find((x) => x.region === region)!;
  const run = (sql: string, name: string, value: string) =>
    `  aws rds-data execute-statement --region ${region} --resource-arn ${r.clusterArn} ` +
    `--secret-arn ${r.secretArn} --database ${topology.databaseName} --sql '${sql}' ` +
    `--parameters '[{"name":"${name}","value":{"stringValue":"${value}"}}]'`;
  return [
    `Left behind on ${r.clusterIdentifier}: this drill's canary rows, client idempotency records, client items. ` +
      'Step clean-canary deletes them when a resume reaches it; to delete them by hand, on the writer:',
    run('DELETE FROM drill_canary WHERE drill_id = :drill_id', 'drill_id', drillId),
    run(
      'DELETE FROM public.item_requests WHERE starts_with(item_id, :prefix)',
      'prefix',
      `drill-${drillId}-`,
    ),
    run('DELETE FROM public.items WHERE starts_with(id, :prefix)', 'prefix', `drill-${drillId}-`),
  ];
}

/** The same lines as the stop hint prints them on stderr. */
export const nextLines = (lines: string[]) => lines.map((l) => `  next: ${l}`);
