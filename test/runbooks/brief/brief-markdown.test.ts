import { briefMarkdown } from '../../../runbooks/brief/brief';
import { readArchitectureFacts, type ArchitectureFacts } from '../../../runbooks/brief/facts';
import { mdText } from '../../../runbooks/brief/page';
import { DRILL_KINDS } from '../../../runbooks/drill/model';
import { PREFLIGHT_CHECKS } from '../../../runbooks/drill/preflight';
import type { DrillRecord } from '../../../runbooks/drill/record';
import { rehearsalVerdicts } from '../../../runbooks/drill/record-rehearsal';
import { stepsFor } from '../../../runbooks/drill/steps';
import { deployedApp } from '../../deployed-app';
import { drillDirOf, recordIn, rehearseIn, tempDirs } from '../rehearse-helpers';

const tempDir = tempDirs();
let facts: ArchitectureFacts;
let threeRegions: ArchitectureFacts;
let headless: ArchitectureFacts;
/** What `drill rehearse --scenario region-outage` wrote: a real record, not a typed one. */
let record: DrillRecord;
/** What `drill rehearse --scenario switchover-under-load` wrote. */
let switchover: DrillRecord;

beforeAll(async () => {
  facts = await readArchitectureFacts(deployedApp());
  threeRegions = await readArchitectureFacts(deployedApp(['us-east-1', 'us-west-2', 'us-east-2']));
  headless = await readArchitectureFacts(
    deployedApp(undefined, { 'topology.readersByRegion': '{"us-west-2":0}' }),
  );
  const stateDir = tempDir();
  const run = await rehearseIn(stateDir, ['--scenario', 'region-outage']);
  expect(run.stderr).toBe('');
  record = recordIn(drillDirOf(stateDir, 'region-outage'));
  const otherDir = tempDir();
  expect((await rehearseIn(otherDir, ['--scenario', 'switchover-under-load'])).stderr).toBe('');
  switchover = recordIn(drillDirOf(otherDir, 'switchover-under-load'));
}, 300_000);

/** The lines of the section whose heading is `heading`, up to the next section. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  expect(start).toBeGreaterThan(-1);
  const next = markdown.indexOf('\n## ', start + heading.length + 1);
  return markdown.slice(start + 1, next === -1 ? undefined : next);
}

describe('the last rehearsal or drill', () => {
  test('GIVEN no record WHEN the brief is written THEN it says to run a rehearsal', () => {
    expect(section(briefMarkdown(facts), '## Last rehearsal or drill')).toBe(
      '## Last rehearsal or drill\n\nNo record yet: run `npx drill rehearse`.\n',
    );
  });

  test('GIVEN the record a real rehearsal wrote WHEN the brief is written THEN it shows the drill, its measured RTO figures and every verdict against the objectives', () => {
    const brief = briefMarkdown(facts, { lastRecord: record });
    const text = section(brief, '## Last rehearsal or drill');
    const client = record.measures.client!;

    expect(text).toContain(
      `| Drill | rehearsal \`region-outage\` (simulation, not AWS): ${record.kind} \`${record.fromRegion}\` → \`${record.targetRegion}\`, ${record.outcome} |`,
    );
    expect(client.writeRto.ms).not.toBeNull();
    expect(text).toContain(`| Client write RTO | ${Math.round(client.writeRto.ms! / 1000)} s |`);
    expect(text).toContain(
      `| Database-level RTO (canary) | ${Math.round(record.measures.clientRtoMs! / 1000)} s |`,
    );
    for (const r of client.readRto) {
      expect(text).toContain(
        `| Client read RTO (\`${r.region}\`) | ${Math.round(r.ms! / 1000)} s |`,
      );
    }
    // The scenario loses the one write sent a second after the newest one the target kept.
    expect(client.dataLoss).toMatchObject({ count: 1, acknowledged: 3, windowMs: 1000 });
    expect(text).toContain('| Acknowledged writes lost | 1 of 3, spanning 1 s of writes |');
    const verdicts = rehearsalVerdicts(record);
    expect(verdicts.length).toBeGreaterThan(3);
    for (const v of verdicts) {
      expect(text).toContain(`- ${v.met ? 'Met' : '**Missed**'}: ${mdText(v.line)}\n`);
    }
    expect(text).not.toContain('No record yet');
  });
});

describe('other records', () => {
  test('GIVEN the last record and another one WHEN the brief is written THEN the other is one row with its outcome and how many objectives it met', () => {
    const text = section(
      briefMarkdown(facts, { lastRecord: record, otherRecords: [switchover] }),
      '## Last rehearsal or drill',
    );
    const verdicts = rehearsalVerdicts(switchover);
    const missed = verdicts.filter((v) => !v.met).map((v) => v.objective);

    expect(text).toContain(
      `### Other records\n\n| Drill | Outcome | Objectives met |\n| --- | --- | --- |\n| rehearsal \`switchover-under-load\`: switchover \`us-east-1\` → \`us-west-2\` | ${switchover.outcome} | ${verdicts.length - missed.length} of ${verdicts.length}${missed.length > 0 ? `; missed: ${missed.join(', ')}` : ''} |\n`,
    );
  });

  test('GIVEN only other records WHEN the brief is written THEN the first is shown in detail and the rest listed', () => {
    const text = section(
      briefMarkdown(facts, { otherRecords: [switchover, record] }),
      '## Last rehearsal or drill',
    );

    expect(text).toContain(
      '| Drill | rehearsal `switchover-under-load` (simulation, not AWS): switchover',
    );
    expect(text).toContain('| rehearsal `region-outage`: failover `us-east-1` → `us-west-2` |');
    expect(text).not.toContain('No record yet');
  });
});

describe('the game-day checklist', () => {
  test.each([
    ['two regions', () => facts],
    ['three regions', () => threeRegions],
  ])(
    'GIVEN %s WHEN the brief is written THEN it lists every preflight check and every step of each drill kind, titled for the deployment',
    (_name, factsOf) => {
      const f = factsOf();
      const text = section(briefMarkdown(f), '## Game-day checklist (quarterly)');
      // ARC Region switch plans add their health-check check to PREFLIGHT_CHECKS.
      expect(f.checklist.preflight).toHaveLength(PREFLIGHT_CHECKS.length + 1);
      for (const c of f.checklist.preflight) {
        expect(text).toContain(`   - [ ] \`${c.id}\`: `);
      }
      for (const kind of DRILL_KINDS) {
        const drill = f.checklist.drills.find((d) => d.kind === kind)!;
        expect(drill.steps.map((s) => s.id)).toEqual(stepsFor(kind).map((s) => s.id));
        const column = ['switchover', 'failover', 'failback'].indexOf(kind);
        for (const step of drill.steps) {
          const row = text.split('\n').find((l) => l.startsWith(`| \`${step.id}\` |`))!;
          expect(row).toBeDefined();
          expect(row.split(' | ').slice(-3)[column].replace(/ \|$/, '')).toBe('[ ]');
        }
      }
      expect(text).toContain(`passes all ${f.checklist.preflight.length} checks`);
    },
  );

  test('GIVEN the rehearsal WHEN the checklist is compared with the preflight the drill ran THEN the ids are the same, in the same order', () => {
    expect(facts.checklist.preflight.map((c) => c.id)).toEqual(record.preflight!.map((c) => c.id));
  });

  test('GIVEN promote, titled differently per kind WHEN the checklist is written THEN its row shows each title', () => {
    const row = briefMarkdown(facts)
      .split('\n')
      .find((l) => l.startsWith('| `promote` |'))!;
    const titles = [
      ...new Set(facts.checklist.drills.map((d) => d.steps.find((s) => s.id === 'promote')!.title)),
    ];

    expect(titles.length).toBeGreaterThan(1);
    for (const t of titles) expect(row).toContain(t);
  });
});

describe('sections and determinism', () => {
  test('GIVEN the same facts and options WHEN the brief is written twice THEN the text is the same', () => {
    const options = { lastRecord: record, generatedFrom: 'cdk.out', costSection: '## Cost\n\nx' };

    expect(briefMarkdown(facts, options)).toBe(briefMarkdown(facts, options));
  });

  test('GIVEN a cost section WHEN the brief is written THEN it is its own section before the checklist, with a heading added when it has none', () => {
    const withHeading = briefMarkdown(facts, { costSection: '## Monthly cost\n\n| a | b |' });
    const without = briefMarkdown(facts, { costSection: '| a | b |' });

    expect(withHeading.indexOf('## Monthly cost')).toBeGreaterThan(
      withHeading.indexOf('## Residency'),
    );
    expect(withHeading.indexOf('## Monthly cost')).toBeLessThan(
      withHeading.indexOf('## Game-day checklist'),
    );
    expect(without).toContain('\n## Cost\n\n| a | b |\n\n## Game-day checklist');
    expect(briefMarkdown(facts)).not.toContain('## Cost');
  });

  test('GIVEN the sections the issue lists WHEN the brief is written THEN each is there, in order', () => {
    const brief = briefMarkdown(facts, { generatedFrom: 'cdk.out' });
    const headings = brief.split('\n').filter((l) => l.startsWith('## '));

    expect(headings).toEqual([
      '## At a glance',
      '## The pattern',
      '## What a user sees',
      '## Consistency model',
      '## Routing',
      '## Database',
      '## Failover: triggers, order, floors',
      '## Last rehearsal or drill',
      '## Residency',
      '## Game-day checklist (quarterly)',
    ]);
    expect(brief).toContain('Generated from cdk.out by `npm run brief`.');
    expect(brief).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  test('GIVEN the failure table WHEN the brief is written THEN each failure names its floor and the RPO', () => {
    const text = section(briefMarkdown(facts), '## What a user sees');

    expect(text).toContain(
      '| **The writer region is lost** | Users routed there get errors until its serving check fails and DNS moves: at least 95 s (1.6 min). | Fail until an operator promotes a secondary (`npx drill failover`) and `write.example.com` follows: at least 215 s (3.6 min) from when the promotion starts. | Writes not yet replicated are lost: up to the RPO, 30 s. |',
    );
    expect(text).toContain('**Planned switchover**');
    expect(text).toContain('**Replication lag spike**');
  });
});

describe('a secondary region lost, by where managed RPO is enforced', () => {
  const row = (f: ArchitectureFacts) =>
    section(briefMarkdown(f), '## What a user sees')
      .split('\n')
      .find((l) => l.startsWith('| **A secondary region is lost** |'))!;

  test('GIVEN two regions, managed RPO on the writer WHEN its only secondary is lost THEN writes are blocked until it is back or the parameter is reset', () => {
    const writer = facts.databases.find((d) => d.role === 'primary')!;
    expect(writer.managedRpoSeconds).toBe(facts.routing.rpoSeconds);
    expect(row(facts)).toContain(
      `| **Blocked** once its lag passes the managed RPO (${writer.managedRpoSeconds} s): Aurora stops commits while no secondary is within it. They resume when the region is back and caught up, or when an operator resets \`rds.global_db_rpo\` in \`${writer.clusterParameterGroupName}\`. |`,
    );
  });

  test('GIVEN three regions WHEN one secondary is lost THEN the other satisfies the managed RPO', () => {
    expect(row(threeRegions)).toContain(
      `| Not affected: another secondary still satisfies the managed RPO (${threeRegions.routing.rpoSeconds} s). |`,
    );
  });

  test('GIVEN a headless secondary WHEN it is lost THEN no reads move, and writes are blocked the same way', () => {
    expect(row(headless)).toMatch(
      /^\| \*\*A secondary region is lost\*\* \| Not affected: no secondary serves reads\. \| \*\*Blocked\*\* once /,
    );
  });
});

describe('a headless secondary', () => {
  test('GIVEN the only secondary is headless WHEN the brief is written THEN the pattern, the failure table and the checklist say an instance must be added first', () => {
    const brief = briefMarkdown(headless);
    const pattern = section(brief, '## The pattern');
    expect(pattern).toContain('**Active-passive warm standby.**');
    expect(pattern).toContain(
      '- Why a headless standby: the storage replicates at a fraction of the cost of an instance; taking over needs an instance added first, then a promotion.',
    );
    expect(pattern).not.toContain('serves the reads routed to it');
    expect(section(brief, '## What a user sees')).toContain(
      'from when the promotion starts, after an instance is added: every secondary is headless. |',
    );
    expect(section(brief, '## Game-day checklist (quarterly)')).toContain(
      '**First add an instance in us-west-2** (`readersByRegion`): it is headless, and `target-not-headless` refuses it as a target.',
    );
  });
});

describe('the game-day sequence', () => {
  test('GIVEN two regions WHEN the checklist is written THEN each drill starts from the roles the one before left', () => {
    const [primary, secondary] = facts.regions;
    expect(section(briefMarkdown(facts), '## Game-day checklist (quarterly)')).toContain(
      `Run \`npx drill switchover\` (${primary} → ${secondary}), then \`npx drill failback\` (${secondary} → ${primary}), then \`npx drill failover\` (${primary} → ${secondary}), then \`npx drill failback\` (${secondary} → ${primary}), each with \`--execute\``,
    );
  });
});

describe('the step table of the checklist', () => {
  const table = (f: ArchitectureFacts) =>
    section(briefMarkdown(f), '## Game-day checklist (quarterly)')
      .split('\n')
      .filter((l) => l.startsWith('| '));

  test('GIVEN two regions THEN its columns are the drill kinds and its rows follow the order the drill runs steps', () => {
    const [head, , ...rows] = table(facts);
    expect(head).toBe(
      `| Step | What it does here | ${facts.checklist.drills.map((d) => d.kind).join(' | ')} |`,
    );
    const ids = rows.map((r) => /^\| `([a-z-]+)` \|/.exec(r)![1]);
    expect(ids).toEqual(facts.checklist.stepOrder.filter((id) => ids.includes(id)));
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('GIVEN a step titled the same in two drill kinds THEN its row shows the title once, and a different title by kind', () => {
    const [primary, secondary] = facts.regions;
    expect(table(facts)).toContain(
      `| \`fence\` | Fence writes in ${primary}; failback: Fence writes in ${secondary} | [ ] | [ ] | [ ] |`,
    );
    expect(table(facts)).toContain(
      `| \`keep-failover-snapshot\` | Keep the point-of-failure snapshot of ${facts.databases[0].clusterIdentifier} | - | [ ] | - |`,
    );
  });

  test('GIVEN no headless target THEN the checklist asks for no instance first', () => {
    expect(briefMarkdown(facts)).not.toContain('First add an instance');
    expect(briefMarkdown(threeRegions)).not.toContain('First add an instance');
  });
});
