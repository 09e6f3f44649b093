import { GetParametersByPathCommand, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../functions/core/errors.ts';
import { ParameterAccessDeniedError } from '../../functions/ports/parameter-store.errors.ts';
import { stackTargets } from '../../functions/runtime/stack-targets.ts';

const ssm = mockClient(SSMClient);
const PATH = '/config-steward/ConfigSteward/appconfig-targets';

const orders = {
  applicationId: 'app0rd1',
  documentProfileId: 'doc0rd1',
  flagsProfileId: 'fl0rd1',
  environments: { production: { environmentId: 'envprd1', deploymentStrategyId: 'strprd1' } },
};
const payments = { ...orders, applicationId: 'appp4y1' };
const switches = {
  deploymentStrategyId: 'ks00001',
  services: {
    orders: { applicationId: 'app0rd1', profileId: 'ksp0rd1', environments: { production: 'ksenv01' } },
  },
};

function parameter(n: number, value: unknown) {
  return { Name: `${PATH}/${n}`, Type: 'String' as const, Value: JSON.stringify(value), Version: 1 };
}

function serviceError(name: string): SSMServiceException {
  return new SSMServiceException({ name, $fault: 'client', $metadata: {}, message: 'refused' });
}

describe('Function: stackTargets', () => {
  beforeEach(() => {
    ssm.reset();
  });

  it('reads every page under the path once per container and merges the chunks', async () => {
    // Prepare: an empty page with a token, as GetParametersByPath may return
    ssm
      .on(GetParametersByPathCommand)
      .resolvesOnce({ Parameters: [parameter(1, { appConfig: { orders } })], NextToken: 'page-2' })
      .resolvesOnce({ Parameters: [], NextToken: 'page-3' })
      .resolvesOnce({ Parameters: [parameter(2, { appConfig: { payments }, killSwitches: switches })] });
    const targets = stackTargets({ STEWARD_APPCONFIG_TARGETS_PATH: PATH });

    // Act
    const [appConfig, killSwitches, again] = await Promise.all([
      targets.appConfig(),
      targets.killSwitches(),
      targets.appConfig(),
    ]);

    // Assess
    expect(appConfig).toEqual({ orders, payments });
    expect(again).toBe(appConfig);
    expect(killSwitches).toEqual(switches);
    expect(ssm).toHaveReceivedCommandTimes(GetParametersByPathCommand, 3);
    expect(ssm).toHaveReceivedNthCommandWith(GetParametersByPathCommand, 1, {
      Path: PATH,
      Recursive: true,
      WithDecryption: false,
      MaxResults: 10,
      NextToken: undefined,
    });
    expect(ssm).toHaveReceivedNthCommandWith(GetParametersByPathCommand, 2, {
      Path: PATH,
      NextToken: 'page-2',
    });
    expect(ssm).toHaveReceivedNthCommandWith(GetParametersByPathCommand, 3, {
      Path: PATH,
      NextToken: 'page-3',
    });
  });

  it('sends a throttled page again (the store retries ThrottlingException)', async () => {
    // Prepare
    ssm
      .on(GetParametersByPathCommand)
      .rejectsOnce(serviceError('ThrottlingException'))
      .resolvesOnce({ Parameters: [parameter(1, { appConfig: { orders } })] });

    // Act
    const appConfig = await stackTargets({ STEWARD_APPCONFIG_TARGETS_PATH: PATH }).appConfig();

    // Assess
    expect(appConfig).toEqual({ orders });
    expect(ssm).toHaveReceivedCommandTimes(GetParametersByPathCommand, 2);
  });

  it('names the path when nothing is under it', async () => {
    // Prepare
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });

    // Act
    const read = stackTargets({ STEWARD_APPCONFIG_TARGETS_PATH: PATH }).appConfig();

    // Assess
    await expect(read).rejects.toThrow(ConfigurationError);
    await expect(read).rejects.toThrow(`no AppConfig targets under ${PATH}`);
  });

  it('names a malformed chunk, never its value, and returns no partial targets', async () => {
    // Prepare: the first chunk is fine, the second lacks a profile id
    const { flagsProfileId: _, ...broken } = payments;
    ssm.on(GetParametersByPathCommand).resolves({
      Parameters: [
        parameter(1, { appConfig: { orders } }),
        parameter(2, { appConfig: { payments: broken } }),
      ],
    });
    const targets = stackTargets({ STEWARD_APPCONFIG_TARGETS_PATH: PATH });

    // Act
    const error = await targets.appConfig().catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe(`${PATH}/2: malformed at appConfig.payments.flagsProfileId`);
    expect((error as Error).message).not.toContain('appp4y1');
    await expect(targets.killSwitches()).rejects.toThrow(ConfigurationError);
  });

  it('forgets a failed read: the next invocation reads again', async () => {
    // Prepare
    ssm
      .on(GetParametersByPathCommand)
      .rejectsOnce(serviceError('AccessDeniedException'))
      .resolvesOnce({ Parameters: [parameter(1, { appConfig: { orders } })] });
    const targets = stackTargets({ STEWARD_APPCONFIG_TARGETS_PATH: PATH });

    // Act
    const first = await targets.appConfig().catch((e: unknown) => e);
    const second = await targets.appConfig();

    // Assess
    expect(first).toBeInstanceOf(ParameterAccessDeniedError);
    expect((first as Error).message).toContain(PATH);
    expect(second).toEqual({ orders });
  });

  it('takes STEWARD_APPCONFIG and STEWARD_KILL_SWITCHES over the path, reading nothing', async () => {
    // Act
    const targets = stackTargets({
      STEWARD_APPCONFIG: JSON.stringify({ orders }),
      STEWARD_KILL_SWITCHES: JSON.stringify(switches),
      STEWARD_APPCONFIG_TARGETS_PATH: PATH,
    });

    // Assess
    expect(await targets.appConfig()).toEqual({ orders });
    expect(await targets.killSwitches()).toEqual(switches);
    expect(ssm).toHaveReceivedCommandTimes(GetParametersByPathCommand, 0);
  });

  it('reads the kill switches from the path when only STEWARD_APPCONFIG is JSON', async () => {
    // Prepare
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [parameter(1, { killSwitches: switches })] });

    // Act
    const targets = stackTargets({
      STEWARD_APPCONFIG: JSON.stringify({ orders }),
      STEWARD_APPCONFIG_TARGETS_PATH: PATH,
    });

    // Assess
    expect(await targets.appConfig()).toEqual({ orders });
    expect(await targets.killSwitches()).toEqual(switches);
  });

  it('reads through the store it is given (the function its own, rate-limited)', async () => {
    // Prepare
    const paths: string[] = [];
    const store = {
      getByPath: async (path: string) => {
        paths.push(path);
        return [
          {
            name: `${PATH}/1`,
            value: JSON.stringify({ appConfig: { orders } }),
            type: 'String' as const,
            version: 1,
          },
        ];
      },
    };

    // Act
    const appConfig = await stackTargets(
      { STEWARD_APPCONFIG_TARGETS_PATH: PATH },
      { store: async () => store },
    ).appConfig();

    // Assess
    expect(appConfig).toEqual({ orders });
    expect(paths).toEqual([PATH]);
    expect(ssm).toHaveReceivedCommandTimes(GetParametersByPathCommand, 0);
  });

  it('without the JSON or the path: fails at once by default, or gives no targets when asked to', async () => {
    // Act
    const absent = () => stackTargets({ STEWARD_APPCONFIG: '' });
    const empty = stackTargets({}, { whenAbsent: 'empty' });

    // Assess
    expect(absent).toThrow('STEWARD_APPCONFIG is not set, nor STEWARD_APPCONFIG_TARGETS_PATH');
    expect(await empty.appConfig()).toEqual({});
    expect(await empty.killSwitches()).toBeUndefined();
  });

  it('names a malformed JSON variable at once', () => {
    // Act
    const malformed = () =>
      stackTargets({ STEWARD_KILL_SWITCHES: '{"services":{}}', STEWARD_APPCONFIG_TARGETS_PATH: PATH });

    // Assess
    expect(malformed).toThrow('STEWARD_KILL_SWITCHES: malformed at deploymentStrategyId');
  });
});
