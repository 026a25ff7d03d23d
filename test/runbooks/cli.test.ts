import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { parsePositiveDuration } from '../../runbooks/drill/duration';
import { EXIT_CODES } from '../../runbooks/drill/errors';
import { main } from '../../runbooks/drill/program';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

describe('drill CLI', () => {
  test('--help lists every command and every exit code with its number', async () => {
    const { code, out } = await run(['--help']);

    expect(code).toBe(0);
    for (const command of [
      'status',
      'preflight',
      'switchover',
      'failover',
      'failback',
      'resume',
      'report',
    ]) {
      expect(out).toMatch(new RegExp(`\\n  ${command} `));
    }
    for (const [name, number] of Object.entries(EXIT_CODES)) {
      expect(out).toMatch(new RegExp(`\\n +${number} +${name} `));
    }
    expect(out).toContain('poll interval 10s');
  });

  test.each(['status', 'preflight', 'switchover', 'failover', 'failback', 'resume', 'report'])(
    '%s --help exits 0',
    async (command) => {
      const { code, out } = await run([command, '--help']);

      expect(code).toBe(0);
      expect(out).toContain(`Usage: drill ${command} [options]`);
    },
  );

  test('switchover --help states the defaults of the timing options', async () => {
    const { out } = await run(['switchover', '--help']);

    expect(out.replace(/\s+/g, ' ')).toContain(
      '--poll-interval <duration> time between polls while waiting (default: "10s")',
    );
    expect(out.replace(/\s+/g, ' ')).toContain(
      '--step-timeout <duration> longest wait of any one step (default: "15m")',
    );
  });

  test('status --help says where the alarm prefix comes from by default', async () => {
    const { out } = await run(['status', '--help']);

    expect(out.replace(/\s+/g, ' ')).toContain(
      "--alarm-prefix <prefix> alarm name prefix for the alarm check ('' = every alarm; default: the one the DrillDatabase outputs publish)",
    );
  });

  test.each([
    [['switchover'], "error: required option '--to <region>' not specified"],
    [['nonsense'], "error: unknown command 'nonsense'"],
    [['status', '--bogus'], "error: unknown option '--bogus'"],
    [['report', '--format', 'pdf'], "error: option '--format <format>' argument 'pdf' is invalid"],
    [
      ['switchover', '--to', 'us-west-2', '--poll-interval', 'soon'],
      "error [USAGE]: --poll-interval must be a duration such as 500ms, 10s, 5m or 1h, got: 'soon'",
    ],
    [
      ['switchover', '--to', 'us-west-2', '--timeout', 'nostep=1m'],
      'error [USAGE]: --timeout must be <step>=<duration> with a step of preflight, prepare-canary',
    ],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const { code, err } = await run(args);

    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  test.each([
    [
      ['--poll-interval', '0'],
      "--poll-interval must be greater than 0, got: '0'; pass a duration such as 10s (the default)",
    ],
    [
      ['--poll-interval', '0.0001'],
      "--poll-interval must be greater than 0, got: '0.0001'; pass a duration such as 10s (the default)",
    ],
    [
      ['--step-timeout', '0s'],
      "--step-timeout must be greater than 0, got: '0s'; pass a duration such as 15m (the default)",
    ],
    [
      ['--canary-interval', '0ms'],
      "--canary-interval must be greater than 0, got: '0ms'; pass a duration such as 1s (the default)",
    ],
    [
      ['--timeout', 'wait-writer=0m'],
      "--timeout wait-writer must be greater than 0, got: '0m'; pass a duration such as wait-writer=15m",
    ],
  ])(
    'GIVEN %j THEN it is refused before any AWS call, naming the flag, the value and what to pass (exit 2)',
    async (timing, message) => {
      const { code, out, err } = await run(['switchover', '--to', 'us-west-2', ...timing]);

      expect(code).toBe(2);
      expect(err).toBe(`error [USAGE]: ${message}\n`);
      expect(out).toBe('');
    },
  );

  test('npx drill --help works through runbooks/bin/drill.cjs', () => {
    const root = path.join(__dirname, '..', '..');
    const result = spawnSync(
      process.execPath,
      [path.join(root, 'runbooks', 'bin', 'drill.cjs'), '--help'],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, NODE_NO_WARNINGS: '1' },
      },
    );

    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: drill [options] [command]');
  });
});

describe('intervals and timeouts must be positive', () => {
  test.each([
    ['1ms', 1],
    ['0.5ms', 1],
    ['10s', 10_000],
  ])('GIVEN %s THEN it is accepted as %d ms', (text, ms) => {
    expect(parsePositiveDuration(text, '--poll-interval', '10s')).toBe(ms);
  });

  test('GIVEN a value under 1 ms THEN it is refused: it rounds to 0', () => {
    expect(() => parsePositiveDuration('0.4ms', '--poll-interval', '10s')).toThrow(
      "--poll-interval must be greater than 0, got: '0.4ms'; pass a duration such as 10s",
    );
  });
});
