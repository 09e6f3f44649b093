import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const DEPCRUISE = path.join(ROOT, 'node_modules', '.bin', 'depcruise');

function depcruise(cwd: string) {
  const result = spawnSync(DEPCRUISE, ['functions', '--config', path.join(ROOT, '.dependency-cruiser.cjs')], {
    cwd,
    encoding: 'utf8',
  });
  return { code: result.status, output: result.stdout + result.stderr };
}

describe('Architecture boundaries (dependency-cruiser)', () => {
  it('rejects a core module that imports the AWS SDK, middy or aws-lambda types', () => {
    // Act
    const { code, output } = depcruise(path.join(ROOT, 'test', 'fixtures', 'impure-core'));

    // Assess
    expect(code).not.toBe(0);
    expect(output).toMatch(/core-is-pure: functions\/core\/impure\.ts → .*@aws-sdk\/client-ssm/);
    expect(output).toMatch(/core-is-pure: functions\/core\/impure\.ts → .*@middy\/core/);
    expect(output).toMatch(/core-is-pure: functions\/core\/impure\.ts → .*@types\/aws-lambda/);
  });

  it('finds no violation in the project itself', () => {
    const { code, output } = depcruise(ROOT);
    expect(output).toContain('no dependency violations found');
    expect(code).toBe(0);
  });
});
