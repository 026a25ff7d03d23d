import { CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { explainDeployTimeFunction, explainGuardRules } from './nag/acknowledge';
import { throwIfProblems } from './invalid-props-error';

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
   * IPv4 range of the VPC. Give every region its own range, independent of its position in
   * any list, so the VPCs can be peered and never replaced (see lib/vpc-cidrs.ts).
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
      throwIfProblems('RegionalNetwork', this, [
        `maxAzs must be a whole number from 2 to 6 (Aurora needs subnets in at least two AZs), got: ${maxAzs}`,
      ]);
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
    // The three actions aws-cdk-lib's own FlowLog grants on its group. Not
    // logs:DescribeLogGroups: the Service Authorization Reference (CloudWatch Logs, Actions
    // table) gives it no log-group resource type, so on this group's ARN it never applied.
    new iam.ManagedPolicy(this, 'FlowLogPolicy', {
      roles: [flowLogRole],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
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
    // cdk-nag does not inspect these plain CfnResources; cfn-guard (Control Tower) and the
    // Guard registry's NIST 800-53 R5, HIPAA and PCI rule sets do.
    const handler = provider?.node.tryFindChild('Handler');
    const providerRole = provider?.node.tryFindChild('Role');
    const runsOnce =
      // aws-cdk-lib aws-ec2 README, "Restricting access to the VPC default security group".
      "aws-cdk-lib's provider that removes the default security group's rules runs only when its custom resource is created, updated or deleted";
    if (handler instanceof CfnResource) {
      explainDeployTimeFunction(
        handler,
        runsOnce,
        'it calls only the EC2 API; inside this isolated VPC it would need an EC2 interface endpoint just for it.',
      );
    }
    if (providerRole instanceof CfnResource) {
      explainGuardRules(
        providerRole,
        ['IAM_NO_INLINE_POLICY_CHECK'],
        "aws-cdk-lib writes this provider role's inline policy: only Authorize/Revoke SecurityGroupIngress/Egress on this VPC's default security group, and it exists only for that provider.",
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

  /**
   * IPv4 ranges of the database subnets: literal strings computed at synth (the VPC's CIDR is
   * literal), so another region's stacks can use them without a cross-region reference.
   */
  get dataSubnetCidrs(): string[] {
    return this.vpc.selectSubnets(this.dataSubnets).subnets.map((s) => s.ipv4CidrBlock);
  }

  /** IPv4 ranges of the application subnets (literal strings, see {@link dataSubnetCidrs}). */
  get appSubnetCidrs(): string[] {
    return this.vpc.selectSubnets(this.appSubnets).subnets.map((s) => s.ipv4CidrBlock);
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
