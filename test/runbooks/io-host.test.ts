// The I/O host: every message has a stable code and a level; the terminal host prints them as
// the CLI always did, a recording host keeps them for tests and tools.
import { loadTopology } from '../../runbooks/drill/discovery';
import { EXIT_CODES, type DrillErrorCode } from '../../runbooks/drill/errors';
import { RecordingIoHost, TerminalIoHost, type IoMessage } from '../../runbooks/drill/io/host';
import { errorMessageCode, MESSAGES } from '../../runbooks/drill/io/messages';
import { PRIMARY, SECONDARY, useFakeAws } from './harness';

const h = useFakeAws();

const codes = (messages: readonly IoMessage[]) => messages.map((m) => [m.code, m.level, m.action]);

describe('message catalog', () => {
  test('the letter of every code says its level', () => {
    const letter = { result: 'I', info: 'I', warn: 'W', error: 'E', debug: 'D' } as const;
    for (const [code, { level }] of Object.entries(MESSAGES)) {
      expect(code).toMatch(new RegExp(`^DRILL_${letter[level]}\\d{4}$`));
    }
  });

  test('each error code has its own message code: E1000 + its exit code', () => {
    const errorCodes = Object.keys(EXIT_CODES).filter((c) => c !== 'OK') as DrillErrorCode[];
    const messageCodes = errorCodes.map(errorMessageCode);
    expect(new Set(messageCodes).size).toBe(errorCodes.length);
    expect(errorMessageCode('USAGE')).toBe('DRILL_E1002');
    expect(errorMessageCode('INTERRUPTED')).toBe('DRILL_E1130');
    for (const code of messageCodes) expect(MESSAGES).not.toHaveProperty(code);
  });
});

describe('terminal host', () => {
  test('GIVEN messages of each level THEN errors and debug go to stderr, the rest to stdout, one line each', () => {
    // GIVEN
    let stdout = '';
    let stderr = '';
    const host = new TerminalIoHost(
      (t) => (stdout += t),
      (t) => (stderr += t),
      async () => '',
    );
    const send = (level: IoMessage['level'], message: string) =>
      host.notify({ time: new Date(0), level, action: 'status', code: 'X', message });

    // WHEN
    send('result', 'r');
    send('info', 'i');
    send('warn', 'w');
    send('error', 'e');
    send('debug', 'd');

    // THEN
    expect(stdout).toBe('r\ni\nw\n');
    expect(stderr).toBe('e\nd\n');
  });
});

describe('recording host', () => {
  test('GIVEN a dry run THEN each part is one coded message of the command, and nothing reaches the terminal', async () => {
    // GIVEN
    const ioHost = new RecordingIoHost();

    // WHEN
    const result = await h.run(['switchover', '--to', SECONDARY], { ioHost });

    // THEN
    expect(result).toEqual({ code: EXIT_CODES.OK, stdout: '', stderr: '' });
    expect(codes(ioHost.messages)).toEqual([
      ['DRILL_I0301', 'result', 'switchover'],
      ['DRILL_I0302', 'result', 'switchover'],
      ['DRILL_I0303', 'result', 'switchover'],
      ['DRILL_I0304', 'result', 'switchover'],
      ['DRILL_I0305', 'result', 'switchover'],
    ]);
    const { globalClusterIdentifier } = loadTopology(h.outputsFile);
    expect(ioHost.messages[0].message).toBe(
      `DRY RUN: switchover of ${globalClusterIdentifier} from ${PRIMARY} to ${SECONDARY}; nothing will be changed.`,
    );
    expect(ioHost.messages[4].message).toBe('to act, rerun with --execute');
  });

  test('GIVEN a refused command THEN the error is one message with its code, level error and the next: hint', async () => {
    // GIVEN
    const ioHost = new RecordingIoHost();

    // WHEN
    const result = await h.run(['failover', '--to', SECONDARY], { ioHost });

    // THEN
    expect(result.code).toBe(EXIT_CODES.USAGE);
    expect(codes(ioHost.messages)).toEqual([['DRILL_E1002', 'error', 'failover']]);
    expect(ioHost.messages[0].message).toBe(
      'error [USAGE]: failover promotes at once and loses writes not yet replicated; pass --allow-data-loss to confirm\n' +
        `  next: For a planned move without data loss use \`npx drill switchover --to ${SECONDARY}\``,
    );
  });

  test('GIVEN a terminal and a wrong answer THEN the question goes to the host and nothing is changed', async () => {
    // GIVEN
    const ioHost = new RecordingIoHost(['eu-central-1']);

    // WHEN
    const result = await h.run(['switchover', '--to', SECONDARY, '--execute'], {
      ioHost,
      isTTY: true,
    });

    // THEN
    const { globalClusterIdentifier } = loadTopology(h.outputsFile);
    expect(result.code).toBe(EXIT_CODES.NOT_CONFIRMED);
    expect(ioHost.questions).toEqual([
      `About to execute a switchover of ${globalClusterIdentifier}: writer ${PRIMARY} -> ${SECONDARY}.\nType the target region (${SECONDARY}) to continue: `,
    ]);
    expect(ioHost.messages.map((m) => [m.code, m.message])).toEqual([
      [
        'DRILL_E1012',
        "error [NOT_CONFIRMED]: not confirmed (got 'eu-central-1'); nothing was changed",
      ],
    ]);
  });

  test('GIVEN --help THEN commander output is one result message without its final newline', async () => {
    // GIVEN
    const ioHost = new RecordingIoHost();

    // WHEN
    const result = await h.run(['status', '--help'], { ioHost });

    // THEN
    expect(result.code).toBe(EXIT_CODES.OK);
    expect(ioHost.messages[0]).toMatchObject({ code: 'DRILL_I0001', level: 'result' });
    expect(ioHost.messages[0].message).toMatch(/^Usage: drill status \[options\]\n/);
    expect(ioHost.messages[0].message.endsWith('\n')).toBe(false);
  });
});
