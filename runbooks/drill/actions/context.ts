import {
  AwsCaller,
  CallMeter,
  sdkAdapters,
  type DrillAws,
  type OperatorIdentity,
  type RunMode,
} from '../aws/adapters';
import {
  AwsClients,
  checkProfile,
  checkRegion,
  DEFAULT_CLIENT_SETTINGS,
  type ClientSettings,
} from '../aws/clients';
import { nodeClientNetwork } from '../aws/client-network';
import { loadTopology, type DrillTopology } from '../discovery';
import { DrillError, errorText } from '../errors';
import type { ExecutorDeps } from '../executor';
import type { ActionIo } from '../io/host';
import type { MessageCode } from '../io/messages';
import type { RegionLock } from '../lock';
import { isFatal } from '../observe';
import { DrillStore } from '../store';
import type { CliDeps } from './deps';
import { HOME_REGION, type CommonOptions } from './options';

/** What an action gets: the environment, the I/O host and the AWS it connects to. */
export class ActionContext {
  private readonly cleanups: (() => void)[] = [];

  constructor(
    readonly deps: CliDeps,
    readonly io: ActionIo,
  ) {}

  /** A catalogued message (the text exactly as printed). */
  say(code: MessageCode, text = ''): void {
    this.io.say(code, text);
  }

  /** The topology, the AWS ports (dry run refuses every mutating call) and the state directory. */
  connect(
    opts: CommonOptions,
    mode: RunMode,
  ): { topology: DrillTopology; aws: DrillAws; store: DrillStore } {
    checkRegion(
      '--region',
      opts.region,
      `--region is where the drill calls Route 53 and reads the routing stack's alarms: leave it out for ${HOME_REGION} (the default)`,
    );
    if (opts.profile) checkProfile(opts.profile);
    const topology = loadTopology(opts.outputs, {
      globalClusterIdentifier: opts.globalCluster,
      hostedZoneId: opts.hostedZoneId,
      alarmNamePrefix: opts.alarmPrefix,
    });
    const maxAttempts = Number(opts.maxAttempts);
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new DrillError(
        'USAGE',
        `--max-attempts must be a whole number of at least 1, got: ${opts.maxAttempts}`,
      );
    }
    const settings: ClientSettings = {
      ...DEFAULT_CLIENT_SETTINGS,
      maxAttempts,
      ...(opts.profile ? { profile: opts.profile } : {}),
      mfaCodeProvider: (serial) => this.askMfaCode(serial, opts.profile),
      ...this.deps.clientSettings,
    };
    const clients = new AwsClients(settings);
    this.cleanups.push(() => clients.destroy());
    const aws = sdkAdapters(
      clients,
      new AwsCaller(mode, this.deps.meter ?? new CallMeter()),
      opts.region,
      this.deps.clientNetwork ?? nodeClientNetwork(clients.clientCredentials()),
    );
    return { topology, aws, store: new DrillStore(opts.stateDir) };
  }

  /** Destroys the SDK clients this context made. */
  close(): void {
    for (const cleanup of this.cleanups) cleanup();
  }

  async confirm(
    opts: { yes?: boolean },
    what: string,
    expected: string,
    label = 'the target region',
  ): Promise<void> {
    if (opts.yes) return;
    if (!this.deps.isTTY) {
      throw new DrillError(
        'NOT_CONFIRMED',
        `refusing to --execute a ${what} without confirmation: stdin is not a terminal`,
        {
          hint: 'Add --yes to confirm non-interactively',
        },
      );
    }
    const answer = await this.io.host.requestResponse(
      `About to execute a ${what}.\nType ${label} (${expected}) to continue: `,
    );
    if (answer.trim() !== expected) {
      throw new DrillError(
        'NOT_CONFIRMED',
        `not confirmed (got '${answer.trim()}'); nothing was changed`,
      );
    }
  }

  /** The STS caller, or nothing (said once) when it cannot be read; credentials errors stop. */
  async operatorOf(aws: DrillAws): Promise<OperatorIdentity | undefined> {
    try {
      return await aws.identity.caller();
    } catch (err) {
      if (isFatal(err)) throw err;
      this.say('DRILL_W0401', `operator: not recorded (${errorText(err)})`);
      return undefined;
    }
  }

  executorDeps(
    aws: DrillAws,
    store: DrillStore,
    operator: OperatorIdentity | undefined,
    opts: { yes?: boolean } = {},
  ): ExecutorDeps {
    const { deps } = this;
    return {
      // A step's own confirmation (an ARC approval) asks as the start did, or --yes.
      confirm: (what, expected) => this.confirm(opts, what, expected),
      aws,
      store,
      clock: deps.clock,
      out: { line: (text: string) => this.say('DRILL_I0400', text) },
      pid: deps.pid,
      host: deps.host,
      isProcessAlive: deps.isProcessAlive,
      ...(operator ? { operator } : {}),
      onInterrupt: deps.onInterrupt,
      ...(deps.rehearsal ? { rehearsal: deps.rehearsal } : {}),
    };
  }

  private async askMfaCode(serial: string, profile: string | undefined): Promise<string> {
    const name = profile ?? process.env.AWS_PROFILE ?? 'default';
    if (!this.deps.isTTY) {
      throw new DrillError(
        'NO_CREDENTIALS',
        `profile ${name} assumes its role with MFA (mfa_serial ${serial}), and stdin is not a terminal to ask for the code`,
        {
          hint: `Run it in a terminal, or export session credentials first: eval "$(aws configure export-credentials --profile ${name} --format env)"`,
        },
      );
    }
    return (
      await this.io.host.requestResponse(`MFA code for ${serial} (profile ${name}): `)
    ).trim();
  }
}

export function heldLocks(locks: readonly RegionLock[]) {
  return locks.flatMap((l) => (l.state === 'held' ? [l] : []));
}
