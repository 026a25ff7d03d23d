import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CDK_CONTEXT } from '../util';

const root = path.join(__dirname, '..', '..');

/** Runs bin/app.ts the way the CDK CLI does: context in CDK_CONTEXT_JSON, cdk.json's merged with -c. */
function runApp(cliContext: Record<string, string>) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-'));
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_CONTEXT, ...cliContext }),
      CDK_OUTDIR: outdir,
    },
  });
  return { status: result.status, stderr: result.stderr, outdir };
}

const HEADER =
  'Invalid topology (1 problem); fix it in cdk.json "context.topology", a -c topologyFile=... JSON file or -c topology.<field>=...:\n';

describe('bin/app.ts with a configuration mistake', () => {
  test.each([
    [
      { 'topology.secondaryRegion': 'us-east-2' },
      '  - topology.secondaryRegion: not a topology setting, so it would be ignored; did you mean topology.secondaryRegions?',
    ],
    [
      { 'topology.alarmEmails': 'ops@example.com,ops@example.com' },
      "  - alarmEmails[1]: 'ops@example.com' repeats alarmEmails[0] ('ops@example.com'; case is ignored); remove one of them",
    ],
    [
      { 'topology.engineVersion': '99.1' },
      "  - engineVersion: '99.1' is not an Aurora PostgreSQL version aws-cdk-lib knows; known major versions: 9.6, 10, 11, 12, 13, 14, 15, 16, 17, 18; for example '16.6'",
    ],
  ])(
    'GIVEN -c %p WHEN the app runs THEN it exits 1 with the message only, no stack trace and no assembly',
    (cliContext, problem) => {
      const { status, stderr, outdir } = runApp(cliContext);
      expect(status).toBe(1);
      expect(stderr).toBe(`${HEADER}${problem}\n`);
      expect(stderr.length).toBeLessThan(400);
      expect(fs.readdirSync(outdir)).toEqual([]);
    },
    30_000,
  );
});
