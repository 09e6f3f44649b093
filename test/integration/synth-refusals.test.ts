/**
 * Synth, through the CDK CLI as users run it, refuses a desired state `steward check` refuses and
 * any error of the user's settings or `config/`: the user's message, no stack trace, exit 1, and
 * nothing in the output directory (no Lambda bundle carrying a committed secret).
 */
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  copyOfProject,
  filesUnder,
  PROJECT_ROOT,
  removeCopy,
  replaceIn,
  run,
} from '../support/project-copy.ts';

/** A line of a JavaScript stack trace. */
const STACK_FRAME = /^\s+at \S/m;
const SECRET = 'Sup3r-S3cret-webhook-key-0123456789abcdef';
const ORDERS = 'config/services/orders.ts';

/** A project copy whose orders service is edited, for the tests of one describe block. */
function editedProject(edit: (dir: string) => void): { dir: () => string } {
  let dir = '';
  beforeAll(() => {
    dir = copyOfProject();
    edit(dir);
  });
  afterAll(() => removeCopy(dir));
  return { dir: () => dir };
}

describe('Synth: a SecureString value committed to config/', () => {
  const project = editedProject((dir) =>
    replaceIn(
      path.join(dir, ORDERS),
      "      'max-retries': 3,\n",
      `      'max-retries': 3,\n      'webhook-signing-key': '${SECRET}',\n`,
    ),
  );

  it.each([
    ['npm run synth', 'npm', ['run', 'synth', '--']],
    ['npx cdk synth', 'npx', ['cdk', 'synth', '--quiet']],
  ])(
    '%s exits 1 with the messages of steward check, writes no bundle and never shows the value',
    (_name, command, args) => {
      // Prepare
      const outdir = path.join(project.dir(), `out-${command}`);
      const check = run(project.dir(), process.execPath, ['bin/steward.mjs', 'check']);
      const findings = check.stdout.split('\n').filter((line) => line.startsWith('✗'));

      // Act
      const synth = run(project.dir(), command, [...args, '--output', outdir]);

      // Assess
      expect(findings.some((line) => line.endsWith('[secret-in-git]'))).toBe(true);
      expect(synth.code).toBe(1);
      for (const line of findings) expect(synth.stderr).toContain(line);
      expect(synth.stdout + synth.stderr).not.toContain(SECRET);
      expect(synth.stderr).not.toMatch(STACK_FRAME);
      expect(filesUnder(outdir)).toEqual([]);
    },
    120_000,
  );
});

describe('Synth: a desired value its schema refuses', () => {
  const project = editedProject((dir) =>
    replaceIn(
      path.join(dir, ORDERS),
      "      'max-retries': 3,\n",
      "      'max-retries': 3,\n      'retry-backoff': 'fast',\n",
    ),
  );

  it('exits 1 naming the parameter and the problem, without a stack trace or stray assets', () => {
    // Prepare
    const outdir = path.join(project.dir(), 'out');

    // Act
    const synth = run(project.dir(), 'npx', ['cdk', 'synth', '--quiet', '--output', outdir]);

    // Assess
    expect(synth.code).toBe(1);
    expect(synth.stderr).toContain(
      '✗ /config/staging/orders/retry-backoff: retry-backoff: expected a duration such as 250ms, 5s, 2m, 1h or 7d',
    );
    expect(synth.stderr).not.toMatch(STACK_FRAME);
    expect(filesUnder(outdir)).toEqual([]);
  }, 120_000);
});

describe('Synth: an error found while the stack is built, after bundling began', () => {
  // steward check accepts rate(2 hours); the rotation construct refuses it, after five bundles.
  const project = editedProject((dir) =>
    replaceIn(path.join(dir, ORDERS), "schedule: 'rate(30 days)'", "schedule: 'rate(2 hours)'"),
  );

  it('exits 1 with the message and removes every bundle this run wrote', () => {
    // Prepare
    const outdir = path.join(project.dir(), 'out');

    // Act
    const synth = run(project.dir(), 'npx', ['cdk', 'synth', '--quiet', '--output', outdir]);

    // Assess
    expect(synth.code).toBe(1);
    expect(synth.stderr).toContain('synth stopped:');
    expect(synth.stderr).toContain('orders/db');
    expect(synth.stderr).not.toMatch(STACK_FRAME);
    expect(filesUnder(outdir)).toEqual([]);
  }, 120_000);
});

describe('Synth: a broken settings file (STEWARD_SETTINGS_FILE)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'steward-settings-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the file, the field and the problem, and writes nothing', () => {
    // Prepare
    const settings = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'config', 'settings.json'), 'utf8'));
    settings.environments[1].deploymentStrategy.growthFactor = 'fast';
    const file = path.join(dir, 'settings.json');
    writeFileSync(file, JSON.stringify(settings));
    const outdir = path.join(dir, 'cdk.out');

    // Act
    const synth = run(PROJECT_ROOT, 'npx', ['cdk', 'synth', '--quiet', '--output', outdir], {
      STEWARD_SETTINGS_FILE: file,
    });

    // Assess
    expect(synth.code).toBe(1);
    expect(synth.stderr).toContain('synth stopped: the settings are invalid; nothing was synthesized.');
    expect(synth.stderr).toContain(`${file}: environments.1.deploymentStrategy.growthFactor:`);
    expect(synth.stderr).not.toMatch(STACK_FRAME);
    expect(filesUnder(outdir)).toEqual([]);
  }, 120_000);
});
