// A cloud assembly (`cdk.out`) evaluated as if it had been deployed: every stack's outputs
// and resource properties with CloudFormation's intrinsic functions resolved against
// deterministic fake physical ids. The drill's tests and rehearsals read what the stacks
// really synthesize through this, never a hand-written copy of it.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ARC_HEALTH_CHECKS_RESOURCE_TYPE,
  arcHealthCheckAttribute,
} from '../../constructs/contract';

/** What `cdk deploy --outputs-file` writes: stack name -> output key -> value. */
export type OutputsFile = Record<string, Record<string, string>>;

/** One resource with its properties resolved. */
export interface DeployedResource {
  readonly stack: string;
  readonly region: string;
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
  readonly properties: Record<string, unknown>;
}

interface StackArtifact {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly template: {
    readonly Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
  };
}

/** One Route 53 health check ARC Region switch created for a plan, as the custom resource read it. */
export interface DeployedArcHealthCheck {
  readonly healthCheckId: string;
  readonly planArn: string;
  readonly region: string;
  readonly recordName: string;
}

/** Account used where the assembly leaves the account unresolved (`unknown-account`). */
export const FAKE_ACCOUNT = '123456789012';

export class SimulatedDeployment {
  private readonly stacks = new Map<string, StackArtifact>();
  private readonly outputCache = new Map<string, string>();

  /** Reads `manifest.json` and every stack template of the assembly in `dir`. */
  static fromAssembly(dir: string): SimulatedDeployment {
    const manifestFile = path.join(dir, 'manifest.json');
    if (!fs.existsSync(manifestFile)) {
      throw new Error(
        `${dir} is not a cloud assembly (no manifest.json): run \`npx cdk synth\` first`,
      );
    }
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as {
      artifacts: Record<
        string,
        { type: string; environment?: string; properties?: { templateFile?: string } }
      >;
    };
    const stacks: StackArtifact[] = [];
    for (const [name, artifact] of Object.entries(manifest.artifacts)) {
      if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile)
        continue;
      const [, account, region] = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '') ?? [];
      if (!region || region.startsWith('unknown')) {
        throw new Error(`stack ${name} has no explicit region (${artifact.environment})`);
      }
      stacks.push({
        name,
        account: account && /^\d{12}$/.test(account) ? account : FAKE_ACCOUNT,
        region,
        template: JSON.parse(
          fs.readFileSync(path.join(dir, artifact.properties.templateFile), 'utf8'),
        ),
      });
    }
    return new SimulatedDeployment(stacks);
  }

  private constructor(stacks: readonly StackArtifact[]) {
    for (const s of stacks) this.stacks.set(s.name, s);
  }

  stackNames(): string[] {
    return [...this.stacks.keys()];
  }

  /** Every stack's name, region and template as synthesized (nothing resolved): for residency. */
  stackTemplates(): {
    readonly name: string;
    readonly region: string;
    readonly template: StackArtifact['template'];
  }[] {
    return [...this.stacks.values()].map(({ name, region, template }) => ({
      name,
      region,
      template,
    }));
  }

  /** Every output of every stack, as `cdk deploy --outputs-file` writes them. */
  outputsFile(): OutputsFile {
    const file: OutputsFile = {};
    for (const stack of this.stacks.values()) {
      file[stack.name] = Object.fromEntries(
        Object.keys(stack.template.Outputs ?? {}).map((key) => [key, this.output(stack.name, key)]),
      );
    }
    return file;
  }

  /** One output's deployed value. */
  output(stackName: string, key: string): string {
    const cacheKey = `${stackName}/${key}`;
    const cached = this.outputCache.get(cacheKey);
    if (cached !== undefined) return cached;
    const stack = this.stack(stackName);
    const output = stack.template.Outputs?.[key];
    if (!output) throw new Error(`stack ${stackName} has no output ${key}`);
    const value = this.resolve(stack, output.Value);
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    this.outputCache.set(cacheKey, text);
    return text;
  }

  /** Every resource of `type` in every stack, properties resolved. */
  resources(type: string): DeployedResource[] {
    const found: DeployedResource[] = [];
    for (const stack of this.stacks.values()) {
      for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
        if (resource.Type !== type) continue;
        found.push({
          stack: stack.name,
          region: stack.region,
          logicalId,
          type,
          physicalId: this.ref(stack, logicalId),
          properties: this.resolve(stack, resource.Properties ?? {}) as Record<string, unknown>,
        });
      }
    }
    return found;
  }

  /**
   * The health checks ARC created for each plan's Route 53 health check block, as the
   * `Custom::ArcHealthChecks` resources answer them (one per region of their `Regions`).
   */
  arcHealthChecks(): DeployedArcHealthCheck[] {
    return this.resources(ARC_HEALTH_CHECKS_RESOURCE_TYPE).flatMap((r) => {
      const stack = this.stack(r.stack);
      const regions = r.properties.Regions as string[];
      return regions.map((region, i) => ({
        healthCheckId: this.getAtt(stack, r.logicalId, arcHealthCheckAttribute(i)) as string,
        planArn: String(r.properties.PlanArn),
        region,
        recordName: String(r.properties.RecordName),
      }));
    });
  }

  private stack(name: string): StackArtifact {
    const stack = this.stacks.get(name);
    if (!stack)
      throw new Error(`no stack ${name} in the assembly (${this.stackNames().join(', ')})`);
    return stack;
  }

  private resolve(stack: StackArtifact, value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(stack, v));
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value);
    if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) {
      return this.intrinsic(stack, entries[0][0], entries[0][1]);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(stack, v)]));
  }

  private intrinsic(stack: StackArtifact, fn: string, arg: unknown): unknown {
    switch (fn) {
      case 'Ref':
        return this.ref(stack, arg as string);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(arg)
          ? (arg as string[])
          : String(arg).split(/\.(.*)/);
        return this.getAtt(stack, logicalId, attribute);
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return (this.resolve(stack, parts) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        return (this.resolve(stack, list) as unknown[])[Number(this.resolve(stack, index))];
      }
      case 'Fn::Split': {
        const [separator, source] = arg as [string, unknown];
        return String(this.resolve(stack, source)).split(separator);
      }
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((z) => `${stack.region}${z}`);
      case 'Fn::ImportValue':
        // Strong reference: the output another stack exports under this name. Exports are
        // per account and region ("Fn::ImportValue", CloudFormation Template Reference).
        return this.exported(stack, String(this.resolve(stack, arg)));
      case 'Fn::GetStackOutput': {
        // Weak cross-region reference: the producing stack's output, read at deploy time.
        const { StackName, OutputName } = this.resolve(stack, arg) as Record<string, string>;
        return this.output(StackName, OutputName);
      }
      default:
        throw new Error(
          `stack ${stack.name}: ${fn} is not simulated; extend runbooks/simulation/deployment.ts`,
        );
    }
  }

  /** The value of the output exported as `name` in the consumer's account and region. */
  private exported(consumer: StackArtifact, name: string): string {
    for (const producer of this.stacks.values()) {
      if (producer.region !== consumer.region || producer.account !== consumer.account) continue;
      for (const [key, output] of Object.entries(producer.template.Outputs ?? {})) {
        if (output.Export && this.resolve(producer, output.Export.Name) === name) {
          return this.output(producer.name, key);
        }
      }
    }
    throw new Error(
      `stack ${consumer.name}: Fn::ImportValue of ${name}, which no stack in ${consumer.account}/${consumer.region} exports`,
    );
  }

  private ref(stack: StackArtifact, name: string): string {
    switch (name) {
      case 'AWS::Region':
        return stack.region;
      case 'AWS::AccountId':
        return stack.account;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return stack.name;
    }
    const resource = stack.template.Resources?.[name];
    if (!resource) throw new Error(`stack ${stack.name}: Ref to unknown ${name}`);
    const props = resource.Properties ?? {};
    const named = (key: string) =>
      props[key] === undefined ? undefined : String(this.resolve(stack, props[key]));
    switch (resource.Type) {
      case 'AWS::RDS::DBCluster':
        // RDS stores cluster identifiers in lowercase (DBClusterIdentifier, CreateDBCluster API).
        return (named('DBClusterIdentifier') ?? `${name}-${fakeId(stack, name, 6)}`).toLowerCase();
      case 'AWS::RDS::DBClusterParameterGroup':
        // Ref returns the name, stored in lowercase (CloudFormation, DBClusterParameterGroupName).
        return (
          named('DBClusterParameterGroupName') ?? `${name}-${fakeId(stack, name, 8)}`
        ).toLowerCase();
      case 'AWS::RDS::GlobalCluster':
        return named('GlobalClusterIdentifier') ?? `${name}-${fakeId(stack, name, 6)}`;
      case 'AWS::SSM::Parameter':
        return named('Name') ?? `CFN-${name}-${fakeId(stack, name, 12)}`;
      case 'AWS::CloudWatch::Alarm':
        // Ref returns the alarm's name (CloudFormation, AWS::CloudWatch::Alarm return values).
        return named('AlarmName') ?? `${name}-${fakeId(stack, name, 8)}`;
      case 'AWS::SecretsManager::Secret':
        // Ref returns the ARN; Secrets Manager appends six random characters to the name.
        return `arn:aws:secretsmanager:${stack.region}:${stack.account}:secret:${named('Name') ?? name}-${fakeId(stack, name, 6)}`;
      case 'AWS::SecretsManager::SecretTargetAttachment':
        // Ref returns the ARN of the attached secret (SecretTargetAttachment return values).
        return String(this.resolve(stack, props.SecretId));
      case 'AWS::Route53::HealthCheck': {
        const h = fakeId(stack, name, 32);
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
      }
      default:
        return `${name}-${fakeId(stack, name, 8)}`;
    }
  }

  private getAtt(stack: StackArtifact, logicalId: string, attribute: string): unknown {
    const resource = stack.template.Resources?.[logicalId];
    if (!resource) throw new Error(`stack ${stack.name}: GetAtt of unknown ${logicalId}`);
    const ref = this.ref(stack, logicalId);
    const id = fakeId(stack, logicalId, 10);
    switch (`${resource.Type}.${attribute}`) {
      case 'AWS::RDS::DBCluster.DBClusterArn':
        return `arn:aws:rds:${stack.region}:${stack.account}:cluster:${ref}`;
      case 'AWS::RDS::DBCluster.Endpoint.Address':
        return `${ref}.cluster-${id}.${stack.region}.rds.amazonaws.com`;
      case 'AWS::RDS::DBCluster.ReadEndpoint.Address':
        return `${ref}.cluster-ro-${id}.${stack.region}.rds.amazonaws.com`;
      case 'AWS::RDS::GlobalCluster.GlobalEndpoint.Address':
        return `${ref}.global-${id}.global.rds.amazonaws.com`;
      case 'AWS::RDS::GlobalCluster.GlobalEndpoint':
        // The read-only GlobalEndpoint is an object (CloudFormation reference, GlobalEndpoint).
        return { Address: this.getAtt(stack, logicalId, 'GlobalEndpoint.Address') };
      case 'Custom::DatabaseSecretHost.Host': {
        // constructs/secret-host-handler answers the address it wrote into the secret.
        const endpoint = this.resolve(stack, resource.Properties?.GlobalEndpoint) as {
          Address?: unknown;
        };
        return endpoint.Address;
      }
      case 'AWS::Route53::HealthCheck.HealthCheckId':
        return ref;
      case 'AWS::ARCRegionSwitch::Plan.Arn': {
        // ARC API Reference, Plan: arn:<partition>:arc-region-switch::<account>:plan/<name>:<6>.
        const name = this.resolve(stack, resource.Properties?.Name);
        return `arn:aws:arc-region-switch::${stack.account}:plan/${String(name)}:${id.slice(0, 6)}`;
      }
      case 'AWS::CloudWatch::Alarm.Arn':
        return `arn:aws:cloudwatch:${stack.region}:${stack.account}:alarm:${ref}`;
      case 'AWS::EC2::VPC.CidrBlock':
        // The VPC's primary range is the one its template gives.
        return this.resolve(stack, resource.Properties?.CidrBlock);
      case 'AWS::ApiGatewayV2::DomainName.RegionalDomainName':
      case 'AWS::ApiGateway::DomainName.RegionalDomainName':
        // API Gateway regional custom domains answer as d-<id>.execute-api.<region>.amazonaws.com.
        return `d-${id}.execute-api.${stack.region}.amazonaws.com`;
      case 'AWS::ApiGatewayV2::DomainName.RegionalHostedZoneId':
      case 'AWS::ApiGateway::DomainName.RegionalHostedZoneId':
        return `Z${id.toUpperCase()}`;
    }
    if (resource.Type === ARC_HEALTH_CHECKS_RESOURCE_TYPE) {
      // The custom resource answers ARC's health check ids (constructs/handlers/arc-health-checks.ts):
      // a Route 53 health check id per region, here a stable fake one.
      const h = fakeId(stack, `${logicalId}/${attribute}`, 32);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
    if (attribute === 'Arn') {
      const service = resource.Type.split('::')[1].toLowerCase();
      return `arn:aws:${service}:${stack.region}:${stack.account}:${logicalId.toLowerCase()}/${ref}`;
    }
    // Attributes nothing interprets (security group ids, CIDRs): a stable opaque value.
    return `${logicalId}.${attribute}.${id}`;
  }
}

/** A stable hexadecimal id from the stack and logical id, `length` characters long. */
function fakeId(stack: StackArtifact, logicalId: string, length: number): string {
  return createHash('sha256').update(`${stack.name}/${logicalId}`).digest('hex').slice(0, length);
}
