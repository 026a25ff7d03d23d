import { faults } from './fake-aws';
import { useFakeAws } from './harness';

const h = useFakeAws();

describe('the summary table after a drill', () => {
  test('GIVEN a step that failed on its second run THEN its status reads whole on one line: failed (2 runs)', async () => {
    h.world.fail('ssm:PutParameter', faults.throttling(), {
      times: 2,
      name: '/multi-region-ref/drain', // the fence, not the drill lock
    });
    // Shorter than the first pause before a second run: each run stops (the resume keeps it).
    await h.run(h.switchover('--timeout', 'fence=4s'));

    const result = await h.run(['resume', '--execute', '--yes', ...h.fast]);

    expect(result.code).toBe(9);
    expect(result.stdout).toMatch(
      /\n│ 3 +│ fence +│ failed \(2 runs\) │ [\d.]+ms +│ \[AWS_ERROR\] ssm PutParameter/,
    );
    expect(result.stdout).toMatch(/\n│ +│ total +│ stopped +│/);
    // Only the result column wraps; no status is split over two lines.
    expect(result.stdout).not.toMatch(/│ failed \(2 +│/);
  });
});
