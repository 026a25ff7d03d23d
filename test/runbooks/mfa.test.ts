// A profile that assumes a drill role with MFA (mfa_serial): the drill asks for the code once,
// on a terminal, and refuses clearly without one. The SDK's own credential chain runs here.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AwsClients, DEFAULT_CLIENT_SETTINGS } from '../../runbooks/drill/aws/clients';
import { main } from '../../runbooks/drill/program';
import { outputsFor } from './outputs';

const SERIAL = 'arn:aws:iam::123456789012:mfa/alice';
let dir: string;
const saved = { ...process.env };

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drill-mfa-'));
  fs.writeFileSync(
    path.join(dir, 'config'),
    [
      '[profile drill-failover]',
      'role_arn = arn:aws:iam::123456789012:role/DrillFailover',
      'source_profile = base',
      `mfa_serial = ${SERIAL}`,
      'region = us-east-1',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(dir, 'credentials'),
    '[base]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n',
  );
  fs.writeFileSync(path.join(dir, 'cdk-outputs.json'), JSON.stringify(outputsFor()));
  process.env.AWS_CONFIG_FILE = path.join(dir, 'config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, 'credentials');
  delete process.env.AWS_PROFILE;
});

/** `drill status` with the MFA profile, one attempt per call. */
const statusWithProfile = () => [
  'status',
  '--profile',
  'drill-failover',
  '--outputs',
  path.join(dir, 'cdk-outputs.json'),
  '--state-dir',
  path.join(dir, '.drill'),
  '--max-attempts',
  '1',
];

afterEach(() => {
  process.env = { ...saved };
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('profiles that need an MFA code', () => {
  test('GIVEN a role profile with mfa_serial THEN the SDK asks the code provider for that device', async () => {
    const asked: string[] = [];
    const clients = new AwsClients({
      ...DEFAULT_CLIENT_SETTINGS,
      profile: 'drill-failover',
      mfaCodeProvider: async (serial) => {
        asked.push(serial);
        // Declining here keeps the SDK from calling STS AssumeRole (no network in tests).
        throw new Error('declined');
      },
    });
    const credentials = clients.rds('us-east-1').config.credentials;

    await expect(credentials()).rejects.toThrow('declined');
    expect(asked).toEqual([SERIAL]);
    clients.destroy();
  });

  test('GIVEN no terminal WHEN a drill command needs the code THEN NO_CREDENTIALS says how to go on (exit 10)', async () => {
    let stderr = '';
    const code = await main(statusWithProfile(), {
      stdout: () => undefined,
      stderr: (t) => (stderr += t),
      isTTY: false,
    });

    expect(code).toBe(10);
    expect(stderr).toContain(
      `profile drill-failover assumes its role with MFA (mfa_serial ${SERIAL}), and stdin is not a terminal to ask for the code`,
    );
    expect(stderr).toContain(
      'next: Run it in a terminal, or export session credentials first: eval "$(aws configure export-credentials --profile drill-failover --format env)"',
    );
  });

  test('GIVEN a terminal THEN the drill prompts for the code of the named device', async () => {
    const ask = jest.fn(async () => {
      throw new Error('no code typed');
    });
    await main(statusWithProfile(), {
      stdout: () => undefined,
      stderr: () => undefined,
      isTTY: true,
      ask,
    });

    expect(ask).toHaveBeenCalledWith(`MFA code for ${SERIAL} (profile drill-failover): `);
  });
});
