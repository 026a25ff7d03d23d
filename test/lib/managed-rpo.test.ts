// Role-aware managed RPO in the app as it synthesizes (evaluated as if deployed).
import { deployedApp } from '../deployed-app';

const TWO = ['us-east-1', 'us-west-2'];
const THREE = ['us-east-1', 'us-west-2', 'us-east-2'];

/** Each region's cluster parameter group as deployed: name and parameters. */
function groupsByRegion(regions: readonly string[]) {
  const deployed = deployedApp(regions);
  const clusters = deployed.resources('AWS::RDS::DBCluster');
  return Object.fromEntries(
    deployed.resources('AWS::RDS::DBClusterParameterGroup').map((g) => {
      const cluster = clusters.find(
        (c) => c.properties.DBClusterParameterGroupName === g.physicalId,
      );
      return [
        g.region,
        {
          name: g.physicalId,
          logicalId: g.logicalId,
          cluster: cluster?.physicalId,
          parameters: g.properties.Parameters as Record<string, string>,
        },
      ];
    }),
  );
}

describe('managed RPO in the synthesized app', () => {
  test('GIVEN the two-region default THEN the primary’s group enforces the RPO and the secondary’s leaves rds.global_db_rpo at its default', () => {
    const groups = groupsByRegion(TWO);

    expect(groups['us-east-1'].parameters).toEqual({
      'rds.force_ssl': '1',
      'rds.global_db_rpo': '30',
    });
    expect(groups['us-west-2'].parameters).toEqual({ 'rds.force_ssl': '1' });
    expect(groups['us-west-2'].parameters).not.toHaveProperty('rds.global_db_rpo');
  });

  test('GIVEN three regions THEN every member’s group enforces the RPO (documented trade-off)', () => {
    const groups = groupsByRegion(THREE);

    for (const region of THREE) {
      expect(groups[region].parameters['rds.global_db_rpo']).toBe('30');
    }
  });

  test('THEN each group has a fixed name, its cluster uses it, the logical id is unchanged, and DrillDatabase publishes it', () => {
    const groups = groupsByRegion(TWO);
    const outputs = deployedApp(TWO).outputsFile();

    for (const region of TWO) {
      const cluster = `multi-region-ref-global-${region}`;
      expect(groups[region]).toMatchObject({
        name: `${cluster}-params`,
        cluster,
        // The construct id never changed: naming the group replaces the group, not the cluster.
        logicalId: 'GlobalDatabaseClusterParametersDCC9AF39',
      });
      const drill = JSON.parse(outputs[`MultiRegion-Database-${region}`].DrillDatabase);
      expect(drill.clusterParameterGroupName).toBe(`${cluster}-params`);
    }
  });

  test('THEN the drill operator role may read, set and reset parameters on exactly those groups, the readiness functions only read them, and nowhere else', () => {
    const deployed = deployedApp(TWO);
    const groups = groupsByRegion(TWO);
    type Statement = { Sid?: string; Action: string | string[]; Resource: string | string[] };
    const statements = deployed
      .resources('AWS::IAM::ManagedPolicy')
      .flatMap((p) => (p.properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const actions = [
      'rds:DescribeDBClusterParameters',
      'rds:ModifyDBClusterParameterGroup',
      'rds:ResetDBClusterParameterGroup',
    ];
    const granting = statements.filter((s) =>
      [s.Action].flat().some((a) => actions.includes(a) || a === 'rds:*' || a === '*'),
    );

    const resources = TWO.map(
      (region) => `arn:aws:rds:${region}:123456789012:cluster-pg:${groups[region].name}`,
    );
    // One readiness function per region (constructs/readiness-check.ts): read-only.
    const readOnly = granting.filter((s) => s.Sid === 'rdsDescribeDBClusterParameters');
    expect(readOnly).toEqual(
      TWO.map(() => ({
        Sid: 'rdsDescribeDBClusterParameters',
        Effect: 'Allow',
        Action: 'rds:DescribeDBClusterParameters',
        Resource: resources,
      })),
    );
    expect(granting.filter((s) => !readOnly.includes(s))).toEqual([
      {
        Sid: 'ManagedRpo',
        Effect: 'Allow',
        Action: actions,
        Resource: TWO.map(
          (region) => `arn:aws:rds:${region}:123456789012:cluster-pg:${groups[region].name}`,
        ),
      },
    ]);
  });
});
