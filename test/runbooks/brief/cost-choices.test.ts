import {
  addedRegionLabel,
  costChoices,
  type CostChoice,
} from '../../../runbooks/brief/cost/choices';
import { inventory } from '../../../runbooks/brief/cost/inventory';
import { costModel } from '../../../runbooks/brief/cost/model';
import { loadPriceBook } from '../../../runbooks/brief/cost/prices';
import { DEFAULT_WORKLOAD } from '../../../runbooks/brief/cost/workload';
import { deployedApp } from '../../deployed-app';
import { filePrice, instanceCents, instancesOf, shippedFigures } from './cost-helpers';

const TWO = ['us-east-1', 'us-west-2'];

function choicesOf(
  regions = TWO,
  context: Record<string, string> = {},
): Map<CostChoice['id'], CostChoice> {
  const choices = costChoices(
    inventory(deployedApp(regions, context)),
    DEFAULT_WORKLOAD,
    loadPriceBook(),
  );
  return new Map(choices.map((c) => [c.id, c]));
}

describe('the cost of each choice next to what it buys', () => {
  test('GIVEN the default topology THEN a reader in the secondary costs its instance-hours at the file price', () => {
    const reader = choicesOf().get('secondary-reader');

    expect(reader?.title).toBe('One more db.r6g.large reader in each secondary (us-west-2)');
    expect(reader?.deltaCents).toBe(
      instanceCents(2, filePrice('aurora.instance.db.r6g.large', 'us-west-2')) -
        instanceCents(1, filePrice('aurora.instance.db.r6g.large', 'us-west-2')),
    );
  });

  test('GIVEN a headless secondary THEN a reader there buys local reads and a promotion that does not wait for an instance', () => {
    const reader = choicesOf(TWO, { 'topology.readersByRegion': '{"us-west-2":0}' }).get(
      'secondary-reader',
    );

    expect(reader?.buys).toBe(
      'reads keep serving locally in us-west-2, and a promotion there does not wait for an instance to be created first',
    );
    expect(reader?.deltaCents).toBeGreaterThan(0);
  });

  test('GIVEN the default topology THEN going headless saves the secondary instances (read I/O moves to the primary at the same rate)', () => {
    const deployment = deployedApp(TWO);
    const headless = choicesOf().get('headless-secondary');
    const secondaryInstances = instancesOf(deployment).get('us-west-2')?.get('db.r6g.large') ?? 0;
    const saved = instanceCents(
      secondaryInstances,
      filePrice('aurora.instance.db.r6g.large', 'us-west-2'),
    );

    expect(headless?.costs).toBe(
      'a promotion must add an instance first (minutes more on the write RTO), and those Regions serve no reads locally',
    );
    // Lines round separately: moving the reads may shift the total by a cent.
    expect(Math.abs((headless?.deltaCents ?? 0) + saved)).toBeLessThanOrEqual(1);
  });

  test('GIVEN the templates fail after 3 checks THEN fast checks say 60 s off each floor, and cost at least their fast-interval option', () => {
    const deployment = deployedApp(TWO);
    const fast = choicesOf().get('fast-health-checks');
    const checks = deployment
      .resources('AWS::Route53::HealthCheck')
      .map((r) => r.properties.HealthCheckConfig as Record<string, unknown>)
      .filter((c) => c.Type !== 'CALCULATED');
    const threshold = Math.max(...checks.map((c) => Number(c.FailureThreshold)));
    const optionCents = checks.length * filePrice('route53.health-check.option', 'global') * 100;

    expect(fast?.buys).toBe(
      `detection 3x faster: ${(30 - 10) * threshold} s off each RTO floor that waits for a health check (20 s x failure threshold ${threshold} from the template)`,
    );
    expect(fast?.deltaCents).toBeGreaterThan(optionCents);
  });

  test('GIVEN the default workload THEN I/O-Optimized names its break-even against the I/O this workload makes', () => {
    const io = choicesOf().get('io-optimized');
    const seconds = DEFAULT_WORKLOAD.hoursPerMonth * 3600;
    const writeIos = DEFAULT_WORKLOAD.writesPerSecond * DEFAULT_WORKLOAD.writeIosPerWrite * seconds;
    // Writes at the writer, the same writes replicated to the secondary, reads in both.
    const millions = Math.round((2 * writeIos + DEFAULT_WORKLOAD.readIosPerSecond * seconds) / 1e6);

    expect(io?.title).toBe(
      'Aurora I/O-Optimized instead of Aurora Standard (now: Aurora Standard)',
    );
    expect(io?.buys).toMatch(
      new RegExp(
        `^no charge per I/O \\(and, assumed, none for replicated write I/O: AWS's pricing page does not say\\); a predictable bill; break-even at about [\\d,]+ million I/Os a month \\(this workload: ${millions} million\\)$`,
      ),
    );
    expect(io?.deltaCents).toBeGreaterThan(0);
  });

  test('GIVEN two Regions THEN the third Region costs exactly what a synthesized third Region adds, standby write chain included', () => {
    const prices = loadPriceBook();
    const third = choicesOf().get('third-region');
    const total = (regions: string[]) =>
      costModel(inventory(deployedApp(regions)), DEFAULT_WORKLOAD, prices).cents;

    expect(third?.title).toBe('A third Region (us-east-2, shaped like us-west-2)');
    expect(third?.deltaCents).toBe(total([...TWO, 'us-east-2']) - total(TWO));
    expect(third?.buys).toBe(
      'the service survives the loss of two Regions (now one), and the managed RPO can be enforced in every role: a healthy secondary remains to satisfy rds.global_db_rpo when one Region is lost',
    );
    expect(third?.costs).toBe(
      'one more copy of the data to keep in residency scope; replicated write I/O to one more Region (Aurora Standard; assumed waived under I/O-Optimized)',
    );
  });

  test('GIVEN three Regions THEN the added Region is the fourth, it survives three losses, and the managed RPO is not offered again', () => {
    const deployed = [...TWO, 'us-east-2'];
    // The Region the choice picks: the first the shipped file prices the instance class in.
    const next = shippedFigures
      .filter((f) => f.id === 'aurora.instance.db.r6g.large' && !deployed.includes(f.region))
      .map((f) => f.region)
      .sort()[0];
    const template = inventory(deployedApp(deployed)).regions.find(
      (r) => r.role === 'secondary',
    )?.region;
    const added = choicesOf(deployed).get('third-region');

    expect(added?.title).toBe(`A fourth Region (${next}, shaped like ${template})`);
    expect(added?.buys).toBe('the service survives the loss of three Regions (now two)');
  });

  test.each([
    [3, 'A third Region'],
    [4, 'A fourth Region'],
    [8, 'An eighth Region'],
    [11, 'An eleventh Region'],
    [12, 'One more Region (the 12th)'],
  ])('GIVEN %i Regions after the choice THEN it is labelled %s', (after, label) => {
    expect(addedRegionLabel(after)).toBe(label);
  });
});
