import Table from 'cli-table3';
import { managedRpoPolicy } from '../../constructs/managed-rpo-policy';
import type { DrillTopology } from './discovery';
import { formatDuration } from './duration';
import type { Observed, Snapshot } from './observe';
import type { CheckResult } from './preflight';
import type { DrillRecord } from './record';
import { clientRtoText, failoverSnapshotText, promotionSummary } from './report';
import { clientDataLossText, clientRequestsText, clientWriteRtoText } from './report-client';
import type { PlannedCall, PlanView, StepDefinition } from './steps';
import { reportLocation } from './steps/arc-execution';

// No colours: output goes to terminals, CI logs and files alike.
function table(head: string[], colWidths?: (number | null)[]): Table.Table {
  return new Table({
    head,
    style: { head: [], border: [] },
    wordWrap: true,
    ...(colWidths ? { colWidths } : {}),
  });
}

/** Table cells stay short: the full text is in the error output, the journal and the report. */
function oneLine(text: string, max = 200): string {
  const first = text.split('\n')[0];
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}

/** Longest cell of the status tables: longer values are cut, errors go to the list below. */
const STATUS_CELL_MAX = 48;

/** Widest CNAME chain cell before it wraps. */
const DNS_CELL_MAX = 88;

/** Error texts of one status view, each numbered once, listed under the tables. */
class ErrorList {
  private readonly texts: string[] = [];

  /** `error [n]`: the cell that stands for the text. */
  ref(text: string): string {
    let index = this.texts.indexOf(text);
    if (index < 0) index = this.texts.push(text) - 1;
    return `error [${index + 1}]`;
  }

  lines(): string[] {
    if (this.texts.length === 0) return [];
    return ['errors:', ...this.texts.map((t, i) => `  [${i + 1}] ${t.replace(/\n/g, '\n      ')}`)];
  }
}

function shown<T>(
  value: Observed<T> | undefined,
  text: (v: T) => string,
  errors: ErrorList,
): string {
  if (!value) return '-';
  return value.ok ? oneLine(text(value.value), STATUS_CELL_MAX) : errors.ref(value.error);
}

export function summaryTable(record: DrillRecord): string {
  // Only the result wraps: ids, statuses such as 'interrupted (12 runs)' and durations are
  // as wide as their longest value.
  const t = table(['#', 'step', 'status', 'duration', 'result'], [null, null, null, null, 70]);
  record.steps.forEach((s, i) => {
    t.push([
      String(i + 1),
      s.id,
      s.attempts > 1 ? `${s.status} (${s.attempts} runs)` : s.status,
      s.durationMs === undefined ? '-' : formatDuration(s.durationMs),
      oneLine(s.error ? `[${s.error.code}] ${s.error.message}` : (s.summary ?? '')),
    ]);
  });
  t.push([
    '',
    'total',
    record.outcome,
    record.totalMs === undefined ? '-' : formatDuration(record.totalMs),
    '',
  ]);
  const m = record.measures;
  const lines = [
    `${record.kind} ${record.fromRegion} -> ${record.targetRegion} (${record.drillId}): ${record.outcome}`,
    t.toString(),
    `database-level RTO (canary): ${clientRtoText(record)}` +
      `  objective ${record.objectives.rtoSeconds} s, computed floor ${record.objectives.rtoFloorSeconds} s`,
    `database-level data loss (canary): ${m.lostRows === null ? 'not verified' : `${m.lostRows.length} acknowledged row(s) missing`}` +
      (record.measures.promotion ? `; ${promotionSummary(record)}` : '') +
      `  objective ${record.objectives.rpoSeconds} s`,
    `canary writes: ${m.canaryWrites} (${m.canaryFailures} failed)`,
    // The client canary's figures: what a client lived through the public names.
    ...(m.client
      ? [
          `client-level write RTO: ${clientWriteRtoText(m.client)}  objective ${record.objectives.rtoSeconds} s`,
          `client-level data loss (acknowledged client writes missing on the new writer): ${clientDataLossText(record, m.client)}  objective ${record.objectives.rpoSeconds} s`,
          `client requests: ${clientRequestsText(m.client)}`,
        ]
      : []),
    ...(m.failoverSnapshot === undefined
      ? []
      : [`point-of-failure snapshot: ${failoverSnapshotText(record)}`]),
  ];
  if (record.forceReason)
    lines.push(`started despite failed preflight (--force): ${record.forceReason}`);
  return lines.join('\n');
}

export function statusText(snapshot: Snapshot, topology: DrillTopology): string {
  const g = snapshot.globalCluster;
  const errors = new ErrorList();
  const lines = [
    `global cluster ${g.identifier}: ${g.status}, engine ${g.engineVersion ?? '?'}, writer in ${snapshot.writerRegion ?? 'NO REGION'}` +
      (g.failoverState
        ? `; ${g.failoverState.status} from ${g.failoverState.fromArn ?? '?'} to ${g.failoverState.toArn ?? '?'}${g.failoverState.dataLossAllowed ? ' (data loss allowed)' : ''}`
        : ''),
    `as of ${snapshot.takenAt}; RPO ${topology.rpoSeconds} s, RTO ${topology.rtoSeconds} s (floor ${topology.rtoFloorSeconds} s)`,
  ];
  const members = table([
    'region',
    'deployed as',
    'now',
    'cluster',
    'instances',
    'engine',
    'repl. lag',
    'RPO lag',
    'RPO set',
    'drain',
  ]);
  for (const r of snapshot.regions) {
    members.push([
      r.region,
      r.role,
      r.isWriter ? 'WRITER' : r.isMember ? 'secondary' : 'not a member',
      shown(r.cluster, (c) => c.status, errors),
      shown(r.cluster, (c) => String(c.instanceCount), errors),
      shown(r.cluster, (c) => c.engineVersion ?? '?', errors),
      shown(r.lag, (l) => (l.replicationMs === null ? 'no data' : `${l.replicationMs} ms`), errors),
      shown(r.lag, (l) => (l.rpoMs === null ? 'no data' : `${l.rpoMs} ms`), errors),
      shown(r.managedRpo, (s) => (s === null ? 'no' : `${s} s`), errors),
      shown(r.drain, (d) => d ?? '(empty)', errors),
    ]);
  }
  const checks = table(['region', 'serving check', 'writer check']);
  for (const r of snapshot.regions) {
    const health = (h: { healthy: boolean; succeeding: number; reporting: number }) =>
      `${h.healthy ? 'healthy' : 'UNHEALTHY'} (${h.succeeding}/${h.reporting})`;
    checks.push([
      r.region,
      shown(r.servingCheck, health, errors),
      shown(r.writerCheck, health, errors),
    ]);
  }
  const dnsRows = [snapshot.dns.app, snapshot.dns.write].map(({ name, answers }) => [
    name,
    !answers.ok
      ? errors.ref(answers.error)
      : answers.value.length
        ? answers.value.join(' -> ')
        : 'no answer',
  ]);
  // A CNAME chain is data to read whole: it wraps at DNS_CELL_MAX instead of being cut.
  const longest = Math.max('answers (CNAME chain)'.length, ...dnsRows.map(([, a]) => a.length));
  const dns = table(['name', 'answers (CNAME chain)'], [null, Math.min(longest, DNS_CELL_MAX) + 2]);
  for (const row of dnsRows) dns.push(row);
  const alarms = snapshot.alarms.flatMap(({ region, alarms: a }) =>
    a.ok ? a.value.map((x) => `  ${region}: ${x.name}`) : [`  ${region}: ${errors.ref(a.error)}`],
  );
  return [
    ...lines,
    members.toString(),
    managedRpoText(snapshot, topology),
    checks.toString(),
    dns.toString(),
    alarms.length ? `alarms in ALARM:\n${alarms.join('\n')}` : 'alarms in ALARM: none',
    ...errors.lines(),
  ].join('\n');
}

/**
 * The managed-RPO policy against what the groups enforce now: one line, naming every group that
 * differs (a writer enforcing without a healthy secondary blocks every commit).
 */
export function managedRpoText(snapshot: Snapshot, topology: DrillTopology): string {
  const writer = snapshot.writerRegion;
  if (!writer) return 'managed RPO: no writer, nothing to judge';
  const rpoMs = topology.rpoSeconds * 1000;
  const healthy = snapshot.regions
    .filter(
      (r) =>
        r.isMember &&
        !r.isWriter &&
        r.cluster.ok &&
        r.cluster.value.status === 'available' &&
        r.lag?.ok === true &&
        r.lag.value.rpoMs !== null &&
        r.lag.value.rpoMs < rpoMs,
    )
    .map((r) => r.region);
  const decisions = managedRpoPolicy({
    regions: snapshot.regions.map((r) => r.region),
    writer,
    healthySecondaries: healthy,
  });
  const differs = decisions.flatMap((d) => {
    const live = snapshot.regions.find((r) => r.region === d.region)?.managedRpo;
    if (!live?.ok) return [];
    const enforces = live.value !== null;
    if (enforces === d.enforce && (!enforces || live.value === topology.rpoSeconds)) return [];
    return [
      d.enforce
        ? `${d.region} should enforce ${topology.rpoSeconds} s, it ${enforces ? `enforces ${live.value} s` : 'does not'} (${d.reason})`
        : `${d.region} enforces ${live.value} s but should not (${d.reason})`,
    ];
  });
  return differs.length === 0
    ? 'managed RPO: every group as the policy says'
    : `managed RPO differs from the policy (see the README, Recovery point):\n${differs.map((d) => `  ${d}`).join('\n')}`;
}

export function preflightText(results: readonly CheckResult[]): string {
  const t = table(['check', 'result', 'reason'], [26, 8, 80]);
  for (const r of results) t.push([r.id, r.ok ? 'pass' : 'FAIL', r.reason]);
  const failed = results.filter((r) => !r.ok).length;
  return `${t.toString()}\n${failed === 0 ? `all ${results.length} checks passed` : `${failed} of ${results.length} checks FAILED`}`;
}

export function callText(c: PlannedCall): string {
  const params = Object.entries(c.parameters)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  // ARC Region switch: the data plane's own endpoint in that region (constructs/aws-api).
  const endpoint =
    c.operation.service === 'arc-region-switch' ? ` (arc-region-switch.${c.region}.api.aws)` : '';
  return `${c.operation.service} ${c.operation.operation} @ ${c.region}${endpoint}${c.operation.mutating ? ' [MUTATING]' : ''}${params ? ` ${params}` : ''}${c.when ? ` (${c.when})` : ''}`;
}

/** What an `--engine arc` dry run says about the plan before the steps; '' for native. */
export function arcPlanText(plan: PlanView): string {
  const arc = plan.arc;
  if (!arc) return '';
  return (
    `ARC Region switch: plan ${arc.planName} (${arc.planArn}), action activate ${plan.target.region}, mode ${arc.mode}; ` +
    `every ARC call goes to the data plane of ${arc.region}, the region being activated (arc-region-switch.${arc.region}.api.aws); ` +
    `execution report in ${reportLocation(arc)}`
  );
}

/** The dry run's output: every step and every call it would make, in order. */
export function planText(plan: PlanView, steps: readonly StepDefinition[]): string {
  return steps
    .map((step, i) =>
      [
        `${i + 1}. ${step.id}: ${step.title(plan)}`,
        ...step.calls(plan).map((c) => `     - ${callText(c)}`),
      ].join('\n'),
    )
    .join('\n');
}
