// The outputs file `cdk deploy --outputs-file` writes for the app (tests and the benchmark).
import {
  ACCOUNT,
  APP,
  checkId,
  clusterArn,
  clusterId,
  drainName,
  GLOBAL_ID,
  regionalHostname,
  WRITE,
  ZONE_ID,
} from './fake-aws';

export const PRIMARY = 'us-east-1';
export const SECONDARY = 'us-west-2';

/** The outputs file `cdk deploy --outputs-file` writes for the app, for these regions. */
export function outputsFor(
  regions: readonly string[] = [PRIMARY, SECONDARY],
): Record<string, Record<string, string>> {
  const outputs: Record<string, Record<string, string>> = {};
  regions.forEach((region, i) => {
    const primary = i === 0;
    outputs[`MultiRegion-Database-${region}`] = {
      ClusterIdentifier: clusterId(region),
      DrillDatabase: JSON.stringify({
        region,
        role: primary ? 'primary' : 'secondary',
        clusterIdentifier: clusterId(region),
        clusterArn: clusterArn(region),
        globalClusterIdentifier: GLOBAL_ID,
        ...(primary
          ? {
              secretArn: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:DatabaseSecret-AbCdEf`,
              databaseName: 'app',
            }
          : {}),
        rpoSeconds: 30,
      }),
    };
    outputs[`MultiRegion-Service-${region}`] = {
      DrillService: JSON.stringify({
        region,
        drainParameterName: drainName(),
        regionalHostname: regionalHostname(region),
        appHostname: APP,
        writeHostname: WRITE,
      }),
    };
  });
  outputs['MultiRegion-Routing'] = {
    DrillRouting: JSON.stringify({
      primaryRegion: regions[0],
      regions,
      hostedZoneId: ZONE_ID,
      appHostname: APP,
      writeHostname: WRITE,
      ttlSeconds: 60,
      rpoSeconds: 30,
      rtoSeconds: 900,
      rtoFloorSeconds: 215,
      healthChecks: Object.fromEntries(
        regions.map((r) => [r, { serving: checkId(r, 'serving'), writer: checkId(r, 'writer') }]),
      ),
    }),
  };
  return outputs;
}
