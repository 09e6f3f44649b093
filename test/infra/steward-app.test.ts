import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SynthRefusedError, synthesizeStewardApp } from '../../lib/steward-app.ts';

describe('Function: synthesizeStewardApp', () => {
  it('refuses a broken settings file before anything is built, creating no output directory', async () => {
    // Prepare
    const dir = mkdtempSync(path.join(tmpdir(), 'steward-app-'));
    const settings = JSON.parse(readFileSync('config/settings.json', 'utf8'));
    settings.logRetentionDays = 'forever';
    const settingsFile = path.join(dir, 'settings.json');
    writeFileSync(settingsFile, JSON.stringify(settings));
    const outdir = path.join(dir, 'cdk.out');

    // Act
    const synth = synthesizeStewardApp({ outdir, settingsFile });

    // Assess
    await expect(synth).rejects.toBeInstanceOf(SynthRefusedError);
    await expect(synth).rejects.toThrow(`${settingsFile}: logRetentionDays:`);
    expect(existsSync(outdir)).toBe(false);
  });

  it('refuses, after bundling and cdk-nag, a stack IAM would refuse for a policy size, writing nothing', async () => {
    // Prepare: 130 customer managed keys in one statement CDK cannot split (about 10,300 characters)
    const dir = mkdtempSync(path.join(tmpdir(), 'steward-app-'));
    const settings = JSON.parse(readFileSync('config/settings.json', 'utf8'));
    settings.parameterKmsKeyArns = Array.from(
      { length: 130 },
      (_, i) =>
        `arn:aws:kms:eu-west-1:123456789012:key/${String(i).padStart(8, '0')}-12ab-34cd-56ef-1234567890ab`,
    );
    const settingsFile = path.join(dir, 'settings.json');
    writeFileSync(settingsFile, JSON.stringify(settings));
    const outdir = path.join(dir, 'cdk.out');

    // Act
    const synth = synthesizeStewardApp({ outdir, settingsFile });

    // Assess
    await expect(synth).rejects.toBeInstanceOf(SynthRefusedError);
    await expect(synth).rejects.toThrow(
      /managed policy ConfigSteward\/ChangeDelivery\/DeliverChanges\/Role\/OverflowPolicy1\/Resource: [\d,]+ characters with tokens resolved at their longest; IAM allows 6,144 per managed policy/,
    );
    expect(existsSync(path.join(outdir, 'ConfigSteward.template.json'))).toBe(false);
  }, 300_000);
});
