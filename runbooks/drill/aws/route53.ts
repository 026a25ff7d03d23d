import {
  GetHealthCheckStatusCommand,
  ListResourceRecordSetsCommand,
  TestDNSAnswerCommand,
  type ListResourceRecordSetsCommandInput,
  type ListResourceRecordSetsCommandOutput,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import type { AwsCaller } from './caller';
import type { AwsClients } from './clients';
import { AWS_OPERATIONS as ops } from './operations';
import { normalizeHostname, type RecordView, type RoutingApi } from './ports';

/** Records asked for per ListResourceRecordSets page. */
export const RECORD_PAGE_SIZE = 50;

/** Route 53 data-plane views and records, all on the client of `homeRegion`. */
export function route53Routing(
  clients: AwsClients,
  caller: AwsCaller,
  homeRegion: string,
): RoutingApi {
  return {
    async healthCheckStatus(healthCheckId) {
      const out = await caller.call(ops.getHealthCheckStatus, homeRegion, () =>
        clients
          .route53(homeRegion)
          .send(new GetHealthCheckStatusCommand({ HealthCheckId: healthCheckId })),
      );
      const observations = out.HealthCheckObservations ?? [];
      const succeeding = observations.filter((o) =>
        o.StatusReport?.Status?.startsWith('Success'),
      ).length;
      return {
        healthy: succeeding * 2 > observations.length,
        succeeding,
        reporting: observations.length,
      };
    },
    async dnsAnswer(hostedZoneId, name) {
      const out = await caller.call(ops.testDnsAnswer, homeRegion, () =>
        clients.route53(homeRegion).send(
          new TestDNSAnswerCommand({
            HostedZoneId: hostedZoneId,
            RecordName: name,
            RecordType: 'CNAME',
          }),
        ),
      );
      return (out.RecordData ?? []).map(normalizeHostname);
    },
    recordSets: (hostedZoneId, name) =>
      caller.call(ops.listResourceRecordSets, homeRegion, async () => {
        const wanted = normalizeHostname(name);
        const found: RecordView[] = [];
        const pages = paginateRecordSets(clients.route53(homeRegion), {
          HostedZoneId: hostedZoneId,
          StartRecordName: wanted,
          MaxItems: RECORD_PAGE_SIZE,
        });
        for await (const page of pages) {
          for (const r of page.ResourceRecordSets ?? []) {
            // Sorted by name: the first other name ends this name's records.
            if (normalizeHostname(r.Name ?? '') !== wanted) return found;
            found.push({
              name: wanted,
              type: r.Type ?? 'unknown',
              ttl: r.TTL,
              setIdentifier: r.SetIdentifier,
              region: r.Region,
              healthCheckId: r.HealthCheckId,
              alias: r.AliasTarget !== undefined,
              values: (r.ResourceRecords ?? []).map((v) => normalizeHostname(v.Value ?? '')),
            });
          }
        }
        return found;
      }),
  };
}

/**
 * Every page of ListResourceRecordSets from `input` on. The SDK generates no paginator for it
 * (its position is three fields, not one token), so this is the SDK paginator's shape by hand:
 * "If your results were truncated, you can make a follow-up pagination request by using the
 * NextRecordName element"; NextRecordType and, for records with a routing policy,
 * NextRecordIdentifier ("the next resource record set that has the current DNS name and type")
 * complete the position (Route 53 API Reference, ListResourceRecordSets: Response Elements).
 */
export async function* paginateRecordSets(
  client: Pick<Route53Client, 'send'>,
  input: ListResourceRecordSetsCommandInput,
): AsyncGenerator<ListResourceRecordSetsCommandOutput> {
  let next: ListResourceRecordSetsCommandInput = input;
  for (;;) {
    const page = await client.send(new ListResourceRecordSetsCommand(next));
    yield page;
    if (!page.IsTruncated || page.NextRecordName === undefined) return;
    next = {
      ...input,
      StartRecordName: page.NextRecordName,
      StartRecordType: page.NextRecordType,
      StartRecordIdentifier: page.NextRecordIdentifier,
    };
  }
}
