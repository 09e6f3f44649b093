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
});
