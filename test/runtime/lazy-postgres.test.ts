import { describe, expect, it, vi } from 'vitest';
import type { DatabaseCredentials } from '../../functions/ports/database-users.ts';

const adapter = vi.hoisted(() => ({
  constructed: [] as unknown[],
  calls: [] as unknown[][],
}));

vi.mock('../../functions/adapters/postgres-database-users.ts', () => ({
  PostgresDatabaseUsers: class {
    constructor(options: unknown) {
      adapter.constructed.push(options);
    }
    async canLogIn(credentials: DatabaseCredentials) {
      adapter.calls.push(['canLogIn', credentials.username]);
      return true;
    }
    async ensureClone(_admin: DatabaseCredentials, original: string, clone: string) {
      adapter.calls.push(['ensureClone', original, clone]);
    }
    async setPassword(_admin: DatabaseCredentials, role: string) {
      adapter.calls.push(['setPassword', role]);
    }
    async changeOwnPassword(credentials: DatabaseCredentials) {
      adapter.calls.push(['changeOwnPassword', credentials.username]);
    }
  },
}));

const { lazyPostgresDatabaseUsers } = await import('../../functions/runtime/lazy-postgres.ts');

const credentials: DatabaseCredentials = {
  host: 'db.internal',
  port: 5432,
  dbname: 'orders',
  username: 'orders',
  password: 'Known-Secret-0001',
};

describe('Function: lazyPostgresDatabaseUsers', () => {
  it('builds the PostgreSQL adapter on first use only, once, and delegates every operation to it', async () => {
    // Prepare
    const users = lazyPostgresDatabaseUsers({ ssl: false, connectionTimeoutMillis: 100 });
    const constructedBefore = adapter.constructed.length;

    // Act
    const loggedIn = await users.canLogIn(credentials);
    await users.ensureClone(credentials, 'orders', 'orders_clone');
    await users.setPassword(credentials, 'orders_clone', 'New-Secret-0002');
    await users.changeOwnPassword(credentials, 'New-Secret-0003');

    // Assess
    expect(constructedBefore).toBe(0);
    expect(loggedIn).toBe(true);
    expect(adapter.constructed).toEqual([{ ssl: false, connectionTimeoutMillis: 100 }]);
    expect(adapter.calls).toEqual([
      ['canLogIn', 'orders'],
      ['ensureClone', 'orders', 'orders_clone'],
      ['setPassword', 'orders_clone'],
      ['changeOwnPassword', 'orders'],
    ]);
  });
});
