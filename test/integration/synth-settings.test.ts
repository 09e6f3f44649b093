import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

describe('npm run synth with a broken settings file', () => {
  it('stops naming the file, the field and the problem, and writes nothing', () => {
    // Prepare
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-'));
    const settings = JSON.parse(readFileSync(path.join(ROOT, 'config', 'settings.json'), 'utf8'));
    settings.environments[1].deploymentStrategy.growthFactor = 'fast';
    const file = path.join(dir, 'settings.json');
    writeFileSync(file, JSON.stringify(settings));
    const outdir = path.join(dir, 'cdk.out');

    // Act
    const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'synth.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, STEWARD_SETTINGS_FILE: file, CDK_OUTDIR: outdir },
    });

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${file}: environments.1.deploymentStrategy.growthFactor:`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(outdir)).toBe(false);
  });
});
