import { describe, expect, it } from 'vitest';
import { flagProfileRefs, parseAppConfigTargets } from '../../functions/core/flags/appconfig-targets.ts';

const targets = {
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
      { service: 'orders', applicationId: 'app0rd1', flagsProfileId: 'fl0rd1' },
      { service: 'payments', applicationId: 'appay01', flagsProfileId: 'flpay01' },
    ]);
  });

  it.each([
    [undefined, 'STEWARD_APPCONFIG is not set'],
    ['', 'STEWARD_APPCONFIG is not set'],
    ['{orders', 'STEWARD_APPCONFIG is not JSON'],
    [
      JSON.stringify({ orders: { applicationId: 'a' } }),
      'STEWARD_APPCONFIG: malformed at orders.documentProfileId',
    ],
  ])('names what is wrong with %j', (text, message) => {
    // Act
    const act = () => parseAppConfigTargets(text);

    // Assess
    expect(act).toThrow(message);
  });
});
