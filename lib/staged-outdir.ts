/**
 * Synthesis into a private directory first, published into the cloud assembly directory only when
 * it succeeded. CDK stages (bundles) assets while the stack is being constructed, so without this a
 * failure after the first bundle (a construct refusing a setting, a cdk-nag finding) would leave
 * asset folders, and perhaps half an assembly, behind in `cdk.out`.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';

/** Written last, so a reader of the assembly never finds a manifest naming assets not yet there. */
const MANIFEST = 'manifest.json';

/**
 * Runs `build` with a fresh staging directory inside `outdir`; on success moves what it wrote into
 * `outdir`, on failure removes it and leaves `outdir` exactly as it was (and removes `outdir`
 * itself when this call created it).
 *
 * @example
 * const summary = await withStagedOutdir('cdk.out', (staging) => {
 *   const app = new App({ outdir: staging, autoSynth: false });
 *   // ... construct, app.synth(), check ...
 *   return summary;
 * });
 */
export async function withStagedOutdir<T>(
  outdir: string,
  build: (stagingDir: string) => T | Promise<T>,
): Promise<T> {
  const existed = existsSync(outdir);
  mkdirSync(outdir, { recursive: true });
  const staging = mkdtempSync(path.join(outdir, '.staging-'));
  let succeeded = false;
  try {
    const result = await build(staging);
    publish(staging, outdir);
    succeeded = true;
    return result;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    if (!succeeded && !existed && readdirSync(outdir).length === 0) rmdirSync(outdir);
  }
}

function publish(staging: string, outdir: string): void {
  const entries = readdirSync(staging, { withFileTypes: true }).sort(
    (a, b) => Number(a.name === MANIFEST) - Number(b.name === MANIFEST),
  );
  for (const entry of entries) {
    const target = path.join(outdir, entry.name);
    // Asset directories are named by the hash of their content: one already there is this one.
    if (entry.isDirectory() && existsSync(target)) continue;
    renameSync(path.join(staging, entry.name), target);
  }
}
