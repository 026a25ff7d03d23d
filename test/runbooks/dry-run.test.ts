import * as fs from 'node:fs';
import {
  CopyDBClusterSnapshotCommand,
  FailoverGlobalClusterCommand,
  ModifyDBClusterParameterGroupCommand,
  ResetDBClusterParameterGroupCommand,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { ExecuteStatementCommand } from '@aws-sdk/client-rds-data';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { AwsCaller } from '../../runbooks/drill/aws/adapters';
import { AWS_OPERATIONS } from '../../runbooks/drill/aws/operations';
import { PRIMARY, SECONDARY, useFakeAws, type Harness } from './harness';

const h = useFakeAws();

function expectNoMutatingCommand(harness: Harness): void {
  expect(harness.mocks.rds.commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(0);
  expect(harness.mocks.rds.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
  expect(harness.mocks.ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  expect(harness.mocks.rdsData.commandCalls(ExecuteStatementCommand)).toHaveLength(0);
  expect(harness.mocks.rds.commandCalls(ModifyDBClusterParameterGroupCommand)).toHaveLength(0);
  expect(harness.mocks.rds.commandCalls(ResetDBClusterParameterGroupCommand)).toHaveLength(0);
}

describe('dry run (the default)', () => {
  test.each([
    [
      'switchover',
      ['switchover', '--to', SECONDARY],
      'rds SwitchoverGlobalCluster @ us-west-2 [MUTATING]',
      '9. verify-client-writes:',
      '10. return-old-writer:',
    ],
    [
      'failover',
      ['failover', '--to', SECONDARY, '--allow-data-loss'],
      'rds FailoverGlobalCluster @ us-west-2 [MUTATING]',
      '9. verify-client-writes:',
      '10. keep-failover-snapshot:',
    ],
  ])(
    'GIVEN %s without --execute THEN it prints the plan and every call, and sends no mutating command',
    async (_kind, args, promoteCall, ninth, tenth) => {
      const result = await h.run(args);

      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        `DRY RUN: ${_kind} of multi-region-ref-global from us-east-1 to us-west-2; nothing will be changed.`,
      );
      expect(result.stdout).toContain(promoteCall);
      expect(result.stdout).toContain(
        'ssm PutParameter @ us-east-1 [MUTATING] Name=/multi-region-ref/drain Value=true Overwrite=true',
      );
      expect(result.stdout).toMatch(
        /1\. preflight:[\s\S]*3\. fence:[\s\S]*4\. promote:[\s\S]*5\. wait-writer:[\s\S]*6\. align-rpo:[\s\S]*7\. verify-traffic:[\s\S]*8\. verify-writes:/,
      );
      expect(result.stdout).toContain(`\n${ninth}`);
      expect(result.stdout).toContain(`\n${tenth}`);
      expect(result.stdout).toContain('all 15 checks passed');
      expectNoMutatingCommand(h);
      expect(h.mocks.rds.commandCalls(CopyDBClusterSnapshotCommand)).toHaveLength(0);
      expect(h.world.writer).toBe(PRIMARY);
      // Nothing is journaled and no lock is taken.
      expect(fs.existsSync(h.stateDir)).toBe(false);
    },
  );

  test('GIVEN a failback dry run after a switchover THEN it lists the extra ready-target step and changes nothing', async () => {
    h.world.writer = SECONDARY;
    const result = await h.run(['failback']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '3. ready-target: Return us-east-1 to service before it takes the writer',
    );
    expect(result.stdout).toContain('rds SwitchoverGlobalCluster @ us-east-1 [MUTATING]');
    expectNoMutatingCommand(h);
  });

  test('GIVEN a failing preflight THEN the dry run says so and exits 4, still sending nothing', async () => {
    h.world.region(SECONDARY).instances = 0;
    const result = await h.run(['switchover', '--to', SECONDARY]);

    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(
      /target-not-headless +│ FAIL +│ headless: add an instance before it can take the writer/,
    );
    expectNoMutatingCommand(h);
  });

  test('GIVEN the adapters in dry-run mode WHEN a mutating call is attempted THEN it is refused before reaching the SDK', async () => {
    const send = jest.fn();
    const caller = new AwsCaller('dry-run');

    await expect(
      caller.call(AWS_OPERATIONS.switchoverGlobalCluster, 'us-west-2', send),
    ).rejects.toMatchObject({
      code: 'INTERNAL',
      message: 'dry run tried to call rds SwitchoverGlobalCluster in us-west-2; nothing was sent',
    });
    expect(send).not.toHaveBeenCalled();
    await expect(
      caller.call(AWS_OPERATIONS.describeGlobalClusters, 'us-west-2', async () => 'read'),
    ).resolves.toBe('read');
  });
});
