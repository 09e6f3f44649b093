import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundle, handlerEntries } from '../../bench/bundling.ts';

/**
 * What a Steward Lambda bundle must not carry (issue 7): classic zod (`zod/mini` is a quarter of
 * its size), `z.toJSONSchema` (synth-time only) and the synth-time settings schema. `orders-api`
 * is the example consumer and may use classic zod as any consumer would.
 */
const outdir = mkdtempSync(path.join(tmpdir(), 'bundle-contents-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const stewardHandlers = handlerEntries().filter((h) => h.name !== 'orders-api');

describe('Bundle contents', () => {
  it('covers the Steward handlers', () => {
    expect(stewardHandlers.map((h) => h.name)).toEqual(
      expect.arrayContaining(['validate-change', 'drift-job', 'rotate-secret', 'appconfig-validator']),
    );
  });

  it.each(stewardHandlers)(
    '$name bundles zod/mini only, without toJSONSchema or the settings schema',
    async ({ name, entry }) => {
      // Act
      const built = await bundle(name, entry, outdir);

      // Assess
      const output = Object.values(built.metafile.outputs)[0]!;
      const inputs = Object.entries(output.inputs)
        .filter(([, contribution]) => contribution.bytesInOutput > 0)
        .map(([input]) => input);
      expect(inputs.some((input) => input.includes('node_modules/zod/v4/mini/'))).toBe(true);
      expect(inputs.filter((input) => input.includes('node_modules/zod/v4/classic/'))).toEqual([]);
      expect(inputs.filter((input) => input.includes('to-json-schema'))).toEqual([]);
      expect(inputs).not.toContain('functions/core/settings.ts');
    },
  );
});
