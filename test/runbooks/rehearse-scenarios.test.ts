// Each built-in scenario shows its own effect with the simulation's AWS semantics, judged by
// figures derived from what the assembly synthesizes (health check interval and threshold,
// record TTL, managed RPO, the RPO objective), never typed in by hand.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLIENT_REQUEST_TIMEOUT_MS } from '../../runbooks/drill/client-canary';
import { topologyFromOutputs } from '../../runbooks/drill/discovery';
import type { DrillRecord } from '../../runbooks/drill/record';
import type { SimulatedDeployment } from '../../runbooks/simulation/deployment';
import { SimulatedDeployment as Deployment } from '../../runbooks/simulation/deployment';
import { runRehearsal } from '../../runbooks/simulation/rehearsal';
import { DEFAULT_ASSUMPTIONS, type RehearsalResult } from '../../runbooks/simulation/scenario';
import { scenarioNamed } from '../../runbooks/simulation/scenarios';
import { assemblyDir, deployedApp } from '../deployed-app';
import { recordIn, tempDirs } from './rehearse-helpers';

// Each rehearsal takes up to a few seconds of wall time; a busy 2-core CI machine needs more
// than jest's 5 s default (the speed target lives in npm run bench:rehearse).
jest.setTimeout(60_000);

const tempDir = tempDirs();
const A = DEFAULT_ASSUMPTIONS;
/** The client canary retries a failing write every 5 s (its back-off while writes fail). */
const CLIENT_RETRY_MS = 5_000;

/** What the synthesized app says, as the rehearsal's figures depend on it. */
function synthesized(deployment: SimulatedDeployment = deployedApp()) {
  const topology = topologyFromOutputs(deployment.outputsFile(), 'test');
  const target = topology.regions.find((r) => r.region !== topology.primaryRegion)!.region;
  const writerCheck = deployment
    .resources('AWS::Route53::HealthCheck')
    .map((r) => r.properties.HealthCheckConfig as Record<string, unknown>)
    .find(
      (c) =>
        c.FullyQualifiedDomainName === `${target}.app.example.com` &&
        c.ResourcePath === '/health/writer',
    )!;
  const writeRecord = deployment
    .resources('AWS::Route53::RecordSet')
    .find((r) => String(r.properties.Name).startsWith('write.') && r.properties.TTL !== undefined)!;
  const writerGroup = deployment
    .resources('AWS::RDS::DBClusterParameterGroup')
    .find((r) => r.region === topology.primaryRegion)!;
  const managedRpo = (writerGroup.properties.Parameters as Record<string, string>)[
    'rds.global_db_rpo'
  ];
  return {
    primary: topology.primaryRegion,
    target,
    rpoMs: topology.rpoSeconds * 1000,
    intervalMs: Number(writerCheck.RequestInterval) * 1000,
    threshold: Number(writerCheck.FailureThreshold),
    ttlMs: Number(writeRecord.properties.TTL) * 1000,
    managedRpoMs: managedRpo === undefined ? undefined : Number(managedRpo) * 1000,
  };
}

async function rehearse(
  name: string,
  deployment: SimulatedDeployment = deployedApp(),
  dir = assemblyDir(),
): Promise<{ result: RehearsalResult; record: DrillRecord }> {
  const result = await runRehearsal(deployment, {
    assemblyDir: dir,
    stateDir: path.join(tempDir(), name),
    scenario: scenarioNamed(name)!,
  });
  return { result, record: recordIn(path.join(result.stateDir, result.drillId)) };
}

const at = (iso: string) => Date.parse(iso);
const stepOf = (record: DrillRecord, id: string) => record.steps.find((s) => s.id === id)!;
const writes = (record: DrillRecord) =>
  record.measures.client!.marks.filter((m) => m.path === 'write');

/**
 * When client writes fail and resume, from the record's own moments: the writes stop at
 * `stoppedFrom`..`stoppedBy`; the target's writer check passes FailureThreshold results at its
 * RequestInterval after Aurora promotes it (the promotion request + promotionMs, seen by
 * wait-writer) and the writer endpoint's DNS follows; the worst-case resolver then gives
 * write. to the client exactly one TTL after Route 53 changed it; the canary retries every 5 s.
 */
function writePauseBounds(
  app: ReturnType<typeof synthesized>,
  result: RehearsalResult,
  record: DrillRecord,
  stoppedFrom: number,
  stoppedBy: number,
) {
  const a = result.assumptions;
  expect(a.resolver).toBe('worst-case');
  const promoted = at(record.measures.promotion!.requestedAt!) + a.promotionMs;
  const seen = at(stepOf(record, 'wait-writer').finishedAt!);
  const resumedFrom = promoted + (app.threshold - 1) * app.intervalMs + app.ttlMs;
  const resumedBy =
    seen +
    a.writerEndpointDnsDelayMs +
    app.threshold * app.intervalMs +
    app.ttlMs +
    CLIENT_RETRY_MS;
  const outage = record.measures.client!.writeRto.outages;
  expect(outage).toHaveLength(1);
  expect(at(outage[0].startedAt)).toBeGreaterThanOrEqual(stoppedFrom);
  expect(at(outage[0].startedAt)).toBeLessThanOrEqual(stoppedBy);
  expect(at(outage[0].endedAt!)).toBeGreaterThanOrEqual(resumedFrom);
  expect(at(outage[0].endedAt!)).toBeLessThanOrEqual(resumedBy);
  expect(result.measures.clientWriteRtoMs).toBeGreaterThanOrEqual(resumedFrom - stoppedBy);
  expect(result.measures.clientWriteRtoMs).toBeLessThanOrEqual(resumedBy - stoppedFrom);
}

describe('rehearse region-outage', () => {
  test('THEN the write in the replication lag is lost, the database is back after the promotion, and clients after the checks and the TTL', async () => {
    const app = synthesized();
    const { result, record } = await rehearse('region-outage');

    expect(result.passed).toBe(true);
    // The region fails after the canary's third acknowledged write: the writes of the last
    // replicationLagMs before it had not reached the target (one, at one write a second).
    const acknowledged = writes(record).filter((m) => m.ok && m.targetRegion === app.primary);
    expect(acknowledged).toHaveLength(3);
    expect(result.measures.lostClientWrites).toBe(A.replicationLagMs / 1000);
    expect(record.measures.client!.dataLoss!.writes.map((w) => w.at)).toEqual([acknowledged[2].at]);
    // From the newest write the target kept to the one it lost: the replication lag.
    expect(result.measures.rpoMs).toBe(A.replicationLagMs);
    // The database canary fails from the outage until the target holds the writer, after the
    // promotion request (the fence's retries on the region gone came first).
    const requestedAt = at(record.measures.promotion!.requestedAt!);
    expect(result.measures.databaseRtoMs).toBeGreaterThanOrEqual(A.promotionMs);
    expect(result.measures.databaseRtoMs).toBeLessThanOrEqual(
      requestedAt - at(acknowledged[2].at) + A.promotionMs + A.writerEndpointDnsDelayMs,
    );
    // Client writes fail from the one after the third (the region is gone) until write.
    // answers with the target, at the latest when the promotion is requested.
    const promoteAt = at(record.measures.promotion!.requestedAt!);
    writePauseBounds(app, result, record, at(acknowledged[2].at), promoteAt);
  });
});

/**
 * The read path of `region`'s clients, as synthesized: the app. latency record answering with
 * that region, and the serving health check it carries (its interval and threshold).
 */
function appReadPath(region: string, deployment: SimulatedDeployment = deployedApp()) {
  const record = deployment
    .resources('AWS::Route53::RecordSet')
    .find((r) => String(r.properties.Name).startsWith('app.') && r.properties.Region === region)!;
  const check = deployment
    .resources('AWS::Route53::HealthCheck')
    .find((r) => r.physicalId === record.properties.HealthCheckId)!;
  const config = check.properties.HealthCheckConfig as Record<string, unknown>;
  return {
    ttlMs: Number(record.properties.TTL) * 1000,
    intervalMs: Number(config.RequestInterval) * 1000,
    threshold: Number(config.FailureThreshold),
  };
}

describe('rehearse region-outage: the client read path', () => {
  test("THEN reads fail from the outage until app. answers the target: a read RTO above 0 s, within the serving check's detection, the TTL, and one TTL more for the worst-case resolver", async () => {
    const app = synthesized();
    const read = appReadPath(app.primary);
    expect(read.ttlMs).toBeGreaterThan(0);
    const { result, record } = await rehearse('region-outage');
    // The bound below is the worst-case resolver's: every change reaches the client a TTL late.
    expect(result.assumptions.resolver).toBe('worst-case');
    const marks = record.measures.client!.marks;
    // The region fails right after the client canary's third acknowledged write.
    const third = marks.filter((m) => m.path === 'write' && m.ok)[2];
    const outageAt = at(third.at);

    // One read outage, in the region that lost service, and it is the measured read RTO.
    const rto = record.measures.client!.readRto;
    expect(rto.map((r) => r.region)).toEqual([app.primary]);
    const [outage] = rto[0].outages;
    expect(rto[0].ms).toBeGreaterThan(0);
    expect(result.measures.clientReadRtoMs).toBe(rto[0].ms);
    expect(outage.durationMs).toBe(rto[0].ms);
    // Reads were answered until the outage, and the read outage began with it.
    const readsBefore = marks.filter((m) => m.path === 'read' && at(m.at) < outageAt);
    expect(readsBefore.length).toBeGreaterThan(0);
    expect(readsBefore.every((m) => m.ok && m.targetRegion === app.primary)).toBe(true);
    expect(at(outage.startedAt)).toBe(
      at(marks.find((m) => m.path === 'read' && at(m.at) >= outageAt)!.at),
    );
    // Until the outage ended every read went to the lost region and failed; the one that ended
    // it was answered by the target (404 while its item was never acknowledged: an answer).
    const during = marks.filter(
      (m) => m.path === 'read' && at(m.at) >= outageAt && at(m.at) < at(outage.endedAt!),
    );
    expect(during.map((m) => [m.targetRegion, m.ok])).toEqual(
      during.map(() => [app.primary, false]),
    );
    const back = marks.find((m) => m.path === 'read' && at(m.at) === at(outage.endedAt!))!;
    expect(back).toMatchObject({ ok: true, targetRegion: app.target });
    // app. cannot move before the serving check failed FailureThreshold times at its interval
    // (the first result may come at the outage itself)...
    const detectionMs = read.threshold * read.intervalMs;
    expect(at(outage.endedAt!) - outageAt).toBeGreaterThanOrEqual(detectionMs - read.intervalMs);
    // ...and once it moved, the client's cache keeps the old answer up to a TTL, the worst-case
    // resolver one TTL more; the read that sees it waits for its round (a hung write and read).
    expect(at(outage.endedAt!) - outageAt).toBeLessThanOrEqual(
      detectionMs + read.ttlMs + read.ttlMs + 2 * CLIENT_REQUEST_TIMEOUT_MS,
    );
  });
});

describe('rehearse switchover-under-load', () => {
  test('THEN no acknowledged write is lost; the database pauses from the end of pending to the promotion, clients from the fence to the target passing its checks and one TTL', async () => {
    const app = synthesized();
    const { result, record } = await rehearse('switchover-under-load');

    expect(result.passed).toBe(true);
    expect(record.outcome).toBe('succeeded');
    expect(result.measures.lostClientWrites).toBe(0);
    expect(result.measures.rpoMs).toBe(0);
    expect(writes(record).filter((m) => m.ok).length).toBeGreaterThan(0);
    const pause = A.promotionMs - A.pendingMs;
    expect(result.measures.databaseRtoMs).toBeGreaterThanOrEqual(pause);
    expect(result.measures.databaseRtoMs).toBeLessThanOrEqual(pause + A.writerEndpointDnsDelayMs);
    // The drill fences the old writer before it promotes: its service refuses writes from then.
    const fence = stepOf(record, 'fence');
    expect(fence.status).toBe('completed');
    writePauseBounds(app, result, record, at(fence.startedAt!), at(fence.finishedAt!));
  });
});

describe('rehearse lag-spike', () => {
  /** The client writes before the writer region failed (the scenario's outage). */
  function writesBeforeOutage(record: DrillRecord) {
    const scenario = scenarioNamed('lag-spike')!;
    const outage = scenario.events.find((e) => e.kind === 'region-outage')!;
    const outageAt =
      at(record.startedAt!) + (outage.atSeconds - scenario.drill.startsAtSeconds!) * 1000;
    return { outageAt, before: writes(record).filter((m) => at(m.at) < outageAt) };
  }

  test('GIVEN managed RPO on the writer THEN writes are acknowledged while the lag is under it, refused (503) once it is not, and what was acknowledged is lost', async () => {
    const app = synthesized();
    expect(app.managedRpoMs).toBeDefined();
    const { result, record } = await rehearse('lag-spike');

    expect(result.passed).toBe(true);
    const { before } = writesBeforeOutage(record);
    const firstRefused = before.findIndex((m) => !m.ok);
    expect(firstRefused).toBeGreaterThan(0);
    expect(before.slice(0, firstRefused).every((m) => m.ok)).toBe(true);
    expect(before.slice(firstRefused).map((m) => m.status)).toEqual(
      before.slice(firstRefused).map(() => 503),
    );
    // Refused once the lag (growing from the stall, the scenario's start) reached the RPO.
    const stallAt =
      at(record.startedAt!) - scenarioNamed('lag-spike')!.drill.startsAtSeconds! * 1000;
    expect(at(before[firstRefused].at) - stallAt + A.replicationLagMs).toBeGreaterThanOrEqual(
      app.managedRpoMs!,
    );
    // Replication stalled before the first write: every acknowledged one is lost.
    expect(result.measures.lostClientWrites).toBe(firstRefused);
    expect(result.measures.rpoMs).toBeLessThanOrEqual(app.rpoMs);
    // The report's timeline says when the drill started among the faults.
    expect(
      fs.readFileSync(path.join(result.stateDir, result.drillId, 'report.md'), 'utf8'),
    ).toContain(
      '\n- +0 s lag-spike target lagMs=600000 forSeconds=600\n- +25 s drill starts\n- +31 s region-outage writer\n',
    );
  });

  test('GIVEN the same assembly without managed RPO on the writer THEN the writer acknowledges every write until the fence, and the promotion loses more of them', async () => {
    const copy = path.join(tempDir(), 'cdk.out');
    fs.cpSync(assemblyDir(), copy, { recursive: true });
    for (const file of fs.readdirSync(copy).filter((f) => f.endsWith('.template.json'))) {
      const template = JSON.parse(fs.readFileSync(path.join(copy, file), 'utf8')) as {
        Resources?: Record<string, { Type: string; Properties: { Parameters?: object } }>;
      };
      for (const r of Object.values(template.Resources ?? {})) {
        if (r.Type === 'AWS::RDS::DBClusterParameterGroup') {
          delete (r.Properties.Parameters as Record<string, unknown>)['rds.global_db_rpo'];
        }
      }
      fs.writeFileSync(path.join(copy, file), JSON.stringify(template));
    }
    const edited = Deployment.fromAssembly(copy);
    expect(synthesized(edited).managedRpoMs).toBeUndefined();

    const managed = await rehearse('lag-spike');
    const { result, record } = await rehearse('lag-spike', edited, copy);

    // Every write was acknowledged until the fence refused them (none refused by managed RPO),
    // and each acknowledged one is lost.
    const { before } = writesBeforeOutage(record);
    const firstRefused = before.findIndex((m) => !m.ok);
    expect(firstRefused).toBeGreaterThan(0);
    expect(at(before[firstRefused].at)).toBeGreaterThanOrEqual(
      at(stepOf(record, 'fence').startedAt!),
    );
    expect(result.measures.lostClientWrites).toBe(firstRefused);
    expect(result.measures.lostClientWrites).toBeGreaterThan(
      managed.result.measures.lostClientWrites!,
    );
  });
});

describe('rehearse partition', () => {
  test('THEN the cut target stops replicating, and no write is acknowledged by the old writer once the fence holds', async () => {
    const app = synthesized();
    const { result, record } = await rehearse('partition');

    expect(result.passed).toBe(true);
    // Replication stopped at the cut (the drill start): the target's lag is the whole time since.
    const promotedAt = at(record.measures.promotion!.requestedAt!);
    expect(record.measures.promotion?.rpoLagMsBeforeRequest).toBeGreaterThanOrEqual(
      promotedAt - at(record.startedAt!),
    );
    const fenced = at(stepOf(record, 'fence').finishedAt!);
    expect(stepOf(record, 'fence').status).toBe('completed');
    expect(fenced).toBeLessThanOrEqual(promotedAt);
    const late = writes(record).filter(
      (m) => m.ok && m.targetRegion === app.primary && at(m.at) >= fenced,
    );
    expect(late).toEqual([]);
    const loss = record.measures.client!.dataLoss!;
    // What the cut kept from the target before the fence is lost, and only that.
    expect(loss.writes.length).toBeGreaterThan(0);
    expect(loss.writes.every((w) => at(w.at!) < fenced)).toBe(true);
    expect(result.measures.rpoMs).toBeLessThanOrEqual(app.rpoMs);
  });
});

describe('rehearse rds-throttling', () => {
  test('THEN the throttled promotion runs again until Aurora takes it, and the switchover still loses nothing', async () => {
    const { result, record } = await rehearse('rds-throttling');

    expect(result.passed).toBe(true);
    const promote = stepOf(record, 'promote');
    expect(promote.status).toBe('completed');
    expect(promote.attempts).toBeGreaterThan(1);
    expect(result.measures.lostClientWrites).toBe(0);
    // The storm delayed the promotion: writes paused longer than in the same switchover without it.
    const calm = await rehearse('switchover-under-load');
    expect(result.measures.clientWriteRtoMs).toBeGreaterThan(
      calm.result.measures.clientWriteRtoMs!,
    );
  });
});
