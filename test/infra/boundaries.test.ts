import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const DEPCRUISE = path.join(ROOT, 'node_modules', '.bin', 'depcruise');

/** The folders `npm run lint` cruises. */
const LINTED = ['functions', 'lib', 'bin', 'packages/client/src'];

function depcruise(cwd: string, folders: readonly string[] = ['functions']) {
  const result = spawnSync(DEPCRUISE, [...folders, '--config', path.join(ROOT, '.dependency-cruiser.cjs')], {
    cwd,
    encoding: 'utf8',
  });
  return { code: result.status, output: result.stdout + result.stderr };
}

describe('Architecture boundaries (dependency-cruiser)', () => {
  it('rejects a core module that imports the AWS SDK, middy or aws-lambda types', () => {
    // Act
    const { code, output } = depcruise(path.join(ROOT, 'test', 'fixtures', 'impure-core'));

    // Assess
    expect(code).not.toBe(0);
    expect(output).toMatch(/core-is-pure: functions\/core\/impure\.ts → .*@aws-sdk\/client-ssm/);
    expect(output).toMatch(/core-is-pure: functions\/core\/impure\.ts → .*@middy\/core/);
    expect(output).toMatch(/core-is-pure: functions\/core\/impure\.ts → .*@types\/aws-lambda/);
  });

  describe('the outer layers (fixture: test/fixtures/outer-boundaries, one violation of each rule)', () => {
    // Act: once for the fixture, which breaks every rule below exactly where its comments say
    const { code, output } = depcruise(path.join(ROOT, 'test', 'fixtures', 'outer-boundaries'), LINTED);

    it('fails the run', () => {
      expect(code).not.toBe(0);
    });

    it('rejects lib/ importing an adapter or a handler', () => {
      expect(output).toMatch(/lib-not-adapters: lib\/stack\.ts → functions\/adapters\/scheduler\.ts/);
      expect(output).toMatch(/lib-not-adapters: lib\/stack\.ts → functions\/handlers\/nightly\.ts/);
    });

    it('rejects the client package importing anything under functions/', () => {
      expect(output).toMatch(
        /client-package-self-contained: packages\/client\/src\/index\.ts → functions\/core\/names\.ts/,
      );
    });

    it('rejects bin/ importing beyond lib/ and functions/cli/, and lets it import the CLI', () => {
      expect(output).toMatch(/bin-only-entries: bin\/app\.ts → functions\/core\/names\.ts/);
      expect(output).not.toMatch(/bin-only-entries: bin\/app\.ts → functions\/cli\/main\.ts/);
    });

    it("rejects a deep import of cdk-nag's internals", () => {
      expect(output).toMatch(
        /cdk-nag-public-api: lib\/nag\.ts → .*cdk-nag\/lib\/utils\/flatten-cfn-reference\.js/,
      );
    });
  });

  it('finds no violation in the project itself', () => {
    const { code, output } = depcruise(ROOT, LINTED);
    expect(output).toContain('no dependency violations found');
    expect(code).toBe(0);
  });
});
