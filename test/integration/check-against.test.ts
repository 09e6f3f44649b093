import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../functions/cli/main.ts';
import { recordingIo } from '../support/command-io.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const repositories: string[] = [];

/**
 * A git repository of its own inside the project (`.check-*` is ignored), so the config's imports of
 * functions/ and zod resolve as they do in config/.
 */
function repository(): { dir: string; config: string } {
  const dir = mkdtempSync(path.join(ROOT, '.check-against-'));
  repositories.push(dir);
  git(dir, 'init', '--quiet', '--initial-branch=main');
  const config = path.join(dir, 'config');
  writeSkeleton(config);
  return { dir, config };
}

/** settings.json (two environments) and an index.ts exporting the orders service. */
function writeSkeleton(config: string) {
  mkdirSync(path.join(config, 'services'), { recursive: true });
  const strategy = { deploymentDurationInMinutes: 0, finalBakeTimeInMinutes: 0, growthFactor: 100 };
  writeFileSync(
    path.join(config, 'settings.json'),
    JSON.stringify({
      environments: [
        { name: 'staging', enforcement: 'enforce', deploymentStrategy: strategy },
        { name: 'production', enforcement: 'enforce', deploymentStrategy: strategy },
      ],
    }),
  );
  writeFileSync(
    path.join(config, 'index.ts'),
    `import { orders } from './services/orders.ts';\nexport const organisation = { services: [orders] };\n`,
  );
}

/** `config/services/orders.ts` with max-retries bounded by `max` and valued `production`, plus `extra`. */
function writeOrders(
  config: string,
  { max, production, extra = '' }: { max: number; production: number; extra?: string },
) {
  const functions = path.relative(path.join(config, 'services'), path.join(ROOT, 'functions'));
  writeFileSync(
    path.join(config, 'services', 'orders.ts'),
    `import { integer } from '${functions}/core/keys.ts';
import { defineService } from '${functions}/core/model.ts';

export const orders = defineService({
  name: 'orders',
  keys: { 'max-retries': integer({ min: 0, max: ${max} }, { default: 3 }) },
  values: { staging: { 'max-retries': 3 }, production: { 'max-retries': ${production} } },
  expectedOverrides: { 'max-retries': 'production rides out payment-provider brown-outs' },
  ${extra}
});
`,
  );
}

function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

function commit(dir: string, message: string) {
  git(dir, 'add', '-A');
  git(dir, 'commit', '--quiet', '-m', message);
}

/** What must not change: the working tree's files and status, and no temporary directory left behind. */
function snapshot(dir: string) {
  return { status: git(dir, 'status', '--porcelain', '--ignored'), entries: readdirSync(dir).sort() };
}

/** Two commits: production's max-retries 8 within 0–10, then the range narrowed to 0–5 (and the value 5). */
function narrowedRepository(extra = '') {
  const repo = repository();
  writeOrders(repo.config, { max: 10, production: 8 });
  commit(repo.dir, 'orders: max-retries 8');
  writeOrders(repo.config, { max: 5, production: 5, extra });
  commit(repo.dir, 'orders: at most 5 retries');
  return repo;
}

afterEach(() => {
  for (const dir of repositories.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('CLI: steward check --against', () => {
  it('exits 1 with the breaking change and its rule id, through the steward bin, and changes nothing', () => {
    // Prepare
    const { dir, config } = narrowedRepository();
    const before = snapshot(dir);

    // Act
    const result = spawnSync(
      process.execPath,
      [path.join(ROOT, 'bin', 'steward.mjs'), 'check', '--config', config, '--against', 'HEAD~1'],
      { cwd: dir, encoding: 'utf8' },
    );

    // Assess
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(
      "✗ orders/max-retries: production's value 8 is above the new range 0–5 (was 0–10) [key-range-narrowed]",
    );
    expect(result.stdout).toContain('steward check --against HEAD~1: 1 breaking change, 0 acknowledged');
    expect(result.status).toBe(1);
    expect(snapshot(dir)).toEqual(before);
  });

  it('exits 0 when the break is acknowledged with a reason, and prints it as acknowledged', async () => {
    // Prepare
    const { config } = narrowedRepository(
      `breakingChanges: [{ rule: 'key-range-narrowed', key: 'max-retries', reason: 'the provider caps retries at 5 since 2026-11' }],`,
    );
    const { io, out } = recordingIo();

    // Act
    const code = await main(['check', '--config', config, '--against', 'HEAD~1'], io);

    // Assess
    expect(out).toContain(
      "✓ orders/max-retries: production's value 8 is above the new range 0–5 (was 0–10) [key-range-narrowed, acknowledged: the provider caps retries at 5 since 2026-11]",
    );
    expect(code).toBe(0);
  });

  it('exits 1 on an acknowledgement without a reason', async () => {
    const { config } = narrowedRepository(
      `breakingChanges: [{ rule: 'key-range-narrowed', key: 'max-retries', reason: '' }],`,
    );
    const { io, out } = recordingIo();
    const code = await main(['check', '--config', config, '--against', 'HEAD~1'], io);
    expect(out).toContain(
      '✗ orders/max-retries: an acknowledgement of key-range-narrowed needs a reason of at least 10 characters [breaking-change-acknowledgement]',
    );
    expect(code).toBe(1);
  });

  it('prints the report as JSON with --json', async () => {
    const { config } = narrowedRepository();
    const { io, out } = recordingIo();
    const code = await main(['check', '--config', config, '--against', 'HEAD~1', '--json'], io);
    const report = JSON.parse(out.join('\n'));
    expect(report).toMatchObject({
      ok: false,
      findings: [],
      against: 'HEAD~1',
      breakingChanges: {
        findings: [{ rule: 'key-range-narrowed', service: 'orders', key: 'max-retries' }],
        acknowledged: [],
        problems: [],
      },
    });
    expect(code).toBe(1);
  });

  it('exits 0 against the same revision', async () => {
    const { config } = narrowedRepository();
    const { io, out } = recordingIo();
    expect(await main(['check', '--config', config, '--against', 'HEAD'], io)).toBe(0);
    expect(out).toContain('steward check --against HEAD: 0 breaking changes, 0 acknowledged');
  });

  it('refuses an unknown revision with a usage error (exit 2), changing nothing', async () => {
    // Prepare
    const { dir, config } = narrowedRepository();
    const before = snapshot(dir);
    const { io, err } = recordingIo();

    // Act
    const code = await main(['check', '--config', config, '--against', 'origin/no-such-branch'], io);

    // Assess
    expect(err.join('\n')).toContain('--against origin/no-such-branch: unknown revision');
    expect(code).toBe(2);
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses a revision whose config does not compile (exit 3), naming the revision, changing nothing', async () => {
    // Prepare: the first commit's orders.ts imports a module that does not exist
    const repo = repository();
    writeFileSync(
      path.join(repo.config, 'services', 'orders.ts'),
      `export { orders } from './missing.ts';\n`,
    );
    commit(repo.dir, 'broken');
    writeOrders(repo.config, { max: 10, production: 8 });
    commit(repo.dir, 'fixed');
    const before = snapshot(repo.dir);
    const { io, err } = recordingIo();

    // Act
    const code = await main(['check', '--config', repo.config, '--against', 'HEAD~1'], io);

    // Assess
    expect(err.join('\n')).toContain(
      'HEAD~1: its config does not load: HEAD~1:config/index.ts: cannot load the organisation',
    );
    expect(code).toBe(3);
    expect(snapshot(repo.dir)).toEqual(before);
  });

  it('refuses a revision without the config directory (exit 3)', async () => {
    const repo = repository();
    rmSync(repo.config, { recursive: true });
    writeFileSync(path.join(repo.dir, 'README.md'), 'before config/ existed\n');
    commit(repo.dir, 'empty');
    writeSkeleton(repo.config);
    writeOrders(repo.config, { max: 10, production: 8 });
    commit(repo.dir, 'config');
    const { io, err } = recordingIo();
    const code = await main(['check', '--config', repo.config, '--against', 'HEAD~1'], io);
    expect(err.join('\n')).toContain('HEAD~1: has no config/ directory');
    expect(code).toBe(3);
  });
});
