// Record listing over more than one ListResourceRecordSets page, on a mocked Route 53 client.
import { NO_CLIENT_NETWORK } from './harness';
import {
  ListResourceRecordSetsCommand,
  Route53Client,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsCaller, sdkAdapters } from '../../runbooks/drill/aws/adapters';
import { AwsClients, DEFAULT_CLIENT_SETTINGS } from '../../runbooks/drill/aws/clients';
import { RECORD_PAGE_SIZE } from '../../runbooks/drill/aws/route53';

const route53 = mockClient(Route53Client);

const latency = (region: string): ResourceRecordSet => ({
  Name: 'app.example.com.',
  Type: 'CNAME',
  TTL: 60,
  SetIdentifier: region,
  Region: region as 'us-east-1',
  HealthCheckId: `hc-${region}`,
  ResourceRecords: [{ Value: `svc.${region}.example.com.` }],
});

function routing() {
  const clients = new AwsClients({
    ...DEFAULT_CLIENT_SETTINGS,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
  return sdkAdapters(clients, new AwsCaller('dry-run'), 'us-east-1', NO_CLIENT_NETWORK).routing;
}

beforeEach(() => route53.reset());

describe('recordSets follows ListResourceRecordSets pages', () => {
  test('GIVEN the name spans two pages WHEN listed THEN both pages are read from where the first stopped', async () => {
    // GIVEN
    route53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({
        ResourceRecordSets: [latency('eu-west-1'), latency('us-east-1')],
        IsTruncated: true,
        NextRecordName: 'app.example.com.',
        NextRecordType: 'CNAME',
        NextRecordIdentifier: 'us-west-2',
        MaxItems: RECORD_PAGE_SIZE,
      })
      .resolvesOnce({
        ResourceRecordSets: [latency('us-west-2')],
        IsTruncated: false,
        MaxItems: RECORD_PAGE_SIZE,
      });

    // WHEN
    const records = await routing().recordSets('Z123', 'App.Example.com.');

    // THEN
    expect(records.map((r) => r.setIdentifier)).toEqual(['eu-west-1', 'us-east-1', 'us-west-2']);
    expect(records[2]).toEqual({
      name: 'app.example.com',
      type: 'CNAME',
      ttl: 60,
      setIdentifier: 'us-west-2',
      region: 'us-west-2',
      healthCheckId: 'hc-us-west-2',
      alias: false,
      values: ['svc.us-west-2.example.com'],
    });
    const inputs = route53.commandCalls(ListResourceRecordSetsCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { HostedZoneId: 'Z123', StartRecordName: 'app.example.com', MaxItems: RECORD_PAGE_SIZE },
      {
        HostedZoneId: 'Z123',
        StartRecordName: 'app.example.com.',
        StartRecordType: 'CNAME',
        StartRecordIdentifier: 'us-west-2',
        MaxItems: RECORD_PAGE_SIZE,
      },
    ]);
  });

  test('GIVEN a page reaches the next name WHEN listed THEN no further page is asked for', async () => {
    // GIVEN
    route53.on(ListResourceRecordSetsCommand).resolvesOnce({
      ResourceRecordSets: [
        latency('eu-west-1'),
        { ...latency('us-east-1'), Name: 'write.example.com.' },
      ],
      IsTruncated: true,
      NextRecordName: 'write.example.com.',
      NextRecordType: 'CNAME',
      MaxItems: RECORD_PAGE_SIZE,
    });

    // WHEN
    const records = await routing().recordSets('Z123', 'app.example.com');

    // THEN
    expect(records.map((r) => r.setIdentifier)).toEqual(['eu-west-1']);
    expect(route53.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(1);
  });

  test('GIVEN the second page fails WHEN listed THEN the failure names the operation and region', async () => {
    // GIVEN
    route53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({
        ResourceRecordSets: [latency('eu-west-1')],
        IsTruncated: true,
        NextRecordName: 'app.example.com.',
        NextRecordType: 'CNAME',
        NextRecordIdentifier: 'us-east-1',
        MaxItems: RECORD_PAGE_SIZE,
      })
      .rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDenied' }));

    // WHEN / THEN
    await expect(routing().recordSets('Z123', 'app.example.com')).rejects.toMatchObject({
      code: 'AWS_ERROR',
      message: expect.stringContaining('ListResourceRecordSets'),
    });
    expect(route53.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(2);
  });
});
