import * as os from 'node:os';
import { createInterface } from 'node:readline/promises';
import type { CallMeter, ClientNetworkApi } from '../aws/adapters';
import type { ClientSettings } from '../aws/clients';
import { systemClock, type Clock } from '../clock';
import type { IoHost } from '../io/host';
import type { RehearsalMarker } from '../record-rehearsal';
import { processIsAlive } from '../lock';

/** Everything the CLI takes from its environment, replaceable in tests and the benchmark. */
export interface CliDeps {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Where messages go (default: the terminal, through `stdout` and `stderr`). */
  readonly ioHost?: IoHost;
  readonly clock: Clock;
  /** Merged over the default client settings (tests pass credentials or a request handler). */
  readonly clientSettings: Partial<ClientSettings>;
  readonly isTTY: boolean;
  /** Asks a question on the terminal and returns the answer. */
  readonly ask: (question: string) => Promise<string>;
  readonly pid: number;
  /** This machine's name, in the lock and the journal. */
  readonly host: string;
  readonly isProcessAlive: (pid: number) => boolean;
  /** Calls `handler` on Ctrl-C (SIGINT) while a drill executes; returns what stops listening. */
  readonly onInterrupt: (handler: () => void) => () => void;
  /** Collects the time spent waiting on AWS (the benchmark reads it). */
  readonly meter?: CallMeter;
  /** The client canary's DNS and HTTPS (tests and the benchmark); default: this machine's. */
  readonly clientNetwork?: ClientNetworkApi;
  /** `drill rehearse` runs the drill with this mark (journal header, record, report). */
  readonly rehearsal?: RehearsalMarker;
}

export const defaultDeps: CliDeps = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  clock: systemClock,
  clientSettings: {},
  isTTY: process.stdin.isTTY === true,
  ask: async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  },
  pid: process.pid,
  host: os.hostname(),
  isProcessAlive: processIsAlive,
  onInterrupt: (handler) => {
    process.once('SIGINT', handler);
    return () => process.off('SIGINT', handler);
  },
};
