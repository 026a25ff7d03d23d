import { FAILOVER_SNAPSHOT_PREFIX, failoverSnapshotCopyId } from '../../../constructs/contract';
import type { ClusterSnapshotView } from '../aws/ports';
import { DrillError, errorText, isDrillError } from '../errors';
import { formatDuration } from '../duration';
import { isFatal } from '../observe';
import { waitFor } from '../wait';
import type { FailoverSnapshot } from './outcomes';
import { ops } from './shared';
import { call, type PlanView, type StepContext, type StepDefinition } from './types';

const WHAT_NEXT_NOT_FOUND = (p: PlanView) =>
  `Later, when ${p.from.region} answers, look for it (aws rds describe-db-cluster-snapshots --region ${p.from.region} ` +
  `--db-cluster-identifier ${p.from.clusterIdentifier}) and copy it to a manual snapshot before the old primary's ` +
  'retention removes it (runbooks/README.md, "Recovering lost writes after an unplanned failover")';

/** The hand copy, with the source snapshot's key when RDS reported it (a placeholder if not). */
export const copyByHand = (
  p: PlanView,
  source: string,
  copyId: string,
  kmsKeyId: string | undefined,
) =>
  `Copy it by hand before the old primary's retention removes it (delete a failed ${copyId} first): ` +
  `aws rds copy-db-cluster-snapshot --region ${p.from.region} --source-db-cluster-snapshot-identifier ${source} ` +
  `--target-db-cluster-snapshot-identifier ${copyId} --kms-key-id ${kmsKeyId ?? "<the region's data key>"}`;

export const keepFailoverSnapshotStep: StepDefinition<'keep-failover-snapshot'> = {
  id: 'keep-failover-snapshot',
  kinds: ['failover'],
  title: (p) => `Keep the point-of-failure snapshot of ${p.from.clusterIdentifier}`,
  purpose:
    "After an unplanned failover Aurora attempts a snapshot of the old primary at the point of failure (best effort, kept only for the old primary's retention): it holds the writes the new writer lost. The drill copies it to a manual snapshot, which does not expire.",
  calls: (p) => [
    call(
      ops.describeClusterSnapshots,
      p.from.region,
      { DBClusterSnapshotIdentifier: failoverSnapshotCopyId('<drill-id>') },
      'first: the copy of an earlier run',
    ),
    call(
      ops.describeClusterSnapshots,
      p.from.region,
      { DBClusterIdentifier: p.from.clusterIdentifier },
      `polled until a ${FAILOVER_SNAPSHOT_PREFIX}* snapshot taken after the promotion is available`,
    ),
    call(
      ops.copyClusterSnapshot,
      p.from.region,
      {
        SourceDBClusterSnapshotIdentifier: `${FAILOVER_SNAPSHOT_PREFIX}*`,
        TargetDBClusterSnapshotIdentifier: failoverSnapshotCopyId('<drill-id>'),
        KmsKeyId: "the source snapshot's key (the region's key)",
      },
      'unless the copy exists',
    ),
  ],
  checks: (p) => [
    `skips the copy when ${failoverSnapshotCopyId('<drill-id>')} exists in ${p.from.region}`,
    `never fails the drill when no ${FAILOVER_SNAPSHOT_PREFIX}* snapshot appears: records that it was not found (Aurora takes it best effort)`,
    'records the source and copy identifiers, or why there is none',
  ],
  ifItFails: (p) =>
    `The writer has moved; only the evidence is missing. ${WHAT_NEXT_NOT_FOUND(p)}, or run the resume command below.`,
  underCanary: false,
  async run(ctx) {
    const { from } = ctx.plan;
    const copyId = failoverSnapshotCopyId(ctx.params.drillId);
    const promotedAt =
      ctx.earlier('promote')?.promotedAt ?? ctx.earlier('arc-execution')?.promotedAt;
    const record = (snapshot: FailoverSnapshot, summary: string) => {
      ctx.note({ snapshot });
      return { status: 'completed' as const, summary, details: { snapshot } };
    };
    // An earlier run (or resume) may have copied it already.
    const existing = await tolerate(() =>
      ctx.aws.database.clusterSnapshots(from.region, { snapshotIdentifier: copyId }),
    );
    if (existing.ok && existing.value[0]) {
      const copy = await waitAvailable(ctx, copyId);
      if (typeof copy === 'string') {
        return record(
          { status: 'copy-failed', copy: copyId, reason: copy },
          `copy ${copyId} in ${from.region}: ${copy}`,
        );
      }
      return record(
        { status: 'copied', copy: copyId, copyArn: copy.arn },
        `kept as ${copyId} in ${from.region} (copied by an earlier run)`,
      );
    }
    const source = await findSource(ctx, promotedAt);
    if (typeof source === 'string') {
      const reason = `${source}; Aurora takes it best effort (the old region may be down)`;
      return record(
        { status: 'not-found', reason, next: WHAT_NEXT_NOT_FOUND(ctx.plan) },
        `no point-of-failure snapshot of ${from.clusterIdentifier}: ${reason}`,
      );
    }
    const copied = await requestCopy(ctx, source, copyId);
    if (!copied.ok) {
      const reason = copied.error;
      return record(
        {
          status: 'copy-failed',
          source: source.identifier,
          copy: copyId,
          reason,
          next: copyByHand(ctx.plan, source.identifier, copyId, source.kmsKeyId),
        },
        `${source.identifier} in ${from.region} not copied: ${reason}`,
      );
    }
    ctx.note({ snapshot: { status: 'copying', source: source.identifier, copy: copyId } });
    const copy = await waitAvailable(ctx, copyId);
    if (typeof copy === 'string') {
      return record(
        {
          status: 'copy-failed',
          source: source.identifier,
          copy: copyId,
          reason: copy,
          next: copyByHand(ctx.plan, source.identifier, copyId, source.kmsKeyId),
        },
        `${source.identifier} in ${from.region} not copied: ${copy}`,
      );
    }
    return record(
      { status: 'copied', source: source.identifier, copy: copyId, copyArn: copy.arn },
      `${source.identifier} kept as ${copyId} in ${from.region}`,
    );
  },
};

type Tolerated<T> = { ok: true; value: T } | { ok: false; error: string };

/** AWS failures become outcomes (the old region may be down); credentials still stop the drill. */
async function tolerate<T>(fn: () => Promise<T>): Promise<Tolerated<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (isFatal(err)) throw err;
    return { ok: false, error: errorText(err) };
  }
}

/** The newest point-of-failure snapshot taken after the promotion, or why there is none. */
async function findSource(
  ctx: StepContext<'keep-failover-snapshot'>,
  promotedAt: number | undefined,
): Promise<ClusterSnapshotView | string> {
  const { from } = ctx.plan;
  const pick = (all: readonly ClusterSnapshotView[]) =>
    all
      .filter(
        (s) =>
          s.identifier.startsWith(FAILOVER_SNAPSHOT_PREFIX) &&
          (promotedAt === undefined || (s.createdAt ?? 0) >= promotedAt - 60_000),
      )
      .sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))[0];
  try {
    const found = await waitFor({
      stepId: 'keep-failover-snapshot',
      what: `a ${FAILOVER_SNAPSHOT_PREFIX}* snapshot of ${from.clusterIdentifier} in ${from.region}`,
      clock: ctx.clock,
      timeoutMs: ctx.timeoutMs,
      pollIntervalMs: ctx.timing.pollIntervalMs,
      poll: async () =>
        pick(
          await ctx.aws.database.clusterSnapshots(from.region, {
            clusterIdentifier: from.clusterIdentifier,
          }),
        ),
      done: (s) => s?.status === 'available',
      describe: (s) => (s ? `${s.identifier} ${s.status}` : 'none yet'),
      progress: (m) => ctx.progress(m),
      onTimeout: '',
    });
    return found!;
  } catch (err) {
    if (isFatal(err) || !(err instanceof DrillError)) throw err;
    return `not found within ${formatDuration(ctx.timeoutMs)}`;
  }
}

/** Waits until the copy is available; why not, as text, when it fails or times out. */
async function waitAvailable(
  ctx: StepContext<'keep-failover-snapshot'>,
  copyId: string,
): Promise<ClusterSnapshotView | string> {
  const { from } = ctx.plan;
  try {
    const copy = await waitFor({
      stepId: 'keep-failover-snapshot',
      what: `snapshot ${copyId} in ${from.region} to be available`,
      clock: ctx.clock,
      timeoutMs: ctx.timeoutMs,
      pollIntervalMs: ctx.timing.pollIntervalMs,
      poll: async () =>
        (await ctx.aws.database.clusterSnapshots(from.region, { snapshotIdentifier: copyId }))[0],
      done: (s) => s?.status === 'available',
      describe: (s) => (s ? `${copyId} ${s.status}` : `${copyId} not listed`),
      unexpected: (s) => (s?.status === 'failed' ? `copy ${copyId} failed` : undefined),
      progress: (m) => ctx.progress(m),
      onTimeout: '',
    });
    return copy!;
  } catch (err) {
    if (isFatal(err) || !(err instanceof DrillError)) throw err;
    return err.code === 'STEP_TIMEOUT'
      ? `not available within ${formatDuration(ctx.timeoutMs)}`
      : `copy ${copyId} ended in status failed`;
  }
}

/**
 * CopyDBClusterSnapshot of `source` as `copyId`, encrypted with the source's key (the region's
 * key: the cluster is encrypted). Throttling and server errors are retried until the step's
 * timeout; any other refusal is the answer.
 */
async function requestCopy(
  ctx: StepContext<'keep-failover-snapshot'>,
  source: ClusterSnapshotView,
  copyId: string,
): Promise<Tolerated<ClusterSnapshotView>> {
  const { from } = ctx.plan;
  try {
    return await waitFor<Tolerated<ClusterSnapshotView>>({
      stepId: 'keep-failover-snapshot',
      what: `CopyDBClusterSnapshot of ${source.identifier} to be accepted`,
      clock: ctx.clock,
      timeoutMs: ctx.timeoutMs,
      pollIntervalMs: ctx.timing.pollIntervalMs,
      poll: () =>
        ctx.aws.database
          .copyClusterSnapshot(from.region, source.identifier, copyId, source.kmsKeyId)
          .then(
            (value) => ({ ok: true as const, value }),
            (err: unknown) => {
              if (isFatal(err) || (isDrillError(err) && err.transient)) throw err;
              return {
                ok: false as const,
                error: `CopyDBClusterSnapshot failed: ${errorText(err)}`,
              };
            },
          ),
      done: () => true,
      describe: (r) => (r.ok ? `${copyId} ${r.value.status}` : r.error),
      progress: (m) => ctx.progress(m),
      onTimeout: '',
    });
  } catch (err) {
    if (isFatal(err) || !(err instanceof DrillError)) throw err;
    return { ok: false, error: `CopyDBClusterSnapshot not accepted: ${err.message}` };
  }
}
