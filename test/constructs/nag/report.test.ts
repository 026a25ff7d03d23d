import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { MultiRegionChecks } from '../../../constructs';
import {
  EvidenceRecorder,
  bootstrapCommand,
  complianceOutcome,
  controlIdsOf,
  packCoverage,
  packOf,
  readComplianceReport,
  renderCsv,
  renderHtml,
  topologyEvidence,
} from '../../../constructs/nag';
import { NO_CUSTOMER_DATA_METADATA } from '../../../constructs/nag/report';
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

/** A hand-written assembly: one stack per region, given resources, evidence and report. */
function handAssembly(files: {
  stacks: Record<string, { region: string; resources: Record<string, unknown>; outputs?: object }>;
  evidence?: object;
  validation?: object;
}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hand-assembly-'));
  const artifacts: Record<string, object> = { Tree: { type: 'cdk:tree' } };
  for (const [name, stack] of Object.entries(files.stacks)) {
    artifacts[name] = {
      type: 'aws:cloudformation:stack',
      environment: `aws://111122223333/${stack.region}`,
      properties: { templateFile: `${name}.template.json` },
    };
    fs.writeFileSync(
      path.join(dir, `${name}.template.json`),
      JSON.stringify({ Resources: stack.resources, Outputs: stack.outputs }),
    );
  }
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ artifacts }));
  if (files.evidence) {
    fs.writeFileSync(path.join(dir, 'compliance-evidence.json'), JSON.stringify(files.evidence));
  }
  if (files.validation) {
    fs.writeFileSync(path.join(dir, 'validation-report.json'), JSON.stringify(files.validation));
  }
  return dir;
}

const ack = (id: string, reason = 'A reason long enough to be read as a sentence here.') => ({
  Type: 'AWS::SNS::Topic',
  Metadata: { 'aws:cdk:path': `S/${id}`, cdk_nag: { rules_to_suppress: [{ id, reason }] } },
});

describe('GIVEN a clean assembly with every kind of acknowledgement', () => {
  const report = readComplianceReport(
    handAssembly({
      stacks: {
        S: {
          region: 'ap-south-1',
          resources: {
            A: ack('CloudFormation-Validate::W3005'),
            B: ack('CloudFormation-Validate::F3002'),
            C: ack('CloudFormation-Validate::E3012'),
            D: ack('CloudFormation-Validate::I3100'),
            E: ack('cdk-validator-cfnguard::sns_topic_encrypted_check'),
            F: ack('AwsSolutions-SNS2[x]', "Reason with <b> & 'quotes' to be escaped in the page."),
          },
          outputs: {
            ComplianceFacts: {
              Value: JSON.stringify({
                primaryRegion: 'ap-south-1',
                regions: ['ap-south-1', 'ap-east-1'],
                allowedRegions: ['ap-south-1'],
                mode: 'active-passive',
                rtoSeconds: 900,
                rpoSeconds: 30,
                rtoFloorSeconds: 1000,
                rtoFloorExplanation: 'too slow',
              }),
            },
          },
        },
        T: { region: 'ap-east-1', resources: {} },
      },
      evidence: {
        packs: [
          {
            name: 'AwsSolutions',
            rulesEvaluated: 2,
            resourcesChecked: 6,
            rules: [{ id: 'AwsSolutions-SNS2', level: 'warning', controls: ['X-1', 'X-1'] }],
          },
          {
            name: 'cdk-validator-cfnguard',
            version: '0.0.62',
            rulesEvaluated: 237,
            resourcesChecked: 6,
            rules: [],
          },
          { name: 'CloudFormation Validate', version: '1.14.0', resourcesChecked: 6, rules: [] },
        ],
      },
    }),
    { now: new Date('2026-11-21T12:00:00Z') },
  );
  const html = renderHtml(report);

  test('GIVEN files written beside the report THEN the page links to each by its name in the folder, and without them to none', () => {
    expect(
      renderHtml(report, [
        { label: 'the architecture brief', file: 'brief.html' },
        { label: 'costs & more', file: 'cost table.csv' },
      ]),
    ).toContain(
      '<div class="muted">In this folder, from the same assembly: <a href="brief.html">the architecture brief</a>, <a href="cost%20table.csv">costs &amp; more</a>.</div>',
    );
    expect(html).not.toContain('In this folder');
  });

  test.each([
    ['CloudFormation-Validate::W3005', 'warning'],
    ['CloudFormation-Validate::F3002', 'fatal'],
    ['CloudFormation-Validate::E3012', 'error'],
    ['CloudFormation-Validate::I3100', 'informational'],
    ['cdk-validator-cfnguard::sns_topic_encrypted_check', 'error'],
    ['AwsSolutions-SNS2[x]', 'warning'],
  ])('THEN %p has level %p', (rule, level) => {
    expect(report.rows.find((r) => r.rule === rule)?.level).toBe(level);
  });

  test('THEN duplicate control ids are listed once', () => {
    expect(report.rows.find((r) => r.rule === 'AwsSolutions-SNS2[x]')?.controls).toBe('X-1');
  });

  test('THEN the page says PASS, counts per stack, and shows the facts', () => {
    expect(html).toContain('<title>Compliance report: no open findings</title>');
    expect(html).toContain(
      '<div class="verdict pass">PASS: no open findings · 6 acknowledged</div>',
    );
    expect(html).toContain('<tr><td>S</td><td class="num">0</td><td class="num">6</td></tr>');
    expect(html).toContain('<tr><td>T</td><td class="num">0</td><td class="num">0</td></tr>');
    expect(html).toContain(
      '<tr><th>Regions</th><td><b>ap-south-1</b> (primary), ap-east-1</td></tr>',
    );
    expect(html).toContain('<tr><th>RPO objective</th><td>30 s (enforced with');
    expect(html).toContain('<tr><th>RTO objective</th><td>900 s (15 min)</td></tr>');
    expect(html).toContain('<td class="bad">1000 s (16.67 min)<div class="muted">too slow</div>');
    expect(html).not.toContain('Did not run');
  });

  test('THEN a pack whose engine lists no rules says n/a, with its version', () => {
    expect(html).toContain(
      '<tr><td>CloudFormation Validate</td><td>1.14.0</td><td class="num"><span class="muted">n/a</span></td><td class="num">6</td><td class="num">0</td><td class="num">4</td></tr>',
    );
  });

  test('THEN reasons are escaped and every row lists its level', () => {
    expect(html).toContain(
      'Reason with &lt;b&gt; &amp; &#39;quotes&#39; to be escaped in the page.',
    );
    expect(html).toContain(
      '<tr><td><code>AwsSolutions-SNS2[x]</code><div class="muted">AwsSolutions · controls X-1</div></td><td>warning</td><td><code>S/AwsSolutions-SNS2[x]</code></td>',
    );
  });

  test('THEN the CSV ends every line with CRLF', () => {
    expect(renderCsv(report).endsWith('\r\n')).toBe(true);
    expect(renderCsv(report).split('\r\n')).toHaveLength(1 + 3 + 6 + 1);
  });

  test('THEN the account of the stacks is in the bootstrap command, and an empty region holds no data', () => {
    expect(bootstrapCommand(report)).toBe(
      'npx cdk bootstrap aws://111122223333/ap-east-1 aws://111122223333/ap-south-1',
    );
    expect(report.residency[0]).toEqual({
      region: 'ap-east-1',
      stacks: ['T'],
      resources: [],
      customerData: [],
    });
  });
});

describe('GIVEN a pack only the validation report names', () => {
  const report = readComplianceReport(
    handAssembly({
      stacks: { S: { region: 'us-east-1', resources: {} } },
      validation: {
        pluginReports: [
          {
            pluginName: 'Other',
            pluginVersion: '1.0',
            violations: [
              {
                ruleName: 'Other-R1',
                description: 'Something is wrong.',
                severity: 'warning',
                violatingResources: [{ constructPath: 'S/Thing/Resource' }],
              },
            ],
          },
        ],
      },
    }),
  );

  test('THEN it is listed as ran, without coverage, and its finding keeps the severity', () => {
    expect(report.packs).toEqual([{ name: 'Other', version: '1.0' }]);
    expect(report.rows).toEqual([
      {
        pack: 'Other',
        rule: 'Other-R1',
        level: 'warning',
        controls: '',
        stack: 'S',
        resourcePath: 'S/Thing/Resource',
        status: 'open',
        reason: 'Something is wrong.',
      },
    ]);
    expect(renderHtml(report)).toContain(
      '<div class="verdict fail">FAIL: 1 open finding · 0 acknowledged</div>',
    );
  });
});

describe('evidence of a plugin that is not a cdk-nag pack', () => {
  test('GIVEN a plugin listing its rules WHEN it validates THEN its rules and the resources of its templates are recorded', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-'));
    const template = path.join(dir, 'S.template.json');
    fs.writeFileSync(template, JSON.stringify({ Resources: { A: {}, B: {}, C: {} } }));
    const recorder = new EvidenceRecorder(dir);
    const plugin = recorder.wrap({
      name: 'Fake',
      version: '2.0',
      ruleIds: ['r1', 'r2'],
      validate: () => ({ success: true, violations: [] }),
    });
    expect(
      plugin.validate({
        templatePaths: [template],
        stackTemplates: [
          { stackConstructPath: 'S', templatePath: template, accountId: '1', region: 'r' },
        ],
        appConstruct: new App(),
      }),
    ).toEqual({
      success: true,
      violations: [],
    });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'compliance-evidence.json'), 'utf8'))).toEqual(
      {
        packs: [
          { name: 'Fake', version: '2.0', rulesEvaluated: 2, resourcesChecked: 3, rules: [] },
        ],
      },
    );
  });
});

describe('resources that say they hold no customer data', () => {
  test('GIVEN a log group marked with a reason and one not marked THEN only the unmarked one counts as data in its region', () => {
    const marked = {
      Type: 'AWS::Logs::LogGroup',
      Metadata: {
        [NO_CUSTOMER_DATA_METADATA]: 'Logs of a deploy-time function: resource ids only.',
      },
    };
    const report = readComplianceReport(
      handAssembly({
        stacks: {
          Marked: { region: 'us-east-1', resources: { Logs: marked } },
          Plain: { region: 'eu-west-1', resources: { Logs: { Type: 'AWS::Logs::LogGroup' } } },
        },
      }),
    );
    expect(report.residency.map((r) => [r.region, r.customerData])).toEqual([
      ['eu-west-1', ['logs']],
      ['us-east-1', []],
    ]);
  });
});
