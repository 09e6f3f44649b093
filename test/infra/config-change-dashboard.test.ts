import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as events from 'aws-cdk-lib/aws-events';
import { describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { type DetailType, eventSchemas } from '../../functions/core/events.ts';
import { ConfigChangeDashboard, dashboardName } from '../../lib/constructs/config-change-dashboard.ts';
import {
  CONFIG_EVENT_METRICS,
  ROLLBACK_METRIC,
} from '../../lib/constructs/config-change-dashboard-metrics.ts';
import { formatNagFindings, nagFindings } from '../../lib/nag.ts';
import { loadSettings } from '../../lib/settings.ts';
import { ConfigStewardStack } from '../../lib/steward-stack.ts';
import {
  type DashboardBody,
  type DashboardWidget,
  renderDashboardBody,
  renderTokens,
} from '../support/dashboard-body.ts';
import { exampleSecretNames, exampleServices } from '../support/example-organisation.ts';
import { jsonPath, matchesEventPattern, matchesMetricFilter } from '../support/event-routing.ts';

const settings = loadSettings('config/settings.json');
const environments = settings.environments.map((e) => e.name);
const unbundledApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

// One synth of the whole stack for the wiring tests: it takes seconds on a loaded machine.
const stack = new ConfigStewardStack(unbundledApp(), 'ConfigSteward', { settings, organisation });
const template = Template.fromStack(stack);

/** The rendered body of one environment's dashboard. */
function dashboardOf(environment: string): DashboardBody {
  const [resource] = Object.values(
    template.findResources('AWS::CloudWatch::Dashboard', {
      Properties: { DashboardName: dashboardName('ConfigSteward', environment) },
    }),
  );
  expect(resource, `a dashboard for ${environment}`).toBeDefined();
  return renderDashboardBody(resource?.Properties.DashboardBody);
}

/** A metric line of a graph as `[namespace, name, {dimensions}]`, from CloudWatch's array form. */
function metricLines(
  widget: DashboardWidget,
): { namespace: string; name: string; dimensions: Record<string, string> }[] {
  return (widget.properties.metrics ?? [])
    .filter((line) => typeof line[0] === 'string' && line[0] !== '...')
    .map((line) => {
      const fields = line.filter((part) => typeof part === 'string') as string[];
      const [namespace, name, ...pairs] = fields;
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < pairs.length; i += 2) dimensions[pairs[i] as string] = pairs[i + 1] as string;
      return { namespace: namespace as string, name: name as string, dimensions };
    });
}

/** A template value with every intrinsic in it rendered as IAM or EventBridge would read it. */
function renderIntrinsics(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(renderIntrinsics);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && /^(Ref|Fn::)/.test(keys[0] as string)) return renderTokens(value);
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, renderIntrinsics(inner)]));
}

const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

const serviceRow = (body: DashboardBody, service: string) =>
  body.widgets.find((w) => w.type === 'metric' && w.properties.title?.startsWith(`${service}:`));

describe('Construct: ConfigChangeDashboard', () => {
  it('deploys one dashboard per environment, named after the stack and the environment', () => {
    // Assess
    template.resourceCountIs('AWS::CloudWatch::Dashboard', environments.length);
    for (const environment of environments) {
      template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
        DashboardName: `ConfigSteward-config-${environment}`,
      });
      expect(dashboardOf(environment).start).toBe('-PT3H');
    }
  });

  it("puts each service's config events, for its environment only, on one graph per service", () => {
    for (const environment of environments) {
      // Act
      const body = dashboardOf(environment);

      // Assess
      for (const service of exampleServices()) {
        const row = serviceRow(body, service);
        expect(row, `${environment}/${service} row`).toBeDefined();
        const left = metricLines(row as DashboardWidget).filter((m) => m.namespace === 'ConfigSteward');
        expect(left.map((m) => m.name).sort()).toEqual(
          [
            ...CONFIG_EVENT_METRICS.filter((m) => m.scope === 'service').map((m) => m.metricName),
            ROLLBACK_METRIC,
          ].sort(),
        );
        for (const metric of left) {
          const expected =
            metric.name === ROLLBACK_METRIC
              ? { Environment: environment, Application: service }
              : { Environment: environment, Service: service };
          expect(metric.dimensions, `${metric.name} in ${environment}/${service}`).toEqual(expected);
        }
      }
    }
  });

  it("overlays the consumers' Lambda errors and throttles on the right axis of their own service and environment", () => {
    for (const environment of environments) {
      // Prepare
      const ordersApi = stack.node.findChild(`OrdersApi-${environment}`) as unknown as {
        fn: { node: { defaultChild?: unknown } };
      };

      // Act
      const body = dashboardOf(environment);

      // Assess: the orders row names this environment's orders-api function, on the right axis.
      const orders = serviceRow(body, 'orders') as DashboardWidget;
      const lambdaLines = (orders.properties.metrics ?? []).filter((line) => line[0] === 'AWS/Lambda');
      expect(lambdaLines.map((line) => [line[1], line[3]])).toEqual([
        ['Errors', `<${logicalId(ordersApi.fn)}>`],
        ['Throttles', `<${logicalId(ordersApi.fn)}>`],
      ]);
      expect(lambdaLines.map((line) => line.at(-1))).toEqual([
        expect.objectContaining({ yAxis: 'right', stat: 'Sum', label: "${PROP('Dim.FunctionName')} errors" }),
        expect.objectContaining({
          yAxis: 'right',
          stat: 'Sum',
          label: "${PROP('Dim.FunctionName')} throttles",
        }),
      ]);
      // A service without a known consumer says so rather than showing an empty axis as "no errors".
      const payments = serviceRow(body, 'payments') as DashboardWidget;
      expect(metricLines(payments).some((m) => m.namespace === 'AWS/Lambda')).toBe(false);
      expect(payments.properties.title).toContain('no consumer Lambda known to the stack');
    }
  });

  it('draws each rollback alarm of the environment with its metric and threshold, and says when there is none', () => {
    // Act
    const production = dashboardOf('production');
    const staging = dashboardOf('staging');

    // Assess
    const alarms = production.widgets
      .filter((w) => w.type === 'metric' && w.properties.annotations?.alarms)
      .flatMap((w) => w.properties.annotations?.alarms ?? []);
    expect(alarms).toEqual(
      ['orders-api-5xx', 'payments-api-5xx'].map(
        (name) => `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}`,
      ),
    );
    expect(staging.widgets.some((w) => w.properties.annotations?.alarms)).toBe(false);
    expect(
      staging.widgets.some((w) => w.properties.markdown?.startsWith('No rollback alarms in staging')),
    ).toBe(true);
  });

  it("counts restores per environment and rotations of that environment's secrets only", () => {
    for (const environment of environments) {
      // Act
      const body = dashboardOf(environment);

      // Assess
      const graph = body.widgets.find((w) =>
        w.properties.title?.startsWith(`${environment}: bad edits restored`),
      );
      const lines = metricLines(graph as DashboardWidget);
      expect(lines.filter((m) => m.name === 'ConfigChangesRestored').map((m) => m.dimensions)).toEqual([
        { Environment: environment },
      ]);
      const secrets = exampleSecretNames(settings).filter((name) => name.split('/')[1] === environment);
      expect(secrets.length).toBeGreaterThan(0);
      for (const metricName of ['SecretsRotated', 'SecretRotationsFailed']) {
        expect(lines.filter((m) => m.name === metricName).map((m) => m.dimensions.Secret)).toEqual(secrets);
      }
    }
  });

  it("reuses the drift job's own Findings metric by kind rather than counting drift events again", () => {
    // Act
    const body = dashboardOf('production');

    // Assess
    const drift = body.widgets.find((w) => w.properties.title?.startsWith('Drift findings'));
    const [[expression]] = (drift?.properties.metrics ?? []) as [[{ expression: string }]];
    expect(expression.expression).toBe(
      `SEARCH('{ConfigSteward,Kind,service} MetricName="Findings" service="${stack.nightly.drift.serviceName}"', 'Sum', 3600)`,
    );
    expect(stack.nightly.drift.serviceName).toBe('config-steward-drift-job');
  });

  it("lists the environment's config events, newest first, from the event log", () => {
    for (const environment of environments) {
      // Act
      const list = dashboardOf(environment).widgets.find((w) => w.type === 'log');

      // Assess
      const logGroup = logicalId(stack.dashboard.eventLog.logGroup);
      expect(list?.properties.query).toContain(`SOURCE '<${logGroup}>'`);
      expect(list?.properties.query).toContain(`filter detail.environment = "${environment}"`);
      expect(list?.properties.query).toContain('sort @timestamp desc');
    }
  });

  it('reads only metrics that a metric filter of the event log produces, the drift job emits or Lambda reports', () => {
    // Prepare: the (name, dimension keys) of every filter.
    const produced = new Set(
      Object.values(template.findResources('AWS::Logs::MetricFilter')).map((filter) => {
        const [transformation] = filter.Properties.MetricTransformations;
        expect(transformation.MetricNamespace).toBe('ConfigSteward');
        const keys = transformation.Dimensions.map((d: { Key: string }) => d.Key).sort();
        return `${transformation.MetricName}:${keys.join(',')}`;
      }),
    );

    for (const environment of environments) {
      // Act
      const lines = dashboardOf(environment).widgets.flatMap((w) =>
        w.type === 'metric' ? metricLines(w) : [],
      );

      // Assess
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        if (line.namespace === 'AWS/Lambda') continue;
        expect(line.namespace).toBe('ConfigSteward');
        expect(produced, `${line.name} in ${environment}`).toContain(
          `${line.name}:${Object.keys(line.dimensions).sort().join(',')}`,
        );
      }
    }
  });
});

describe('Construct: ConfigEventLog', () => {
  const logGroup = logicalId(stack.dashboard.eventLog.logGroup);

  it('sends every Steward event, and AppConfig rollback notices from the default bus, to one log group', () => {
    // Assess
    const target = Match.arrayWith([
      Match.objectLike({
        Arn: { 'Fn::Join': ['', Match.arrayWith([':log-group:', { Ref: logGroup }])] },
        DeadLetterConfig: {
          Arn: { 'Fn::GetAtt': [logicalId(stack.dashboard.eventLog.deadLetterQueue), 'Arn'] },
        },
        RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
      }),
    ]);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalId(stack.events.bus) },
      EventPattern: { source: ['config.steward'] },
      Targets: target,
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.absent(),
      EventPattern: {
        source: ['aws.appconfig'],
        'detail-type': [{ prefix: 'On Deployment Roll' }],
        resources: stack.dashboard.eventLog.rollbackNotices.map((association) => ({
          'Fn::GetAtt': [stack.getLogicalId(association), 'Arn'],
        })),
      },
      Targets: target,
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/events/ConfigSteward/config-events',
      RetentionInDays: settings.logRetentionDays,
    });
  });

  it('lets EventBridge create streams in the log group, and only these two rules put events in it', () => {
    // Act
    const [policy] = Object.values(template.findResources('AWS::Logs::ResourcePolicy'));
    const document = JSON.parse(renderTokens(policy?.Properties.PolicyDocument));

    // Assess: rendered through the same token renderer, the document reads as IAM would. The rule ARN
    // condition is on PutLogEvents alone: EventBridge's CreateLogStream carries no rule ARN, so the
    // condition on it (the earlier form) refused every stream.
    const principal = { Service: ['events.amazonaws.com', 'delivery.logs.amazonaws.com'] };
    expect(document.Statement).toEqual([
      {
        Sid: 'EventBridgeCreatesStreams',
        Effect: 'Allow',
        Principal: principal,
        Action: 'logs:CreateLogStream',
        Resource: `<${logGroup}.Arn>`,
      },
      {
        Sid: 'OnlyTheseRulesWriteEvents',
        Effect: 'Allow',
        Principal: principal,
        Action: 'logs:PutLogEvents',
        Resource: `<${logGroup}.Arn>`,
        Condition: {
          ArnEquals: {
            'aws:SourceArn': [
              `<${logicalId(stack.dashboard.eventLog.stewardEventsRule)}.Arn>`,
              `<${stack.getLogicalId(stack.dashboard.eventLog.rollbacksRule?.node.defaultChild as never)}.Arn>`,
            ],
          },
        },
      },
    ]);
  });

  it('keeps its log resource policy under the 5,120 characters CloudWatch Logs allows, at the longest names', () => {
    // Prepare: every ARN at the longest AWS allows for its parts (partition aws-us-gov, a 14-character
    // region, a 256-character bus name, 64-character rule names, a 512-character log group name).
    const region = 'ap-southeast-7';
    const rule = `arn:aws-us-gov:events:${region}:123456789012:rule/${'b'.repeat(256)}/${'r'.repeat(64)}`;
    const logGroupArn = `arn:aws-us-gov:logs:${region}:123456789012:log-group:${'g'.repeat(512)}:*`;
    const [policy] = Object.values(template.findResources('AWS::Logs::ResourcePolicy'));

    // Act
    const longest = renderTokens(policy?.Properties.PolicyDocument).replace(
      /<([^>]+)\.Arn>/g,
      (_, id: string) => (id === logGroup ? logGroupArn : rule),
    );

    // Assess: the limit per policy (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html).
    expect(longest).toContain(rule);
    expect(longest).toContain(logGroupArn);
    expect(longest.length).toBeLessThan(5120);
  });

  it('associates the AWS-authored EventBridge extension with every service application, for rollback notices', () => {
    // Assess
    template.resourceCountIs('AWS::AppConfig::ExtensionAssociation', exampleServices().length);
    for (const service of exampleServices()) {
      template.hasResourceProperties('AWS::AppConfig::ExtensionAssociation', {
        ExtensionIdentifier: 'AWS.AppConfig.DeploymentNotificationsToEventBridge',
        ResourceIdentifier: {
          'Fn::Join': [
            '',
            Match.arrayWith([
              {
                'Fn::GetAtt': [
                  stack.getLogicalId(stack.delivery.applications[service] as appconfig.CfnApplication),
                  'ApplicationId',
                ],
              },
            ]),
          ],
        },
      });
    }
  });

  it('counts each event kind with a filter that requires the fields its dimensions read', () => {
    for (const metric of CONFIG_EVENT_METRICS) {
      // Act
      const filters = template.findResources('AWS::Logs::MetricFilter', {
        Properties: { MetricTransformations: [Match.objectLike({ MetricName: metric.metricName })] },
      });

      // Assess
      expect(Object.keys(filters)).toHaveLength(1);
      const [filter] = Object.values(filters) as [{ Properties: Record<string, unknown> }];
      const [transformation] = filter.Properties.MetricTransformations as [
        { Dimensions: { Value: string }[] },
      ];
      expect(filter.Properties.LogGroupName).toEqual({ Ref: logGroup });
      expect(String(filter.Properties.FilterPattern)).toContain(`($.detail-type = "${metric.detailType}")`);
      expect(String(filter.Properties.FilterPattern)).toContain('($.source = "config.steward")');
      expect(transformation).toMatchObject({
        MetricNamespace: 'ConfigSteward',
        MetricValue: '1',
        Unit: 'Count',
      });
      for (const { Value: field } of transformation.Dimensions) {
        expect(String(filter.Properties.FilterPattern)).toContain(`(${field} = "*")`);
      }
    }
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern:
        '{ ($.source = "aws.appconfig") && ($.detail.Environment.Name = "*") && ($.detail.Application.Name = "*") }',
      MetricTransformations: [
        Match.objectLike({
          MetricName: ROLLBACK_METRIC,
          Dimensions: [
            { Key: 'Environment', Value: '$.detail.Environment.Name' },
            { Key: 'Application', Value: '$.detail.Application.Name' },
          ],
        }),
      ],
    });
  });

  it("reads dimensions from fields the catalog's events carry", () => {
    // Every counted kind is in the catalog. (`in` cannot ask: the catalog is a lazy Proxy with no `has`.)
    expect(Object.keys(eventSchemas)).toEqual(
      expect.arrayContaining(CONFIG_EVENT_METRICS.map((m) => m.detailType)),
    );
    for (const metric of CONFIG_EVENT_METRICS) {
      const fields = Object.keys(eventSchemas[metric.detailType as DetailType].shape);
      const wanted = {
        service: ['environment', 'service'],
        environment: ['environment'],
        secret: ['secretName'],
      };
      expect(fields, metric.detailType).toEqual(expect.arrayContaining(wanted[metric.scope]));
    }
  });

  it("routes and counts AppConfig's documented rollback notice once, under its environment and application, and only from this stack's associations", () => {
    // Prepare: AWS's sample event of the extension (detail fields, association ARN in resources), with
    // the rollback detail type of EventBridge's event reference for aws.appconfig.
    // https://docs.aws.amazon.com/appconfig/latest/userguide/working-with-appconfig-extensions-about-predefined-notification-eventbridge.html
    // https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-appconfig.html
    const [rule] = Object.values(
      template.findResources('AWS::Events::Rule', {
        Properties: { EventPattern: { source: ['aws.appconfig'] } },
      }),
    );
    const pattern = renderIntrinsics(rule?.Properties.EventPattern) as Record<string, unknown>;
    const [ordersAssociation] = stack.dashboard.eventLog.rollbackNotices;
    const notice = (resources: string[], detailType = 'On Deployment Rollback') => ({
      version: '0',
      id: 'c53dbd72-c1a0-2302-9ed6-c076e9128277',
      'detail-type': detailType,
      source: 'aws.appconfig',
      account: '123456789012',
      time: '2026-11-30T01:44:15Z',
      region: 'eu-west-1',
      resources,
      detail: {
        InvocationId: '5tfjcig',
        Parameters: {},
        Application: { Id: 'ba8toh7', Name: 'orders' },
        Environment: { Id: 'pgil2o7', Name: 'production' },
        ConfigurationProfile: { Id: 'ga3tqep', Name: 'document' },
        DeploymentNumber: 7,
        ConfigurationVersion: '3',
      },
    });
    const ours = notice([
      `<${stack.getLogicalId(ordersAssociation as appconfig.CfnExtensionAssociation)}.Arn>`,
    ]);
    const anotherAssociation = notice([
      'arn:aws:appconfig:eu-west-1:123456789012:extensionassociation/other',
    ]);
    const rollbackFilters = Object.values(
      template.findResources('AWS::Logs::MetricFilter', {
        Properties: { FilterPattern: Match.stringLikeRegexp('aws.appconfig') },
      }),
    ) as {
      Properties: {
        FilterPattern: string;
        MetricTransformations: { Dimensions: { Key: string; Value: string }[] }[];
      };
    }[];

    // Act
    const counted = rollbackFilters.filter((f) => matchesMetricFilter(f.Properties.FilterPattern, ours));

    // Assess
    expect(matchesEventPattern(pattern, ours)).toBe(true);
    expect(matchesEventPattern(pattern, notice(ours.resources, 'On Deployment Rolled Back'))).toBe(true);
    expect(matchesEventPattern(pattern, notice(ours.resources, 'On Deployment Complete'))).toBe(false);
    // Another association covering the same deployment sends its own notice: not counted a second time.
    expect(matchesEventPattern(pattern, anotherAssociation)).toBe(false);
    expect(counted).toHaveLength(1);
    const dimensions = Object.fromEntries(
      (counted[0]?.Properties.MetricTransformations[0]?.Dimensions ?? []).map((d) => [
        d.Key,
        jsonPath(ours, d.Value),
      ]),
    );
    expect(dimensions).toEqual({ Environment: 'production', Application: 'orders' });
  });

  it('is cdk-nag clean on its own', () => {
    // Prepare
    const app = unbundledApp();
    const alone = new Stack(app, 'Dashboard');
    const bus = new events.EventBus(alone, 'Bus');

    // Act
    new ConfigChangeDashboard(alone, 'ConfigChangeDashboard', {
      settings,
      bus,
      services: [
        {
          name: 'orders',
          applicationName: 'orders',
          applicationArn: 'arn:aws:appconfig:eu-west-1:1:application/a',
        },
      ],
    });

    // Assess
    const findings = nagFindings(app);
    expect(findings, formatNagFindings(findings)).toEqual([]);
  });
});
