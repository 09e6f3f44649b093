/**
 * One CloudWatch dashboard per environment that puts config events (changes accepted and rejected,
 * deployments started and rolled back, overrides, kill switches, restores, rotations, drift) on the
 * same time axis as what would show their harm: each service's consumer Lambdas' errors and throttles,
 * and the alarms that roll the environment's AppConfig deployments back. On-call reads it as "did a
 * change line up with the spike?". The events become metrics in {@link ConfigEventLog}.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../functions/core/names.ts';
import type { Settings } from '../settings.ts';
import {
  CONFIG_EVENT_METRICS,
  ConfigEventLog,
  configEventMetric,
  ROLLBACK_METRIC,
} from './config-change-dashboard-metrics.ts';

/** A service as the dashboard shows it. */
export interface DashboardService {
  readonly name: string;
  /** Its AppConfig application's name: the dimension of AppConfig's rollback notices. */
  readonly applicationName: string;
  readonly applicationArn: string;
}

/** An alarm an environment's AppConfig deployments monitor (settings' `rollbackAlarms`). */
export interface RollbackAlarm {
  readonly name: string;
  readonly arn: string;
}

/** A Lambda function that reads one service's configuration in one environment. */
export interface DashboardConsumer {
  readonly fn: lambda.IFunction;
  readonly service: string;
  readonly environment: string;
}

export interface ConfigChangeDashboardProps {
  readonly settings: Settings;
  readonly bus: events.IEventBus;
  readonly services: readonly DashboardService[];
  /** By environment: the alarms its AppConfig deployments monitor. @default none */
  readonly rollbackAlarms?: Readonly<Record<string, readonly RollbackAlarm[]>>;
  /** The consumers the stack knows; their errors and throttles go beside their service's events. @default none */
  readonly consumers?: readonly DashboardConsumer[];
  /** The declared secrets (`<root>/<environment>/<service>/<secret>`), by environment. @default none */
  readonly secrets?: readonly { readonly name: string; readonly environment: string }[];
  /** Powertools' `service` of the drift job, whose `Findings` metric (by `Kind`) the dashboard reuses. @default no drift widget */
  readonly driftMetricsService?: string;
}

/** Events are counted in 5-minute sums; a wider window keeps a night's drift run and a day's changes in view. */
const DEFAULT_INTERVAL = Duration.hours(3);
const FULL_WIDTH = 24;
const GRAPH_HEIGHT = 6;
const EVENT_LIST_LIMIT = 100;

/**
 * @example
 * const dashboards = new ConfigChangeDashboard(this, 'ConfigChangeDashboard', {
 *   settings, bus, services: [{ name: 'orders', applicationName: 'orders', applicationArn }],
 *   rollbackAlarms: { production: [{ name: 'orders-api-5xx', arn: alarmArn }] }, consumers: [{ fn: ordersApi.fn, service: 'orders', environment: 'production' }],
 * });
 * dashboards.dashboards.production.dashboardName;
 */
export class ConfigChangeDashboard extends Construct {
  public readonly eventLog: ConfigEventLog;
  /** By environment name. */
  public readonly dashboards: Record<string, cloudwatch.Dashboard> = {};

  constructor(scope: Construct, id: string, props: ConfigChangeDashboardProps) {
    super(scope, id);
    const { settings, services } = props;
    this.eventLog = new ConfigEventLog(this, 'Events', {
      settings,
      bus: props.bus,
      applicationArns: services.map((service) => service.applicationArn),
    });
    for (const { name: environment } of settings.environments) {
      this.dashboards[environment] = new cloudwatch.Dashboard(this, `Dashboard-${environment}`, {
        dashboardName: dashboardName(Stack.of(this).stackName, environment),
        defaultInterval: DEFAULT_INTERVAL,
        widgets: this.rows(environment, props),
      });
    }
  }

  private rows(environment: string, props: ConfigChangeDashboardProps): cloudwatch.IWidget[][] {
    const consumers = (props.consumers ?? []).filter((c) => c.environment === environment);
    return [
      [header(environment)],
      ...props.services.map((service) => [
        serviceGraph(
          environment,
          service,
          consumers.filter((c) => c.service === service.name),
        ),
      ]),
      this.rollbackAlarmRow(environment, props.rollbackAlarms?.[environment] ?? []),
      [
        environmentEventsGraph(
          environment,
          (props.secrets ?? []).filter((s) => s.environment === environment).map((s) => s.name),
        ),
        driftGraph(props.driftMetricsService),
      ],
      [eventList(environment, this.eventLog.logGroup.logGroupName)],
    ];
  }

  /** The alarms that roll this environment's deployments back, each drawn with its metric and threshold. */
  private rollbackAlarmRow(environment: string, alarms: readonly RollbackAlarm[]): cloudwatch.IWidget[] {
    if (alarms.length === 0) {
      return [
        new cloudwatch.TextWidget({
          width: FULL_WIDTH,
          height: 2,
          markdown:
            `No rollback alarms in ${environment}: set \`environments[].rollbackAlarms\` in config/settings.json ` +
            'so AppConfig rolls a bad deployment back, and they appear here.',
        }),
      ];
    }
    const width = Math.max(6, Math.floor(FULL_WIDTH / alarms.length));
    return alarms.map(
      ({ name, arn }, index) =>
        new cloudwatch.AlarmWidget({
          title: `Rollback alarm ${name}`,
          alarm: cloudwatch.Alarm.fromAlarmArn(this, `RollbackAlarm-${environment}-${index}`, arn),
          width,
          height: GRAPH_HEIGHT,
        }),
    );
  }
}

/** `<stack>-config-<environment>`, in the characters CloudWatch allows in a dashboard name. */
export function dashboardName(stackName: string, environment: string): string {
  return `${stackName}-config-${environment}`.replace(/[^A-Za-z0-9_-]/g, '-');
}

function header(environment: string): cloudwatch.TextWidget {
  return new cloudwatch.TextWidget({
    width: FULL_WIDTH,
    height: 3,
    markdown: [
      `# Config changes in ${environment}`,
      'Each service row puts its config events (left axis, count per 5 minutes) on the same time axis as its ' +
        'consumer Lambdas\u2019 errors and throttles (right axis). A spike that starts just after a change or ' +
        'deployment, or a rollback alarm that fires during one, points at the change: see the event list at the ' +
        'bottom for who changed what, and the README\u2019s "Config-change dashboard".',
    ].join('\n\n'),
  });
}

/** One service: its config events beside its consumers' errors and throttles. */
function serviceGraph(
  environment: string,
  service: DashboardService,
  consumers: readonly DashboardConsumer[],
): cloudwatch.GraphWidget {
  const events = CONFIG_EVENT_METRICS.filter((m) => m.scope === 'service').map((m) =>
    configEventMetric(m.metricName, { Environment: environment, Service: service.name }, m.label),
  );
  const rolledBack = configEventMetric(
    ROLLBACK_METRIC,
    { Environment: environment, Application: service.applicationName },
    'deployments rolled back',
  );
  // A dynamic label: the function's deployed name, which the stack only knows as a token.
  const harmOptions = (what: string): cloudwatch.MetricOptions => ({
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(1),
    label: `\${PROP('Dim.FunctionName')} ${what}`,
  });
  const harm = consumers.flatMap(({ fn }) => [
    fn.metricErrors(harmOptions('errors')),
    fn.metricThrottles(harmOptions('throttles')),
  ]);
  return new cloudwatch.GraphWidget({
    title:
      consumers.length > 0
        ? `${service.name}: config events (left) and consumer errors (right)`
        : `${service.name}: config events (no consumer Lambda known to the stack; see the rollback alarms)`,
    width: FULL_WIDTH,
    height: GRAPH_HEIGHT,
    left: [...events, rolledBack],
    right: harm,
    leftYAxis: { label: 'config events', min: 0, showUnits: false },
    rightYAxis: { label: 'errors, throttles', min: 0, showUnits: false },
    stacked: false,
  });
}

/** Events of the whole environment: restores (which name no service) and secret rotations. */
function environmentEventsGraph(environment: string, secretNames: readonly string[]): cloudwatch.GraphWidget {
  const restored = CONFIG_EVENT_METRICS.filter((m) => m.scope === 'environment').map((m) =>
    configEventMetric(m.metricName, { Environment: environment }, m.label),
  );
  const rotations = secretNames.flatMap((secret) =>
    CONFIG_EVENT_METRICS.filter((m) => m.scope === 'secret').map((m) =>
      configEventMetric(m.metricName, { Secret: secret }, `${secret} ${m.label}`),
    ),
  );
  return new cloudwatch.GraphWidget({
    title: `${environment}: bad edits restored, secret rotations`,
    width: FULL_WIDTH / 2,
    height: GRAPH_HEIGHT,
    left: [...restored, ...rotations],
    leftYAxis: { min: 0, showUnits: false },
  });
}

/** The drift job's own `Findings` metric, one line per kind: it covers every environment in one nightly run. */
function driftGraph(driftMetricsService: string | undefined): cloudwatch.IWidget {
  if (driftMetricsService === undefined) {
    return new cloudwatch.TextWidget({
      width: FULL_WIDTH / 2,
      height: GRAPH_HEIGHT,
      markdown: 'No drift job.',
    });
  }
  return new cloudwatch.GraphWidget({
    title: 'Drift findings by kind (nightly, all environments)',
    width: FULL_WIDTH / 2,
    height: GRAPH_HEIGHT,
    left: [
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},Kind,service} MetricName="Findings" service="${driftMetricsService}"', 'Sum', 3600)`,
        label: '',
        period: Duration.hours(1),
      }),
    ],
    leftYAxis: { min: 0, showUnits: false },
  });
}

/** The environment's config events, newest first: who changed what, at the times the graphs show. */
function eventList(environment: string, logGroupName: string): cloudwatch.LogQueryWidget {
  return new cloudwatch.LogQueryWidget({
    title: `Config events in ${environment}, newest first`,
    width: FULL_WIDTH,
    height: 8,
    logGroupNames: [logGroupName],
    queryLines: [
      'fields @timestamp, `detail-type` as event, detail.service as service, detail.key as key, ' +
        'detail.actor as actor, detail.secretName as secret, detail.Application.Name as application',
      // Drift runs cover every environment; secrets carry the environment inside their name.
      `filter detail.environment = "${environment}" or detail.Environment.Name = "${environment}" ` +
        `or detail.secretName like "/${environment}/" or \`detail-type\` = "Config Drift Detected"`,
      'sort @timestamp desc',
      `limit ${EVENT_LIST_LIMIT}`,
    ],
  });
}
