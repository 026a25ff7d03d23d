import { MESSAGES, type IoLevel, type MessageCode } from './messages';

/** One message to the operator (aws-cdk-cli toolkit-lib's IoMessage, trimmed). */
export interface IoMessage {
  readonly time: Date;
  readonly level: IoLevel;
  /** The command that printed it (`status`, `switchover`, ...; `drill` before one is known). */
  readonly action: string;
  readonly code: string;
  /** The exact text, without the final newline. */
  readonly message: string;
}

/** Where the CLI's messages and questions go: the terminal, or a test that records them. */
export interface IoHost {
  notify(message: IoMessage): void;
  /** Asks the operator (confirmation, MFA code) and returns the answer. */
  requestResponse(question: string): Promise<string>;
}

/** The terminal: errors and debug detail on stderr, everything else on stdout. */
export class TerminalIoHost implements IoHost {
  constructor(
    private readonly stdout: (text: string) => void,
    private readonly stderr: (text: string) => void,
    private readonly ask: (question: string) => Promise<string>,
  ) {}

  notify(message: IoMessage): void {
    const write =
      message.level === 'error' || message.level === 'debug' ? this.stderr : this.stdout;
    write(`${message.message}\n`);
  }

  requestResponse(question: string): Promise<string> {
    return this.ask(question);
  }
}

/** Records every message; answers questions from a list (tests). */
export class RecordingIoHost implements IoHost {
  readonly messages: IoMessage[] = [];
  readonly questions: string[] = [];

  constructor(private readonly answers: string[] = []) {}

  notify(message: IoMessage): void {
    this.messages.push(message);
  }

  async requestResponse(question: string): Promise<string> {
    this.questions.push(question);
    return this.answers.shift() ?? '';
  }
}

/** Sends messages of one action to a host, with the level each code is declared with. */
export class ActionIo {
  constructor(
    readonly host: IoHost,
    private readonly now: () => number,
    public action = 'drill',
  ) {}

  /** A catalogued message. */
  say(code: MessageCode, message: string): void {
    this.send(code, MESSAGES[code].level, message);
  }

  /** A message whose code is not in the catalog (a DrillError's). */
  send(code: string, level: IoLevel, message: string): void {
    this.host.notify({ time: new Date(this.now()), level, action: this.action, code, message });
  }
}
