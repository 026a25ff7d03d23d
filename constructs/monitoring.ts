import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ROUTE53_HOME_REGION } from './contract';
import {
  SERVICE_METRIC_DIMENSION,
  SERVICE_METRIC_NAMESPACE,
  SERVICE_METRICS,
} from './service-metrics';

/** Route 53, the regional services and Aurora publish one datapoint a minute at most here. */
const ONE_MINUTE = Duration.minutes(1);

/**
 * The regional service's own metrics (written by its health function in embedded metric
 * format): namespace, the `Region` dimension and the names of {@link SERVICE_METRICS}.
 */
export class RegionalServiceMetrics {
  constructor(
    /** The region whose health function reports. */
    readonly region: string,
    /**
     * Namespace of the service's metrics.
     *
     * @default SERVICE_METRIC_NAMESPACE ('MultiRegion/Service')
     */
    private readonly namespace: string = SERVICE_METRIC_NAMESPACE,
  ) {}

  /** 1 when the health function saw its cluster hold the writer in that minute (maximum). */
  isWriter(): cloudwatch.Metric {
    return this.metric(SERVICE_METRICS.isWriter, cloudwatch.Stats.MAXIMUM);
  }

  /** 1 when the region could serve throughout the minute (minimum). */
  serving(): cloudwatch.Metric {
    return this.metric(SERVICE_METRICS.serving, cloudwatch.Stats.MINIMUM);
  }

  /** 1 when an operator drained the region in that minute (maximum). */
  drained(): cloudwatch.Metric {
    return this.metric(SERVICE_METRICS.drained, cloudwatch.Stats.MAXIMUM);
  }

  /**
   * The fewest secondaries within the RPO in that minute, as this region's health function
   * reads them from `aurora_global_db_status()` (minimum: the worst moment counts).
   */
  secondariesWithinRpo(): cloudwatch.Metric {
    return this.metric(SERVICE_METRICS.secondariesWithinRpo, cloudwatch.Stats.MINIMUM);
  }

  private metric(metricName: string, statistic: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.namespace,
      metricName,
      dimensionsMap: { [SERVICE_METRIC_DIMENSION]: this.region },
      statistic,
      period: ONE_MINUTE,
      region: this.region,
    });
  }
}

/**
 * Route 53's health-check metrics. Route 53 publishes them only in us-east-1, whatever the
 * region of the endpoint or of the stack.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html
 */
export class HealthCheckMetrics {
  /** Route 53's view of a health check (1 healthy, 0 not), one-minute minimum. */
  static status(check: route53.IHealthCheck, label?: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Route53',
      metricName: 'HealthCheckStatus',
      dimensionsMap: { HealthCheckId: check.healthCheckId },
      statistic: cloudwatch.Stats.MINIMUM,
      period: ONE_MINUTE,
      region: ROUTE53_HOME_REGION,
      label,
    });
  }
}

/**
 * The metrics of a secret's rotation in its region: the `RotationFailed` rule's matched
 * events and the rotation function's errors, each a sum over `period`.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html (MatchedEvents, dimension RuleName)
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html (Errors)
 */
export class SecretRotationMetrics {
  constructor(
    /** Name of the Lambda function that rotates the secret. */
    readonly rotationFunctionName: string,
    /** The period each sum covers. */
    private readonly period: Duration,
  ) {}

  /** Events the rule matched (each a failed rotation). */
  matchedEvents(rule: events.IRule): cloudwatch.Metric {
    return this.sum('AWS/Events', 'MatchedEvents', { RuleName: rule.ruleName });
  }

  /** Failed invocations of the rotation function. */
  functionErrors(): cloudwatch.Metric {
    return this.sum('AWS/Lambda', 'Errors', { FunctionName: this.rotationFunctionName });
  }

  private sum(
    namespace: string,
    metricName: string,
    dimensionsMap: Record<string, string>,
  ): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace,
      metricName,
      dimensionsMap,
      statistic: cloudwatch.Stats.SUM,
      period: this.period,
    });
  }
}

/** Properties of an {@link AlarmFactory}. */
export interface AlarmFactoryProps {
  /** The region's topic: every alarm notifies it on ALARM and on OK. */
  readonly alarmTopic: sns.ITopic;
  /**
   * First part of every alarm name.
   *
   * @default - the stack's name, which holds the app's prefix and the region (the drill
   *   selects the project's alarms by it)
   */
  readonly namePrefix?: string;
}

/** What an alarm made by the factory is named and whether it notifies. */
export interface AlarmNaming {
  /**
   * The parts after the prefix, usually metric and level (`['AuroraGlobalDBRPOLag',
   * 'critical']`), joined with hyphens: `<prefix>-<metric>-<level>`.
   *
   * @default - CloudFormation generates the name (`<stack>-<logical id>-<suffix>`); only for
   *   alarms first deployed that way, since naming one replaces it
   */
  readonly name?: readonly string[];
  /**
   * Whether the alarm notifies the topic (a part of a composite alarm does not: the
   * composite notifies once for the outage).
   *
   * @default true
   */
  readonly notify?: boolean;
}

/** An alarm's props as the factory takes them: the name and actions are the factory's. */
export type FactoryAlarmProps = Omit<cloudwatch.AlarmProps, 'alarmName'> & AlarmNaming;

/** A composite alarm's props as the factory takes them. */
export type FactoryCompositeAlarmProps = Omit<
  cloudwatch.CompositeAlarmProps,
  'compositeAlarmName'
> &
  AlarmNaming;

/**
 * Creates alarms with one naming strategy (`<prefix>-<metric>-<level>`) and one action
 * strategy (the region's topic on ALARM and on OK), in the style of
 * cdk-monitoring-constructs. Each alarm is a child of the scope with the id given, so an
 * alarm's logical id does not depend on the factory.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 */
export class AlarmFactory {
  private readonly action: actions.SnsAction;
  private readonly namePrefix: string;

  constructor(
    private readonly scope: Construct,
    props: AlarmFactoryProps,
  ) {
    this.action = new actions.SnsAction(props.alarmTopic);
    this.namePrefix = props.namePrefix ?? Stack.of(scope).stackName;
  }

  /** The name the factory gives an alarm named by `parts`. */
  alarmName(parts: readonly string[]): string {
    return [this.namePrefix, ...parts].join('-');
  }

  /** A metric alarm, named and notifying per the strategies. */
  addAlarm(id: string, { name, notify, ...props }: FactoryAlarmProps): cloudwatch.Alarm {
    const alarmName = name && this.alarmName(name);
    return this.notifying(new cloudwatch.Alarm(this.scope, id, { ...props, alarmName }), notify);
  }

  /** A composite alarm, named and notifying per the strategies. */
  addCompositeAlarm(
    id: string,
    { name, notify, ...props }: FactoryCompositeAlarmProps,
  ): cloudwatch.CompositeAlarm {
    const compositeAlarmName = name && this.alarmName(name);
    const alarm = new cloudwatch.CompositeAlarm(this.scope, id, { ...props, compositeAlarmName });
    return this.notifying(alarm, notify);
  }

  private notifying<T extends cloudwatch.Alarm | cloudwatch.CompositeAlarm>(
    alarm: T,
    notify = true,
  ): T {
    if (notify) {
      alarm.addAlarmAction(this.action);
      alarm.addOkAction(this.action);
    }
    return alarm;
  }
}
