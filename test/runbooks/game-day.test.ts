import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  GetExperimentCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from '../../constructs/aws-api/fis';
import { GAME_DAY_RPO_NOTE, type GameDayRecord } from '../../runbooks/drill/actions/game-day';
import { GAME_DAY_HELP } from '../../runbooks/drill/program';
import { faults } from './fake-aws';
import { failWithoutCredentials, PRIMARY, SECONDARY, useFakeAws } from './harness';

const h = useFakeAws();

const gameDay = (...extra: string[]) => [
  'game-day',
  '--from',
  PRIMARY,
  '--allow-data-loss',
  '--execute',
  '--yes',
  ...h.fast,
  ...extra,
];
const gd = () => h.world.deployed(PRIMARY).gameDay!;
const fisCalls = () =>
  h.world.calls
    .filter((c) => c.operation.startsWith('fis:'))
    .map((c) => `${c.operation} ${c.region}`);
const gameDayRecords = (): GameDayRecord[] => {
  const dir = path.join(h.stateDir, 'game-days');
  return fs
    .readdirSync(dir)
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as GameDayRecord);
};
const protectedAlarm = () => gd().stopConditionAlarmNames[0];

describe('drill game-day (dry run)', () => {
  test('GIVEN the default deployment WHEN dry run THEN it prints the template, stop conditions and FIS calls around the failover dry run, and sends no FIS call', async () => {
    const { code, stdout } = await h.run(['game-day', '--from', PRIMARY, '--allow-data-loss']);

    expect(code).toBe(0);
    const t = gd();
    expect(stdout).toContain(
      [
        `DRY RUN: game day in ${PRIMARY}: isolate its application subnets, then an unplanned failover of ${h.world.globalId} to ${SECONDARY} (engine native); nothing will be changed.`,
        `FIS template ${t.experimentTemplateId}: aws:network:disrupt-connectivity (scope all: deny all traffic) on the App subnets of ${PRIMARY} (every one) for 30m 00s unless stopped`,
        `stop conditions (CloudWatch alarms in ${PRIMARY}): MultiRegion-Database-${PRIMARY}-protected`,
        `experiment log: ${t.logGroupName}`,
        GAME_DAY_RPO_NOTE,
        '',
        'before the failover:',
        `  fis StartExperiment (${PRIMARY}) [mutating]: experimentTemplateId=${t.experimentTemplateId} clientToken=<new UUID> tags=multi-region-ref:game-day=<game day id>`,
        `  fis GetExperiment (${PRIMARY}): id=<experiment id>, every 10s until running (failed or stopped: the game day stops with FIS's reason)`,
        '',
        `then the failover, exactly as \`npx drill failover --to ${SECONDARY} --allow-data-loss\` runs it:`,
      ].join('\n'),
    );
    expect(stdout).toContain(
      `DRY RUN: failover of ${h.world.globalId} from ${PRIMARY} to ${SECONDARY}`,
    );
    expect(stdout).toContain(
      [
        'after the failover (also when it stops midway):',
        `  fis GetExperiment (${PRIMARY}): id=<experiment id>`,
        `  fis StopExperiment (${PRIMARY}) [mutating]: id=<experiment id>, if it still runs`,
        `  fis GetExperiment (${PRIMARY}): id=<experiment id>, until stopped, completed or failed`,
        `then one report: the failover's record plus a game-day section (experiment ${t.experimentTemplateId}'s id, start, end, state, stop conditions in ALARM)`,
      ].join('\n'),
    );
    expect(fisCalls()).toEqual([]);
    expect(h.world.writer).toBe(PRIMARY);
  });

  test('GIVEN no credentials WHEN dry run THEN it prints the game day from the outputs file and the offline failover plan, and exits 10 as the failover dry run does', async () => {
    failWithoutCredentials(h.world);

    const { code, stdout } = await h.run(['game-day', '--from', PRIMARY, '--allow-data-loss']);

    expect(code).toBe(10);
    expect(stdout).toContain(
      `FIS template ${gd().experimentTemplateId}: aws:network:disrupt-connectivity (scope all: deny all traffic) on the App subnets of ${PRIMARY} (every one) for 30m 00s unless stopped`,
    );
    expect(stdout).toContain(
      `DRY RUN (offline): failover of ${h.world.globalId} from ${PRIMARY} to ${SECONDARY}`,
    );
    expect(stdout).toContain(
      `  fis StopExperiment (${PRIMARY}) [mutating]: id=<experiment id>, if it still runs`,
    );
    expect(fisCalls()).toEqual([]);
  });

  test.each([
    [
      ['game-day', '--from', PRIMARY],
      'error [USAGE]: a game day ends in an unplanned failover that loses writes not yet replicated; pass --allow-data-loss to confirm',
    ],
    [
      ['game-day', '--from', PRIMARY, '--to', PRIMARY, '--allow-data-loss'],
      `error [USAGE]: --to ${PRIMARY} is the region the game day isolates; name another: ${SECONDARY}`,
    ],
  ])('GIVEN %j THEN it refuses with the exact message', async (args, message) => {
    const { code, stderr } = await h.run(args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(fisCalls()).toEqual([]);
  });

  test('GIVEN --help THEN it documents the template, the stop conditions and that FIS cannot pause Aurora replication', async () => {
    const { code, stdout } = await h.run(['game-day', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(GAME_DAY_HELP.trim());
    expect(GAME_DAY_HELP).toContain(
      "action aws:network:disrupt-connectivity (scope all) replaces the network ACL of that region's",
    );
    expect(GAME_DAY_HELP).toContain(
      "Stop conditions: CloudWatch alarms in the isolated region; by default its 'protected' alarm",
    );
    expect(GAME_DAY_HELP).toContain(
      "FIS cannot pause Aurora's storage replication: the isolation stops the application tier only, so the measured RPO reflects the replication lag at the moment of failover.",
    );
    expect(stdout).toContain('--from <region>');
    expect(stdout).toContain('--engine <engine>');
  });
});

describe('drill game-day --execute', () => {
  test('GIVEN a healthy deployment WHEN executed THEN FIS isolates the writer region, the failover runs while it is isolated, the drill stops the experiment, and one report has a game-day section', async () => {
    let isolatedAtFailover: boolean | undefined;
    h.world.afterServed('rds:FailoverGlobalCluster', (w) => {
      isolatedAtFailover = w.appIsolated(PRIMARY) && !w.serving(PRIMARY);
    });

    const { code, stdout } = await h.run(gameDay());

    expect(code).toBe(0);
    expect(isolatedAtFailover).toBe(true);
    expect(h.world.writer).toBe(SECONDARY);
    expect(h.world.appIsolated(PRIMARY)).toBe(false);
    const calls = h.world.calls.map((c) => c.operation);
    const start = calls.indexOf('fis:StartExperiment');
    const promote = calls.indexOf('rds:FailoverGlobalCluster');
    const stop = calls.indexOf('fis:StopExperiment');
    expect(start).toBeGreaterThanOrEqual(0);
    expect(start).toBeLessThan(promote);
    expect(promote).toBeLessThan(stop);
    const [record] = gameDayRecords();
    expect(record).toMatchObject({
      region: PRIMARY,
      targetRegion: SECONDARY,
      experimentTemplateId: gd().experimentTemplateId,
      status: 'stopped',
      stoppedByDrill: true,
      failover: 'completed',
      stopConditionsInAlarm: [],
    });
    expect(record.leftRunning).toBeUndefined();
    expect(record.states.map((s) => s.status)).toEqual([
      'pending',
      'initiating',
      'running',
      'stopping',
      'stopped',
    ]);
    const report = fs.readFileSync(
      path.join(h.stateDir, record.failoverDrillId!, 'report.md'),
      'utf8',
    );
    expect(report).toContain(`# Drill ${record.failoverDrillId}`);
    expect(report).toContain('## Game day');
    expect(report).toContain(`| experiment | ${record.experimentId} |`);
    expect(report).toContain('| state | stopped: stopped by the drill after the failover |');
    expect(report).toContain(`| stop conditions | ${protectedAlarm()} |`);
    expect(report).toContain('| stop conditions in ALARM at the end | none |');
    expect(report).toContain(
      `| failover | ${record.failoverDrillId} to ${SECONDARY} (engine native): completed |`,
    );
    expect(report).toContain(GAME_DAY_RPO_NOTE);
    expect(stdout).toContain(
      `report: ${path.join(h.stateDir, record.failoverDrillId!, 'report.md')}`,
    );
  });

  test('GIVEN a stop condition in ALARM WHEN executed THEN the experiment fails to start, the game day stops with FIS reason and nothing is failed over', async () => {
    h.world.setAlarm(PRIMARY, protectedAlarm(), 'ALARM');

    const { code, stderr } = await h.run(gameDay());

    expect(code).toBe(8);
    const [record] = gameDayRecords();
    expect(stderr).toContain(
      `error [UNEXPECTED_STATE]: FIS experiment ${record.experimentId} of template ${gd().experimentTemplateId} is failed before it isolated ${PRIMARY}: Stop condition triggered before the experiment started: ${protectedAlarm()} is in ALARM (simulated)`,
    );
    expect(stderr).toContain(
      `next: Nothing was failed over. Read the experiment log ${gd().logGroupName} in ${PRIMARY}, fix the cause, then run the game day again`,
    );
    expect(h.world.callsOf('rds:FailoverGlobalCluster')).toHaveLength(0);
    expect(fisCalls()).not.toContain(`fis:StopExperiment ${PRIMARY}`);
    expect(record).toMatchObject({ status: 'failed', stopConditionsInAlarm: [protectedAlarm()] });
    expect(record.leftRunning).toBeUndefined();
  });

  test('GIVEN FIS answers initiating, then failed with its reason (the FIS client mocked) THEN the game day stops with that reason, starts no failover and sends no stop', async () => {
    const experiment = (status: string, reason?: string) => ({
      experiment: {
        id: 'EXPmocked',
        experimentTemplateId: gd().experimentTemplateId,
        state: { status, ...(reason ? { reason } : {}) },
      },
    });
    h.mocks.fis.on(StartExperimentCommand).resolves(experiment('pending') as never);
    h.mocks.fis
      .on(GetExperimentCommand)
      .resolvesOnce(experiment('initiating') as never)
      .resolves(experiment('failed', 'Unable to assume the experiment role') as never);

    const { code, stderr } = await h.run(gameDay());

    expect(code).toBe(8);
    expect(stderr).toContain(
      `error [UNEXPECTED_STATE]: FIS experiment EXPmocked of template ${gd().experimentTemplateId} is failed before it isolated ${PRIMARY}: Unable to assume the experiment role`,
    );
    const [started] = h.mocks.fis.commandCalls(StartExperimentCommand);
    expect(started.args[0].input).toEqual({
      experimentTemplateId: gd().experimentTemplateId,
      clientToken: expect.stringMatching(/^[0-9a-f-]{36}$/),
      tags: { 'multi-region-ref:game-day': gameDayRecords()[0].gameDayId },
    });
    expect(h.mocks.fis.commandCalls(StopExperimentCommand)).toHaveLength(0);
    expect(h.world.callsOf('rds:FailoverGlobalCluster')).toHaveLength(0);
  });

  test('GIVEN a stop condition that fires mid-failover THEN FIS stops the isolation, the failover finishes, and the report names the stop condition', async () => {
    h.world.afterServed('rds:FailoverGlobalCluster', (w) =>
      w.setAlarm(PRIMARY, protectedAlarm(), 'ALARM'),
    );

    const { code } = await h.run(gameDay());

    expect(code).toBe(0);
    expect(h.world.writer).toBe(SECONDARY);
    expect(fisCalls()).not.toContain(`fis:StopExperiment ${PRIMARY}`);
    const [record] = gameDayRecords();
    expect(record).toMatchObject({
      status: 'stopped',
      failover: 'completed',
      stopConditionsInAlarm: [protectedAlarm()],
    });
    expect(record.stoppedByDrill).toBeUndefined();
    const report = fs.readFileSync(
      path.join(h.stateDir, record.failoverDrillId!, 'report.md'),
      'utf8',
    );
    expect(report).toContain(
      `| state | stopped by FIS: Experiment stopped by stop condition ${protectedAlarm()} (simulated) |`,
    );
    expect(report).toContain(`| stop conditions in ALARM at the end | ${protectedAlarm()} |`);
  });

  test('GIVEN the failover stops midway THEN the drill stops the experiment, reports what happened and exits with the failover error', async () => {
    h.world.fail(
      'rds:FailoverGlobalCluster',
      faults.accessDenied('rds:FailoverGlobalCluster', h.world.globalId),
    );

    const { code, stderr } = await h.run(gameDay());

    expect(code).toBe(9);
    expect(stderr).toContain('error [AWS_ERROR]');
    expect(h.world.writer).toBe(PRIMARY);
    expect(h.world.appIsolated(PRIMARY)).toBe(false);
    const [record] = gameDayRecords();
    expect(record).toMatchObject({ status: 'stopped', stoppedByDrill: true });
    expect(record.failover).toMatch(/^stopped: \[AWS_ERROR\] /);
    const report = fs.readFileSync(
      path.join(h.stateDir, record.failoverDrillId!, 'report.md'),
      'utf8',
    );
    expect(report).toContain(
      '| state | stopped: stopped by the drill after the failover stopped |',
    );
  });

  test('GIVEN the drill process dies mid-game-day THEN its game-day record already names the running experiment and the command that stops it', async () => {
    let atFailover: GameDayRecord | undefined;
    h.world.afterServed('rds:FailoverGlobalCluster', () => {
      atFailover = gameDayRecords()[0];
    });

    await h.run(gameDay());

    expect(atFailover).toMatchObject({ status: 'running' });
    expect(atFailover!.leftRunning).toBe(
      `experiment ${atFailover!.experimentId} may still run: \`aws fis stop-experiment --id ${atFailover!.experimentId} --region ${PRIMARY}\` (it ends by itself after 30m 00s)`,
    );
  });

  test('GIVEN the answer to StartExperiment never arrives THEN the game day says an experiment may isolate the region, how to find and stop it, and fails nothing over', async () => {
    h.world.fail('fis:StartExperiment', faults.networkTimeout('the answer was lost'), { times: 1 });

    const { code, stdout, stderr } = await h.run(gameDay());

    expect(code).not.toBe(0);
    const [record] = gameDayRecords();
    expect(record.experimentId).toBeUndefined();
    expect(record.clientToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(record.leftRunning).toBe(
      `StartExperiment was sent (client token ${record.clientToken}) but its answer did not arrive: an experiment tagged multi-region-ref:game-day=${record.gameDayId} may isolate ${PRIMARY} ` +
        `until it ends by itself after 30m 00s; find it with \`aws fis list-experiments --region ${PRIMARY}\` and stop it with \`aws fis stop-experiment --id <id> --region ${PRIMARY}\``,
    );
    expect(stdout + stderr).toContain(record.leftRunning!);
    expect(h.world.calls.filter((c) => c.operation === 'rds:FailoverGlobalCluster')).toEqual([]);
  });

  test('GIVEN StopExperiment fails THEN the game day says plainly that the experiment may still run, with the command', async () => {
    h.world.fail('fis:StopExperiment', faults.accessDenied('fis:StopExperiment', 'experiment'), {
      times: 1,
    });

    const { code, stdout } = await h.run(gameDay());

    expect(code).toBe(0);
    const [record] = gameDayRecords();
    expect(record.leftRunning).toMatch(
      new RegExp(
        `^experiment ${record.experimentId} could not be stopped \\(.*\\): run \`aws fis stop-experiment --id ${record.experimentId} --region ${PRIMARY}\` \\(it ends by itself after 30m 00s\\)$`,
      ),
    );
    expect(stdout).toContain(`**Left running:** ${record.leftRunning}`);
  });

  test('GIVEN a failover that would fail its preflight THEN nothing is isolated', async () => {
    h.world.setDrain(SECONDARY, 'true');

    const { code, stderr } = await h.run(gameDay());

    expect(code).toBe(4);
    expect(stderr).toContain(
      `error [PREFLIGHT_FAILED]: the failover to ${SECONDARY} would not pass its preflight, so nothing was isolated: health-checks: ${SECONDARY} serving (${h.world.checkId(SECONDARY, 'serving')}): unhealthy, 0/16 checkers report success; waived for an unplanned failover: ${PRIMARY} (the failed writer region) is not probed; drains-off: ${SECONDARY}: 'true'; waived for an unplanned failover: ${PRIMARY} (the failed writer region) is fenced by the drill, if it answers`,
    );
    expect(stderr).toContain(
      `next: Fix what the checks name (\`npx drill preflight --to ${SECONDARY} --for failover\`), or add --force --reason "<why>"`,
    );
    expect(fisCalls()).toEqual([]);
  });

  test('GIVEN a game day ran WHEN drill report renders its failover THEN md, json and html carry the game-day section', async () => {
    await h.run(gameDay());
    const [record] = gameDayRecords();

    for (const format of ['md', 'json', 'html']) {
      const { code } = await h.run([
        'report',
        '--drill-id',
        record.failoverDrillId!,
        '--format',
        format,
      ]);
      expect(code).toBe(0);
    }
    const dir = path.join(h.stateDir, record.failoverDrillId!);
    expect(fs.readFileSync(path.join(dir, 'report.md'), 'utf8')).toContain(
      `| experiment | ${record.experimentId} |`,
    );
    expect(
      JSON.parse(fs.readFileSync(path.join(dir, 'record.json'), 'utf8')).gameDay,
    ).toMatchObject({
      experimentId: record.experimentId,
      status: 'stopped',
    });
    expect(fs.readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain(
      `<section><h2>Game day</h2><pre>## Game day`,
    );
  });

  test('GIVEN --from is not the writer THEN it refuses before starting anything', async () => {
    const { code, stderr } = await h.run([...gameDay(), '--from', SECONDARY, '--to', PRIMARY]);

    expect(code).toBe(8);
    expect(stderr).toContain(
      `error [UNEXPECTED_STATE]: the writer of ${h.world.globalId} is in ${PRIMARY}, not ${SECONDARY}: a game day isolates the writer's region`,
    );
    expect(fisCalls()).toEqual([]);
  });
});
