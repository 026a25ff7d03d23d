import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { throwIfProblems } from './invalid-props-error';

/** Properties of an {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** Key that encrypts the topic; CloudWatch is allowed to use it. */
  readonly encryptionKey: kms.IKey;
  /**
   * E-mail addresses subscribed to the topic (each must confirm once).
   *
   * @default - no subscriptions
   */
  readonly emails?: readonly string[];
}

/**
 * The notification topic of one region: KMS-encrypted, reachable only over TLS,
 * and publishable by CloudWatch alarms.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const badEmails = (props.emails ?? []).filter((e) => !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e));
    if (badEmails.length > 0) {
      throwIfProblems('AlarmTopic', this, [
        `emails must be e-mail addresses, got: ${badEmails.map((e) => `'${e}'`).join(', ')}`,
      ]);
    }
    this.topic = new sns.Topic(this, 'Topic', {
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    // CloudWatch publishes to an encrypted topic only if it may use the key.
    props.encryptionKey.grant(
      new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    );
    for (const email of props.emails ?? []) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
  }
}
