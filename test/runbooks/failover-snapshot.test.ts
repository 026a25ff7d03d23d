import * as fs from 'node:fs';
import * as path from 'node:path';
import { CopyDBClusterSnapshotCommand } from '@aws-sdk/client-rds';
import { planView } from '../../runbooks/drill/steps';
import { copyByHand } from '../../runbooks/drill/steps/keep-failover-snapshot';
import { faults } from './fake-aws';
import { drillIds, PRIMARY, readRecordFile, SECONDARY, useFakeAws } from './harness';

const h = useFakeAws();

const DRILL = 'failover-20250301T100000Z-us-west-2';
const COPY = 'drill-failover-20250301t100000z-us-west-2-point-of-failure';
const SOURCE = 'rds:unplanned-global-failover-multi-region-ref-global-us-east-1-2025-03-01-10-00';
const OLD_PRIMARY = 'multi-region-ref-global-us-east-1';
const LOOK_LATER =
  'Later, when us-east-1 answers, look for it (aws rds describe-db-cluster-snapshots --region us-east-1 ' +
  '--db-cluster-identifier multi-region-ref-global-us-east-1) and copy it to a manual snapshot before the ' +
  'old primary\'s retention removes it (runbooks/README.md, "Recovering lost writes after an unplanned failover")';
const COPY_BY_HAND =
  `Copy it by hand before the old primary's retention removes it (delete a failed ${COPY} first): ` +
  `aws rds copy-db-cluster-snapshot --region us-east-1 --source-db-cluster-snapshot-identifier ${SOURCE} ` +
  `--target-db-cluster-snapshot-identifier ${COPY} --kms-key-id arn:aws:kms:us-east-1:123456789012:key/fake-data-key-us-east-1`;

const snapshotStep = () =>
  readRecordFile(h.stateDir, drillIds(h.stateDir)[0]).steps.find(
    (s) => s.id === 'keep-failover-snapshot',
  );

describe('after an unplanned failover that loses rows, the point-of-failure snapshot is kept', () => {
  test('GIVEN rows lost in the failover WHEN the snapshot appears THEN it is copied in the old region with its key, and the record and report show the lost rows and both identifiers', async () => {
    h.world.dataReplicationDelayMs = 3_000;
    h.world.healthLagMs = 12_000;

    const result = await h.run(h.failover());

    expect(result.code).toBe(0);
    expect(
      h.mocks.rds.commandCalls(CopyDBClusterSnapshotCommand).map((c) => c.args[0].input),
    ).toEqual([
      {
        SourceDBClusterSnapshotIdentifier: SOURCE,
        TargetDBClusterSnapshotIdentifier: COPY,
        KmsKeyId: h.world.kmsKeyArn(PRIMARY),
        CopyTags: true,
      },
    ]);
    expect(h.world.callsOf('rds:CopyDBClusterSnapshot').map((c) => c.region)).toEqual([PRIMARY]);
    const record = readRecordFile(h.stateDir, DRILL);
    expect(record.measures.lostRows).toHaveLength(2);
    expect(record.measures.failoverSnapshot).toEqual({
      status: 'copied',
      source: SOURCE,
      copy: COPY,
      copyArn: `arn:aws:rds:us-east-1:123456789012:cluster-snapshot:${COPY}`,
    });
    expect(snapshotStep()?.summary).toBe(`${SOURCE} kept as ${COPY} in us-east-1`);
    // Listed after 30 s, available at 90 s after the request (at 15 s), copied in 60 s: done at
    // 165 s; the step starts at 65 s, once verify-client-writes saw a client write on the new writer.
    expect(snapshotStep()?.durationMs).toBe(100_000);
    expect(h.world.snapshotsIn(PRIMARY).map((s) => h.world.snapshotShape(s).Status)).toEqual([
      'available',
      'available',
    ]);
    expect(result.stdout).toContain(
      `point-of-failure snapshot: ${SOURCE} copied to manual snapshot ${COPY}\n`,
    );

    expect((await h.run(['report'])).code).toBe(0);
    const md = fs.readFileSync(path.join(h.stateDir, DRILL, 'report.md'), 'utf8');
    expect(md).toContain(
      `| point-of-failure snapshot of the old primary (lost writes) | ${SOURCE} copied to manual snapshot ${COPY} |`,
    );
  });

  test('GIVEN the copy made by an earlier run WHEN the step runs THEN it copies nothing and records the copy', async () => {
    const now = h.world.clock.now();
    h.world.snapshots.push({
      region: PRIMARY,
      identifier: COPY,
      clusterIdentifier: OLD_PRIMARY,
      type: 'manual',
      createdAt: now,
      listedAt: now,
      availableAt: now,
      kmsKeyId: h.world.kmsKeyArn(PRIMARY),
    });

    const result = await h.run(h.failover());

    expect(result.code).toBe(0);
    expect(h.world.callsOf('rds:CopyDBClusterSnapshot')).toEqual([]);
    expect(snapshotStep()?.summary).toBe(`kept as ${COPY} in us-east-1 (copied by an earlier run)`);
    expect(readRecordFile(h.stateDir, DRILL).measures.failoverSnapshot).toEqual({
      status: 'copied',
      copy: COPY,
      copyArn: `arn:aws:rds:us-east-1:123456789012:cluster-snapshot:${COPY}`,
    });
  });

  test('GIVEN a switchover THEN the drill has no snapshot step and the record no snapshot measure', async () => {
    const result = await h.run(h.switchover());

    expect(result.code).toBe(0);
    expect(snapshotStep()).toBeUndefined();
    expect(
      readRecordFile(h.stateDir, drillIds(h.stateDir)[0]).measures.failoverSnapshot,
    ).toBeUndefined();
    expect(h.world.callsOf('rds:DescribeDBClusterSnapshots')).toEqual([]);
  });
});

describe('faults: the drill never fails for want of the snapshot', () => {
  test('GIVEN Aurora never takes the snapshot WHEN failing over THEN the drill succeeds and records that none was found within the step timeout, and what to do later', async () => {
    h.world.failoverSnapshot = 'never';

    const result = await h.run(h.failover());

    expect(result.code).toBe(0);
    const reason =
      'not found within 5m 00s; Aurora takes it best effort (the old region may be down)';
    expect(readRecordFile(h.stateDir, DRILL).measures.failoverSnapshot).toEqual({
      status: 'not-found',
      reason,
      next: LOOK_LATER,
    });
    expect(snapshotStep()?.status).toBe('completed');
    expect(snapshotStep()?.summary).toBe(
      `no point-of-failure snapshot of ${OLD_PRIMARY}: ${reason}`,
    );
    expect(snapshotStep()?.durationMs).toBe(300_000);
    expect(result.stdout).toContain(`point-of-failure snapshot: none: ${reason}. ${LOOK_LATER}\n`);
    expect(h.world.callsOf('rds:CopyDBClusterSnapshot')).toEqual([]);
  });

  test('GIVEN the old region down WHEN failing over THEN every snapshot read times out there and the drill still succeeds', async () => {
    h.world.down.add(PRIMARY);

    const result = await h.run(h.failover());

    expect(result.code).toBe(0);
    expect(h.world.writer).toBe(SECONDARY);
    expect(readRecordFile(h.stateDir, DRILL).measures.failoverSnapshot?.status).toBe('not-found');
    expect(
      h.world.callsOf('rds:DescribeDBClusterSnapshots').every((c) => c.region === PRIMARY),
    ).toBe(true);
  });

  test('GIVEN CopyDBClusterSnapshot throttled once THEN the copy is asked again and succeeds', async () => {
    h.world.fail('rds:CopyDBClusterSnapshot', faults.throttling());

    const result = await h.run(h.failover());

    expect(result.code).toBe(0);
    expect(h.world.callsOf('rds:CopyDBClusterSnapshot')).toHaveLength(2);
    expect(h.world.unusedFaults()).toBe(0);
    expect(readRecordFile(h.stateDir, DRILL).measures.failoverSnapshot?.status).toBe('copied');
    expect(result.stdout).toContain(
      '    waiting for CopyDBClusterSnapshot of ' +
        `${SOURCE} to be accepted: last poll failed: rds CopyDBClusterSnapshot in us-east-1 throttled (after 5 attempts): Throttling: Rate exceeded`,
    );
  });

  test('GIVEN the copy ends in status failed THEN the drill succeeds and records the source, the failed copy and how to copy by hand', async () => {
    h.world.snapshotCopyFails = true;

    const result = await h.run(h.failover());

    expect(result.code).toBe(0);
    const reason = `copy ${COPY} ended in status failed`;
    expect(readRecordFile(h.stateDir, DRILL).measures.failoverSnapshot).toEqual({
      status: 'copy-failed',
      source: SOURCE,
      copy: COPY,
      reason,
      next: COPY_BY_HAND,
    });
    expect(snapshotStep()?.summary).toBe(`${SOURCE} in us-east-1 not copied: ${reason}`);
    expect(result.stdout).toContain(
      `point-of-failure snapshot: not kept: ${SOURCE} found, copy ${COPY}: ${reason}. ${COPY_BY_HAND}\n`,
    );
  });

  test('GIVEN the copy refused (access denied) THEN it is not retried and the refusal is recorded', async () => {
    h.world.fail(
      'rds:CopyDBClusterSnapshot',
      faults.accessDenied(
        'rds:CopyDBClusterSnapshot',
        `arn:aws:rds:us-east-1:123456789012:cluster-snapshot:${COPY}`,
      ),
    );

    const result = await h.run(h.failover());

    expect(result.code).toBe(0);
    expect(h.world.callsOf('rds:CopyDBClusterSnapshot')).toHaveLength(1);
    expect(readRecordFile(h.stateDir, DRILL).measures.failoverSnapshot?.reason).toBe(
      'CopyDBClusterSnapshot failed: rds CopyDBClusterSnapshot in us-east-1 failed: AccessDenied: User: ' +
        'arn:aws:sts::123456789012:assumed-role/DrillOperatorRole/sre-session is not authorized to perform: ' +
        `rds:CopyDBClusterSnapshot on resource: arn:aws:rds:us-east-1:123456789012:cluster-snapshot:${COPY} ` +
        'because no identity-based policy allows the rds:CopyDBClusterSnapshot action',
    );
  });
});

describe('dry run', () => {
  test('GIVEN a failover dry run THEN it lists the snapshot step and its calls, and copies nothing', async () => {
    const result = await h.run(['failover', '--to', SECONDARY, '--allow-data-loss']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      [
        '10. keep-failover-snapshot: Keep the point-of-failure snapshot of multi-region-ref-global-us-east-1',
        '     - rds DescribeDBClusterSnapshots @ us-east-1 DBClusterSnapshotIdentifier=drill-<drill-id>-point-of-failure (first: the copy of an earlier run)',
        '     - rds DescribeDBClusterSnapshots @ us-east-1 DBClusterIdentifier=multi-region-ref-global-us-east-1 (polled until a rds:unplanned-global-failover-* snapshot taken after the promotion is available)',
        "     - rds CopyDBClusterSnapshot @ us-east-1 [MUTATING] SourceDBClusterSnapshotIdentifier=rds:unplanned-global-failover-* TargetDBClusterSnapshotIdentifier=drill-<drill-id>-point-of-failure KmsKeyId=the source snapshot's key (the region's key) (unless the copy exists)",
      ].join('\n'),
    );
    expect(h.mocks.rds.commandCalls(CopyDBClusterSnapshotCommand)).toHaveLength(0);
  });
});

describe('the hand-copy command names the key to encrypt the copy with', () => {
  const plan = () => planView(h.world.topology, 'failover', PRIMARY, SECONDARY, PRIMARY);

  test("GIVEN the source snapshot's KmsKeyId known THEN the command passes that key", () => {
    expect(copyByHand(plan(), SOURCE, COPY, h.world.kmsKeyArn(PRIMARY))).toBe(COPY_BY_HAND);
  });

  test("GIVEN no KmsKeyId reported THEN the command keeps a placeholder for the region's data key", () => {
    expect(copyByHand(plan(), SOURCE, COPY, undefined)).toBe(
      `Copy it by hand before the old primary's retention removes it (delete a failed ${COPY} first): ` +
        `aws rds copy-db-cluster-snapshot --region us-east-1 --source-db-cluster-snapshot-identifier ${SOURCE} ` +
        `--target-db-cluster-snapshot-identifier ${COPY} --kms-key-id <the region's data key>`,
    );
  });
});
