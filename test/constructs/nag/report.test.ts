import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  MultiRegionChecks,
  packOf,
  readComplianceReport,
  renderCsv,
  renderHtml,
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
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }),
    new MultiRegionChecks(app),
  );
  // Findings make synth throw after the assembly and the report are written.
  expect(() => app.synth()).toThrow();
  return outdir;
}

describe('compliance report', () => {
  const assembly = synthesizedAssembly();
  const report = readComplianceReport(assembly, {
    registeredPacks: ['AwsSolutions', 'MultiRegion'],
    now: new Date('2026-11-21T12:00:00Z'),
  });

  test('THEN the open finding is a row with pack, rule, level, stack and resource path', () => {
    expect(report.rows).toContainEqual({
      pack: 'MultiRegion',
      rule: 'MultiRegion-RoutedRecordTtlAndHealthCheck[TTL 300: set at most 60]',
      level: 'error',
      stack: 'Shop',
      resourcePath: 'Shop/Slow/Resource',
      status: 'open',
      reason: expect.stringContaining('TTL over 60 s'),
    });
  });

  test('THEN the acknowledgement is a row with its reason', () => {
    expect(report.rows).toContainEqual({
      pack: 'AwsSolutions',
      rule: 'AwsSolutions-SNS3',
      level: '',
      stack: 'Shop',
      resourcePath: 'Shop/Topic/Resource',
      status: 'acknowledged',
      reason: 'Publishers are "internal" services only, and the topic policy is managed elsewhere.',
    });
  });

  test('THEN the CSV quotes cells with commas and quotes and has one line per row', () => {
    const csv = renderCsv(report);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('pack,rule,level,stack,resource path,status,reason');
    expect(lines).toHaveLength(report.rows.length + 1);
    expect(csv).toContain(
      'AwsSolutions,AwsSolutions-SNS3,,Shop,Shop/Topic/Resource,acknowledged,"Publishers are ""internal"" services only, and the topic policy is managed elsewhere."',
    );
  });

  test('THEN the HTML shows the verdict, the totals, the finding and the acknowledgement, escaped', () => {
    const html = renderHtml(report);
    const open = report.rows.filter((r) => r.status === 'open').length;
    expect(html).toContain(`FAIL: ${open} open finding`);
    expect(html).toContain(
      '<code>MultiRegion-RoutedRecordTtlAndHealthCheck[no health check]</code>',
    );
    expect(html).toContain('<code>Shop/Slow/Resource</code>');
    expect(html).toContain('Publishers are &quot;internal&quot; services only');
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect(html).toMatch(/<td>MultiRegion<\/td><td class="num bad">\d+<\/td>/);
  });

  test('GIVEN a directory that is not an assembly THEN the error says what to run', () => {
    expect(() => readComplianceReport('/nonexistent')).toThrow(
      "/nonexistent is not a cloud assembly (no manifest.json): run 'npx cdk synth --no-lookups' first",
    );
  });

  test.each([
    ['HIPAA.Security-RDSInBackupPlan', 'HIPAA.Security'],
    ['AwsSolutions-IAM4[Policy::x]', 'AwsSolutions'],
    ['CloudFormation-Validate::F3002', 'CloudFormation-Validate'],
    ['MultiRegion-DataResidency[x]', 'MultiRegion'],
  ])('packOf(%p) is %p', (id, pack) => {
    expect(packOf(id)).toBe(pack);
  });
});
