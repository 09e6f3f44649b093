/**
 * Config events as CloudWatch metrics, without code: the events land in one log group (the Steward
 * bus's own events, and AppConfig's rollback notices from the default bus), and one metric filter per
 * event kind counts them with bounded dimensions. The dashboard reads these metrics; see the README's
 * "Config-change dashboard" for why filters rather than a function.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DetailType } from '../../functions/core/events.ts';
import { EVENT_SOURCE } from '../../functions/core/events.ts';
import {
  KILL_SWITCH_FLIPPED_DETAIL_TYPE,
  METRICS_NAMESPACE,
  OVERRIDE_APPLIED_DETAIL_TYPE,
} from '../../functions/core/names.ts';
import type { Settings } from '../settings.ts';

/**
 * Which dimensions a config-event metric carries, each read from the event:
 * - `service`: `Environment` and `Service` (`detail.environment`, `detail.service`);
 * - `environment`: `Environment` only (the event names no service);
 * - `secret`: `Secret` (`detail.secretName`, which is `<root>/<environment>/<service>/<secret>`).
 * Every value comes from a declared name (validate-change sets `service` only for declared services;
 * secrets are declared in `config/`), so the number of metrics is bounded by `config/` and the settings.
 */
export type EventMetricScope = 'service' | 'environment' | 'secret';

export interface ConfigEventMetric {
  /** The `detail-type` counted, on the Steward bus. */
  readonly detailType:
    DetailType | typeof OVERRIDE_APPLIED_DETAIL_TYPE | typeof KILL_SWITCH_FLIPPED_DETAIL_TYPE;
  readonly metricName: string;
  /** How the dashboard labels the line. */
  readonly label: string;
  readonly scope: EventMetricScope;
}

/** The Steward events the dashboard overlays, one metric each. */
export const CONFIG_EVENT_METRICS = [
  {
    detailType: 'Config Change Accepted',
    metricName: 'ConfigChangesAccepted',
    label: 'changes accepted',
    scope: 'service',
  },
  {
    detailType: 'Config Change Rejected',
    metricName: 'ConfigChangesRejected',
    label: 'changes rejected',
    scope: 'service',
  },
  {
    detailType: 'Config Deployment Started',
    metricName: 'ConfigDeploymentsStarted',
    label: 'deployments started',
    scope: 'service',
  },
  {
    detailType: OVERRIDE_APPLIED_DETAIL_TYPE,
    metricName: 'ConfigOverridesApplied',
    label: 'overrides applied',
    scope: 'service',
  },
  {
    detailType: KILL_SWITCH_FLIPPED_DETAIL_TYPE,
    metricName: 'KillSwitchesFlipped',
    label: 'kill switches flipped',
    scope: 'service',
  },
  {
    detailType: 'Config Change Restored',
    metricName: 'ConfigChangesRestored',
    label: 'bad edits restored',
    scope: 'environment',
  },
  { detailType: 'Secret Rotated', metricName: 'SecretsRotated', label: 'rotated', scope: 'secret' },
  {
    detailType: 'Secret Rotation Failed',
    metricName: 'SecretRotationsFailed',
    label: 'rotation failed',
    scope: 'secret',
  },
] as const satisfies readonly ConfigEventMetric[];

export type ConfigEventMetricName = (typeof CONFIG_EVENT_METRICS)[number]['metricName'];

/**
 * AppConfig deployments rolled back, from the AWS-authored "deployment events to Amazon EventBridge"
 * extension (source `aws.appconfig`), by AppConfig environment and application name.
 *
 * The fields read are those of AWS's sample event of that extension: `detail.Application.Name`,
 * `detail.Environment.Name`, and the association's ARN in `resources`
 * (https://docs.aws.amazon.com/appconfig/latest/userguide/working-with-appconfig-extensions-about-predefined-notification-eventbridge.html).
 * EventBridge's event reference names the rollback notice `On Deployment Rollback`
 * (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-appconfig.html); the prefix below
 * matches it and the extension's action point wording (`ON_DEPLOYMENT_ROLLED_BACK`) alike.
 */
export const ROLLBACK_METRIC = 'ConfigDeploymentsRolledBack';
/** The AWS-authored AppConfig extension that puts deployment start, complete and rollback events on the default bus. */
export const APPCONFIG_EVENTBRIDGE_EXTENSION = 'AWS.AppConfig.DeploymentNotificationsToEventBridge';
/** AppConfig's rollback notices start so; EventBridge prefix matching spares us the exact wording. */
const ROLLBACK_DETAIL_TYPE_PREFIX = 'On Deployment Roll';

/** One statistic and period for every event count, so lines of one graph add up the same way. */
const EVENT_PERIOD = Duration.minutes(5);

/** The metric of one config event kind, for one environment and service (or one secret). */
export function configEventMetric(
  metricName: ConfigEventMetricName | typeof ROLLBACK_METRIC,
  dimensionsMap: Readonly<Record<string, string>>,
  label: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { ...dimensionsMap },
    statistic: cloudwatch.Stats.SUM,
    period: EVENT_PERIOD,
    label,
  });
}

const DIMENSIONS: Record<EventMetricScope, Record<string, string>> = {
  service: { Environment: '$.detail.environment', Service: '$.detail.service' },
  environment: { Environment: '$.detail.environment' },
  secret: { Secret: '$.detail.secretName' },
};

export interface ConfigEventLogProps {
  readonly settings: Settings;
  /** The Steward bus: every `config.steward` event on it is logged and counted. */
  readonly bus: events.IEventBus;
  /**
   * The AppConfig applications whose deployments are watched for rollbacks: the AWS-authored
   * EventBridge extension is associated with each, by ARN.
   */
  readonly applicationArns: readonly string[];
}

/**
 * @example
 * const log = new ConfigEventLog(this, 'ConfigEvents', { settings, bus, applicationArns: Object.values(delivery.applicationArns) });
 * log.logGroup.logGroupName; // the Logs Insights source of the dashboard's event list
 */
export class ConfigEventLog extends Construct {
  /** Every config event, as EventBridge delivered it (whole envelope, as JSON). */
  public readonly logGroup: logs.LogGroup;
  public readonly stewardEventsRule: events.Rule;
  /** AppConfig's rollback notices from this stack's own extension associations; none without applications. */
  public readonly rollbacksRule?: events.Rule;
  /** One association of the EventBridge extension per application, each notice naming its association. */
  public readonly rollbackNotices: appconfig.CfnExtensionAssociation[];
  /** Events EventBridge could not write to the log after a day of retries: they are missing from the counts. */
  public readonly deadLetterQueue: sqs.Queue;
  /** By metric name. */
  public readonly filters: Record<string, logs.MetricFilter> = {};

  constructor(scope: Construct, id: string, props: ConfigEventLogProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // EventBridge writes only to log groups under /aws/events/.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/events/${stack.stackName}/config-events`,
      retention: props.settings.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself the dead-letter queue of the config-change log targets.',
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'This queue is itself a dead-letter queue; its messages are events the dashboard did not count.',
      },
    );
    const target = logGroupTarget(this.logGroup, this.deadLetterQueue);

    this.stewardEventsRule = new events.Rule(this, 'StewardEvents', {
      description: 'Config Steward events to the config-change log, which the dashboard counts',
      eventBus: props.bus,
      eventPattern: { source: [EVENT_SOURCE] },
      targets: [target],
    });
    this.rollbackNotices = props.applicationArns.map(
      (applicationArn, index) =>
        new appconfig.CfnExtensionAssociation(this, `RollbackNotices${index}`, {
          extensionIdentifier: APPCONFIG_EVENTBRIDGE_EXTENSION,
          resourceIdentifier: applicationArn,
        }),
    );
    if (this.rollbackNotices.length > 0) {
      this.rollbacksRule = new events.Rule(this, 'Rollbacks', {
        description: 'AppConfig deployment rollbacks to the config-change log, which the dashboard counts',
        eventPattern: {
          source: ['aws.appconfig'],
          detailType: events.Match.prefix(ROLLBACK_DETAIL_TYPE_PREFIX),
          // Only the notices of this stack's associations: AppConfig sends one per association that
          // covers the deployment, so another association on the same application or environment (or
          // another team's application in the account) would otherwise count a rollback twice or add
          // names the dashboard does not bound.
          resources: this.rollbackNotices.map((association) => association.attrArn),
        },
        targets: [target],
      });
    }
    const rules = [this.stewardEventsRule, ...(this.rollbacksRule ? [this.rollbacksRule] : [])];
    this.allowWritesFrom(rules);
    this.deadLetterQueue.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetterQueue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rules.map((rule) => rule.ruleArn) } },
      }),
    );

    for (const metric of CONFIG_EVENT_METRICS) {
      const pattern = logs.FilterPattern.all(
        logs.FilterPattern.stringValue('$.source', '=', EVENT_SOURCE),
        logs.FilterPattern.stringValue('$.detail-type', '=', metric.detailType),
        // A dimension's field must be in the pattern: an event without it is not counted.
        ...Object.values(DIMENSIONS[metric.scope]).map((field) => logs.FilterPattern.exists(field)),
      );
      this.addFilter(metric.metricName, pattern, DIMENSIONS[metric.scope]);
    }
    this.addFilter(
      ROLLBACK_METRIC,
      logs.FilterPattern.all(
        logs.FilterPattern.stringValue('$.source', '=', 'aws.appconfig'),
        logs.FilterPattern.exists('$.detail.Environment.Name'),
        logs.FilterPattern.exists('$.detail.Application.Name'),
      ),
      { Environment: '$.detail.Environment.Name', Application: '$.detail.Application.Name' },
    );
  }

  private addFilter(
    metricName: string,
    filterPattern: logs.IFilterPattern,
    dimensions: Record<string, string>,
  ) {
    this.filters[metricName] = new logs.MetricFilter(this, metricName, {
      logGroup: this.logGroup,
      filterPattern,
      metricNamespace: METRICS_NAMESPACE,
      metricName,
      metricValue: '1',
      unit: cloudwatch.Unit.COUNT,
      dimensions,
    });
  }

  /**
   * EventBridge writes to a log group under the group's resource policy. Written as a plain
   * AWS::Logs::ResourcePolicy instead of aws-events-targets' CloudWatchLogGroup, which installs a
   * custom-resource Lambda to write the same policy.
   *
   * The principals and actions are the ones EventBridge documents for a log group target
   * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-cloudwatchlogs-permissions,
   * which shows no condition). The writes are limited to these rules with `aws:SourceArn`, on
   * `logs:PutLogEvents` only: EventBridge's request to create the stream carries no rule ARN, so a
   * condition on it refuses every stream and nothing is ever written. AWS's own sample has exactly this
   * split (aws-samples/serverless-patterns, eventbridge-cloudwatch/template.yaml, fixed in its PR #618:
   * "The conditional ARN for the Rule only applies to logs:PutLogEvents"). Creating a stream writes no
   * event; only these rules can put events in it.
   */
  private allowWritesFrom(rules: readonly events.Rule[]): void {
    const principals = [
      new iam.ServicePrincipal('events.amazonaws.com'),
      new iam.ServicePrincipal('delivery.logs.amazonaws.com'),
    ];
    const policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'EventBridgeCreatesStreams',
          principals,
          actions: ['logs:CreateLogStream'],
          resources: [this.logGroup.logGroupArn],
        }),
        new iam.PolicyStatement({
          sid: 'OnlyTheseRulesWriteEvents',
          principals,
          actions: ['logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
          conditions: { ArnEquals: { 'aws:SourceArn': rules.map((rule) => rule.ruleArn) } },
        }),
      ],
    });
    // It names the rules, so it is created after them; EventBridge retries a delivery refused meanwhile.
    new logs.CfnResourcePolicy(this, 'WritesFromRules', {
      policyName: `${Stack.of(this).stackName}-config-events`,
      policyDocument: Stack.of(this).toJsonString(policy.toJSON()),
    });
  }
}

/**
 * A rule target that writes the whole event to the log group (EventBridge's default for log targets),
 * retried for a day (a write refused before the log's resource policy exists is retried, not lost).
 */
function logGroupTarget(logGroup: logs.ILogGroup, deadLetterQueue: sqs.IQueue): events.IRuleTarget {
  return {
    bind: () => ({
      deadLetterConfig: { arn: deadLetterQueue.queueArn },
      retryPolicy: { maximumEventAgeInSeconds: Duration.days(1).toSeconds(), maximumRetryAttempts: 185 },
      arn: Stack.of(logGroup).formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: logGroup.logGroupName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    }),
  };
}
