import { describe, expect, it } from 'vitest';
import type { AppConfigTargets } from '../../functions/core/appconfig-targets.ts';
import { ConfigurationError } from '../../functions/core/errors.ts';
import type { KillSwitchTargets } from '../../functions/core/flags/kill-switch-targets.ts';
import { mergeTargetChunks, splitTargets, type TargetChunk } from '../../functions/core/target-chunks.ts';

const PATH = '/config-steward/ConfigSteward/appconfig-targets';
const environments = ['staging', 'production', 'development'];

function appConfigOf(services: number): AppConfigTargets {
  return Object.fromEntries(
    Array.from({ length: services }, (_, s) => [
      `service-${s}`,
      {
        applicationId: `app${s}`,
        documentProfileId: `doc${s}`,
        flagsProfileId: `flg${s}`,
        environments: Object.fromEntries(
          environments.map((e) => [e, { environmentId: `${e}${s}`, deploymentStrategyId: `str-${e}` }]),
        ),
      },
    ]),
  );
}

function killSwitchesOf(services: number): KillSwitchTargets {
  return {
    deploymentStrategyId: 'kss0001',
    services: Object.fromEntries(
      Array.from({ length: services }, (_, s) => [
        `service-${s}`,
        { applicationId: `app${s}`, profileId: `ksp${s}`, environments: { staging: `kse${s}` } },
      ]),
    ),
  };
}

const jsonBytes = (chunk: TargetChunk) => Buffer.byteLength(JSON.stringify(chunk));
const asParameters = (chunks: readonly TargetChunk[]) =>
  chunks.map((chunk, i) => ({ name: `${PATH}/${i + 1}`, value: JSON.stringify(chunk) }));

describe('Function: splitTargets', () => {
  it('fills each chunk up to the budget, and merging the chunks gives the targets back', () => {
    // Prepare
    const targets = { appConfig: appConfigOf(40), killSwitches: killSwitchesOf(12) };

    // Act
    const chunks = splitTargets(targets, jsonBytes, 2_000);

    // Assess
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(jsonBytes(chunk)).toBeLessThanOrEqual(2_000);
    // No chunk but the last could have taken the next one's first service.
    const total = chunks.reduce((sum, chunk) => sum + jsonBytes(chunk), 0);
    expect(chunks.length).toBeLessThanOrEqual(Math.ceil(total / 2_000) + 1);
    expect(mergeTargetChunks(PATH, asParameters(chunks))).toEqual(targets);
  });

  it('gives one chunk when everything fits, and keeps kill-switch ids that name no service', () => {
    // Act
    const one = splitTargets({ appConfig: appConfigOf(2) }, jsonBytes, 4_000);
    const noSwitches = splitTargets(
      { appConfig: appConfigOf(1), killSwitches: killSwitchesOf(0) },
      jsonBytes,
      4_000,
    );

    // Assess
    expect(one).toEqual([{ appConfig: appConfigOf(2) }]);
    expect(mergeTargetChunks(PATH, asParameters(noSwitches))).toEqual({
      appConfig: appConfigOf(1),
      killSwitches: killSwitchesOf(0),
    });
  });

  it('refuses a service whose ids alone exceed the budget, naming it', () => {
    // Act
    const split = () => splitTargets({ appConfig: appConfigOf(1) }, jsonBytes, 100);

    // Assess
    expect(split).toThrow(ConfigurationError);
    expect(split).toThrow('the AppConfig ids of service-0 alone exceed 100 bytes');
  });
});

describe('Function: mergeTargetChunks', () => {
  it('refuses a service in two chunks and two kill-switch strategies, naming the parameter', () => {
    // Prepare
    const twice = asParameters([{ appConfig: appConfigOf(1) }, { appConfig: appConfigOf(2) }]);
    const strategies = asParameters([
      { killSwitches: killSwitchesOf(1) },
      { killSwitches: { ...killSwitchesOf(0), deploymentStrategyId: 'other01' } },
    ]);

    // Act
    const mergeTwice = () => mergeTargetChunks(PATH, twice);
    const mergeStrategies = () => mergeTargetChunks(PATH, strategies);

    // Assess
    expect(mergeTwice).toThrow(`${PATH}/2: the AppConfig ids of service-0 are also in another parameter`);
    expect(mergeStrategies).toThrow(`${PATH}/2: a kill-switch strategy other than another parameter's`);
  });

  it('refuses a chunk that is not JSON or holds fields of its own, never quoting it', () => {
    // Act
    const notJson = () => mergeTargetChunks(PATH, [{ name: `${PATH}/1`, value: '{app' }]);
    const extra = () => mergeTargetChunks(PATH, [{ name: `${PATH}/1`, value: '{"secret":"sk_live_x"}' }]);

    // Assess
    expect(notJson).toThrow(`${PATH}/1 is not JSON`);
    expect(extra).toThrow(`${PATH}/1: malformed at (root)`);
    expect(extra).not.toThrow(/sk_live/);
  });

  it('refuses an empty path, naming it', () => {
    expect(() => mergeTargetChunks(PATH, [])).toThrow(`no AppConfig targets under ${PATH}`);
  });
});
