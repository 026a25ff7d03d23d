// Command parsing (commander) only: each command's action is a function of typed options and
// an I/O host, in ./actions/<command>.ts (the shape of aws-cdk-cli's toolkit-lib).
import { Command, CommanderError, Option } from 'commander';
import { abandon, type AbandonOptions } from './actions/abandon';
import { ActionContext } from './actions/context';
import { defaultDeps, type CliDeps } from './actions/deps';
import type { DrillOptions } from './actions/drill';
import { failback } from './actions/failback';
import { failover } from './actions/failover';
import { GAME_DAY_RPO_NOTE, gameDay, type GameDayOptions } from './actions/game-day';
import { collect, HOME_REGION } from './actions/options';
import { preflight, type PreflightOptions } from './actions/preflight';
import { rehearse, type RehearseOptions } from './actions/rehearse';
import { report, type ReportOptions } from './actions/report';
import { resume, type ResumeOptions } from './actions/resume';
import { status, type StatusOptions } from './actions/status';
import { switchover } from './actions/switchover';
import {
  DEFAULT_GAME_DAY_DURATION_SECONDS,
  GAME_DAY_ACTION_ID,
  GAME_DAY_TAG,
  ITEM_REQUESTS_TABLE,
  ITEM_ROUTES,
  ITEMS_TABLE,
} from '../../constructs/contract';
import { DEFAULT_CLIENT_SETTINGS } from './aws/clients';
import { CLIENT_REQUEST_TIMEOUT_MS } from './client-canary';
import { clientItemPrefix } from './client-model';
import { DrillError, EXIT_CODES, EXIT_CODE_MEANINGS, errorText } from './errors';
import { ActionIo, TerminalIoHost } from './io/host';
import { errorMessageCode } from './io/messages';
import { DEFAULT_TIMING, DRILL_ENGINES, DRILL_KINDS } from './model';

export type { CliDeps };

/** What the client canary does, how often, from where, what it leaves and what it measures. */
export const CLIENT_CANARY_HELP = `
Client canary (switchover, failover, failback with --execute): it lives the move as a client does,
from this machine and through this machine's DNS resolver, keeping each answer for its TTL as a stub
resolver's cache does. Every --canary-interval (default ${DEFAULT_TIMING.canaryIntervalMs / 1000}s) it sends one SigV4-signed
${ITEM_ROUTES.write.method} ${ITEM_ROUTES.write.path.replace('{id}', `${clientItemPrefix('<drill id>')}<seq>`)} through write.<domain>, then one ${ITEM_ROUTES.read.method} through
app.<domain> of the last acknowledged item or, while none was acknowledged, of this round's item
(a serving region answers it 404 with its region: the read path works); a round waits for its requests, each up to
${CLIENT_REQUEST_TIMEOUT_MS / 1000}s (the request timeout) while they hang. It records the Route 53 health checks' status
(GetHealthCheckStatus) when it changes. It writes those
items with their idempotency records (${ITEMS_TABLE}, ${ITEM_REQUESTS_TABLE}) and drill_canary rows;
the last step deletes them (a stopped or abandoned drill prints the delete commands). Each request and DNS answer goes to <state-dir>/<drill id>/client.jsonl;
the report shows the client-level write and read RTO, the acknowledged writes lost (count and time
window) and each name's DNS cutover beside the database-level figures. A client behind another
resolver may see each change up to one TTL later: that resolver may hold its answer for the TTL.
`;

const EXIT_CODE_HELP = `
Exit codes:
${Object.entries(EXIT_CODES)
  .map(
    ([code, n]) =>
      `  ${String(n).padStart(3)}  ${code.padEnd(22)} ${EXIT_CODE_MEANINGS[code as keyof typeof EXIT_CODES]}`,
  )
  .join('\n')}

Defaults: dry run (nothing is changed without --execute); poll interval ${DEFAULT_TIMING.pollIntervalMs / 1000}s,
step timeout ${DEFAULT_TIMING.stepTimeoutMs / 60_000}m, canary interval ${DEFAULT_TIMING.canaryIntervalMs / 1000}s,
SDK retries: ${DEFAULT_CLIENT_SETTINGS.maxAttempts} attempts (${DEFAULT_CLIENT_SETTINGS.retryMode}).
Credentials: the SDK's default chain, or --profile. AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> are honoured.
Runbooks: runbooks/switchover.md, failover.md, failback.md; details in runbooks/README.md.
${CLIENT_CANARY_HELP}`;

const REHEARSE_HELP = `
Each scenario runs the real drill (the same steps, executor and SDK adapters, and the client
canary) against an in-process simulation of the stacks in the assembly, on a virtual clock, with
the scenario's faults and assumptions. It prints the measured client write and read RTO, the
database RTO and the RPO (acknowledged client writes lost) against the topology's objectives,
and whether writes resumed; the record and report of each drill are marked as a rehearsal.
Exit 0 when every verdict is met, ${EXIT_CODES.REHEARSAL_MISSED} (REHEARSAL_MISSED) when one is missed.
`;

/** What a game day runs, what stops it, and what it cannot do (`drill game-day --help`). */
export const GAME_DAY_HELP = `
Game day: each region's service stack deploys an AWS FIS experiment template (DrillService output
gameDay) whose action ${GAME_DAY_ACTION_ID} (scope all) replaces the network ACL of that region's
application subnets with one that denies all traffic, for the template's duration (${DEFAULT_GAME_DAY_DURATION_SECONDS / 60} minutes by default)
unless stopped first; the database subnets are untouched. The region's service loses its network, so
its health checks fail as in a regional outage of its application tier.
With --execute the drill checks that --from holds the writer, starts the experiment there
(StartExperiment with a client token and the tag ${GAME_DAY_TAG}), waits until it is running (a
failed or stopped experiment stops the game day with FIS's reason, nothing failed over), runs the
unplanned failover to --to exactly as \`npx drill failover --allow-data-loss\` does (its preflight, its
confirmation, the failover role, --engine), then stops the experiment if it still runs and waits
for its end, also when the failover stops midway or Ctrl-C is pressed. The state goes to
<state-dir>/game-days/<id>.json as it changes; a process that dies leaves it there with the
command that stops the experiment. One report: the failover's record and report.md with a
game-day section (experiment id, template, start, end, state, stop conditions in ALARM).
Stop conditions: CloudWatch alarms in the isolated region; by default its 'protected' alarm (no
secondary within the RPO while it holds the writer: a failover now would lose more than the RPO).
FIS stops the experiment when one enters ALARM, and refuses to start while one is in ALARM.
${GAME_DAY_RPO_NOTE}
`;

const withCommon = (cmd: Command): Command =>
  cmd
    .option('--outputs <file>', 'the file `cdk deploy --outputs-file` wrote', 'cdk-outputs.json')
    .option('--profile <name>', 'AWS profile (default: the SDK default credential chain)')
    .option(
      '--region <region>',
      'region of the Route 53 calls and the routing stack alarms',
      HOME_REGION,
    )
    .option('--state-dir <dir>', 'where journals, records and the lock live', '.drill')
    .option('--global-cluster <id>', 'global cluster id (default: from the DrillDatabase output)')
    .option('--hosted-zone-id <id>', 'hosted zone id (default: from the DrillRouting output)')
    .option(
      '--alarm-prefix <prefix>',
      "alarm name prefix for the alarm check ('' = every alarm; default: the one the DrillDatabase outputs publish)",
    )
    .option(
      '--max-attempts <n>',
      'SDK attempts per AWS call (throttling, 5xx, timeouts are retried)',
      String(DEFAULT_CLIENT_SETTINGS.maxAttempts),
    );

const withAct = (cmd: Command): Command =>
  withCommon(cmd)
    .option('--execute', 'act (default: dry run: print the plan and every call, change nothing)')
    .option(
      '--yes',
      'do not ask for confirmation (required with --execute when stdin is not a terminal)',
    )
    .option('--force', 'start even when preflight checks fail (needs --reason)')
    .option('--reason <text>', 'why --force was used; recorded in the journal and the report')
    .option(
      '--poll-interval <duration>',
      'time between polls while waiting',
      `${DEFAULT_TIMING.pollIntervalMs / 1000}s`,
    )
    .option(
      '--step-timeout <duration>',
      'longest wait of any one step',
      `${DEFAULT_TIMING.stepTimeoutMs / 60_000}m`,
    )
    .addOption(
      new Option(
        '--timeout <step=duration>',
        'timeout of one step, e.g. wait-writer=30m (repeatable)',
      )
        .argParser(collect)
        .default([], 'none'),
    )
    .option(
      '--canary-interval <duration>',
      "time between client canary rounds: one write through write., then one read through app. (of the last acknowledged item, or of this round's)",
      `${DEFAULT_TIMING.canaryIntervalMs / 1000}s`,
    )
    .option(
      '--no-client-canary',
      'run without the client canary: no client-canary preflight check, verify-client-writes is skipped, the report has no client-level figures (resume keeps the choice)',
    )
    .addHelpText('after', CLIENT_CANARY_HELP);

/** Commander's own output (help, parse errors) as messages, without its final newline. */
const chomp = (text: string) => (text.endsWith('\n') ? text.slice(0, -1) : text);

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(
  argv: readonly string[],
  overrides: Partial<CliDeps> = {},
): Promise<number> {
  const deps: CliDeps = { ...defaultDeps, ...overrides };
  const host = deps.ioHost ?? new TerminalIoHost(deps.stdout, deps.stderr, deps.ask);
  const io = new ActionIo(host, () => deps.clock.now());
  const ctx = new ActionContext(deps, io);
  let exitCode: number = EXIT_CODES.OK;
  /** The action of `name`: its messages carry the command's name; its result is the exit code. */
  const run =
    <A extends unknown[]>(
      name: string,
      action: (...args: A) => Promise<number | void> | number | void,
    ) =>
    async (...args: A) => {
      io.action = name;
      exitCode = (await action(...args)) ?? EXIT_CODES.OK;
    };

  const program = new Command('drill')
    .description(
      'Failover drills for the Aurora global database: status, preflight, switchover, failover, failback.',
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.say('DRILL_I0001', chomp(text)),
      writeErr: (text) => io.say('DRILL_E0002', chomp(text)),
    })
    .addHelpText('after', EXIT_CODE_HELP)
    .showHelpAfterError('(run with --help for usage)');

  withCommon(
    program
      .command('status')
      .description(
        'where the writer is, member states, lag, health checks, DNS answers, drain switches',
      )
      .option('--json', 'print the snapshot as JSON'),
  ).action(run('status', (opts: StatusOptions) => status(ctx, opts)));

  withCommon(
    program
      .command('preflight')
      .description('every check that must pass before a drill, each with pass/fail and reason')
      .option(
        '--to <region>',
        'target region (default: the primary region when the writer is elsewhere, else the only secondary)',
      )
      .addOption(new Option('--for <kind>', 'judge for this kind of drill').choices(DRILL_KINDS)),
  ).action(run('preflight', (opts: PreflightOptions) => preflight(ctx, opts)));

  const drillCommand = (
    kind: 'switchover' | 'failover' | 'failback',
    description: string,
    action: (ctx: ActionContext, opts: DrillOptions) => Promise<number>,
  ) => {
    const cmd = program.command(kind).description(description);
    if (kind !== 'failback') cmd.requiredOption('--to <region>', 'region to move the writer to');
    if (kind === 'failover')
      cmd.option('--allow-data-loss', 'required: writes not yet replicated are lost');
    cmd.addOption(
      new Option(
        '--engine <engine>',
        'native: the drill moves the writer; arc: it runs the ARC Region switch plan of the pair (DrillRegionSwitch output) and measures it',
      )
        .choices(DRILL_ENGINES)
        .default('native'),
    );
    withAct(cmd).action(run(kind, (opts: DrillOptions) => action(ctx, opts)));
  };
  drillCommand(
    'switchover',
    'planned move of the writer to --to, no data loss (SwitchoverGlobalCluster)',
    switchover,
  );
  drillCommand(
    'failover',
    'unplanned move of the writer to --to (FailoverGlobalCluster, AllowDataLoss)',
    failover,
  );
  drillCommand(
    'failback',
    "move the writer back to the region whose role is 'primary' in the outputs",
    failback,
  );

  withAct(
    program
      .command('game-day')
      .description(
        "isolate the writer region's application subnets with AWS FIS, run an unplanned failover, end the experiment: one report",
      )
      .requiredOption('--from <region>', 'the writer region to isolate')
      .option('--to <region>', 'region to fail over to (default: the only other region)')
      .option('--allow-data-loss', 'required: the failover loses writes not yet replicated')
      .addOption(
        new Option('--engine <engine>', 'the failover engine (as drill failover --engine)')
          .choices(DRILL_ENGINES)
          .default('native'),
      )
      .addHelpText('after', GAME_DAY_HELP),
  ).action(run('game-day', (opts: GameDayOptions) => gameDay(ctx, opts)));

  withAct(
    program
      .command('resume')
      .description(
        'continue an interrupted drill from its journal (state is re-checked before every step)',
      )
      .option(
        '--drill-id <id>',
        'drill to resume (default: the unfinished drill that changed something, the lock holder first)',
      )
      .option(
        '--ungraceful',
        'ARC drills: switch the running execution to ungraceful (UpdatePlanExecution; needs --allow-data-loss)',
      )
      .option('--allow-data-loss', 'with --ungraceful: writes not yet replicated are lost'),
  ).action(run('resume', (opts: ResumeOptions, self: Command) => resume(ctx, opts, self)));

  withCommon(
    program
      .command('abandon')
      .description(
        'give up an unfinished drill: journal the state it leaves (writer, drain switches), then release its lock',
      )
      .argument('<drill-id>', 'the drill to give up')
      .option('--reason <text>', 'why it is given up (required; recorded in the journal)')
      .option('--execute', 'act (default: dry run: show what would be recorded and released)')
      .option(
        '--yes',
        'do not ask for confirmation (required with --execute when stdin is not a terminal)',
      ),
  ).action(run('abandon', (drillId: string, opts: AbandonOptions) => abandon(ctx, drillId, opts)));

  program
    .command('report')
    .description("render a drill's record as JSON, Markdown or a self-contained HTML page")
    .option('--drill-id <id>', 'drill to report (default: the latest)')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['json', 'md', 'html'])
        .default('md'),
    )
    .option(
      '--out <dir>',
      "directory to write report.<format> into (default: the drill's directory)",
    )
    .option('--state-dir <dir>', 'where journals, records and the lock live', '.drill')
    .action(run('report', (opts: ReportOptions) => report(ctx, opts)));

  program
    .command('rehearse')
    .description(
      'run drills against a simulation of the synthesized deployment (cdk.out): no AWS, no credentials',
    )
    .addOption(
      new Option(
        '--scenario <name...>',
        "built-in scenarios, or 'all' (repeatable; default: all; see --list)",
      ).default([], 'all'),
    )
    .option(
      '--scenario-file <file>',
      'a JSON scenario of your own (format: runbooks/simulation/scenario-file.ts)',
    )
    .option('--assembly <dir>', 'the cloud assembly `cdk synth` wrote', 'cdk.out')
    .option(
      '--state-dir <dir>',
      "where each scenario's drill keeps its journal, record and report (<dir>/<scenario>)",
      '.drill/rehearsals',
    )
    .option('--json', 'print only the results, as JSON')
    .option('--list', 'name every scenario with its summary')
    .addHelpText('after', REHEARSE_HELP)
    .action(run('rehearse', (opts: RehearseOptions) => rehearse(ctx, opts)));

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every parse error is a usage error.
      return err.exitCode === 0 ? EXIT_CODES.OK : EXIT_CODES.USAGE;
    }
    if (err instanceof DrillError) {
      io.send(
        errorMessageCode(err.code),
        'error',
        `error [${err.code}]: ${err.message}` +
          (err.hint ? `\n${err.hint.replace(/^/gm, '  next: ')}` : ''),
      );
      return err.exitCode;
    }
    io.send(errorMessageCode('INTERNAL'), 'error', `error [INTERNAL]: ${errorText(err)}`);
    if (process.env.DRILL_DEBUG && err instanceof Error) io.say('DRILL_D0003', `${err.stack}`);
    return EXIT_CODES.INTERNAL;
  } finally {
    ctx.close();
  }
}
