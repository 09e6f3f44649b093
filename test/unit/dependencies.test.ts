import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every TypeScript source under the folders a deployed or run artefact is built from. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const file = path.join(dir, entry);
    if (statSync(file).isDirectory()) return sources(file);
    return /\.(ts|mjs)$/.test(entry) ? [file] : [];
  });
}

describe('package.json', () => {
  it('lists no AWS SDK client that no code imports (the Scheduler deferral is gone)', () => {
    // Prepare
    const { dependencies } = JSON.parse(readFileSync('package.json', 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const code = ['functions', 'lib', 'bin', 'bench'].flatMap(sources).map((f) => readFileSync(f, 'utf8'));

    // Act
    const unused = Object.keys(dependencies)
      .filter((name) => name.startsWith('@aws-sdk/client-'))
      .filter((name) => !code.some((text) => text.includes(`'${name}'`)));

    // Assess
    expect(unused).toEqual([]);
  });
});
