import { afterEach, describe, expect, it, vi } from 'vitest';
import { requirePostgres } from '../support/postgres.ts';

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
