import {
  AppConfigClient,
  ConflictException,
  CreateHostedConfigurationVersionCommand,
  GetHostedConfigurationVersionCommand,
  ListApplicationsCommand,
  ListConfigurationProfilesCommand,
  ListDeploymentsCommand,
  ListDeploymentStrategiesCommand,
  ListEnvironmentsCommand,
  ListHostedConfigurationVersionsCommand,
  StartDeploymentCommand,
} from '@aws-sdk/client-appconfig';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateOpsItemCommand, DescribeOpsItemsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { killSwitchDocument } from '../../functions/core/flags/kill-switches.ts';
import { main } from '../../functions/cli/main.ts';
import { orders } from '../../config/services/orders.ts';
import { recordingIo } from '../support/command-io.ts';

const appConfig = mockClient(AppConfigClient);
const sts = mockClient(STSClient);
const eventBridge = mockClient(EventBridgeClient);
const ssm = mockClient(SSMClient);

const ACTOR = 'arn:aws:sts::123456789012:assumed-role/oncall/alice';
const SWITCH_ARGS = ['orders', 'disable-recommendations', '--env', 'production'];
const TARGETS = JSON.stringify({
  deploymentStrategyId: 'ks-strategy',
  services: {
    orders: { applicationId: 'app-orders', profileId: 'ks-profile', environments: { production: 'ks-env' } },
  },
});
const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: unknown) => new TextDecoder().decode(bytes as Uint8Array);

async function run(argv: string[], env: Record<string, string> = {}) {
  const { io, out, err } = recordingIo(env);
  const code = await main(['kill', ...argv], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('Command: steward kill', () => {
  beforeEach(() => {
    for (const mock of [appConfig, sts, eventBridge, ssm]) mock.reset();
    sts.on(GetCallerIdentityCommand).resolves({ Arn: ACTOR, Account: '123456789012' });
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    ssm.on(DescribeOpsItemsCommand).resolves({ OpsItemSummaries: [] });
    ssm.on(CreateOpsItemCommand).resolves({ OpsItemId: 'oi-0123456789ad' });
    appConfig.on(ListApplicationsCommand).resolves({ Items: [{ Name: 'orders', Id: 'app-orders' }] });
    appConfig.on(ListDeploymentStrategiesCommand).resolves({
      Items: [
        { Name: 'steward-production', Id: 'slow' },
        { Name: 'steward-kill-switch', Id: 'ks-strategy' },
      ],
    });
    appConfig.on(ListConfigurationProfilesCommand).resolves({
      Items: [
        { Name: 'document', Id: 'doc-profile' },
        { Name: 'kill-switches', Id: 'ks-profile' },
      ],
    });
    appConfig.on(ListEnvironmentsCommand).resolves({
      Items: [
        { Name: 'production', Id: 'doc-env' },
        { Name: 'production-kill-switches', Id: 'ks-env' },
      ],
    });
    appConfig.on(ListDeploymentsCommand).resolves({ Items: [] });
    appConfig.on(ListHostedConfigurationVersionsCommand).resolves({ Items: [] });
    appConfig.on(CreateHostedConfigurationVersionCommand).resolves({ VersionNumber: 4 });
    appConfig.on(StartDeploymentCommand).resolves({ DeploymentNumber: 9 });
  });

  it('finds the ids by name, deploys the flipped switches all at once, announces and tickets it', async () => {
    // Act
    const { code, out, err } = await run([
      ...SWITCH_ARGS,
      '--reason',
      'recommendations time out',
      '--until',
      '2099-01-01T00:00Z',
    ]);

    // Assess
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('orders disable-recommendations is ON in production: deployment 9 of version 4');
    expect(appConfig).toReceiveCommandWith(ListEnvironmentsCommand, { ApplicationId: 'app-orders' });
    expect(appConfig).toReceiveCommandWith(ListDeploymentsCommand, {
      ApplicationId: 'app-orders',
      EnvironmentId: 'ks-env',
    });
    const created = appConfig.commandCalls(CreateHostedConfigurationVersionCommand)[0]?.args[0].input;
    expect(created).toMatchObject({ ApplicationId: 'app-orders', ConfigurationProfileId: 'ks-profile' });
    const document = JSON.parse(decode(created?.Content));
    expect(document.values['disable-recommendations']).toMatchObject({
      enabled: true,
      reason: 'recommendations time out',
      until: '2099-01-01T00:00:00.000Z',
      flippedBy: ACTOR,
    });
    expect(Object.keys(document.values)).toEqual(['disable-recommendations']);
    expect(appConfig).toReceiveCommandWith(StartDeploymentCommand, {
      ApplicationId: 'app-orders',
      EnvironmentId: 'ks-env',
      ConfigurationProfileId: 'ks-profile',
      ConfigurationVersion: '4',
      DeploymentStrategyId: 'ks-strategy',
    });
    expect(sts).toReceiveCommandTimes(GetCallerIdentityCommand, 1);
    const entry = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry).toMatchObject({
      Source: 'config.steward',
      DetailType: 'Kill Switch Flipped',
      EventBusName: 'config-steward',
    });
    expect(JSON.parse(entry?.Detail ?? '{}')).toMatchObject({
      actor: ACTOR,
      enabled: true,
      until: '2099-01-01T00:00:00.000Z',
      ticket: { tracker: 'opscenter', id: 'oi-0123456789ad' },
    });
    expect(ssm).toReceiveCommandTimes(CreateOpsItemCommand, 1);
  });

  it('starts from the version the switches environment has deployed, with the ids of STEWARD_KILL_SWITCHES', async () => {
    // Prepare
    const deployed = killSwitchDocument(orders.flags, 'production');
    appConfig.on(ListDeploymentsCommand).resolves({
      Items: [
        {
          DeploymentNumber: 3,
          ConfigurationProfileId: 'ks-profile',
          ConfigurationVersion: '3',
          State: 'COMPLETE',
        },
      ],
    } as never);
    appConfig
      .on(GetHostedConfigurationVersionCommand)
      .resolves({ Content: encode(JSON.stringify(deployed)) as never, VersionNumber: 3 });

    // Act
    const { code } = await run([...SWITCH_ARGS, '--off', '--reason', 'healthy again', '--json'], {
      STEWARD_KILL_SWITCHES: TARGETS,
    });

    // Assess
    expect(code).toBe(0);
    expect(appConfig).toReceiveCommandWith(GetHostedConfigurationVersionCommand, {
      ApplicationId: 'app-orders',
      ConfigurationProfileId: 'ks-profile',
      VersionNumber: 3,
    });
    expect(appConfig).not.toReceiveCommand(ListApplicationsCommand);
    // Off is what config/ has: no ticket to file.
    expect(ssm).not.toReceiveCommand(CreateOpsItemCommand);
  });

  it('builds on the served switches on page 2, not on the newest deployment, which was rolled back', async () => {
    // Prepare: deployment 5 (version 5, the switch on) was rolled back; production serves deployment 4
    // (version 4, config/'s switches), listed on the second page.
    const served = killSwitchDocument(orders.flags, 'production');
    appConfig
      .on(ListDeploymentsCommand, { ApplicationId: 'app-orders', EnvironmentId: 'ks-env', MaxResults: 50 })
      .resolves({
        Items: [
          {
            DeploymentNumber: 5,
            ConfigurationProfileId: 'ks-profile',
            ConfigurationVersion: '5',
            State: 'ROLLED_BACK',
          },
        ],
        NextToken: 'page-2',
      } as never);
    appConfig.on(ListDeploymentsCommand, { NextToken: 'page-2' }).resolves({
      Items: [
        {
          DeploymentNumber: 4,
          ConfigurationProfileId: 'ks-profile',
          ConfigurationVersion: '4',
          State: 'COMPLETE',
        },
      ],
    } as never);
    appConfig
      .on(GetHostedConfigurationVersionCommand, { VersionNumber: 4 })
      .resolves({ Content: encode(JSON.stringify(served)) as never, VersionNumber: 4 });
    appConfig.on(CreateHostedConfigurationVersionCommand).resolves({ VersionNumber: 6 });

    // Act: the same flip again, since the rolled-back one is not live
    const { code, out } = await run([...SWITCH_ARGS, '--reason', 'recommendations time out'], {
      STEWARD_KILL_SWITCHES: TARGETS,
    });

    // Assess
    expect(code).toBe(0);
    expect(out).not.toContain('already live');
    expect(appConfig).toReceiveCommandWith(GetHostedConfigurationVersionCommand, { VersionNumber: 4 });
    expect(appConfig).not.toReceiveCommandWith(GetHostedConfigurationVersionCommand, { VersionNumber: 5 });
    expect(appConfig).toReceiveCommandWith(StartDeploymentCommand, { ConfigurationVersion: '6' });
  });

  it('names the read that failed when the switches environment cannot be listed, exit 4, nothing written', async () => {
    // Prepare
    appConfig
      .on(ListDeploymentsCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: {} }));

    // Act
    const { code, err } = await run([...SWITCH_ARGS, '--reason', 'timeouts'], {
      STEWARD_KILL_SWITCHES: TARGETS,
    });

    // Assess
    expect(code).toBe(4);
    expect(err).toMatch(
      /ListDeployments on environment ks-env of application app-orders failed: AccessDeniedException/,
    );
    expect(appConfig).not.toReceiveCommand(CreateHostedConfigurationVersionCommand);
    expect(eventBridge).not.toReceiveCommand(PutEventsCommand);
  });

  it.each([
    [
      ['orders', 'disable-everything', '--env', 'production', '--reason', 'x'],
      /no flag "disable-everything"/,
    ],
    [['orders', 'new-checkout', '--env', 'production', '--reason', 'x'], /release flag, not a kill switch/],
    [
      ['billing', 'disable-recommendations', '--env', 'production', '--reason', 'x'],
      /unknown service "billing"/,
    ],
    [['orders', 'disable-recommendations', '--env', 'qa', '--reason', 'x'], /unknown environment "qa"/],
    [SWITCH_ARGS, /--reason is required/],
    [[...SWITCH_ARGS, '--reason', 'x', '--until', '2020-01-01T00:00Z'], /not in the future/],
    [['orders', '--env', 'production', '--reason', 'x'], /name the service and the switch/],
    [['orders', 'disable-recommendations', '--reason', 'x'], /--env is required/],
  ])('refuses %j: exit 2, no AWS call', async (argv, message) => {
    // Act
    const { code, err } = await run(argv);

    // Assess
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(appConfig.calls()).toHaveLength(0);
    expect(eventBridge.calls()).toHaveLength(0);
  });

  it('reports a deployment running in the switches environment, exit 4, nothing written', async () => {
    // Prepare
    appConfig.on(ListDeploymentsCommand).resolves({
      Items: [{ DeploymentNumber: 5, ConfigurationProfileId: 'ks-profile', State: 'DEPLOYING' }],
    } as never);

    // Act
    const { code, err } = await run([...SWITCH_ARGS, '--reason', 'timeouts']);

    // Assess
    expect(code).toBe(4);
    expect(err).toMatch(/nothing deployed: deployment 5 is running in the kill-switch environment ks-env/);
    expect(err).toMatch(/should not happen by design/);
    expect(appConfig).not.toReceiveCommand(CreateHostedConfigurationVersionCommand);
    expect(eventBridge).not.toReceiveCommand(PutEventsCommand);
  });

  it('reports a deployment that started in between (ConflictException), exit 4, no event', async () => {
    // Prepare
    appConfig
      .on(StartDeploymentCommand)
      .rejects(new ConflictException({ $metadata: {}, message: 'deployment in progress' }));

    // Act
    const { code, err } = await run([...SWITCH_ARGS, '--reason', 'timeouts']);

    // Assess
    expect(code).toBe(4);
    expect(err).toMatch(/is running in the kill-switch environment/);
    expect(eventBridge).not.toReceiveCommand(PutEventsCommand);
  });
});
