import * as path from 'node:path';
import {
  CfnResource,
  CustomResource,
  CustomResourceProvider,
  CustomResourceProviderRuntime,
  Duration,
  IResolvable,
  Stack,
} from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { explainDeployTimeFunction, explainGuardRules } from './nag/acknowledge';

/** Type of the custom resource that writes a database secret's host. */
export const SECRET_HOST_RESOURCE_TYPE = 'Custom::DatabaseSecretHost';

/** Properties of a {@link DatabaseSecretHost}. */
export interface DatabaseSecretHostProps {
  /** The database secret (JSON with `username`, `password`, `host`, ...). */
  readonly secret: secretsmanager.ISecret;
  /** The key that encrypts the secret. */
  readonly encryptionKey: kms.IKey;
  /**
   * The global cluster's `GlobalEndpoint` return value, an object with `Address`
   * (`CfnGlobalCluster.attrGlobalEndpoint`, `Fn::GetAtt [GlobalCluster, GlobalEndpoint]`):
   * its address becomes the secret's host.
   */
  readonly globalEndpoint: IResolvable;
  /**
   * Values that make CDK's `SecretTargetAttachment` write the cluster endpoint into `host`
   * again (its target): when one changes, this resource runs again after it. Pass the
   * attachment as `secret` (`DatabaseCluster.secret` is it), so that this resource also
   * deploys after it.
   */
  readonly rewriteWhenChanged: readonly string[];
}

/**
 * Writes Aurora's global writer endpoint into a database secret as its `host`, and keeps the
 * password and every other field.
 *
 * The CloudFormation Template Reference (AWS::RDS::GlobalCluster, GlobalEndpoint) says the
 * endpoint "always points to the writer DB instance in the current primary cluster"; the
 * resource's read-only `GlobalEndpoint` is an object, so this resource reads its `Address` and
 * returns it as the `Host` attribute, the value every output publishes.
 *
 * Aurora's global writer endpoint exists only after the global cluster, which needs the
 * cluster, which needs the secret; `AWS::SecretsManager::SecretTargetAttachment` writes the
 * cluster's own endpoint (it supports DB instances, clusters, proxies, Redshift and DocumentDB
 * targets, not global clusters). This custom resource runs after both and replaces the host.
 * Rotation copies the current version's fields when it creates the new password, so the host
 * survives every rotation, and the replicas receive it with the rest of the value.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-secretsmanager-secrettargetattachment.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_how.html
 */
export class DatabaseSecretHost extends Construct {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: DatabaseSecretHostProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const provider = CustomResourceProvider.getOrCreateProvider(this, SECRET_HOST_RESOURCE_TYPE, {
      codeDirectory: path.join(__dirname, 'secret-host-handler'),
      runtime: CustomResourceProviderRuntime.NODEJS_22_X,
      timeout: Duration.minutes(2),
      description: 'Writes the global writer endpoint into the database secret host',
      policyStatements: [
        {
          Effect: 'Allow',
          Action: [
            'secretsmanager:DescribeSecret',
            'secretsmanager:GetSecretValue',
            'secretsmanager:PutSecretValue',
          ],
          Resource: props.secret.secretArn,
        },
        {
          // Secrets Manager decrypts and encrypts with the secret's key on the caller's behalf
          // (Secrets Manager User Guide, "Secret encryption and decryption", KMS permissions).
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: props.encryptionKey.keyArn,
          Condition: {
            StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.${stack.urlSuffix}` },
          },
        },
      ],
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: SECRET_HOST_RESOURCE_TYPE,
      properties: {
        SecretId: props.secret.secretArn,
        GlobalEndpoint: props.globalEndpoint,
        RewriteAfter: [...props.rewriteWhenChanged],
      },
    });

    const runsOnDeploy =
      'This provider runs only when CloudFormation creates or updates the secret host resource, to write the global writer endpoint into the secret';
    const handler = stack.node
      .tryFindChild(`${SECRET_HOST_RESOURCE_TYPE}CustomResourceProvider`)
      ?.node.tryFindChild('Handler');
    const role = stack.node
      .tryFindChild(`${SECRET_HOST_RESOURCE_TYPE}CustomResourceProvider`)
      ?.node.tryFindChild('Role');
    if (handler instanceof CfnResource) {
      explainDeployTimeFunction(
        handler,
        runsOnDeploy,
        'it calls only the Secrets Manager API over its public TLS endpoint, and core CustomResourceProvider functions cannot be placed in a VPC.',
      );
    }
    if (role instanceof CfnResource) {
      explainGuardRules(
        role,
        ['IAM_NO_INLINE_POLICY_CHECK'],
        "aws-cdk-lib writes this provider role's inline policy: DescribeSecret, GetSecretValue and PutSecretValue on the master secret only, and its key through Secrets Manager only.",
      );
    }
  }

  /** The host written into the secret: the global writer endpoint's address. */
  get host(): string {
    return this.resource.getAttString('Host');
  }
}
