import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlarmFactory, SecretRotationMetrics } from './monitoring';

/**
 * The event pattern of a failed rotation. Secrets Manager writes a `RotationFailed` entry to
 * CloudTrail (User Guide, "AWS CloudTrail entries for Secrets Manager", Log entries for
 * rotation), and EventBridge matches Secrets Manager's CloudTrail entries (User Guide, "Match
 * Secrets Manager events with EventBridge"). Rotation entries are service events, not API
 * calls; the API-call detail type is listed as well so that the rule matches either way. The
 * pattern does not filter on the secret: in this account and region only the master secret is
 * rotated by this app, and a filter on a field name we got wrong would silence the alarm.
 *
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-eventbridge.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/cloudtrail_log_entries.html
 */
export const ROTATION_FAILED_PATTERN: events.EventPattern = {
  source: ['aws.secretsmanager'],
  detailType: ['AWS Service Event via CloudTrail', 'AWS API Call via CloudTrail'],
  detail: {
    eventSource: ['secretsmanager.amazonaws.com'],
    eventName: ['RotationFailed'],
  },
};

/** Properties of {@link SecretRotationAlarms}. */
export interface SecretRotationAlarmsProps {
  /** Name of the Lambda function that rotates the secret, in this region. */
  readonly rotationFunctionName: string;
  /** This region's alarm topic: both alarms notify it when they fire and when they clear. */
  readonly alarmTopic: sns.ITopic;
  /**
   * Period over which a failure keeps the alarm in ALARM.
   *
   * @default Duration.hours(1)
   */
  readonly period?: Duration;
}

/**
 * Two independent signals that rotation of a secret failed, in the region that rotates it:
 * an EventBridge rule on Secrets Manager's `RotationFailed` events with an alarm on its
 * matched events, and an alarm on the rotation function's errors (the rotation templates
 * raise on every failed step).
 *
 * A rotation that cannot reach the writer (for example after a switchover without a path to
 * the new writer region) fails here, not silently at the next login.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html (MatchedEvents, dimension RuleName)
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html (Errors)
 */
export class SecretRotationAlarms extends Construct {
  readonly rule: events.Rule;
  readonly rotationFailedAlarm: cloudwatch.Alarm;
  readonly functionErrorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: SecretRotationAlarmsProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const period = props.period ?? Duration.hours(1);
    const metrics = new SecretRotationMetrics(props.rotationFunctionName, period);
    const alarms = new AlarmFactory(this, { alarmTopic: props.alarmTopic });

    // No target: the alarm below reads the rule's MatchedEvents metric.
    this.rule = new events.Rule(this, 'RotationFailed', {
      description: `Secrets Manager RotationFailed events in ${region}`,
      eventPattern: ROTATION_FAILED_PATTERN,
    });
    this.rotationFailedAlarm = alarms.addAlarm('RotationFailedAlarm', {
      name: ['SecretRotation', 'failed'],
      alarmDescription: `CRITICAL: a secret failed to rotate in ${region} (Secrets Manager RotationFailed); read the rotation function's log ${props.rotationFunctionName}`,
      metric: metrics.matchedEvents(this.rule),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // No event is no failure.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.functionErrorsAlarm = alarms.addAlarm('RotationFunctionErrorsAlarm', {
      name: ['SecretRotationFunction', 'errors'],
      alarmDescription: `CRITICAL: the rotation function ${props.rotationFunctionName} in ${region} failed; the master secret may not rotate`,
      metric: metrics.functionErrors(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // The function runs only when a rotation is due: no invocation, no data.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
