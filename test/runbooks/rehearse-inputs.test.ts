// `drill rehearse` refuses what it cannot rehearse with the value and the fix: an unknown
// scenario, a missing or incomplete cloud assembly, a scenario file that is not valid.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TIMING_DEFAULTS } from '../../constructs/contract/timing';
import { EXIT_CODES } from '../../runbooks/drill/errors';
import type { RehearsalResult } from '../../runbooks/simulation/scenario';
import { assemblyDir, deployedApp } from '../deployed-app';
import { rehearseCli, tempDirs, rehearseIn } from './rehearse-helpers';

// Each rehearsal takes up to a few seconds of wall time; a busy 2-core CI machine needs more
// than jest's 5 s default (the speed target lives in npm run bench:rehearse).
jest.setTimeout(60_000);

const tempDir = tempDirs();

const SYNTH_NEXT =
  '  next: Run `npx cdk synth` first, or pass --assembly DIR: the directory `cdk synth` wrote (default cdk.out)\n';
const FORMAT_NEXT =
  '  next: Fix the fields above; the format is documented at the top of runbooks/simulation/scenario-file.ts\n';

describe('drill rehearse with an unknown scenario', () => {
  test('THEN it names the value, every scenario, and --list; exit USAGE; nothing is rehearsed', async () => {
    const stateDir = tempDir();
    const run = await rehearseIn(stateDir, ['--scenario', 'region-outage', '--scenario', 'nope']);

    expect(run.code).toBe(EXIT_CODES.USAGE);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      "error [USAGE]: unknown scenario 'nope'; the scenarios are: region-outage, switchover-under-load, lag-spike, rds-throttling, stale-resolver, headless-secondary, partition, failback, all\n" +
        '  next: Run `npx drill rehearse --list` for what each one rehearses\n',
    );
    expect(fs.readdirSync(stateDir)).toEqual([]);
  });
});

describe('drill rehearse with a missing or incomplete cloud assembly', () => {
  test('GIVEN no such directory THEN it says so and how to synthesize one; exit DISCOVERY_FAILED', async () => {
    const missing = path.join(tempDir(), 'cdk.out');
    const run = await rehearseCli(['rehearse', '--assembly', missing]);

    expect(run.code).toBe(EXIT_CODES.DISCOVERY_FAILED);
    expect(run.stderr).toBe(
      `error [DISCOVERY_FAILED]: cloud assembly ${missing} does not exist\n${SYNTH_NEXT}`,
    );
  });

  test('GIVEN the default --assembly (cdk.out) missing in the working directory THEN the error names cdk.out', async () => {
    const cwd = process.cwd();
    process.chdir(tempDir());
    try {
      const run = await rehearseCli(['rehearse', '--scenario', 'region-outage']);
      expect(run.stderr).toBe(
        `error [DISCOVERY_FAILED]: cloud assembly cdk.out does not exist\n${SYNTH_NEXT}`,
      );
    } finally {
      process.chdir(cwd);
    }
  });

  test('GIVEN a directory without manifest.json THEN it is not a cloud assembly', async () => {
    const empty = tempDir();
    const run = await rehearseCli(['rehearse', '--assembly', empty]);

    expect(run.code).toBe(EXIT_CODES.DISCOVERY_FAILED);
    expect(run.stderr).toBe(
      `error [DISCOVERY_FAILED]: ${empty} is not a cloud assembly (no manifest.json)\n${SYNTH_NEXT}`,
    );
  });

  test('GIVEN a copy whose routing stack lost its outputs THEN it names what the simulation misses', async () => {
    const copy = path.join(tempDir(), 'cdk.out');
    fs.cpSync(assemblyDir(), copy, { recursive: true });
    const file = path.join(copy, 'MultiRegion-Routing.template.json');
    const template = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete template.Outputs;
    fs.writeFileSync(file, JSON.stringify(template));

    const run = await rehearseCli(['rehearse', '--assembly', copy]);

    expect(run.code).toBe(EXIT_CODES.DISCOVERY_FAILED);
    expect(run.stderr).toBe(
      `error [DISCOVERY_FAILED]: cloud assembly ${copy} cannot be rehearsed: synthesized app: no stack has the output DrillRouting (stacks in the file: ${deployedApp().stackNames().join(', ')})\n` +
        "  next: Synthesize the app again (`npx cdk synth`) and pass the directory it wrote; a hand-edited template must stay valid JSON with the app's stacks and outputs\n",
    );
  });
});

describe('drill rehearse --scenario-file', () => {
  function scenarioFile(content: unknown): string {
    const file = path.join(tempDir(), 'scenario.json');
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  }

  test('GIVEN a valid file THEN it is rehearsed with its assumptions, after the named scenarios', async () => {
    const file = scenarioFile({
      name: 'slow-promotion',
      summary: 'the writer region fails and Aurora takes 3 minutes to promote',
      description: 'A slower promotion than the default assumption.',
      // Forced as an operator in an outage is, whatever the preflight finds.
      drill: { kind: 'failover', forceReason: 'the writer region is down' },
      assumptions: { promotionMs: 180_000 },
      // As in the built-in region-outage: after the canary's third acknowledged write.
      events: [{ atSeconds: 0, afterClientWrites: 3, kind: 'region-outage', region: 'writer' }],
    });
    const stateDir = tempDir();

    const run = await rehearseIn(stateDir, [
      '--scenario',
      'region-outage',
      '--scenario-file',
      file,
      '--json',
    ]);

    expect(run.code).toBe(0);
    const [builtIn, own] = JSON.parse(run.stdout) as RehearsalResult[];
    expect(own.scenario).toBe('slow-promotion');
    expect(own.assumptions.promotionMs).toBe(180_000);
    expect(own.stateDir).toBe(path.join(stateDir, 'slow-promotion'));
    // The built-in takes the promotion estimate the assembly publishes (120 s by default)...
    expect(builtIn.assumptions.promotionMs).toBe(120_000);
    // ...so the file's 180 s promotion makes the database outage 60 s longer.
    const longer = own.measures.databaseRtoMs! - builtIn.measures.databaseRtoMs!;
    expect(longer).toBeGreaterThanOrEqual(59_000);
    expect(longer).toBeLessThanOrEqual(61_000);
  });

  test('GIVEN a file with many mistakes THEN every one is named with its field, its value and the fix', async () => {
    const file = scenarioFile({
      name: 'Slow',
      summary: '',
      drill: { kind: 'fail' },
      assumptions: { promotionMs: -1, colour: 'red' },
      events: [
        { atSeconds: 0, kind: 'meteor', region: 'writer' },
        { atSeconds: -5, kind: 'lag-spike', region: 'primary', lagMs: 1.5, forSeconds: 60 },
      ],
    });

    const run = await rehearseCli(['rehearse', '--scenario-file', file]);

    expect(run.code).toBe(EXIT_CODES.USAGE);
    expect(run.stderr).toBe(
      `error [USAGE]: scenario file ${file} is not a valid scenario:\n` +
        '  - name must be kebab-case (lowercase letters, digits and single dashes, e.g. "slow-promotion"), got: "Slow"\n' +
        '  - summary must not be empty, got: ""\n' +
        '  - description must be a string, it is missing\n' +
        '  - drill.kind must be one of "switchover", "failover", "failback", got: "fail"\n' +
        '  - assumptions.promotionMs must be at least 0, got: -1\n' +
        '  - assumptions.colour: not a field of the format; remove it or fix the spelling\n' +
        '  - events[0].kind must be one of "region-outage", "region-returns", "lag-spike", "rds-throttling", "partition", "headless", got: "meteor"\n' +
        '  - events[1].atSeconds must be at least 0, got: -5\n' +
        '  - events[1].region must be one of "writer", "target", "others", got: "primary"\n' +
        '  - events[1].lagMs must be a whole number, got: 1.5\n' +
        FORMAT_NEXT,
    );
  });

  test('GIVEN fields valid alone but not together THEN the pair is named with the fix', async () => {
    const file = scenarioFile({
      name: 'x',
      summary: 's',
      description: 'd',
      drill: { kind: 'failover', after: 'failover' },
      assumptions: { resolver: 'min-ttl' },
    });

    const run = await rehearseCli(['rehearse', '--scenario-file', file]);

    expect(run.stderr).toBe(
      `error [USAGE]: scenario file ${file} is not a valid scenario:\n` +
        '  - drill.after is only for a failback (drill.kind failover), got: "failover"; remove it, or set drill.kind to "failback"\n' +
        '  - assumptions.resolverMinTtlSeconds is missing, and assumptions.resolver is "min-ttl"; add the seconds the resolver keeps every answer (e.g. 300)\n' +
        FORMAT_NEXT,
    );
  });

  test('GIVEN a file that is not JSON THEN it says so with the parser position', async () => {
    const file = scenarioFile('{ not json');
    let parserMessage = '';
    try {
      JSON.parse('{ not json');
    } catch (err) {
      parserMessage = (err as Error).message;
    }

    const run = await rehearseCli(['rehearse', '--scenario-file', file]);

    expect(run.code).toBe(EXIT_CODES.USAGE);
    expect(run.stderr).toBe(
      `error [USAGE]: scenario file ${file} is not JSON (${parserMessage})\n` +
        '  next: Fix the JSON; the format is documented at the top of runbooks/simulation/scenario-file.ts\n',
    );
  });

  test('GIVEN no such file THEN it names the path', async () => {
    const file = path.join(tempDir(), 'missing.json');

    const run = await rehearseCli(['rehearse', '--scenario-file', file]);

    expect(run.stderr).toBe(
      `error [USAGE]: --scenario-file ${file} does not exist\n` +
        '  next: Pass the path of a JSON scenario file, or --scenario NAME (see --list)\n',
    );
  });
});

describe('drill rehearse --scenario-file: each kind of mistake', () => {
  const base = { name: 'x', summary: 's', description: 'd', drill: { kind: 'failover' } };
  const throttling = { atSeconds: 0, kind: 'rds-throttling', region: 'all', forSeconds: 5 };

  test.each([
    ['the file is not an object', [1], 'the file must be an object, got: [1]'],
    [
      'assumptions is a list',
      { ...base, assumptions: [] },
      'assumptions must be an object, got: []',
    ],
    [
      'a share above 1',
      { ...base, events: [{ ...throttling, share: 2 }] },
      'events[0].share must be at most 1, got: 2',
    ],
    [
      'a share of 0',
      { ...base, events: [{ ...throttling, share: 0 }] },
      'events[0].share must be greater than 0, got: 0',
    ],
    [
      'a partition of one region',
      { ...base, events: [{ atSeconds: 0, kind: 'partition', between: ['writer'] }] },
      'events[0].between must have at least 2 items, got: ["writer"]',
    ],
    [
      'a partition of three regions',
      {
        ...base,
        events: [{ atSeconds: 0, kind: 'partition', between: ['writer', 'target', 'others'] }],
      },
      'events[0].between must have at most 2 items, got: ["writer","target","others"]',
    ],
    [
      'an event that waits for no client write',
      { ...base, events: [{ ...throttling, share: 1, afterClientWrites: 0 }] },
      'events[0].afterClientWrites must be at least 1, got: 0',
    ],
    [
      'an event that is not an object',
      { ...base, events: ['oops'] },
      'events[0] must be an object, got: "oops"',
    ],
    [
      'a drill that starts before the timeline',
      { ...base, drill: { kind: 'failover', startsAtSeconds: -1 } },
      'drill.startsAtSeconds must be at least 0, got: -1',
    ],
    [
      'an expected refusal on a check that is not an id',
      { ...base, expect: { refusal: { check: 'Target Headless' } } },
      'expect.refusal.check must be kebab-case (lowercase letters, digits and single dashes, e.g. "target-not-headless"), got: "Target Headless"',
    ],
    [
      'an expected refusal without its check',
      { ...base, expect: { refusal: {} } },
      'expect.refusal.check must be a string, it is missing',
    ],
    [
      'an expectation that is not one',
      { ...base, expect: { refusal: { check: 'target-not-headless' }, outcome: 'refused' } },
      'expect.outcome: not a field of the format; remove it or fix the spelling',
    ],
  ])('GIVEN %s THEN the problem says so', async (_what, content, problem) => {
    const file = path.join(tempDir(), 'scenario.json');
    fs.writeFileSync(file, JSON.stringify(content));

    const run = await rehearseCli(['rehearse', '--scenario-file', file]);

    expect(run.code).toBe(EXIT_CODES.USAGE);
    expect(run.stderr).toBe(
      `error [USAGE]: scenario file ${file} is not a valid scenario:\n  - ${problem}\n${FORMAT_NEXT}`,
    );
  });
});

describe('drill rehearse --scenario-file: events that would do nothing on the topology', () => {
  const base = {
    name: 'idle',
    summary: 's',
    description: 'd',
    drill: { kind: 'failover', forceReason: 'r' },
  };
  const EVENTS_NEXT = '  next: Fix the events above in the scenario file, then rehearse again\n';

  test.each([
    [
      'a partition of the writer from itself',
      { atSeconds: 0, kind: 'partition', between: ['writer', 'writer'] },
      'events[0] (partition between writer and writer): between ["writer","writer"] names one side twice, so nothing is cut; name two different roles, e.g. ["writer","target"]',
    ],
    [
      'a partition from "others" in a two-region topology',
      { atSeconds: 0, kind: 'partition', between: ['writer', 'others'] },
      'events[0] (partition between writer and others): between "others" names no region: this topology has only the writer us-east-1 and the target us-west-2; use ["writer","target"], or rehearse an assembly with more secondary regions',
    ],
    [
      '"others" in a two-region topology',
      { atSeconds: 0, kind: 'headless', region: 'others' },
      'events[0] (headless on others): region "others" names no region: this topology has only the writer us-east-1 and the target us-west-2; use "writer" or "target", or rehearse an assembly with more secondary regions',
    ],
    [
      'a lag spike on the writer',
      { atSeconds: 0, kind: 'lag-spike', region: 'writer', lagMs: 60_000, forSeconds: 60 },
      'events[0] (lag-spike on writer): region "writer" does not replicate from anyone (replication lag exists only in secondaries); use "target" or "others"',
    ],
  ])(
    'GIVEN %s THEN it is refused before the drill, naming the event, the value and the fix',
    async (_what, event, problem) => {
      const file = path.join(tempDir(), 'idle.json');
      fs.writeFileSync(file, JSON.stringify({ ...base, events: [event] }));
      const stateDir = tempDir();

      const run = await rehearseIn(stateDir, ['--scenario-file', file]);

      expect(run.code).toBe(EXIT_CODES.USAGE);
      expect(run.stderr).toBe(
        `error [USAGE]: scenario idle has events that do nothing on this topology:\n  - ${problem}\n${EVENTS_NEXT}`,
      );
      expect(fs.readdirSync(stateDir)).toEqual([]);
    },
  );

  test('GIVEN "others" in a three-region topology THEN it names the third region, and is rehearsed', async () => {
    const file = path.join(tempDir(), 'others.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        ...base,
        name: 'others-throttled',
        drill: { kind: 'switchover' },
        events: [
          { atSeconds: 1, kind: 'rds-throttling', region: 'others', share: 0.5, forSeconds: 5 },
        ],
      }),
    );
    const run = await rehearseCli([
      'rehearse',
      '--scenario-file',
      file,
      '--assembly',
      assemblyDir(['us-east-1', 'us-west-2', 'us-east-2']),
      '--state-dir',
      tempDir(),
      '--json',
    ]);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(EXIT_CODES.OK);
  });

  test('GIVEN a file named like a built-in scenario THEN it is refused, not silently dropped', async () => {
    const file = path.join(tempDir(), 'mine.json');
    fs.writeFileSync(file, JSON.stringify({ ...base, name: 'region-outage', events: [] }));

    const run = await rehearseCli([
      'rehearse',
      '--scenario',
      'region-outage',
      '--scenario-file',
      file,
      '--assembly',
      assemblyDir(),
    ]);

    expect(run.code).toBe(EXIT_CODES.USAGE);
    expect(run.stderr).toBe(
      `error [USAGE]: scenario file ${file} is named "region-outage", the name of a built-in scenario\n  next: Give the scenario in the file a name of its own (its "name" field)\n`,
    );
  });
});

describe('drill rehearse takes the promotion time from the assembly', () => {
  /** region-outage on a copy of the assembly whose routing output says `edit(json)`. */
  async function rehearseEdited(edit: (routing: string) => string): Promise<RehearsalResult> {
    const copy = path.join(tempDir(), 'cdk.out');
    fs.cpSync(assemblyDir(), copy, { recursive: true });
    const file = path.join(copy, 'MultiRegion-Routing.template.json');
    const template = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      Outputs: Record<string, { Value: { 'Fn::Join': [string, unknown[]] } }>;
    };
    const parts = template.Outputs.DrillRouting.Value['Fn::Join'][1];
    parts[0] = edit(parts[0] as string);
    fs.writeFileSync(file, JSON.stringify(template));
    const run = await rehearseCli([
      'rehearse',
      '--scenario',
      'region-outage',
      '--assembly',
      copy,
      '--state-dir',
      tempDir(),
      '--json',
    ]);
    expect(run.stderr).toBe('');
    return (JSON.parse(run.stdout) as RehearsalResult[])[0];
  }
  const PUBLISHED = `"promotionEstimateSeconds":${TIMING_DEFAULTS.promotionEstimateSeconds},`;

  test('GIVEN the synthesized assembly THEN it publishes the timing policy estimate behind the write floor', () => {
    const template = fs.readFileSync(
      path.join(assemblyDir(), 'MultiRegion-Routing.template.json'),
      'utf8',
    );
    expect(template).toContain(JSON.stringify(PUBLISHED).slice(1, -1));
  });

  test('GIVEN an assembly that publishes a 300 s promotion THEN the rehearsal assumes 300 s, and the database outage lasts it', async () => {
    const result = await rehearseEdited((json) =>
      json.replace(PUBLISHED, '"promotionEstimateSeconds":300,'),
    );

    expect(result.assumptions.promotionMs).toBe(300_000);
    expect(result.measures.databaseRtoMs).toBeGreaterThanOrEqual(300_000);
  });

  test('GIVEN an assembly from before the estimate was published THEN the contract default applies', async () => {
    const result = await rehearseEdited((json) => json.replace(PUBLISHED, ''));

    expect(result.assumptions.promotionMs).toBe(TIMING_DEFAULTS.promotionEstimateSeconds * 1000);
  });
});

describe('drill rehearse: events that never fired', () => {
  test('GIVEN an event past the end of the drill THEN the summary, --json and the report mark it', async () => {
    const file = path.join(tempDir(), 'late.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        name: 'late-return',
        summary: 'a switchover, then a return long after the drill',
        description: 'The return is past the end of the drill: it never fires.',
        drill: { kind: 'switchover' },
        events: [{ atSeconds: 86_400, kind: 'region-returns', region: 'writer' }],
      }),
    );
    const stateDir = tempDir();
    const args = ['rehearse', '--scenario-file', file, '--assembly', assemblyDir()];

    const text = await rehearseCli([...args, '--state-dir', stateDir]);
    const json = await rehearseCli([...args, '--state-dir', tempDir(), '--json']);

    expect(text.stdout.split('\n')[1]).toBe(
      '  event +86400 s region-returns writer: never fired: the drill ended first',
    );
    const [result] = JSON.parse(json.stdout) as RehearsalResult[];
    expect(result.eventsNotFired).toEqual(['+86400 s region-returns writer']);
    const drill = fs
      .readdirSync(path.join(stateDir, 'late-return'), { withFileTypes: true })
      .find((d) => d.isDirectory())!.name;
    const md = fs.readFileSync(path.join(stateDir, 'late-return', drill, 'report.md'), 'utf8');
    expect(md).toContain(
      '\n- +86400 s region-returns writer (never fired: the drill ended first)\n',
    );
  });
});

describe('drill rehearse --help', () => {
  test('THEN it says what a rehearsal runs, what it prints and its exit codes', async () => {
    const run = await rehearseCli(['rehearse', '--help']);

    expect(run.code).toBe(0);
    for (const option of [
      '--scenario <name...>',
      '--scenario-file <file>',
      '--assembly <dir>',
      '--state-dir <dir>',
      '--json',
      '--list',
    ]) {
      expect(run.stdout).toContain(`  ${option}`);
    }
    expect(run.stdout).toContain(
      'Exit 0 when every verdict is met, 14 (REHEARSAL_MISSED) when one is missed.\n',
    );
  });
});
