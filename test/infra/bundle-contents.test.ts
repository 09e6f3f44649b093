import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bundle, bundle, handlerEntries, initialInputs } from '../../bench/bundling.ts';
import { functionEnvironment } from '../../bench/cold-start.ts';

/**
 * What a Steward Lambda bundle must not carry (issue 7): classic zod (`zod/mini` is a quarter of
 * its size), `z.toJSONSchema` (synth-time only) and the synth-time settings schema; and what it must
 * load only on first use: the ticket trackers (most invocations file none) and the PostgreSQL driver. `orders-api` is
 * the example consumer and may use classic zod as any consumer would.
 */
const outdir = mkdtempSync(path.join(tmpdir(), 'bundle-contents-'));
const bundles = new Map<string, Bundle>();
beforeAll(async () => {
  for (const { name, entry } of handlerEntries()) bundles.set(name, await bundle(name, entry, outdir));
}, 60_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const stewardHandlers = handlerEntries()
  .map((h) => h.name)
  .filter((name) => name !== 'orders-api');

/** Every input that contributes bytes to any file of the bundle, lazy chunks included. */
function allInputs(built: Bundle): string[] {
  return Object.values(built.metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, contribution]) => contribution.bytesInOutput > 0)
      .map(([input]) => input),
  );
}

/** Inputs of the files loaded at cold start. */
const loadedAtColdStart = (built: Bundle) =>
  [...initialInputs(built)].filter(([, bytes]) => bytes > 0).map(([input]) => input);

describe('Bundle contents', () => {
  it('covers the Steward handlers', () => {
    expect(stewardHandlers).toEqual(
      expect.arrayContaining(['validate-change', 'drift-job', 'rotate-secret', 'appconfig-validator']),
    );
  });

  it.each(stewardHandlers)(
    '%s bundles zod/mini only, without toJSONSchema or the settings schema',
    (name) => {
      // Act
      const inputs = allInputs(bundles.get(name)!);

      // Assess
      expect(inputs.some((input) => input.includes('node_modules/zod/v4/mini/'))).toBe(true);
      expect(inputs.filter((input) => input.includes('node_modules/zod/v4/classic/'))).toEqual([]);
      expect(inputs.filter((input) => input.includes('to-json-schema'))).toEqual([]);
      expect(inputs).not.toContain('functions/core/settings.ts');
    },
  );

  it.each(['drift-job', 'flag-expiry-job', 'rotate-secret', 'validate-change'])(
    '%s loads the ticket trackers (OpsCenter, GitHub, Jira) only on first use',
    (name) => {
      // Prepare
      const built = bundles.get(name)!;
      const trackers = ['opscenter', 'github', 'jira'].map((t) => `functions/adapters/tickets/${t}.ts`);

      // Assess: in the bundle, but not in a file the entry imports statically
      expect(allInputs(built)).toEqual(expect.arrayContaining(trackers));
      expect(loadedAtColdStart(built).filter((input) => trackers.includes(input))).toEqual([]);
    },
  );

  it('rotate-secret loads the PostgreSQL driver only on first use', () => {
    // Prepare
    const built = bundles.get('rotate-secret')!;
    const isPg = (input: string) => /node_modules\/pg(-[a-z-]+)?\//.test(input);

    // Assess
    expect(allInputs(built).some(isPg)).toBe(true);
    expect(loadedAtColdStart(built).filter(isPg)).toEqual([]);
  });

  it('validate-change loads the AppConfig client only when it delivers in process (no delivery queue)', () => {
    // Prepare
    const built = bundles.get('validate-change')!;
    const isAppConfig = (input: string) => input.includes('node_modules/@aws-sdk/client-appconfig/');

    // Assess
    expect(allInputs(built).some(isAppConfig)).toBe(true);
    expect(loadedAtColdStart(built).filter(isAppConfig)).toEqual([]);
    expect(allInputs(built).some((input) => input.includes('client-scheduler'))).toBe(false);
    // The client is imported by name in the lazy chunk: a dynamic import of the whole package kept its
    // waiters live, and esbuild put the SDK's waiter helpers, shared files, in the cold-start chunks.
    expect(loadedAtColdStart(built).filter((input) => input.includes('/util-waiter/'))).toEqual([]);
  });

  it('drift-job loads the AppConfig client and the flag comparison only when a run compares flags', () => {
    // Prepare: flag units come last in a run and need AppConfig; the Parameter Store units do not
    const built = bundles.get('drift-job')!;
    const lazy = (input: string) =>
      input.includes('node_modules/@aws-sdk/client-appconfig/') ||
      input === 'functions/core/drift/flag-drift.ts' ||
      input === 'functions/core/flags/appconfig-format.ts';

    // Assess
    expect(allInputs(built).filter(lazy).length).toBeGreaterThan(2);
    expect(loadedAtColdStart(built).filter(lazy)).toEqual([]);
  });

  it('validate-change loads the delivery core only when it delivers in process', () => {
    // Prepare: affectedServices is all the validator needs of delivery at cold start
    const built = bundles.get('validate-change')!;
    const deliver = 'functions/core/delivery/deliver.ts';

    // Assess
    expect(allInputs(built)).toContain(deliver);
    expect(loadedAtColdStart(built)).not.toContain(deliver);
    expect(loadedAtColdStart(built)).toContain('functions/core/delivery/affected-services.ts');
  });

  it.each([
    [
      'validate-change',
      ['functions/core/validation/reject-change.ts', 'functions/core/validation/restore-rejected.ts'],
    ],
    ['deliver-changes', ['functions/core/validation/restore-rejected.ts']],
  ])('%s loads the rejection and restore path only on the first rejection or restore', (name, modules) => {
    // Prepare: an accepted change, the usual first invocation, runs none of it
    const built = bundles.get(name)!;

    // Assess
    expect(allInputs(built)).toEqual(expect.arrayContaining(modules));
    expect(loadedAtColdStart(built).filter((input) => modules.includes(input))).toEqual([]);
  });

  it('deliver-changes loads the flags document builder only when a stack deployment asks for flags', () => {
    // Prepare: documents and restores, every invocation but a stack deployment's, build no flags
    const built = bundles.get('deliver-changes')!;
    const flags = [
      'functions/core/delivery/deliver-flags.ts',
      'functions/core/flags/profile-document.ts',
      'functions/core/flags/appconfig-format.ts',
    ];

    // Assess
    expect(allInputs(built)).toEqual(expect.arrayContaining(flags));
    expect(loadedAtColdStart(built).filter((input) => flags.includes(input))).toEqual([]);
  });

  it('appconfig-validator loads the rule language only for a flag document with rules', () => {
    // Prepare
    const built = bundles.get('appconfig-validator')!;
    const isRuleLanguage = (input: string) => /packages\/client\/(dist|src)\/rules\.(js|ts)$/.test(input);

    // Assess
    expect(allInputs(built).some(isRuleLanguage)).toBe(true);
    expect(loadedAtColdStart(built).filter(isRuleLanguage)).toEqual([]);
  });

  it.each(handlerEntries().map((h) => h.name))(
    '%s imports in a fresh Node.js process, and so does every lazy chunk',
    (name) => {
      // Prepare
      const built = bundles.get(name)!;
      const dir = path.dirname(built.file);
      const chunkDir = path.join(dir, 'chunks');
      const chunks = (existsSync(chunkDir) ? readdirSync(chunkDir) : [])
        .filter((file) => file.endsWith('.mjs'))
        .map((file) => pathToFileURL(path.join(chunkDir, file)).href);
      const script = `
        const { handler } = await import(${JSON.stringify(pathToFileURL(built.file).href)});
        if (typeof handler !== 'function') throw new Error('no handler export');
        for (const chunk of ${JSON.stringify(chunks)}) await import(chunk);
        process.stdout.write('loaded ' + ${chunks.length});`;

      // Act
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        env: functionEnvironment(),
        encoding: 'utf8',
      });

      // Assess
      expect(result.stderr).not.toMatch(/Error/);
      expect(result.stdout).toBe(`loaded ${chunks.length}`);
    },
  );
});
