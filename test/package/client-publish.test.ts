/**
 * The consumer client as a service installs it: `npm pack`, the tarball installed into a fresh
 * project outside the workspace (no workspace link), every export imported from plain Node.js ESM,
 * and a consumer file typechecked against the shipped declarations alone.
 *
 * The tarball is packed from the `dist/` that `npm test` builds first (`pretest`), with
 * `--ignore-scripts`: the package's `prepack` rebuild would empty `dist/` under the bundle tests
 * running next to this one. A `dist/` older than its sources fails here instead of being shipped.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PACKAGE_DIR = path.resolve('packages/client');
const FIXTURES = path.resolve('test/fixtures/client-consumer');
const TSC = path.resolve('node_modules/typescript/bin/tsc');

/** The versions the workspace is tested with, so npm finds them in its cache. */
function installedVersion(name: string): string {
  const manifest = path.resolve('node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    // No inherited workspace or prefix settings from the `npm test` running this file.
    env: { ...process.env, npm_config_workspace: '', npm_config_workspaces: '', npm_config_prefix: '' },
  });
}

interface PackedFile {
  readonly path: string;
}

describe('Package: @config-steward/client', () => {
  let work: string;
  let consumer: string;
  let packedFiles: string[];
  let startedAt: number;

  beforeAll(() => {
    startedAt = Date.now();
    work = mkdtempSync(path.join(tmpdir(), 'client-publish-'));
    const [packed] = JSON.parse(
      npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], PACKAGE_DIR),
    ) as { filename: string; files: PackedFile[] }[];
    packedFiles = packed!.files.map((f) => f.path).sort();

    consumer = path.join(work, 'consumer');
    mkdirSync(consumer);
    writeFileSync(
      path.join(consumer, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    for (const file of ['consumer.ts', 'check.mjs', 'tsconfig.json']) {
      copyFileSync(path.join(FIXTURES, file), path.join(consumer, file));
    }
    npm(
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        path.join(work, packed!.filename),
        `zod@${installedVersion('zod')}`,
        `@middy/core@${installedVersion('@middy/core')}`,
        `@openfeature/server-sdk@${installedVersion('@openfeature/server-sdk')}`,
        `@types/aws-lambda@${installedVersion('@types/aws-lambda')}`,
        `@types/node@${installedVersion('@types/node')}`,
      ],
      consumer,
    );
  }, 120_000);

  afterAll(() => {
    console.info(`publish test: pack, install, import and typecheck took ${Date.now() - startedAt} ms`);
    rmSync(work, { recursive: true, force: true });
  });

  it('ships a dist/ built from the current sources', () => {
    const sources = readdirSync(path.join(PACKAGE_DIR, 'src')).filter((f) => f.endsWith('.ts'));
    const stale = sources.filter((file) => {
      const built = path.join(PACKAGE_DIR, 'dist', file.replace(/\.ts$/, '.js'));
      return (
        statSync(built, { throwIfNoEntry: false }) === undefined ||
        statSync(built).mtimeMs < statSync(path.join(PACKAGE_DIR, 'src', file)).mtimeMs
      );
    });
    expect(stale, 'dist/ is missing or older than src/: run npm run build').toEqual([]);
  });

  it('packs only the built JavaScript and declarations, the README, the licence and the manifest', () => {
    const unexpected = packedFiles.filter(
      (file) =>
        !['package.json', 'README.md', 'LICENSE'].includes(file) && !/^dist\/[a-z-]+\.(js|d\.ts)$/.test(file),
    );
    expect(unexpected).toEqual([]);
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'dist/index.d.ts',
        'dist/index.js',
        'dist/middy.d.ts',
        'dist/middy.js',
        'dist/openfeature.d.ts',
        'dist/openfeature.js',
      ]),
    );
  });

  it('installs as a copy of the tarball, not a link into the workspace', () => {
    const installed = path.join(consumer, 'node_modules/@config-steward/client');
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(readdirSync(installed).sort()).toEqual(['LICENSE', 'README.md', 'dist', 'package.json']);
  });

  it('imports every export point from plain Node.js ESM, and local mode answers from files', () => {
    const output = JSON.parse(execFileSync('node', ['check.mjs'], { cwd: consumer, encoding: 'utf8' })) as {
      exports: Record<string, string[]>;
      config: unknown;
      newCheckout: boolean;
      provider: boolean;
      internal: string;
    };
    expect(output.exports).toEqual({
      '.': [
        'ClientConfigurationError',
        'ExtensionUnavailableError',
        'FLAG_EVALUATIONS_METRIC',
        'FLAG_USAGE_DIMENSIONS',
        'FLAG_USAGE_DIMENSION_SETS',
        'FLAG_USAGE_INTERVAL_MS',
        'InvalidConfigDocumentError',
        'METRIC_NAMESPACE',
        'StewardClientError',
        'clearConfigSources',
        'clearFlagClients',
        'createFlagEvaluator',
        'flushFlagUsage',
        'loadConfig',
        'loadFlags',
        'loadRuleEngine',
      ],
      './middy': ['stewardConfig'],
      './openfeature': ['StewardFlagProvider'],
    });
    expect(output.config).toEqual({ currency: 'EUR' });
    expect(output.newCheckout).toBe(true);
    expect(output.provider).toBe(true);
    // Internals stay internal: only the declared export points resolve.
    expect(output.internal).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('typechecks a consumer against the shipped declarations', () => {
    let diagnostics = '';
    try {
      execFileSync('node', [TSC, '-p', 'tsconfig.json'], { cwd: consumer, encoding: 'utf8' });
    } catch (error) {
      diagnostics = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(diagnostics).toBe('');
  });
});
