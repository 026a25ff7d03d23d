import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeFindings } from './nag/acknowledge';
import { InvalidPropsError } from './invalid-props-error';

/** Properties of a {@link RegionalNetwork}. */
export interface RegionalNetworkProps {
  /** Key that encrypts the flow-log group. */
  readonly encryptionKey: kms.IKey;
  /**
   * Availability zones to spread the subnets over. The stack's
   * `availabilityZones` decides which ones; override it to avoid lookups.
   *
   * @default 2
   */
  readonly maxAzs?: number;
  /**
   * IPv4 range of the VPC. Give every region its own range so the VPCs can be
   * peered later.
   *
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * How long VPC flow logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;
}

/**
 * A VPC with no internet path: isolated subnets for the database and for the
 * regional service, interface endpoints for the AWS APIs they call, and VPC
 * flow logs of all traffic to an encrypted log group.
 */
export class RegionalNetwork extends Construct {
  /** Subnet group name of the database subnets. */
  static readonly DATA_SUBNETS = 'Data';
  /** Subnet group name of the application subnets. */
  static readonly APP_SUBNETS = 'App';

  readonly vpc: ec2.Vpc;
  readonly flowLogGroup: logs.LogGroup;
  /** Security group shared by the interface endpoints. */
  readonly endpointSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: RegionalNetworkProps) {
    super(scope, id);
    const maxAzs = props.maxAzs ?? 2;
    const cidr = props.cidr ?? '10.0.0.0/16';
    if (!Number.isInteger(maxAzs) || maxAzs < 2 || maxAzs > 6) {
      throw new InvalidPropsError(
        `maxAzs must be a whole number from 2 to 6 (Aurora needs subnets in at least two AZs), got: ${maxAzs}`,
      );
    }
    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      encryptionKey: props.encryptionKey,
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // A customer-managed policy rather than the inline one the VPC would attach.
    const flowLogRole = new iam.Role(this, 'FlowLogRole', {
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com'),
      description: 'Writes VPC flow logs to their log group',
    });
    new iam.ManagedPolicy(this, 'FlowLogPolicy', {
      roles: [flowLogRole],
      statements: [
        new iam.PolicyStatement({
          actions: [
            'logs:CreateLogStream',
            'logs:PutLogEvents',
            'logs:DescribeLogGroups',
            'logs:DescribeLogStreams',
          ],
          resources: [this.flowLogGroup.logGroupArn],
        }),
      ],
    });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      maxAzs,
      natGateways: 0,
      subnetConfiguration: [
        {
          name: RegionalNetwork.DATA_SUBNETS,
          subnetType: ec2.SubnetType.PRIVATE_ISOLATED,
          cidrMask: 24,
        },
        {
          name: RegionalNetwork.APP_SUBNETS,
          subnetType: ec2.SubnetType.PRIVATE_ISOLATED,
          cidrMask: 22,
        },
      ],
      flowLogs: {
        all: {
          // Immutable: the managed policy above is all it gets, no inline grants.
          destination: ec2.FlowLogDestination.toCloudWatchLogs(
            this.flowLogGroup,
            flowLogRole.withoutPolicyUpdates(),
          ),
          trafficType: ec2.FlowLogTrafficType.ALL,
        },
      },
    });
    // No NAT: AWS APIs are reached through interface endpoints (Secrets Manager
    // for the rotation function).
    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Interface endpoints: HTTPS from inside this VPC only',
      allowAllOutbound: false,
    });
    // A literal CIDR (not the VPC's CidrBlock token) so reviewers and rule packs can read it.
    this.endpointSecurityGroup.addIngressRule(
      ec2.Peer.ipv4(cidr),
      ec2.Port.tcp(443),
      'HTTPS from the VPC',
    );
    this.addEndpoint('SecretsManager', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER);

    // aws-cdk-lib closes the default security group through a provider function.
    const provider = Stack.of(this).node.tryFindChild(
      'Custom::VpcRestrictDefaultSGCustomResourceProvider',
    );
    const handler = provider?.node.tryFindChild('Handler');
    if (handler) {
      acknowledgeFindings(
        handler,
        ['cdk-validator-cfnguard::lambda_inside_vpc_check'],
        "aws-cdk-lib's provider that removes the default security group's rules calls only the EC2 API once per deployment; an isolated VPC would need an EC2 endpoint just for it.",
      );
    }
  }

  /** Adds a private interface endpoint for an AWS service, reachable from the VPC. */
  addEndpoint(id: string, service: ec2.InterfaceVpcEndpointAwsService): ec2.InterfaceVpcEndpoint {
    return this.vpc.addInterfaceEndpoint(`${id}Endpoint`, {
      service,
      subnets: this.appSubnets,
      privateDnsEnabled: true,
      open: false,
      securityGroups: [this.endpointSecurityGroup],
    });
  }

  /** The database subnets. */
  get dataSubnets(): ec2.SubnetSelection {
    return { subnetGroupName: RegionalNetwork.DATA_SUBNETS };
  }

  /** The application subnets. */
  get appSubnets(): ec2.SubnetSelection {
    return { subnetGroupName: RegionalNetwork.APP_SUBNETS };
  }
}
