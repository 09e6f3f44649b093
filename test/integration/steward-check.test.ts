import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const copies: string[] = [];

function steward(...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'steward.mjs'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A copy of config/ beside it (so its relative imports of functions/ still resolve), edited. */
function copyOfConfig(edit: (dir: string) => void): string {
  const dir = mkdtempSync(path.join(ROOT, '.check-'));
  copies.push(dir);
  cpSync(path.join(ROOT, 'config'), dir, { recursive: true });
  edit(dir);
  return dir;
}

function replaceIn(file: string, from: string | RegExp, to: string) {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`edit did not apply to ${file}`);
  writeFileSync(file, next);
}

afterEach(() => {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('CLI: steward check', () => {
  it('exits 0 on the example organisation', () => {
    const { code, stdout } = steward('check');
    expect(stdout).toContain('no findings');
    expect(code).toBe(0);
  });

  it('exits 1 naming the parameter when production orders max-retries is "five"', () => {
    // Prepare
    const dir = copyOfConfig((d) =>
      replaceIn(path.join(d, 'services/orders.ts'), "'max-retries': 5,", "'max-retries': 'five' as never,"),
    );

    // Act
    const { code, stdout } = steward('check', '--config', dir);

    // Assess
    expect(code).toBe(1);
    expect(stdout).toContain(
      '/config/production/orders/max-retries: max-retries: expected a canonical decimal integer',
    );
    expect(stdout).toContain('(value: "five")');
  });

  it('exits 1 on a boolean set to yes', () => {
    const dir = copyOfConfig((d) =>
      replaceIn(
        path.join(d, 'services/orders.ts'),
        "'db/pool-size': 40,",
        "'db/pool-size': 40, 'checkout-enabled': 'yes' as never,",
      ),
    );
    const { code, stdout } = steward('check', '--config', dir);
    expect(code).toBe(1);
    expect(stdout).toContain(
      '/config/production/orders/checkout-enabled: checkout-enabled: expected true or false',
    );
  });

  it('exits 1 on an extra key max_retires', () => {
    const dir = copyOfConfig((d) =>
      replaceIn(
        path.join(d, 'services/orders.ts'),
        "'db/pool-size': 40,",
        "'db/pool-size': 40, ...({ max_retires: 4 } as {}),",
      ),
    );
    const { code, stdout } = steward('check', '--config', dir, '--json');
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ rule: 'unknown-key', subject: '/config/production/orders/max_retires' }),
    );
  });

  it('never shows a credential-looking value', () => {
    const token = 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB';
    const dir = copyOfConfig((d) =>
      replaceIn(
        path.join(d, 'services/orders.ts'),
        "'db/pool-size': 40,",
        `'db/pool-size': 40, 'promo-code': '${token}',`,
      ),
    );
    const { code, stdout, stderr } = steward('check', '--config', dir);
    expect(code).toBe(1);
    expect(stdout).toContain('plaintext-credential');
    expect(stdout + stderr).not.toContain(token);
  });

  it('exits 3 (configuration error, not findings) naming the file and field of a broken settings file', () => {
    const dir = copyOfConfig((d) =>
      replaceIn(path.join(d, 'settings.json'), '"enforcement": "enforce"', '"enforcement": "block"'),
    );
    const { code, stderr } = steward('check', '--config', dir);
    expect(code).toBe(3);
    expect(stderr).toMatch(/settings\.json: environments\.0\.enforcement: Invalid option/);
  });

  it('exits 2 with usage on a missing directory or an unknown option, without a stack trace', () => {
    const missing = steward('check', '--config', '/no/such/dir');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('config directory not found: /no/such/dir');
    expect(missing.stderr).toContain('usage: steward');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    expect(steward('check', '--verbose').code).toBe(2);
    expect(steward('frobnicate').code).toBe(2);
  });
});
