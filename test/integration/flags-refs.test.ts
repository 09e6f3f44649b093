import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../functions/cli/main.ts';
import { MAX_SOURCE_BYTES } from '../../functions/cli/source-scan.ts';
import { recordingIo } from '../support/command-io.ts';

/** Every call form in src/, one unreferenced flag (`old-banner`), a typo in typo/. */
const FIXTURE = 'test/fixtures/flag-references';
const CONFIG = `${FIXTURE}/config`;
const SRC = `${FIXTURE}/src`;

async function run(argv: string[]) {
  const { io, out, err } = recordingIo();
  const code = await main(['flags', 'refs', ...argv], io);
  return { code, out, err };
}

describe('CLI: steward flags refs', () => {
  it('scans the sources the settings name, lists each flag with file:line and exits 0 without unknown keys', async () => {
    // Act
    const { code, out, err } = await run(['--config', CONFIG]);

    // Assess
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/^ {2}orders new-checkout +test\/fixtures\/flag-references\/src\/checkout\.ts:14$/m);
    expect(text).toMatch(
      /^ {2}orders middy-banner +\S+\/src\/middy\/handler\.ts:7, \S+\/src\/middy\/handler\.ts:13$/m,
    );
    expect(text).toMatch(/^ {2}orders of-boolean +\S+\/src\/openfeature\/evaluate\.mjs:7$/m);
    expect(text).toMatch(/^ {2}payments max-installments +\S+\/src\/payments\.js:2$/m);
    expect(text).toContain(
      'no reference found (removable once no environment needs it):\n  orders old-banner',
    );
    expect(text).toContain(
      `flag calls with a computed key (not checked):\n  ${SRC}/checkout.ts:21 (isEnabled)`,
    );
    expect(out.at(-1)).toBe(
      `steward flags refs: 4 files scanned in ${SRC}: 10 flag(s) referenced, 1 without reference, 0 reference(s) to unknown flags`,
    );
  });

  it('exits 1 for a reference to a flag config/ does not declare, naming it and its file:line on stderr', async () => {
    // Act
    const { code, out, err } = await run(['--config', CONFIG, '--src', SRC, '--src', `${FIXTURE}/typo`]);

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual([
      `steward flags refs: ${FIXTURE}/typo/typo.ts:2: unknown flag "new-chekout" (isEnabled): no service in config/ declares it`,
    ]);
    expect(out.at(-1)).toMatch(/1 reference\(s\) to unknown flags$/);
  });

  it('--json prints one document: sources, counts, referenced, unreferenced, unknown, computed, skipped', async () => {
    // Act
    const { code, out } = await run(['--config', CONFIG, '--src', FIXTURE, '--json']);

    // Assess
    expect(code).toBe(1);
    const report = JSON.parse(out.join('\n'));
    expect(Object.keys(report).sort()).toEqual(
      ['computed', 'files', 'referenced', 'skipped', 'sources', 'unknown', 'unreferenced'].sort(),
    );
    expect(report.sources).toEqual([FIXTURE]);
    expect(report.files).toBe(6);
    expect(report.unknown).toEqual([
      { flag: 'new-chekout', file: `${FIXTURE}/typo/typo.ts`, line: 2, column: 26, call: 'isEnabled' },
    ]);
    expect(report.unreferenced).toEqual([{ service: 'orders', flag: 'old-banner' }]);
    expect(report.referenced.map((r: { flag: string }) => r.flag)).toEqual([
      'new-checkout',
      'button-copy',
      'checkout-theme',
      'fast-search',
      'middy-banner',
      'of-boolean',
      'of-string',
      'of-number',
      'of-object',
      'max-installments',
    ]);
    expect(report.referenced[2].references.map((r: { call: string }) => r.call)).toEqual([
      'reason',
      'resolve',
      'attribute',
      'has',
      'definition',
    ]);
    expect(report.computed).toHaveLength(2);
  });

  it('skips node_modules, dist, cdk.out, binary and huge files, file by file, and names the skipped', async () => {
    // Prepare: the fixture's src/ in a temporary tree beside what must not be read
    const root = mkdtempSync(path.join(tmpdir(), 'flag-refs-'));
    cpSync(SRC, path.join(root, 'src'), { recursive: true });
    const typo = "export const f = (flags) => flags.isEnabled('new-chekout');\n";
    for (const skipped of ['node_modules/pkg', 'dist', 'cdk.out', 'src/.cache']) {
      mkdirSync(path.join(root, skipped), { recursive: true });
      writeFileSync(path.join(root, skipped, 'index.js'), typo);
    }
    writeFileSync(path.join(root, 'src', 'logo.js'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x1a]));
    writeFileSync(path.join(root, 'src', 'bundle.js'), `${typo}${' '.repeat(MAX_SOURCE_BYTES)}`);

    // Act
    const { code, out } = await run(['--config', CONFIG, '--src', root, '--json']);

    // Assess
    expect(code).toBe(0);
    const report = JSON.parse(out.join('\n'));
    expect(report.unknown).toEqual([]);
    expect(report.files).toBe(4);
    expect(report.skipped).toEqual([
      { file: expect.stringMatching(/src\/bundle\.js$/), reason: 'larger than 1024 KB' },
      { file: expect.stringMatching(/src\/logo\.js$/), reason: 'binary' },
    ]);
    expect(report.referenced).toHaveLength(10);
  });

  it('exits 2 for a --src that does not exist and 3 for a settings source that does not, scanning nothing', async () => {
    // Prepare
    const config = mkdtempSync(path.join(tmpdir(), 'flag-refs-config-'));
    cpSync(CONFIG, config, { recursive: true });
    writeFileSync(
      path.join(config, 'settings.json'),
      JSON.stringify({
        environments: [
          {
            name: 'staging',
            enforcement: 'enforce',
            deploymentStrategy: {
              deploymentDurationInMinutes: 0,
              finalBakeTimeInMinutes: 0,
              growthFactor: 100,
            },
          },
        ],
        flags: { codeReferences: { sources: ['no-such-dir'] } },
      }),
    );
    writeFileSync(
      path.join(config, 'index.ts'),
      `export { organisation } from '${path.resolve(CONFIG, 'index.ts').split(path.sep).join('/')}';\n`,
    );

    // Act
    const missingSrc = await run(['--config', CONFIG, '--src', `${FIXTURE}/no-such-dir`]);
    const missingSetting = await run(['--config', config]);

    // Assess
    expect(missingSrc.code).toBe(2);
    expect(missingSrc.err.join('\n')).toContain(`--src ${FIXTURE}/no-such-dir: no such file or directory`);
    expect(missingSrc.out).toEqual([]);
    expect(missingSetting.code).toBe(3);
    expect(missingSetting.err.join('\n')).toMatch(
      /configuration error: settings flags\.codeReferences\.sources: not found under .*: no-such-dir/,
    );
    expect(missingSetting.out).toEqual([]);
  });

  it('refuses an unknown option with its usage, exit 2', async () => {
    // Act
    const { code, err } = await run(['--sources', 'src']);

    // Assess
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('usage: steward flags');
  });
});
