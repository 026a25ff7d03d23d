import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import {
  EvidenceRecorder,
  MultiRegionChecks,
  bootstrapCommand,
  complianceOutcome,
  controlIdsOf,
  packCoverage,
  packOf,
  readComplianceReport,
  renderCsv,
  renderHtml,
  topologyEvidence,
} from '../../../constructs';
import { CDK_CONTEXT } from '../../util';

/**
 * Synthesizes a small app the way `npm run compliance` does (packs registered,
 * acknowledgements written into the templates) into a fresh directory.
 */
function synthesizedAssembly(): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'compliance-'));
  // The CLI turns on path metadata; the report reads resource paths from it.
  const app = new App({
    outdir,
    context: { ...CDK_CONTEXT, 'aws:cdk:enable-path-metadata': true },
  });
  const stack = new Stack(app, 'Shop', { env: { account: '123456789012', region: 'us-east-1' } });
  // A finding: a latency record without a health check, TTL 300.
  new route53.CnameRecord(stack, 'Slow', {
    zone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
      hostedZoneId: 'Z1',
      zoneName: 'example.com',
    }),
    recordName: 'app',
    domainName: 'd-1.example',
    ttl: Duration.minutes(5),
    region: 'us-east-1',
    setIdentifier: 'us-east-1',
  });
  // An acknowledgement, with a reason containing a comma and quotes for the CSV.
  const topic = new sns.Topic(stack, 'Topic');
  Validations.of(topic.node.defaultChild!).acknowledge({
    id: 'AwsSolutions-SNS3',
    reason: 'Publishers are "internal" services only, and the topic policy is managed elsewhere.',
  });
  // Acknowledgements of engines that do not run here (cfn-guard) or are spelled
  // differently from their plugin name (aws-cdk-lib's validator).
  Validations.of(topic.node.defaultChild!).acknowledge(
    {
      id: 'cdk-validator-cfnguard::sns_topic_encrypted_check',
      reason: 'A cfn-guard acknowledgement, recorded while cfn-guard does not run in this app.',
    },
    {
      id: 'CloudFormation-Validate::W3005',
      reason: 'A template validator acknowledgement, to check its pack gets one spelling only.',
    },
  );
  // Customer data in a second region, replicated to a third: logs and a secret.
  const data = new Stack(app, 'Data', { env: { account: '123456789012', region: 'eu-west-1' } });
  new logs.LogGroup(data, 'Logs');
  const secret = new secretsmanager.Secret(data, 'Secret', {
    replicaRegions: [{ region: 'eu-central-1' }],
  });
  Validations.of(secret.node.defaultChild!).acknowledge({
    id: 'HIPAA.Security-SecretsManagerRotationEnabled',
    reason: 'A test secret that exists only in this synthesized assembly, never deployed.',
  });
  const evidence = new EvidenceRecorder(outdir, { rpo: Duration.seconds(30), regions: ['b', 'a'] });
  Validations.of(app).addPlugins(
    ...[
      new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }),
      new HIPAASecurityChecks(app),
      new MultiRegionChecks(app),
    ].map((p) => evidence.wrap(p)),
  );
  // Findings make synth throw after the assembly and the report are written.
  expect(() => app.synth()).toThrow();
  return outdir;
}

/** Resources in the templates the manifest lists, counted independently of the report. */
function resourcesIn(assembly: string): number {
  const manifest = JSON.parse(fs.readFileSync(path.join(assembly, 'manifest.json'), 'utf8'));
  type Artifact = { type: string; properties: { templateFile: string } };
  return Object.values(manifest.artifacts as Record<string, Artifact>)
    .filter((a) => a.type === 'aws:cloudformation:stack')
    .reduce((sum, a) => {
      const t = JSON.parse(fs.readFileSync(path.join(assembly, a.properties.templateFile), 'utf8'));
      return sum + Object.keys(t.Resources).length;
    }, 0);
}

describe('compliance report', () => {
  const assembly = synthesizedAssembly();
  const resources = resourcesIn(assembly);
  // A template an earlier synth left in the directory, not in this manifest.
  fs.writeFileSync(
    path.join(assembly, 'MultiRegion-Database-us-west-2.template.json'),
    JSON.stringify({
      Resources: {
        Old: { Type: 'AWS::RDS::DBCluster', Metadata: { 'aws:cdk:path': 'Old/Resource' } },
      },
    }),
  );
  const report = readComplianceReport(assembly, {
    provenance: { commit: 'abc123', dirty: true, versions: { 'cdk-nag': '3.0.2' } },
    now: new Date('2026-11-21T12:00:00Z'),
  });

  describe('GIVEN findings and acknowledgements', () => {
    test('THEN the open finding is a row with pack, rule, level, stack and resource path', () => {
      expect(report.rows).toContainEqual({
        pack: 'MultiRegion',
        rule: 'MultiRegion-RoutedRecordTtlAndHealthCheck[TTL 300: set at most 60]',
        level: 'error',
        controls: '',
        stack: 'Shop',
        resourcePath: 'Shop/Slow/Resource',
        status: 'open',
        reason: expect.stringContaining('TTL over 60 s'),
      });
    });

    test('THEN an acknowledgement is a row with the level its pack gives the rule', () => {
      expect(report.rows).toContainEqual({
        pack: 'AwsSolutions',
        rule: 'AwsSolutions-SNS3',
        level: 'error',
        controls: '',
        stack: 'Shop',
        resourcePath: 'Shop/Topic/Resource',
        status: 'acknowledged',
        reason:
          'Publishers are "internal" services only, and the topic policy is managed elsewhere.',
      });
    });

    test('THEN a HIPAA rule carries the control ids of its description', () => {
      expect(report.rows).toContainEqual(
        expect.objectContaining({
          rule: 'HIPAA.Security-SecretsManagerRotationEnabled',
          level: 'error',
          controls: '164.308(a)(4)(ii)(B)',
          status: 'acknowledged',
        }),
      );
    });

    test('THEN every row has a level', () => {
      expect(report.rows.filter((r) => r.level === '')).toEqual([]);
    });
  });

  describe('GIVEN packs that ran and packs that did not', () => {
    test('THEN only the packs that ran are listed, each with its rules and resources', () => {
      expect(report.packs).toEqual([
        { name: 'AwsSolutions', rulesEvaluated: 131, resourcesChecked: resources },
        { name: 'HIPAA.Security', rulesEvaluated: 90, resourcesChecked: resources },
        {
          name: 'MultiRegion',
          rulesEvaluated: MultiRegionChecks.RULE_IDS.length,
          resourcesChecked: resources,
        },
      ]);
    });

    test('THEN acknowledgements of a pack that did not run are counted, not listed', () => {
      expect(report.notRun).toEqual([
        { pack: 'cdk-validator-cfnguard', acknowledgements: 1 },
        { pack: 'CloudFormation Validate', acknowledgements: 1 },
      ]);
      expect(report.rows.filter((r) => /cfnguard|CloudFormation/.test(r.pack))).toEqual([]);
    });

    test('THEN the CSV starts with one "pack ran" row per pack with its coverage', () => {
      const lines = renderCsv(report).trimEnd().split('\r\n');
      expect(lines.slice(0, 4)).toEqual([
        'pack,rule,level,controls,stack,resource path,status,reason',
        `AwsSolutions,,,,,,pack ran,131 rules evaluated on ${resources} resources`,
        `HIPAA.Security,,,,,,pack ran,90 rules evaluated on ${resources} resources`,
        `MultiRegion,,,,,,pack ran,9 rules evaluated on ${resources} resources`,
      ]);
    });

    test('THEN the HTML lists each pack with rules evaluated and resources checked', () => {
      expect(renderHtml(report)).toContain(
        `<tr><td>HIPAA.Security</td><td></td><td class="num">90</td><td class="num">${resources}</td><td class="num bad">3</td><td class="num">1</td></tr>`,
      );
      expect(renderHtml(report)).toContain(
        'Did not run: cdk-validator-cfnguard (1 acknowledgement in the templates, not listed), CloudFormation Validate (1 acknowledgement in the templates, not listed).',
      );
    });

    test.each([
      [{ name: 'p', rulesEvaluated: 1, resourcesChecked: 1 }, '1 rule evaluated on 1 resource'],
      [
        { name: 'p', resourcesChecked: 245 },
        '245 resources checked; the engine does not list its rules',
      ],
      [{ name: 'p', rulesEvaluated: 237 }, '237 rules evaluated; resources not recorded'],
      [{ name: 'p' }, 'ran (named in the validation report); rules and resources not recorded'],
    ])('packCoverage(%p) is %p', (pack, text) => {
      expect(packCoverage(pack)).toBe(text);
    });
  });

  describe('GIVEN a template left by an earlier synth', () => {
    test('THEN only the stacks of the manifest are read', () => {
      expect(report.stacks).toEqual(['Data', 'Shop']);
      expect(renderHtml(report)).not.toContain('us-west-2');
    });
  });

  describe('GIVEN resources in three regions', () => {
    test('THEN residency lists each region, what it holds and whether it is customer data', () => {
      expect(report.residency.map((r) => [r.region, r.stacks, r.customerData])).toEqual([
        ['eu-central-1', [], ['secret replica']],
        ['eu-west-1', ['Data'], ['logs', 'secret']],
        ['us-east-1', ['Shop'], []],
      ]);
      expect(report.residency[2].resources).toEqual([
        { type: 'AWS::Route53::RecordSet', count: 1 },
        { type: 'AWS::SNS::Topic', count: 1 },
      ]);
    });

    test('THEN the bootstrap command names every region a stack lands in', () => {
      expect(bootstrapCommand(report)).toBe(
        'npx cdk bootstrap aws://123456789012/eu-west-1 aws://123456789012/us-east-1',
      );
    });

    test('THEN the HTML marks the data and the no-data regions', () => {
      const html = renderHtml(report);
      expect(html).toContain('<td class="data">yes: logs, secret</td>');
      expect(html).toContain('<td class="good">no customer data</td>');
    });
  });

  describe('GIVEN provenance', () => {
    test('THEN the HTML shows the commit, the dirty tree, versions and the topology hash', () => {
      const html = renderHtml(report);
      expect(html).toContain(
        '<code>abc123</code> <span class="bad">(working tree has uncommitted changes)</span>',
      );
      expect(html).toContain('<td>cdk-nag 3.0.2</td>');
      expect(html).toContain(
        `<code>${topologyEvidence({ regions: ['b', 'a'], rpo: Duration.seconds(30) }).sha256}</code>`,
      );
    });

    test('THEN the topology hash ignores key order and reads durations as seconds', () => {
      expect(topologyEvidence({ rpo: Duration.minutes(1), a: [1] })).toEqual({
        json: '{"a":[1],"rpo":"60s"}',
        sha256: topologyEvidence({ a: [1], rpo: Duration.seconds(60) }).sha256,
      });
      expect(topologyEvidence({ rpo: Duration.seconds(61) }).sha256).not.toBe(
        topologyEvidence({ rpo: Duration.seconds(60) }).sha256,
      );
    });
  });

  describe('GIVEN the CSV and HTML', () => {
    test('THEN the CSV quotes cells with commas and quotes and has one line per row', () => {
      const csv = renderCsv(report);
      const lines = csv.trimEnd().split('\r\n');
      expect(lines).toHaveLength(report.rows.length + report.packs.length + 1);
      expect(csv).toContain(
        'AwsSolutions,AwsSolutions-SNS3,error,,Shop,Shop/Topic/Resource,acknowledged,"Publishers are ""internal"" services only, and the topic policy is managed elsewhere."',
      );
    });

    test('THEN the HTML shows the verdict, the finding and the acknowledgement, escaped', () => {
      const html = renderHtml(report);
      const open = report.rows.filter((r) => r.status === 'open').length;
      expect(html).toContain(`FAIL: ${open} open finding`);
      expect(html).toContain(
        '<code>MultiRegion-RoutedRecordTtlAndHealthCheck[no health check]</code>',
      );
      expect(html).toContain('<code>Shop/Slow/Resource</code>');
      expect(html).toContain('Publishers are &quot;internal&quot; services only');
      expect(html).not.toMatch(/<script|<link|src="http/);
      expect(html).toMatch(
        /<tr><td>MultiRegion<\/td><td><\/td><td class="num">9<\/td><td class="num">\d+<\/td><td class="num bad">\d+<\/td>/,
      );
    });
  });

  test('GIVEN a directory that is not an assembly THEN the error says what to run', () => {
    expect(() => readComplianceReport('/nonexistent')).toThrow(
      "/nonexistent is not a cloud assembly (no manifest.json): run 'npx cdk synth --no-lookups' first",
    );
  });

  test.each([
    ['HIPAA.Security-RDSInBackupPlan', 'HIPAA.Security'],
    ['AwsSolutions-IAM4[Policy::x]', 'AwsSolutions'],
    ['CloudFormation-Validate::F3002', 'CloudFormation Validate'],
    ['cdk-validator-cfnguard::lambda_inside_vpc_check', 'cdk-validator-cfnguard'],
    ['MultiRegion-DataResidency[x]', 'MultiRegion'],
  ])('packOf(%p) is %p', (id, pack) => {
    expect(packOf(id)).toBe(pack);
  });
});

describe('control ids from a rule description', () => {
  test.each([
    ['The stage is not associated with WAF - (Control ID: AC-4(21)).', ['AC-4(21)']],
    [
      'Not encrypted - (Control IDs: 164.312(a)(2)(iv), 164.312(e)(2)(ii)).',
      ['164.312(a)(2)(iv)', '164.312(e)(2)(ii)'],
    ],
    ['The topic is not encrypted.', []],
  ])('controlIdsOf(%p) is %p', (info, ids) => {
    expect(controlIdsOf(info)).toEqual(ids);
  });
});

describe('what a run does after synth', () => {
  test.each([
    [
      { synthFailed: true, assemblyWritten: false, openFindings: 0 },
      {
        writeReports: false,
        exitCode: 1,
        message:
          'cdk synth failed before it wrote a cloud assembly; no report written. Fix the error above and run again',
      },
    ],
    [
      { synthFailed: true, assemblyWritten: true, openFindings: 0 },
      {
        writeReports: false,
        exitCode: 1,
        message:
          'cdk synth failed, but no open finding explains it; no report written. Fix the error above and run again',
      },
    ],
    [
      { synthFailed: true, assemblyWritten: true, openFindings: 2 },
      {
        writeReports: true,
        exitCode: 1,
        message: 'open findings; fix them or acknowledge them on the resource with a real reason',
      },
    ],
    [
      { synthFailed: false, assemblyWritten: true, openFindings: 0 },
      { writeReports: true, exitCode: 0 },
    ],
  ])('GIVEN %p THEN %p', (run, outcome) => {
    expect(complianceOutcome(run)).toEqual(outcome);
  });
});
