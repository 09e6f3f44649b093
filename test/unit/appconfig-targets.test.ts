import { describe, expect, it } from 'vitest';
import {
  type AppConfigTargets,
  flagProfileRefs,
  parseAppConfigTargets,
  serviceOfApplication,
} from '../../functions/core/appconfig-targets.ts';
import { ConfigurationError } from '../../functions/core/errors.ts';

const targets: AppConfigTargets = {
  payments: {
    applicationId: 'appay01',
    documentProfileId: 'docpay1',
    flagsProfileId: 'flpay01',
    environments: { staging: { environmentId: 'envstg1', deploymentStrategyId: 'strstg1' } },
  },
  orders: {
    applicationId: 'app0rd1',
    documentProfileId: 'doc0rd1',
    flagsProfileId: 'fl0rd1',
    environments: { staging: { environmentId: 'envstg2', deploymentStrategyId: 'strstg1' } },
  },
};

describe('Function: parseAppConfigTargets', () => {
  it('reads the map the config-delivery construct writes and lists the flag profiles by service', () => {
    // Act
    const parsed = parseAppConfigTargets(JSON.stringify(targets));

    // Assess
    expect(parsed).toEqual(targets);
    expect(flagProfileRefs(parsed)).toEqual([
      { service: 'orders', applicationId: 'app0rd1', flagsProfileId: 'fl0rd1', environmentIds: ['envstg2'] },
      {
        service: 'payments',
        applicationId: 'appay01',
        flagsProfileId: 'flpay01',
        environmentIds: ['envstg1'],
      },
    ]);
  });

  it('treats an absent or empty variable as no targets when told to (delivery, the validator)', () => {
    // Act & Assess
    expect(parseAppConfigTargets(undefined, { whenAbsent: 'empty' })).toEqual({});
    expect(parseAppConfigTargets('', { whenAbsent: 'empty' })).toEqual({});
    expect(parseAppConfigTargets('  ', { whenAbsent: 'empty' })).toEqual({});
    expect(parseAppConfigTargets(JSON.stringify(targets), { whenAbsent: 'empty' })).toEqual(targets);
  });

  it.each([
    [undefined, 'STEWARD_APPCONFIG is not set'],
    ['', 'STEWARD_APPCONFIG is not set'],
    ['{orders', 'STEWARD_APPCONFIG is not JSON'],
    ['[]', 'STEWARD_APPCONFIG: malformed at (root)'],
    [
      JSON.stringify({ orders: { applicationId: 'a' } }),
      'STEWARD_APPCONFIG: malformed at orders.documentProfileId',
    ],
    [
      JSON.stringify({ orders: { ...targets.orders, applicationId: '' } }),
      'STEWARD_APPCONFIG: malformed at orders.applicationId',
    ],
    [
      JSON.stringify({ orders: { ...targets.orders, environments: { staging: { environmentId: 'e' } } } }),
      'STEWARD_APPCONFIG: malformed at orders.environments.staging.deploymentStrategyId',
    ],
  ])('names what is wrong with %j, as a ConfigurationError', (text, message) => {
    // Act
    const act = () => parseAppConfigTargets(text);

    // Assess
    expect(act).toThrow(ConfigurationError);
    expect(act).toThrow(message);
  });

  it('refuses a malformed value even where absence means no targets, without echoing it', () => {
    // Act
    const act = () =>
      parseAppConfigTargets('{"orders":{"applicationId":"secret-looking"}}', { whenAbsent: 'empty' });

    // Assess
    expect(act).toThrow(ConfigurationError);
    expect(act).toThrow(
      /^STEWARD_APPCONFIG: malformed at orders\.documentProfileId, orders\.flagsProfileId, orders\.environments$/,
    );
  });
});

describe('Function: serviceOfApplication', () => {
  it('finds the service of an application id, and nothing for an unknown id', () => {
    // Act & Assess
    expect(serviceOfApplication(targets, 'appay01')).toEqual({
      service: 'payments',
      target: targets.payments,
    });
    expect(serviceOfApplication(targets, 'unknown')).toBeUndefined();
  });
});
