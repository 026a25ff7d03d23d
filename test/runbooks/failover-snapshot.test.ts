import { CopyDBClusterSnapshotCommand } from '@aws-sdk/client-rds';
import { faults } from './fake-aws';
import { drillIds, PRIMARY, readRecordFile, SECONDARY, useFakeAws } from './harness';

const h = useFakeAws();

describe('debug', () => {
  test('run', async () => {
    h.world.dataReplicationDelayMs = 3_000;
    h.world.healthLagMs = 12_000;
    const result = await h.run(h.failover());
    const id = drillIds(h.stateDir)[0];
    const record = readRecordFile(h.stateDir, id);
    console.log(result.code, result.stdout, result.stderr, JSON.stringify(record.measures.failoverSnapshot), JSON.stringify(h.mocks.rds.commandCalls(CopyDBClusterSnapshotCommand).map(c=>c.args[0].input)));
    const dry = await h.run(['failover', '--to', SECONDARY, '--allow-data-loss']);
    console.log(dry.stdout);
    void faults; void PRIMARY;
  });
});
