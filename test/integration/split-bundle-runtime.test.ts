import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { lambdaBundleOptions } from '../../lib/bundling.ts';
import { requirePostgres, superuserFromEnv } from '../support/postgres.ts';

/**
 * The bundle layout proven at run time, not only at import: a lazy path of a split bundle finds its
 * chunk (esbuild rewrote the dynamic import's path), and a CommonJS package inside that chunk (`pg`)
 * gets its `require` from the banner shim. The PostgreSQL rotation path is the one that has both.
 */
const postgres = await requirePostgres();
const outdir = mkdtempSync(path.join(tmpdir(), 'split-bundle-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe.skipIf(!postgres)('Split bundle at run time', () => {
  it('loads the PostgreSQL chunk on first use and logs in through it', async () => {
    // Prepare: an entry over the handlers' lazy PostgreSQL users, bundled as StewardFunction does
    const entry = path.join(outdir, 'entry.ts');
    writeFileSync(
      entry,
      `import { lazyPostgresDatabaseUsers } from ${JSON.stringify(path.resolve('functions/runtime/lazy-postgres.ts'))};\n` +
        'const users = lazyPostgresDatabaseUsers({ connectionTimeoutMillis: 3000 });\n' +
        'export const handler = (credentials) => users.canLogIn(credentials);\n',
    );
    const dist = path.join(outdir, 'dist');
    await build(lambdaBundleOptions(entry, dist, { absWorkingDir: process.cwd() }));
    const good = superuserFromEnv();
    const script = `
      const { handler } = await import(${JSON.stringify(pathToFileURL(path.join(dist, 'index.mjs')).href)});
      const loggedIn = await handler(${JSON.stringify(good)});
      const refused = await handler(${JSON.stringify({ ...good, password: 'not-the-password' })});
      process.stdout.write(JSON.stringify({ loggedIn, refused }));`;

    // Act
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });

    // Assess: the lazy chunk exists, was loaded, and pg worked inside it
    expect(readdirSync(path.join(dist, 'chunks')).some((f) => f.startsWith('postgres-database-users-'))).toBe(
      true,
    );
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ loggedIn: true, refused: false });
  });
});
