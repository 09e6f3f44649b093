/** `npm run bench`: every benchmark of the project, one after another. `npm run bench -- drift` runs one. */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const BENCHES = ['cold-start', 'flags', 'drift', 'validation', 'rotation', 'burst'];

// Bench names only: options such as `--runs 5` are read by the benches themselves.
const only = process.argv.slice(2).filter((arg) => BENCHES.includes(arg));
for (const name of BENCHES) {
  if (only.length > 0 && !only.includes(name)) continue;
  const file = path.join(import.meta.dirname, `${name}.ts`);
  if (!existsSync(file)) {
    console.log(`\n## ${name}: not written yet`);
    continue;
  }
  console.log(`\n## ${name}`);
  const started = performance.now();
  const module = (await import(pathToFileURL(file).href)) as { run: () => Promise<void> };
  await module.run();
  console.log(`(${name} took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
