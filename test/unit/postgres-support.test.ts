import { afterEach, describe, expect, it, vi } from 'vitest';
import { requirePostgres, runScopedPrefix } from '../support/postgres.ts';

const UNREACHABLE = { PGHOST: '127.0.0.1', PGPORT: '1', PGUSER: 'postgres', PGPASSWORD: 'postgres' };

describe('Function: requirePostgres', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('fails the suite when PostgreSQL is required (CI) and unreachable', async () => {
    // Act
    const attempt = requirePostgres({ ...UNREACHABLE, STEWARD_REQUIRE_POSTGRES: '1' });

    // Assess
    await expect(attempt).rejects.toThrow(
      /127\.0\.0\.1:1 .* unreachable.*STEWARD_REQUIRE_POSTGRES=1, so the rotation tests fail/,
    );
  });

  it('skips with a message saying how to make it fail, when not required', async () => {
    // Prepare
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    // Act
    const postgres = await requirePostgres(UNREACHABLE);

    // Assess
    expect(postgres).toBeUndefined();
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/skipping the PostgreSQL rotation tests \(set STEWARD_REQUIRE_POSTGRES=1/),
    );
  });
});

describe('Function: runScopedPrefix', () => {
  it('gives each call its own lowercase identifier, carrying the name and this process id', () => {
    // Act
    const first = runScopedPrefix('steward_pg_adapter');
    const second = runScopedPrefix('steward_pg_adapter');

    // Assess: two runs (or two fixtures of one run) never share a role or database name
    expect(first).not.toBe(second);
    for (const prefix of [first, second]) {
      expect(prefix).toMatch(new RegExp(`^steward_pg_adapter_${process.pid.toString(36)}_[0-9a-f]{6}$`));
      expect(`${prefix}_app_clone`.length).toBeLessThanOrEqual(63);
    }
  });

  it('refuses a name whose roles PostgreSQL would cut short, or that needs quoting', () => {
    // Act & Assess
    expect(() => runScopedPrefix('s'.repeat(45))).toThrow(/at most 53 bytes/);
    expect(() => runScopedPrefix('Steward')).toThrow(/lowercase identifier/);
  });
});
