import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withStagedOutdir } from '../../lib/staged-outdir.ts';

/** An assembly directory holding a previous run: a manifest and one asset. */
function previousAssembly(): string {
  const outdir = path.join(mkdtempSync(path.join(tmpdir(), 'staged-')), 'cdk.out');
  mkdirSync(path.join(outdir, 'asset.aaa'), { recursive: true });
  writeFileSync(path.join(outdir, 'asset.aaa', 'index.mjs'), 'previous bundle');
  writeFileSync(path.join(outdir, 'manifest.json'), 'previous manifest');
  return outdir;
}

/** Every entry under a directory with its content (`<dir>` for a directory). */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((entry) => {
      const file = path.join(dir, entry);
      return [entry, statSync(file).isDirectory() ? '<dir>' : readFileSync(file, 'utf8')];
    }),
  );
}

/** What a synth writes: a manifest, the asset of the previous run again, and a new one. */
function writeAssembly(staging: string): void {
  writeFileSync(path.join(staging, 'manifest.json'), 'new manifest');
  mkdirSync(path.join(staging, 'asset.aaa'));
  writeFileSync(path.join(staging, 'asset.aaa', 'index.mjs'), 'same bundle, rebuilt');
  mkdirSync(path.join(staging, 'asset.bbb'));
  writeFileSync(path.join(staging, 'asset.bbb', 'index.mjs'), 'new bundle');
}

describe('Function: withStagedOutdir', () => {
  it('publishes what the build wrote, keeps an asset directory already there, and leaves no staging', async () => {
    // Prepare
    const outdir = previousAssembly();

    // Act
    const result = await withStagedOutdir(outdir, (staging) => {
      writeAssembly(staging);
      return 'built';
    });

    // Assess
    expect(result).toBe('built');
    expect(snapshot(outdir)).toEqual({
      'manifest.json': 'new manifest',
      'asset.aaa': '<dir>',
      'asset.aaa/index.mjs': 'previous bundle',
      'asset.bbb': '<dir>',
      'asset.bbb/index.mjs': 'new bundle',
    });
  });

  it('leaves the directory exactly as it was when the build throws after writing', async () => {
    // Prepare
    const outdir = previousAssembly();
    const before = snapshot(outdir);

    // Act
    const build = withStagedOutdir(outdir, (staging) => {
      writeAssembly(staging);
      throw new Error('cdk-nag refused');
    });

    // Assess
    await expect(build).rejects.toThrow('cdk-nag refused');
    expect(snapshot(outdir)).toEqual(before);
  });

  it('removes the directory it created when the build throws', async () => {
    // Prepare
    const outdir = path.join(mkdtempSync(path.join(tmpdir(), 'staged-')), 'cdk.out');

    // Act
    const build = withStagedOutdir(outdir, async (staging) => {
      writeAssembly(staging);
      throw new Error('the stack cannot be built');
    });

    // Assess
    await expect(build).rejects.toThrow('the stack cannot be built');
    expect(existsSync(outdir)).toBe(false);
  });
});
