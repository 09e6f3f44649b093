import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Bundle, bundle, handlerEntries, initialInputs } from '../../bench/bundling.ts';

/**
 * Bundle sizes are deterministic (same sources, same lock file, same esbuild), so a test may gate
 * them. Timings are only reported by `npm run bench`, never asserted. Each budget counts what a cold
 * start reads as deployed by default: code only, as source maps are opt-in (`sourceMaps: true` adds
 * the maps of our own code, and `--enable-source-maps` to read them).
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

/**
 * What config/ itself adds (cold start, and all chunks): the organisation's own schemas and values,
 * about 1 KB a service. The budgets gate the platform, so an adopter's tenth service does not turn
 * them red; what config/ pulls in from node_modules (classic zod, say) still counts.
 */
function organisationBytes(built: Bundle): { coldStart: number; total: number } {
  const fromConfig = (inputs: Iterable<[string, number]>) =>
    [...inputs].reduce((sum, [input, bytes]) => (input.startsWith('config/') ? sum + bytes : sum), 0);
  const everyChunk = Object.values(built.metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs).map(([input, { bytesInOutput }]): [string, number] => [
      input,
      bytesInOutput,
    ]),
  );
  return { coldStart: fromConfig(initialInputs(built)), total: fromConfig(everyChunk) };
}
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
      const organisation = organisationBytes(built);
      expect(built.bytes + built.mapBytes - organisation.coldStart, OVER_BUDGET_HINT).toBeLessThanOrEqual(
        budgets.bundles[name]!.coldStart,
      );
      expect(
        built.totalBytes + built.totalMapBytes - organisation.total,
        OVER_BUDGET_HINT,
      ).toBeLessThanOrEqual(budgets.bundles[name]!.total);
    },
  );

  it('counts source maps when opted in: a bundle built with maps weighs more than its code alone', async () => {
    // Act
    const built = await bundle(
      'appconfig-validator.maps',
      handlerEntries().find((h) => h.name === 'appconfig-validator')!.entry,
      outdir,
      { sourcemap: true },
    );

    // Assess: maps of our own code only, but there are some, at cold start and in total
    expect(built.mapBytes).toBeGreaterThan(0);
    expect(built.totalMapBytes).toBeGreaterThanOrEqual(built.mapBytes);
    expect(built.mapBytes).toBeLessThan(built.bytes);
  });

  it('gates what the default reads: the bundle as deployed by default has no map to count', async () => {
    // Act
    const built = await bundle(
      'appconfig-validator',
      handlerEntries().find((h) => h.name === 'appconfig-validator')!.entry,
      outdir,
    );

    // Assess
    expect(built.bytes).toBeGreaterThan(0);
    expect(built.mapBytes).toBe(0);
    expect(built.totalMapBytes).toBe(0);
  });

  it("leaves out config/'s own bytes and nothing else: the handlers that bundle it hold it", async () => {
    // Act
    const built = await bundle(
      'validate-change',
      handlerEntries().find((h) => h.name === 'validate-change')!.entry,
      outdir,
    );
    const organisation = organisationBytes(built);

    // Assess: the example organisation is a few KB, a sliver of the bundle
    expect(organisation.coldStart).toBeGreaterThan(0);
    expect(organisation.total).toBeGreaterThanOrEqual(organisation.coldStart);
    expect(organisation.coldStart).toBeLessThan(built.bytes / 20);
  });

  it('keeps the consumer client within its budget', async () => {
    // The built package, as a service bundles it (`npm test` builds it first, in `pretest`).
    const builtClient = path.resolve('node_modules/@config-steward/client/dist/index.js');
    expect(existsSync(builtClient), `${builtClient} is missing: run npm run build`).toBe(true);
    const entry = path.join(outdir, 'client.ts');
    writeFileSync(entry, `export { loadConfig, loadFlags } from ${JSON.stringify(builtClient)};\n`);
    const built = await bundle('consumer-client', entry, outdir);
    expect(built.bytes + built.mapBytes).toBeLessThanOrEqual(budgets.bundles['consumer-client']!.coldStart);
    expect(built.totalBytes + built.totalMapBytes).toBeLessThanOrEqual(
      budgets.bundles['consumer-client']!.total,
    );
  });
});
