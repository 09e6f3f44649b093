/** Builds handler bundles exactly as StewardFunction does (esbuild, ESM, minified), with metafiles. */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { PROJECT_ROOT } from '../lib/constructs/steward-function.ts';

export const BANNER =
  "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

export interface Bundle {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly metafile: Metafile;
}

/** Every Lambda handler: each file of functions/handlers that exports `handler`. */
export function handlerEntries(): { name: string; entry: string }[] {
  const dir = path.join(PROJECT_ROOT, 'functions', 'handlers');
  return readdirSync(dir)
    .filter(
      (f) => f.endsWith('.ts') && /export const handler\b/.test(readFileSync(path.join(dir, f), 'utf8')),
    )
    .map((f) => ({ name: path.basename(f, '.ts'), entry: path.join(dir, f) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function bundle(name: string, entry: string, outdir: string): Promise<Bundle> {
  const file = path.join(outdir, `${name}.mjs`);
  const result = await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    mainFields: ['module', 'main'],
    banner: { js: BANNER },
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: PROJECT_ROOT,
  });
  const bytes = result.metafile.outputs[path.relative(PROJECT_ROOT, file)]?.bytes ?? 0;
  return { name, file, bytes, metafile: result.metafile };
}

/** The AWS SDK client packages a bundle pulls in, read off its metafile. */
export function sdkClients(metafile: Metafile): string[] {
  const clients = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\//.exec(input);
    if (match) clients.add(match[1]!);
  }
  return [...clients].sort();
}

/** The largest inputs of a bundle by bytes they contribute to the output. */
export function largestInputs(bundleResult: Bundle, count = 5): { input: string; bytes: number }[] {
  const output = Object.values(bundleResult.metafile.outputs)[0];
  return Object.entries(output?.inputs ?? {})
    .map(([input, { bytesInOutput }]) => ({
      input: input.replace(/^node_modules\//, ''),
      bytes: bytesInOutput,
    }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, count);
}

/** Source of a baseline handler that only imports and constructs the given SDK clients. */
export function baselineSource(clients: readonly string[]): string {
  const lines = clients.map((pkg, i) => {
    const className = `${pkg.replace(/^client-/, '').replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}Client`;
    return `import { ${sdkClassName(pkg, className)} as C${i} } from '@aws-sdk/${pkg}';\nexport const client${i} = new C${i}({});`;
  });
  return `${lines.join('\n')}\nexport const handler = async () => ({ ok: true });\n`;
}

/** SDK class names that do not follow the package name's capitalisation. */
function sdkClassName(pkg: string, guess: string): string {
  const known: Record<string, string> = {
    'client-ssm': 'SSMClient',
    'client-eventbridge': 'EventBridgeClient',
    'client-appconfig': 'AppConfigClient',
    'client-appconfigdata': 'AppConfigDataClient',
    'client-secrets-manager': 'SecretsManagerClient',
    'client-sts': 'STSClient',
    'client-cloudwatch': 'CloudWatchClient',
  };
  return known[pkg] ?? guess;
}
