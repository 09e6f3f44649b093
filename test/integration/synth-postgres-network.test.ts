import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

describe('synth (bin/app.ts) with a PostgreSQL secret and no vpc in the settings', () => {
  it('stops naming the vpc field and its sub-fields, without a stack trace, and writes nothing', () => {
    // Prepare: the example settings without their vpc (the example orders db rotates PostgreSQL users)
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-vpc-'));
    const { vpc: _removed, ...settings } = JSON.parse(
      readFileSync(path.join(ROOT, 'config', 'settings.json'), 'utf8'),
    );
    const file = path.join(dir, 'settings.json');
    writeFileSync(file, JSON.stringify(settings));
    const outdir = path.join(dir, 'cdk.out');

    // Act
    const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin', 'app.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, STEWARD_SETTINGS_FILE: file, CDK_OUTDIR: outdir },
    });

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'must reach the PostgreSQL database of config/staging/orders/db, config/production/orders/db',
    );
    expect(result.stderr).toContain(
      'Add "vpc": { "vpcId": "vpc-...", "subnetIds": ["subnet-...", ...], "securityGroupIds": ["sg-..."], ' +
        '"availabilityZones": ["<region>a", ...] }',
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(outdir)).toBe(false);
  });
});
