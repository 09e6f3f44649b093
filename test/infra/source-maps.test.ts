import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { lambdaBundleOptions, trimSourceMaps } from '../../lib/bundling.ts';
import { isOwnSource, keepSources, type SourceMapV3 } from '../../lib/source-maps.ts';

const work = mkdtempSync(path.join(process.cwd(), '.source-maps-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A handler that calls into a dependency (zod) and throws from its own code. */
function buildFixture(outdir = path.join(work, 'out')): { outdir: string; map: () => SourceMapV3 } {
  const entry = path.join(work, 'fixture-handler.ts');
  writeFileSync(
    entry,
    [
      "import * as z from 'zod/mini';",
      'const schema = z.object({ name: z.string() });',
      'export function failOwnCode(input: unknown): never {',
      '  schema.parse(input);',
      "  throw new Error('thrown in our code');",
      '}',
      '',
    ].join('\n'),
  );
  buildSync(lambdaBundleOptions(entry, outdir, { absWorkingDir: process.cwd(), sourcemap: true }));
  return {
    outdir,
    map: () => JSON.parse(readFileSync(path.join(outdir, 'index.mjs.map'), 'utf8')) as SourceMapV3,
  };
}

describe('Source maps of our own code only (lib/source-maps.ts)', () => {
  it('rewrites a map unchanged when every source is kept', () => {
    // Prepare
    const { map } = buildFixture();
    const original = map();

    // Act
    const same = keepSources(original, () => true);

    // Assess
    expect(same.mappings).toBe(original.mappings);
    expect(same.sources).toEqual(original.sources);
    expect(same.names).toEqual(original.names);
  });

  it('drops the sources and mappings of node_modules and keeps ours', () => {
    // Prepare
    const { outdir, map } = buildFixture();
    const before = map();
    expect(before.sources.some((s) => s.includes('node_modules/zod/'))).toBe(true);

    // Act
    trimSourceMaps(outdir);

    // Assess
    const after = map();
    expect(after.sources.every(isOwnSource)).toBe(true);
    expect(after.sources.some((s) => s.endsWith('fixture-handler.ts'))).toBe(true);
    expect(after.mappings.length).toBeLessThan(before.mappings.length / 2);
  });

  it('names sources from the project root, so a bundle is the same wherever it is staged', () => {
    // Prepare
    const near = buildFixture(path.join(work, 'near'));
    const far = buildFixture(mkdtempSync(path.join(os.tmpdir(), 'source-maps-far-')));

    // Act
    trimSourceMaps(near.outdir, process.cwd());
    trimSourceMaps(far.outdir, process.cwd());

    // Assess
    expect(far.map()).toEqual(near.map());
    expect(near.map().sources).toContain(path.relative(process.cwd(), path.join(work, 'fixture-handler.ts')));
    rmSync(far.outdir, { recursive: true, force: true });
  });

  it('ships no map for a chunk of library code only, and the chunk names none', () => {
    // Prepare: zod/mini in a lazy chunk of its own, with none of our code in it
    const entry = path.join(work, 'lazy-library.ts');
    writeFileSync(entry, "export const loadZod = () => import('zod/mini');\n");
    const outdir = path.join(work, 'lazy-out');
    buildSync(lambdaBundleOptions(entry, outdir, { absWorkingDir: process.cwd(), sourcemap: true }));
    const chunks = path.join(outdir, 'chunks');
    const [libraryChunk] = readdirSync(chunks).filter((file) => file.endsWith('.mjs'));
    expect(existsSync(path.join(chunks, `${libraryChunk}.map`))).toBe(true);

    // Act
    trimSourceMaps(outdir);

    // Assess: the map is gone, the entry keeps its own, and the chunk still loads under the flag
    expect(existsSync(path.join(chunks, `${libraryChunk}.map`))).toBe(false);
    expect(readFileSync(path.join(chunks, libraryChunk!), 'utf8')).not.toContain('sourceMappingURL');
    expect(existsSync(path.join(outdir, 'index.mjs.map'))).toBe(true);
    const run = spawnSync(
      process.execPath,
      [
        '--enable-source-maps',
        '--input-type=module',
        '-e',
        `const { loadZod } = await import(${JSON.stringify(pathToFileURL(path.join(outdir, 'index.mjs')).href)}); const z = await loadZod(); console.log(typeof z.string);`,
      ],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('function');
  });

  it('still maps a stack frame of our code to its TypeScript line under --enable-source-maps', () => {
    // Prepare
    const { outdir } = buildFixture();
    trimSourceMaps(outdir);
    const bundle = path.join(outdir, 'index.mjs');

    // Act
    const run = spawnSync(
      process.execPath,
      [
        '--enable-source-maps',
        '--input-type=module',
        '-e',
        `const { failOwnCode } = await import(${JSON.stringify(`file://${bundle}`)}); try { failOwnCode({ name: 'x' }); } catch (error) { console.log(error.stack); }`,
      ],
      { encoding: 'utf8' },
    );

    // Assess: line 5 of the fixture is the throw
    expect(run.stdout).toContain('thrown in our code');
    expect(run.stdout).toMatch(/fixture-handler\.ts:5:\d+/);
  });
});

describe('Source maps are opt-in (the sourceMaps setting, off by default)', () => {
  it('builds no map and names none unless asked, so a cold start reads code only', () => {
    // Prepare: a handler with a lazy chunk, built with the default options
    const entry = path.join(work, 'default-handler.ts');
    writeFileSync(
      entry,
      "import * as z from 'zod/mini';\nexport const schema = z.string();\nexport const later = () => import('zod/mini');\n",
    );
    const outdir = path.join(work, 'default-out');

    // Act
    buildSync(lambdaBundleOptions(entry, outdir, { absWorkingDir: process.cwd() }));

    // Assess
    const files = readdirSync(outdir, { recursive: true, encoding: 'utf8' });
    const scripts = files.filter((file) => file.endsWith('.mjs'));
    expect(scripts.length).toBeGreaterThan(1);
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
    for (const script of scripts) {
      expect(readFileSync(path.join(outdir, script), 'utf8'), script).not.toContain('sourceMappingURL');
    }
  });
});
