import {
  AppConfigClient,
  GetHostedConfigurationVersionCommand,
  type GetHostedConfigurationVersionCommandOutput,
  ListDeploymentsCommand,
  ListHostedConfigurationVersionsCommand,
} from '@aws-sdk/client-appconfig';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { toAppConfigFlags } from '../../functions/core/flags/appconfig-format.ts';
import { runtimeEnvironment } from '../../functions/core/runtime-settings.ts';
import { loadSettings } from '../../lib/settings.ts';
import { organisation as flagFixture } from '../fixtures/flag-organisation/index.ts';
import { awsEvent } from '../support/aws-events.ts';
import { InMemoryTicketTracker } from '../support/recording-ports.ts';

const tracker = vi.hoisted(() => ({ current: undefined as unknown }));
vi.mock('../../functions/adapters/tickets/create-ticket-tracker.ts', () => ({
  createTicketTracker: () => tracker.current,
}));

const appconfig = mockClient(AppConfigClient);
const eventbridge = mockClient(EventBridgeClient);
const cloudwatch = mockClient(CloudWatchClient);
const scheduled = awsEvent('scheduler-nightly.json');
const context = { functionName: 'flag-expiry-job', awsRequestId: 'req-1' } as Context;
const settings = loadSettings('config/settings.json');
const targets = {
  orders: {
    applicationId: 'app0rd1',
    documentProfileId: 'doc0rd1',
    flagsProfileId: 'fl0rd1',
    environments: { production: { environmentId: 'envprd1', deploymentStrategyId: 'strprd1' } },
  },
};

let handler: typeof import('../../functions/handlers/flag-expiry-job.ts').handler;
const tickets = new InMemoryTicketTracker();
const stdout: string[] = [];

beforeAll(async () => {
  tracker.current = tickets;
  for (const [name, value] of Object.entries(runtimeEnvironment(settings))) vi.stubEnv(name, value);
  vi.stubEnv('STEWARD_APPCONFIG', JSON.stringify(targets));
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'ConfigSteward');
  vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'config-steward-flag-expiry-job');
  ({ handler } = await import('../../functions/handlers/flag-expiry-job.ts'));
});

afterAll(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

beforeEach(() => {
  appconfig.reset();
  eventbridge.reset();
  cloudwatch.reset();
  // No consumer telemetry unless a test says otherwise: every flag's usage is no-data.
  cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
  stdout.length = 0;
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-12-21T02:00:00Z'));
  const ordersFlags = flagFixture.services.find((s) => s.name === 'orders')?.flags ?? {};
  // No deployment of the flags profile listed yet: the newest hosted version is read.
  appconfig.on(ListDeploymentsCommand).resolves({ Items: [] });
  appconfig.on(ListHostedConfigurationVersionsCommand).resolves({ Items: [{ VersionNumber: 4 }] });
  appconfig.on(GetHostedConfigurationVersionCommand).resolves({
    Content: new TextEncoder().encode(
      JSON.stringify(toAppConfigFlags(ordersFlags, 'production')),
    ) as unknown as GetHostedConfigurationVersionCommandOutput['Content'],
  });
  eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

describe('Handler: flag-expiry-job', () => {
  it('reads the hosted flags, files a ticket, publishes the event and emits EMF metrics', async () => {
    // Act
    const result = await handler(scheduled, context);

    // Assess
    expect(appconfig).toReceiveCommandWith(ListDeploymentsCommand, {
      ApplicationId: 'app0rd1',
      EnvironmentId: 'envprd1',
    });
    expect(appconfig).toReceiveCommandWith(ListHostedConfigurationVersionsCommand, {
      ApplicationId: 'app0rd1',
      ConfigurationProfileId: 'fl0rd1',
    });
    expect(appconfig).toReceiveCommandWith(GetHostedConfigurationVersionCommand, { VersionNumber: 4 });
    expect(result).toEqual({
      today: '2026-12-21',
      findings: [
        { service: 'orders', flag: 'checkout-button-copy', reasons: ['expired', 'over-lifetime'] },
        { service: 'orders', flag: 'new-checkout', reasons: ['over-lifetime'] },
      ],
      ticketsCreated: 2,
      ticketsResolved: 0,
    });
    expect(tickets.tickets.map((t) => t.request.dedupKey)).toEqual([
      'flag-expired:orders:checkout-button-copy',
      'flag-expired:orders:new-checkout',
    ]);
    expect(eventbridge).toReceiveCommandWith(PutEventsCommand, {
      Entries: [
        expect.objectContaining({
          EventBusName: 'config-steward',
          Source: 'config.steward',
          DetailType: 'Feature Flag Expired',
          Detail: expect.stringContaining('"flag":"checkout-button-copy"'),
        }),
        expect.objectContaining({ Detail: expect.stringContaining('"reason":"over-lifetime"') }),
      ],
    });
    const emf = stdout.flatMap((line) => line.split('\n')).filter((line) => line.includes('"_aws"'));
    const metrics = emf.map((line) => JSON.parse(line));
    const ordersCount = metrics.find((m) => m.FlagCount !== undefined && m.Service === 'orders');
    expect(ordersCount?.FlagCount).toBe(3);
    expect(ordersCount?._aws.CloudWatchMetrics[0].Namespace).toBe('ConfigSteward');
    expect(metrics.some((m) => m.FlagAgeP95Days !== undefined && m.Service === undefined)).toBe(true);
  });

  it("reads the consumers' flag usage over the window and reports a flag nothing evaluates", async () => {
    // Prepare: the orders service reported evaluations every day of the last 60, none of them for
    // the fixture's flags (their series are empty)
    cloudwatch.on(GetMetricDataCommand).callsFake(async (input) => ({
      MetricDataResults: (input.MetricDataQueries ?? []).map(
        (query: { Id?: string; MetricStat?: { Metric?: { Dimensions?: unknown[] } } }) => {
          const serviceTotal = query.MetricStat?.Metric?.Dimensions?.length === 1;
          const days = serviceTotal
            ? Array.from({ length: 60 }, (_, i) => new Date(Date.UTC(2026, 9, 22 + i)))
            : [];
          return { Id: query.Id, StatusCode: 'Complete', Timestamps: days, Values: days.map(() => 50) };
        },
      ),
    }));

    // Act
    const result = await handler(scheduled, context);

    // Assess
    expect(cloudwatch).toHaveReceivedCommandWith(GetMetricDataCommand, {
      StartTime: new Date('2026-10-22T00:00:00Z'),
      EndTime: new Date('2026-12-21T00:00:00Z'),
    });
    expect(
      result.findings.map((f: { flag: string; reasons: string[] }) => `${f.flag}:${f.reasons.join(',')}`),
    ).toEqual([
      'checkout-button-copy:expired,over-lifetime,never-evaluated',
      'disable-recommendations:never-evaluated',
      'new-checkout:over-lifetime,never-evaluated',
    ]);
  });

  it('keeps one ticket per flag on the next night', async () => {
    // Prepare
    await handler(scheduled, context);
    const filed = tickets.tickets.length;
    vi.setSystemTime(new Date('2026-12-22T02:00:00Z'));

    // Act
    const result = await handler(scheduled, context);

    // Assess
    expect(result.ticketsCreated).toBe(0);
    expect(result.findings).toHaveLength(2);
    expect(tickets.tickets).toHaveLength(filed);
  });

  it('never lets a flag value reach a ticket, an event, a log line or a metric', async () => {
    // Prepare
    const secret = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
    const flags = toAppConfigFlags(
      {
        'promo-token': {
          description: 'x',
          owner: 'team-orders',
          type: 'release',
          created: '2026-10-01',
          expires: '2026-11-01',
          valueKind: 'string',
          defaultValue: secret,
          environments: { production: { enabled: true, value: secret } },
        },
      },
      'production',
    );
    appconfig.on(GetHostedConfigurationVersionCommand).resolves({
      Content: new TextEncoder().encode(
        JSON.stringify(flags),
      ) as unknown as GetHostedConfigurationVersionCommandOutput['Content'],
    });

    // Act
    await handler(scheduled, context);

    // Assess
    const captured = JSON.stringify([
      tickets.tickets,
      eventbridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input),
      stdout,
    ]);
    expect(captured).toContain('promo-token');
    expect(captured).not.toContain(secret);
  });
});
