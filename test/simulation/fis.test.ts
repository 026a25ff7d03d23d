import { FIS_TIMING } from '../../runbooks/simulation/fis';
import { insertRow, instantWorld, pass, PRIMARY, realisticWorld, SECONDARY } from './world-helpers';

const templateOf = (world: ReturnType<typeof instantWorld>, region = PRIMARY) =>
  world.deployed(region).gameDay!.experimentTemplateId;
const start = (world: ReturnType<typeof instantWorld>, token = 't-1') =>
  world.fis.start(PRIMARY, { experimentTemplateId: templateOf(world), clientToken: token })
    .experiment;
const statusOf = (world: ReturnType<typeof instantWorld>, id: string) =>
  world.fis.get(PRIMARY, id).experiment.state?.status;

describe('the simulated FIS', () => {
  test('GIVEN the synthesized template WHEN started THEN it goes pending, initiating, running; the region serves nothing while its cluster keeps replicating', async () => {
    const world = instantWorld();
    const { id } = start(world);
    expect(statusOf(world, id!)).toBe('pending');
    expect(world.serving(PRIMARY)).toBe(true);

    await pass(world, FIS_TIMING.pendingMs);
    expect(statusOf(world, id!)).toBe('initiating');
    await pass(world, FIS_TIMING.initiatingMs);
    expect(statusOf(world, id!)).toBe('running');

    expect(world.appIsolated(PRIMARY)).toBe(true);
    expect(world.serving(PRIMARY)).toBe(false);
    expect(world.writerHealthy(PRIMARY)).toBe(false);
    expect(world.serving(SECONDARY)).toBe(true);
    // The data tier is untouched: a row on the writer reaches the secondary.
    insertRow(world, PRIMARY, 'fis', 1);
    world.advance();
    expect(world.rowsIn(SECONDARY, 'fis')).toEqual([1]);
  });

  test('GIVEN a running experiment WHEN stopped THEN it is stopping, then stopped, and the region serves again', async () => {
    const world = instantWorld();
    const { id } = start(world);
    await pass(world, FIS_TIMING.pendingMs + FIS_TIMING.initiatingMs);

    expect(world.fis.stop(PRIMARY, id!).experiment.state?.status).toBe('stopping');
    await pass(world, FIS_TIMING.stoppingMs);

    expect(world.fis.get(PRIMARY, id!).experiment.state).toEqual({
      status: 'stopped',
      reason: 'Experiment stopped by the user',
    });
    expect(world.serving(PRIMARY)).toBe(true);
    expect(() => world.fis.stop(PRIMARY, id!)).toThrow(`Experiment ${id} is already stopped`);
  });

  test('GIVEN the duration passes THEN it completes and the isolation ends', async () => {
    const world = instantWorld();
    const { id } = start(world);
    await pass(world, FIS_TIMING.pendingMs + FIS_TIMING.initiatingMs + 30 * 60_000);

    expect(statusOf(world, id!)).toBe('completed');
    expect(world.appIsolated(PRIMARY)).toBe(false);
  });

  test('GIVEN its stop condition alarm enters ALARM while it runs THEN FIS stops it', async () => {
    const world = realisticWorld();
    const { id } = start(world);
    await pass(world, FIS_TIMING.pendingMs + FIS_TIMING.initiatingMs);
    const alarm = world.deployed(PRIMARY).gameDay!.stopConditionAlarmNames[0];

    world.setAlarm(PRIMARY, alarm, 'ALARM');

    expect(world.fis.get(PRIMARY, id!).experiment.state).toEqual({
      status: 'stopping',
      reason: `Experiment stopped by stop condition ${alarm} (simulated)`,
    });
    await pass(world, FIS_TIMING.stoppingMs);
    expect(statusOf(world, id!)).toBe('stopped');
  });

  test('GIVEN an unknown template, or the template of another region, THEN ResourceNotFoundException', () => {
    const world = instantWorld();
    expect(() =>
      world.fis.start(PRIMARY, {
        experimentTemplateId: templateOf(world, SECONDARY),
        clientToken: 'x',
      }),
    ).toThrow(`Experiment template not found: ${templateOf(world, SECONDARY)}`);
  });

  test('GIVEN the same client token twice THEN one experiment', () => {
    const world = instantWorld();
    expect(start(world, 'same').id).toBe(start(world, 'same').id);
  });
});
