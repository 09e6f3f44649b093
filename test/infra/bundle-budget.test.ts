import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundle, handlerEntries } from '../../bench/bundling.ts';

/**
 * Bundle sizes are deterministic (same sources, same lock file, same esbuild), so a test may gate
 * them. Timings are only reported by `npm run bench`, never asserted.
 */
interface Budget {
  readonly coldStart: number;
  readonly total: number;
}
const budgets = JSON.parse(readFileSync('bench/budgets.json', 'utf8')) as { bundles: Record<string, Budget> };
const outdir = mkdtempSync(path.join(tmpdir(), 'bundles-'));
/** The usual cause when an adopter's change trips a budget: config/ is bundled into the handlers. */
const OVER_BUDGET_HINT =
  "over budget; a classic zod schema in config/ (import * as z from 'zod') is the usual cause: " +
  '`npx steward check` names the key and prints its zod/mini form';
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('Bundle budgets (bench/budgets.json)', () => {
  it('has a budget for every Lambda handler and none for a handler that is gone', () => {
    const handlers = handlerEntries().map((h) => h.name);
    const budgeted = Object.keys(budgets.bundles).filter((name) => name !== 'consumer-client');
    expect(budgeted.sort()).toEqual(handlers.sort());
  });

  it.each(handlerEntries())(
    '$name stays within its cold-start and total size budgets',
    async ({ name, entry }) => {
      const built = await bundle(name, entry, outdir);
      expect(built.bytes, OVER_BUDGET_HINT).toBeLessThanOrEqual(budgets.bundles[name]!.coldStart);
      expect(built.totalBytes, OVER_BUDGET_HINT).toBeLessThanOrEqual(budgets.bundles[name]!.total);
    },
  );

  it('keeps the consumer client within its budget', async () => {
    const entry = path.join(outdir, 'client.ts');
    writeFileSync(
      entry,
      `export { flags, loadConfig } from ${JSON.stringify(path.resolve('functions/client/index.ts'))};\n`,
    );
    const built = await bundle('consumer-client', entry, outdir);
    expect(built.bytes).toBeLessThanOrEqual(budgets.bundles['consumer-client']!.coldStart);
    expect(built.totalBytes).toBeLessThanOrEqual(budgets.bundles['consumer-client']!.total);
  });
});
