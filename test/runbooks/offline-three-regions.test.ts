// With two secondaries, an offline failback cannot tell which one holds the writer.
import { faults } from './fake-aws';
import { PRIMARY, SECONDARY, useFakeAws } from './harness';

const h = useFakeAws([PRIMARY, SECONDARY, 'us-east-2']);

describe('an offline failback with more than one secondary', () => {
  test('GIVEN no credentials and two secondaries WHEN failback runs dry THEN it plans nothing and says NO_CREDENTIALS (exit 10)', async () => {
    h.world.fail('rds:DescribeGlobalClusters', faults.noCredentials(), { times: 100 });

    const result = await h.run(['failback']);

    expect(result.code).toBe(10);
    expect(result.stdout).not.toContain('DRY RUN');
    expect(result.stderr).toContain(
      'error [NO_CREDENTIALS]: no usable AWS credentials for rds DescribeGlobalClusters in us-east-1',
    );
  });

  test('GIVEN no credentials and two secondaries WHEN switchover --to one runs dry THEN it plans from the primary', async () => {
    h.world.fail('rds:DescribeGlobalClusters', faults.noCredentials(), { times: 100 });

    const result = await h.run(['switchover', '--to', 'us-east-2']);

    expect(result.code).toBe(10);
    expect(result.stdout).toContain(
      'DRY RUN (offline): switchover of multi-region-ref-global from us-east-1 to us-east-2; nothing will be changed.',
    );
  });
});
