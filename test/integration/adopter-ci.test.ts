/**
 * An adopter's first change: a copy of the project (no node_modules, .git or cdk.out; node_modules
 * linked), a service added exactly as README.md's "Adding a service" says, then what their CI runs.
 * The copy runs only the tests that depend on the example organisation, never the whole suite and
 * never this file (STEWARD_ADOPTER_COPY is set inside it).
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const INSIDE_COPY = 'STEWARD_ADOPTER_COPY';

/**
 * The test files whose expectations come from config/ (counts and names of services, secrets and
 * flags), and the bundle budgets, since config/ is bundled into the handlers. The rest of the suite
 * tests rules with fixtures of its own, which an added service cannot affect.
 */
const ORGANISATION_TESTS = [
  'test/infra/config-delivery.test.ts',
  'test/infra/secret-rotation.test.ts',
  'test/infra/steward-stack.test.ts',
  'test/infra/change-validation.test.ts',
  'test/infra/bundle-budget.test.ts',
  'test/unit/delivery.test.ts',
  'test/unit/flags-command.test.ts',
  'test/unit/flag-appconfig-format.test.ts',
];

/** Left out of the copy, as .gitignore leaves them out: dependencies (linked instead), history, output. */
const NOT_COPIED = new Set(['node_modules', '.git', 'cdk.out', '.bench', 'coverage']);

function copyProject(): string {
  const copy = mkdtempSync(path.join(tmpdir(), 'steward-adopter-'));
  for (const entry of readdirSync(ROOT)) {
    // .check-* are steward-check.test.ts's scratch copies, created and removed while the suite runs.
    if (NOT_COPIED.has(entry) || entry.startsWith('.check-')) continue;
    cpSync(path.join(ROOT, entry), path.join(copy, entry), { recursive: true });
  }
  symlinkSync(realpathSync(path.join(ROOT, 'node_modules')), path.join(copy, 'node_modules'), 'dir');
  return copy;
}

/** The service file README.md shows in "Adding a service", as an adopter would paste it. */
function serviceFromReadme(): { name: string; source: string } {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Adding a service'));
  const block = /^( *)```ts\n([\s\S]*?)^\1```$/m.exec(section);
  if (!block) throw new Error('README.md "Adding a service" has no ts code block');
  const indent = block[1] ?? '';
  const source = (block[2] ?? '')
    .split('\n')
    .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
    .join('\n');
  const name = /export const (\w+) = defineService\(/.exec(source)?.[1];
  if (!name) throw new Error('the README service block exports no defineService(...)');
  return { name, source };
}

/** Step 1 and 2 of the README: the service file, then its entry in config/index.ts. */
function addService(configDir: string, name: string, source: string): void {
  writeFileSync(path.join(configDir, 'services', `${name}.ts`), source);
  const index = path.join(configDir, 'index.ts');
  const text = readFileSync(index, 'utf8');
  const edited = text
    .replace(/^(import [^\n]+\n)(?!import )/m, `$1import { ${name} } from './services/${name}.ts';\n`)
    .replace(/services: \[([^\]]*)\]/, `services: [$1, ${name}]`);
  if (!edited.includes(`./services/${name}.ts`) || !edited.includes(`, ${name}]`)) {
    throw new Error(`could not add ${name} to ${index}`);
  }
  writeFileSync(index, edited);
}

interface Step {
  readonly label: string;
  readonly code: number | null;
  readonly output: string;
  readonly seconds: number;
}

function run(copy: string, label: string, command: string, args: string[]): Step {
  // The copy's own vitest must not think it runs inside this one.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));
  const started = performance.now();
  const result = spawnSync(command, args, {
    cwd: copy,
    encoding: 'utf8',
    env: { ...env, [INSIDE_COPY]: '1', FORCE_COLOR: '0', NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  return { label, code: result.status, output: `${result.stdout}\n${result.stderr}`, seconds };
}

function expectSuccess(step: Step): void {
  expect(step.code, `${step.label} exited ${step.code}:\n${step.output.slice(-6000)}`).toBe(0);
}

describe.skipIf(process.env[INSIDE_COPY] !== undefined)(
  'Adopter CI: adding a service as the README says',
  () => {
    const { name, source } = serviceFromReadme();
    let copy = '';

    beforeAll(() => {
      copy = copyProject();
      addService(path.join(copy, 'config'), name, source);
    }, 120_000);

    afterAll(() => {
      if (copy) rmSync(copy, { recursive: true, force: true });
    });

    it('adds a service the example organisation did not have', () => {
      // Assess: otherwise the run below would prove nothing
      const index = readFileSync(path.join(ROOT, 'config', 'index.ts'), 'utf8');
      expect(index).not.toContain(`./services/${name}.ts`);
      expect(readFileSync(path.join(copy, 'config', 'index.ts'), 'utf8')).toContain(`./services/${name}.ts`);
    });

    it('passes steward check, tsc, the synth and the tests of the example organisation', () => {
      // Act: in the order a CI pipeline runs them, each to the end
      const steps = [
        run(copy, 'steward check', 'npx', ['steward', 'check']),
        run(copy, 'tsc --noEmit', 'npx', ['tsc', '--noEmit']),
        run(copy, 'npm run synth', 'npm', ['run', 'synth']),
        run(copy, 'organisation tests', 'npx', ['vitest', 'run', ...ORGANISATION_TESTS]),
      ];
      console.info(
        `adopter CI in ${copy}: ${steps.map((s) => `${s.label} ${s.seconds.toFixed(1)} s`).join(', ')}`,
      );

      // Assess
      for (const step of steps) expectSuccess(step);
      const [check] = steps;
      expect(check?.output).toContain('no findings');
      const templates = readdirSync(path.join(copy, 'cdk.out')).filter((f) => f.endsWith('.template.json'));
      const applications = templates.flatMap((file) => {
        const template = JSON.parse(readFileSync(path.join(copy, 'cdk.out', file), 'utf8')) as {
          Resources?: Record<string, { Type: string; Properties?: { Name?: string } }>;
        };
        return Object.values(template.Resources ?? {})
          .filter((r) => r.Type === 'AWS::AppConfig::Application')
          .map((r) => r.Properties?.Name);
      });
      expect(applications).toContain(name);
    }, 900_000);

    it('refuses a classic zod schema under json() at steward check, printing its zod/mini form', () => {
      // Prepare: the same service written with classic zod, as the consumer example imports it
      const classicDir = path.join(copy, 'config-classic');
      cpSync(path.join(copy, 'config'), classicDir, { recursive: true });
      const service = path.join(classicDir, 'services', `${name}.ts`);
      const classic = readFileSync(service, 'utf8')
        .replace("import * as z from 'zod/mini';", "import * as z from 'zod';")
        .replace(/z\.int\(\)\.check\(z\.nonnegative\(\)\)/g, 'z.number().int().nonnegative()');
      expect(classic).toContain('z.number().int().nonnegative()');
      writeFileSync(service, classic);

      // Act
      const step = run(copy, 'steward check (classic zod)', 'npx', [
        'steward',
        'check',
        '--config',
        classicDir,
      ]);

      // Assess
      expect(step.code).not.toBe(0);
      expect(step.output).toMatch(new RegExp(`${name}/\\S+: json\\(\\) takes a zod/mini schema`));
      expect(step.output).toContain('z.int().check(z.gte(0))');
      expect(step.output).toContain('[classic-zod]');
    }, 120_000);
  },
);
