// The one-page architecture brief, as Markdown, from the facts of a synthesized assembly (and
// the last drill's record when there is one). Short sentences and tables: a product manager
// reads it; every figure is one the stacks publish or a drill measured.
import { DRILL_OUTPUT_KEYS } from '../../constructs/contract';
import { MANAGED_RPO_PARAMETER } from '../../constructs/managed-rpo-policy';
import type { ClientRto, DrillRecord } from '../drill/record';
import { rehearsalVerdicts, seconds as msText } from '../drill/record-rehearsal';
import type { ArchitectureFacts, DatabaseFacts, HealthCheckFacts, RecordFacts } from './facts';
import { gameDayChecklist } from './checklist';
import { mdTable, mdText } from './page';

/** What the brief adds to the facts. */
export interface BriefOptions {
  /** The last drill's or rehearsal's record (`record.json`, as the drill wrote it). */
  readonly lastRecord?: DrillRecord;
  /**
   * Other records to list one row each after the last one (for example the newest of each drill
   * kind and rehearsal scenario, `latestRecords`), newest first.
   *
   * @default - none: only `lastRecord`
   */
  readonly otherRecords?: readonly DrillRecord[];
  /** The cost section's Markdown (the cost model's summary), placed as its own section. */
  readonly costSection?: string;
  /**
   * The cost model's itemized details, placed last as an appendix.
   *
   * @default - no appendix
   */
  readonly costAppendix?: string;
  /**
   * One line for "At a glance": the monthly estimate and the premium over one region.
   *
   * @default - no cost line
   */
  readonly costAtAGlance?: string;
  /** What the facts were read from (an assembly, a commit), printed under the title. */
  readonly generatedFrom?: string;
}

/** `95 s`, `215 s (3.6 min)`. */
export function secondsText(s: number): string {
  return s >= 60 ? `${s} s (${+(s / 60).toFixed(1)} min)` : `${s} s`;
}

const code = (value: string) => `\`${value.replace(/`/g, '')}\``;
const list = (items: readonly string[]) =>
  items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;

/** The brief: one page of Markdown, the same for the same facts and options. */
export function briefMarkdown(facts: ArchitectureFacts, options: BriefOptions = {}): string {
  const sections = [
    title(facts, options),
    atAGlance(facts, options),
    pattern(facts),
    failures(facts),
    consistency(facts),
    routing(facts),
    database(facts),
    failover(facts),
    lastRecord(...recordsOf(options)),
    residency(facts),
    ...(options.costSection ? [costSection(options.costSection)] : []),
    gameDayChecklist(facts),
    ...(options.costAppendix ? [`## Appendix: cost details\n\n${options.costAppendix}`] : []),
  ];
  return `${sections.map((s) => s.trim()).join('\n\n')}\n`;
}

/** The record shown in detail and the ones listed after it: without `lastRecord`, the first other. */
function recordsOf(options: BriefOptions): [DrillRecord | undefined, readonly DrillRecord[]] {
  const others = options.otherRecords ?? [];
  return options.lastRecord ? [options.lastRecord, others] : [others[0], others.slice(1)];
}

function primaryDb(facts: ArchitectureFacts): DatabaseFacts | undefined {
  return facts.databases.find((d) => d.role === 'primary');
}

function servingRegions(facts: ArchitectureFacts): string[] {
  return facts.records
    .filter((r) => r.name === facts.routing.appHostname && r.policy === 'latency')
    .map((r) => r.latencyRegion!)
    .sort((a, b) => facts.regions.indexOf(a) - facts.regions.indexOf(b));
}

function title(facts: ArchitectureFacts, options: BriefOptions): string {
  const db = primaryDb(facts);
  return [
    `# Architecture brief: ${mdText(db?.globalClusterIdentifier ?? facts.routing.appHostname)}`,
    '',
    `Generated${options.generatedFrom ? ` from ${mdText(options.generatedFrom)}` : ''} by \`npm run brief\`. ` +
      'Every figure is one the stacks publish (their outputs and templates) or a drill measured: ' +
      'regenerate it after a change, never edit it by hand.',
  ].join('\n');
}

function atAGlance(facts: ArchitectureFacts, options: BriefOptions): string {
  const r = facts.routing;
  const secondaries = facts.regions.filter((x) => x !== facts.primaryRegion);
  return [
    '## At a glance',
    '',
    mdTable(
      ['', 'As synthesized'],
      [
        [
          'Regions',
          `${code(facts.primaryRegion)} (primary, the writer as deployed); ${secondaries.map(code).join(', ')} (secondary)`,
        ],
        ['Names users call', `${code(r.appHostname)} (reads), ${code(r.writeHostname)} (writes)`],
        ['Recovery time objective (RTO)', secondsText(r.rtoSeconds)],
        [
          'Computed RTO floor',
          `${secondsText(r.rtoFloorSeconds)}: reads ${secondsText(r.readRtoFloorSeconds)}, writes ${secondsText(r.writeRtoFloorSeconds)}`,
        ],
        ['Recovery point objective (RPO)', secondsText(r.rpoSeconds)],
        ['DNS TTL of every record that moves traffic', secondsText(r.ttlSeconds)],
        ['Configured mode', code(facts.mode)],
        ['Regions allowed (residency)', facts.allowedRegions.map(code).join(', ')],
        ...(options.costAtAGlance ? [['Monthly cost (estimate)', options.costAtAGlance]] : []),
      ],
    ),
  ].join('\n');
}

function pattern(facts: ArchitectureFacts): string {
  const serving = servingRegions(facts);
  const activeReads = serving.length > 1;
  const headless = facts.databases.filter((d) => d.headless).map((d) => code(d.region));
  return [
    '## The pattern',
    '',
    activeReads
      ? `**Active-active reads with a single writer.** ${list(serving.map(code))} all answer reads for the users nearest to them. ` +
        `Every write goes to one region, the writer (${code(facts.primaryRegion)} as deployed).`
      : `**Active-passive warm standby.** ${list(serving.map(code))} answers every read and write; ` +
        'the other regions replicate the database and wait to take over.',
    '',
    '- Why one writer: Aurora Global Database has one writer cluster; the other regions hold read-only replicas. ' +
      'One writer means no conflicting writes to reconcile after an outage.',
    activeReads
      ? '- Why reads everywhere: a replica is already running, so serving reads from it costs little and keeps reads fast and up during an outage.'
      : headless.length > 0
        ? '- Why a headless standby: the storage replicates at a fraction of the cost of an instance; taking over needs an instance added first, then a promotion.'
        : '- Why a standby: its replica is already running, so taking over needs a promotion, not a rebuild.',
    `- The topology's mode is ${code(facts.mode)}; both modes synthesize the same records (listed under Routing). No secondary takes writes` +
      (activeReads ? ', and every secondary with an instance serves the reads routed to it.' : '.'),
    ...(headless.length > 0
      ? [
          `- ${list(headless)} ${headless.length === 1 ? 'is' : 'are'} headless (no database instance): storage replicates there, but it serves no reads and cannot take the writer until an instance is added.`,
        ]
      : []),
  ].join('\n');
}

// What the table relies on: a switchover synchronizes every secondary first and loses nothing, a
// failover loses what was not replicated (RDS API Reference, SwitchoverGlobalCluster and
// FailoverGlobalCluster: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html);
// managed RPO blocks commits when no secondary's RPO lag is under it (Aurora User Guide,
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html#aurora-global-database-manage-recovery,
// Managing RPOs).
function failures(facts: ArchitectureFacts): string {
  const r = facts.routing;
  const read = secondsText(r.readRtoFloorSeconds);
  const write = secondsText(r.writeRtoFloorSeconds);
  const ttl = secondsText(r.ttlSeconds);
  const rpo = secondsText(r.rpoSeconds);
  const servingSecondaries = servingRegions(facts).filter((x) => x !== facts.primaryRegion);
  return [
    '## What a user sees',
    '',
    mdTable(
      ['Event', 'Reads', 'Writes', 'Data'],
      [
        [
          '**The writer region is lost**',
          `Users routed there get errors until its serving check fails and DNS moves: at least ${read}.`,
          `Fail until an operator promotes a secondary (\`npx drill failover\`) and ${code(r.writeHostname)} follows: at least ${write} from when the promotion starts` +
            (facts.databases.every((d) => d.role === 'primary' || d.headless)
              ? ', after an instance is added: every secondary is headless.'
              : '.'),
          `Writes not yet replicated are lost: up to the RPO, ${rpo}.`,
        ],
        [
          '**A secondary region is lost**',
          servingSecondaries.length > 0
            ? `Its users move to another region: at least ${read}.`
            : 'Not affected: no secondary serves reads.',
          secondaryLostWrites(facts),
          'None lost.',
        ],
        [
          '**Planned switchover**',
          'Keep working; users of the old writer region move when it is fenced: at least ' +
            `${read}.`,
          `Refused fast (503 with Retry-After) from the fence until the new writer takes them: at least ${write}.`,
          'None lost: Aurora synchronizes before it switches.',
        ],
        [
          '**Replication lag spike**',
          'Reads from a secondary show older data, behind by the lag.',
          'Where managed RPO is enforced, commits are blocked while no secondary is within it.',
          `A failover now would lose up to the lag; alarms and \`drill preflight\` flag lag over ${rpo}.`,
        ],
      ],
    ),
    '',
    `DNS answers are cached for up to ${ttl}: a client that caches longer (some JVMs, some resolvers) moves later.`,
  ].join('\n');
}

/**
 * Writes when a secondary is lost: with managed RPO on the writer and no other secondary to
 * satisfy it, Aurora blocks every commit once the lost region's lag passes the RPO.
 */
function secondaryLostWrites(facts: ArchitectureFacts): string {
  const writer = primaryDb(facts);
  const secondaries = facts.databases.filter((d) => d.role === 'secondary');
  if (writer?.managedRpoSeconds === undefined) return 'Not affected.';
  if (secondaries.length > 1) {
    return `Not affected: another secondary still satisfies the managed RPO (${secondsText(writer.managedRpoSeconds)}).`;
  }
  return (
    `**Blocked** once its lag passes the managed RPO (${secondsText(writer.managedRpoSeconds)}): Aurora stops commits while no secondary is within it. ` +
    `They resume when the region is back and caught up, or when an operator resets ${code(MANAGED_RPO_PARAMETER)} in ${code(writer.clusterParameterGroupName)}.`
  );
}

function consistency(facts: ArchitectureFacts): string {
  return [
    '## Consistency model',
    '',
    `- Writes go to one writer, through Aurora's global writer endpoint: every committed write is on the writer at once.`,
    '- Reads are served by the local cluster of the region that answers. In a secondary they may be behind the writer by up to the replication lag; a read right after a write may not show it yet.',
    `- After an unplanned failover, writes acknowledged but not yet replicated are gone (up to the RPO, ${secondsText(facts.routing.rpoSeconds)}). A planned switchover loses none.`,
  ].join('\n');
}

/** A check in a few words, for the routing table. */
function checkLabel(facts: ArchitectureFacts, id: string | undefined): string {
  if (!id) return 'none';
  const c = facts.healthChecks.find((h) => h.id === id);
  if (!c) return code(id);
  return `${c.role}${c.region ? ` ${code(c.region)}` : ''}${c.planName ? ` (plan ${code(c.planName)})` : ''}`;
}

// When the SECONDARY of a failover pair is unhealthy too, Route 53 answers the PRIMARY whatever
// its health (Route 53 API Reference, ResourceRecordSet, Failover:
// https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html).
function movedBy(facts: ArchitectureFacts, r: RecordFacts): string {
  if (r.policy === 'latency') {
    return `Drops out when its ${checkLabel(facts, r.healthCheckId)} check fails; the nearest healthy region answers.`;
  }
  if (r.policy === 'failover') {
    return r.failover === 'PRIMARY'
      ? `Answers while its ${checkLabel(facts, r.healthCheckId)} check is healthy (the region holds the writer).`
      : `Answers when the PRIMARY's check fails and its ${checkLabel(facts, r.healthCheckId)} check is healthy; if both fail, Route 53 answers the PRIMARY.`;
  }
  return 'Nothing: a fixed name (direct access; what the health checks call).';
}

function routing(facts: ArchitectureFacts): string {
  // A record that answers another name of the zone (the write chain) says so; the regional API
  // domains it answers otherwise are in the templates, not worth a column.
  const zoneNames = new Set(facts.records.map((r) => r.name));
  const rows = facts.records.map((r) => {
    const chain = r.values.filter((v) => zoneNames.has(v));
    return [
      code(r.name),
      r.type,
      r.ttlSeconds === undefined ? 'alias' : `${r.ttlSeconds} s`,
      (r.policy === 'failover'
        ? `failover ${r.failover}`
        : r.policy === 'latency'
          ? `latency ${code(r.latencyRegion!)}`
          : 'simple') + (chain.length > 0 ? ` → ${chain.map(code).join(', ')}` : ''),
      checkLabel(facts, r.healthCheckId),
      movedBy(facts, r),
    ];
  });
  return [
    '## Routing',
    '',
    mdTable(['Name', 'Type', 'TTL', 'Policy', 'Health check', 'What moves it'], rows),
    '',
    '### Health checks',
    '',
    mdTable(
      ['Region', 'Check', 'What it tests', 'How often', 'Healthy means'],
      facts.healthChecks.map((c) => [
        c.region ? code(c.region) : '-',
        `${c.role}${c.planName ? ` (plan ${code(c.planName)})` : ''} (${c.type}${c.inverted ? ', inverted' : ''})`,
        checkTarget(facts, c),
        c.intervalSeconds !== undefined
          ? `every ${c.intervalSeconds} s, ${c.failureThreshold} in a row to change`
          : '-',
        CHECK_MEANING[c.role],
      ]),
    ),
  ].join('\n');
}

function checkTarget(facts: ArchitectureFacts, c: HealthCheckFacts): string {
  if (c.fqdn) return code(`https://${c.fqdn}${c.path ?? ''}`);
  if (c.children.length > 0) {
    return `${c.healthThreshold ?? c.children.length} of: ${c.children.map((id) => checkLabel(facts, id)).join(', ')}`;
  }
  return 'managed by ARC Region switch';
}

const CHECK_MEANING: Record<HealthCheckFacts['role'], string> = {
  serving: 'A real query on the local cluster succeeds and the region is not drained.',
  writer: 'The local cluster holds the writer and a heartbeat commit succeeds in time.',
  'write gate': "The region's writer check and ARC's checks of it are healthy.",
  'ARC Region switch': 'ARC Region switch has not taken the region out of the write path.',
  'standby writers': 'At least one secondary could take writes.',
  other: 'Not one of the checks the drill knows.',
};

// The global writer endpoint "is automatically updated by Aurora to route requests to the
// current writer instance" after a managed switchover or failover (Aurora User Guide,
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html).
function database(facts: ArchitectureFacts): string {
  const primary = primaryDb(facts);
  const enforced = facts.databases.filter((d) => d.managedRpoSeconds !== undefined);
  const notEnforced = facts.databases.filter((d) => d.managedRpoSeconds === undefined);
  const headless = facts.databases.filter((d) => d.headless);
  return [
    '## Database',
    '',
    mdTable(
      ['Region', 'Role (as deployed)', 'Instances', 'Managed RPO', 'Cluster'],
      facts.databases.map((d) => [
        code(d.region),
        d.role,
        instancesText(d),
        d.managedRpoSeconds === undefined
          ? 'not set'
          : `${d.managedRpoSeconds} s (${code(d.clusterParameterGroupName)})`,
        code(d.clusterIdentifier),
      ]),
    ),
    '',
    // The address is generated at deploy time: what an assembly resolves it to is a stand-in.
    ...(primary?.globalWriterEndpoint
      ? [
          `- Writes go to the global writer endpoint of ${code(primary.globalClusterIdentifier)} (its address is in the \`${DRILL_OUTPUT_KEYS.database}\` output of ${code(primary.region)} once deployed): Aurora moves it to the writer after a managed switchover or failover. Clients must not cache its DNS answer.`,
        ]
      : []),
    `- Managed RPO (${code(MANAGED_RPO_PARAMETER)}) is enforced in ${enforced.length > 0 ? list(enforced.map((d) => code(d.region))) : 'no region'}: ` +
      "there Aurora blocks commits when no secondary's lag is under it, so no more than that much is at risk." +
      (notEnforced.length > 0
        ? ` Not set in ${list(notEnforced.map((d) => code(d.region)))}: with no other healthy secondary to satisfy it, it would stop every commit after a failover; the drill sets and clears it as roles change.`
        : ''),
    ...headless.map(
      (d) =>
        `- ${code(d.region)} is headless: it replicates storage but has no instance, so it serves no reads and cannot be promoted. Add an instance before failing over to it (\`drill preflight\` refuses it as a target).`,
    ),
  ].join('\n');
}

function instancesText(d: DatabaseFacts): string {
  if (d.headless) return '**headless**: none';
  const classes = [...new Set(d.instances.map((i) => i.instanceClass))];
  const readers = d.role === 'primary' ? d.instances.length - 1 : d.instances.length;
  return `${d.instances.length} × ${classes.map(code).join(', ')} (${d.role === 'primary' ? 'writer + ' : ''}${readers} reader${readers === 1 ? '' : 's'})`;
}

function failover(facts: ArchitectureFacts): string {
  const f = facts.rtoFloors;
  const order = (kind: string) =>
    facts.checklist.drills
      .find((d) => d.kind === kind)
      ?.steps.map((s) => code(s.id))
      .join(' → ') ?? '';
  return [
    '## Failover: triggers, order, floors',
    '',
    '- Reads move by themselves: Route 53 stops answering a region whose serving check fails.',
    `- Writes move only when the writer moves: an operator runs \`npx drill switchover\` or \`npx drill failover\` (or an ARC Region switch plan); ${code(facts.routing.writeHostname)} then follows the new writer's check.`,
    `- Order of a planned switchover: ${order('switchover')}.`,
    `- Order of an unplanned failover: ${order('failover')}.`,
    '',
    f
      ? mdTable(
          [
            'Path',
            'Promotion',
            'Detection (interval × threshold)',
            'Signal cache',
            'DNS (TTL × hops)',
            'Floor',
          ],
          [f.read, f.write].map((p) => [
            p.path === 'read' ? 'Reads' : 'Writes',
            `${p.promotionSeconds} s`,
            `${p.detectionSeconds} s (${p.healthCheckIntervalSeconds} s × ${p.failureThreshold})`,
            `${p.signalStalenessSeconds} s`,
            `${p.dnsTtlSeconds} s (${p.ttlSeconds} s × ${p.hops})`,
            `**${secondsText(p.totalSeconds)}**`,
          ]),
        )
      : `Floors: ${mdText(facts.rtoFloorExplanation)}.`,
    '',
    `The slower path's floor, ${secondsText(facts.routing.rtoFloorSeconds)}, is ${facts.routing.rtoFloorSeconds <= facts.routing.rtoSeconds ? 'within' : '**over**'} the RTO objective of ${secondsText(facts.routing.rtoSeconds)}. ` +
      'A real recovery adds the time to notice and decide. The RPO objective is ' +
      `${secondsText(facts.routing.rpoSeconds)}.`,
    ...(facts.regionSwitchPlans.length > 0
      ? [
          '',
          `ARC Region switch plans: ${facts.regionSwitchPlans
            .map(
              (p) =>
                `${code(p.planName)} (${code(p.primaryRegion)} ↔ ${code(p.targetRegion)}${p.approvalStepName ? ', manual approval' : ''})`,
            )
            .join(', ')}.`,
        ]
      : []),
  ].join('\n');
}

/** The last drill or rehearsal: what it measured, judged against its objectives. */
function lastRecord(record: DrillRecord | undefined, others: readonly DrillRecord[]): string {
  if (!record) {
    return ['## Last rehearsal or drill', '', 'No record yet: run `npx drill rehearse`.'].join(
      '\n',
    );
  }
  const c = record.measures.client;
  const rows: string[][] = [
    [
      'Drill',
      `${record.rehearsal ? `rehearsal ${code(record.rehearsal.scenario)} (simulation, not AWS)` : 'drill on AWS'}: ${record.kind} ${code(record.fromRegion)} → ${code(record.targetRegion)}, ${record.outcome}`,
    ],
    [
      'Started',
      `${record.startedAt}${record.totalMs !== undefined ? `, took ${msText(record.totalMs)}` : ''}`,
    ],
    [
      'Database-level RTO (canary)',
      record.measures.clientRtoMs === null ? 'not measured' : msText(record.measures.clientRtoMs),
    ],
    ...(c
      ? [
          ['Client write RTO', rtoText(c.writeRto)],
          ...c.readRto.map((r) => [`Client read RTO (${code(r.region)})`, rtoText(r)]),
          [
            'Acknowledged writes lost',
            c.dataLoss === null
              ? 'not counted (the new writer took no write)'
              : `${c.dataLoss.count}${c.dataLoss.acknowledged !== undefined ? ` of ${c.dataLoss.acknowledged}` : ''}` +
                (c.dataLoss.windowMs !== undefined
                  ? `, spanning ${msText(c.dataLoss.windowMs)} of writes`
                  : ''),
          ],
        ]
      : []),
    [
      'RPO lag at promotion',
      record.measures.rpoLagMsAtPromotion === null
        ? 'not read'
        : msText(record.measures.rpoLagMsAtPromotion),
    ],
  ];
  return [
    '## Last rehearsal or drill',
    '',
    mdTable(['', 'Measured'], rows),
    '',
    ...rehearsalVerdicts(record).map((v) => `- ${v.met ? 'Met' : '**Missed**'}: ${mdText(v.line)}`),
    ...(others.length > 0
      ? [
          '',
          '### Other records',
          '',
          mdTable(
            ['Drill', 'Outcome', 'Objectives met'],
            others.map((o) => {
              const verdicts = rehearsalVerdicts(o);
              const missed = verdicts.filter((v) => !v.met).map((v) => v.objective);
              return [
                `${o.rehearsal ? `rehearsal ${code(o.rehearsal.scenario)}` : 'drill on AWS'}: ${o.kind} ${code(o.fromRegion)} → ${code(o.targetRegion)}`,
                o.outcome,
                `${verdicts.length - missed.length} of ${verdicts.length}${missed.length > 0 ? `; missed: ${missed.join(', ')}` : ''}`,
              ];
            }),
          ),
        ]
      : []),
  ].join('\n');
}

/** A client RTO in seconds, or why there is none. */
function rtoText(rto: ClientRto): string {
  if (rto.ms !== null) return msText(rto.ms);
  return rto.reason === 'no-failure'
    ? 'no failure seen'
    : rto.reason === 'still-failing'
      ? '**still failing** when the canary stopped'
      : 'not measured (no requests)';
}

function residency(facts: ArchitectureFacts): string {
  const data = facts.residency.filter((r) => r.customerData.length > 0).map((r) => code(r.region));
  const any = facts.residency.map((r) => code(r.region));
  const routingHolds = facts.residency.find((r) => r.region === facts.routingRegion);
  return [
    '## Residency',
    '',
    `- Customer data is stored in ${list(data)}.`,
    `- Something (data, configuration, keys, health checks, logs) is in ${list(any)}.`,
    ...(routingHolds && routingHolds.customerData.length === 0
      ? [
          `- ${code(facts.routingRegion)} holds the routing stack (Route 53 health-check alarms, dashboard, plans) and no customer data.`,
        ]
      : []),
    '',
    mdTable(
      ['Region', 'Customer data', 'Resources'],
      facts.residency.map((r) => [
        code(r.region),
        r.customerData.length > 0 ? r.customerData.join(', ') : 'none',
        `${r.resources.reduce((n, t) => n + t.count, 0)} in ${r.stacks.length > 0 ? `${r.stacks.length} stack${r.stacks.length === 1 ? '' : 's'}` : 'no stack (replicas only)'}`,
      ]),
    ),
  ].join('\n');
}

function costSection(markdown: string): string {
  return /^#{1,2} /.test(markdown.trim()) ? markdown : `## Cost\n\n${markdown}`;
}
