import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigSourceLines } from '../../functions/cli/commands/plan-source-lines.ts';

/** A config directory with one service file, laid out as config/services/*.ts are. */
function configDir(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'steward-plan-lines-'));
  mkdirSync(path.join(root, 'config', 'services'), { recursive: true });
  writeFileSync(
    path.join(root, 'config', 'services', 'orders.ts'),
    [
      'export const orders = defineService({', // 1
      "  name: 'orders',", // 2
      '  keys: {', // 3
      "    'max-retries': integer({ min: 0 }),", // 4
      "    currency: oneOf(['EUR']),", // 5
      '  },', // 6
      '  values: {', // 7
      '    staging: {', // 8
      "      'max-retries': 3,", // 9
      '    },', // 10
      '    production: {', // 11
      "      'max-retries': 5,", // 12
      '      currency: "EUR",', // 13
      '    },', // 14
      '  },', // 15
      '});', // 16
    ].join('\n'),
  );
  return root;
}

describe('Class: ConfigSourceLines', () => {
  it("finds a key's value in its environment's block, quoted or not", () => {
    // Prepare
    const root = configDir();
    const lines = new ConfigSourceLines(path.join(root, 'config'), root);

    // Assess
    expect(lines.ofKey('orders', 'max-retries', 'staging')).toEqual({
      file: 'config/services/orders.ts',
      line: 9,
    });
    expect(lines.ofKey('orders', 'max-retries', 'production')).toEqual({
      file: 'config/services/orders.ts',
      line: 12,
    });
    expect(lines.ofKey('orders', 'currency', 'production')).toEqual({
      file: 'config/services/orders.ts',
      line: 13,
    });
  });

  it('falls back to the declaration of a key an environment does not set, and to the service line', () => {
    // Prepare
    const root = configDir();
    const lines = new ConfigSourceLines(path.join(root, 'config'), root);

    // Assess
    expect(lines.ofKey('orders', 'currency', 'staging')).toEqual({
      file: 'config/services/orders.ts',
      line: 5,
    });
    expect(lines.ofKey('orders', 'unknown-key', 'staging')).toEqual({
      file: 'config/services/orders.ts',
      line: 2,
    });
    expect(lines.ofService('orders')).toEqual({ file: 'config/services/orders.ts', line: 2 });
  });

  it('knows nothing of a service no file names, or of a directory that does not exist', () => {
    // Prepare
    const root = configDir();

    // Assess
    expect(new ConfigSourceLines(path.join(root, 'config'), root).ofService('payments')).toBeUndefined();
    expect(
      new ConfigSourceLines(path.join(root, 'missing'), root).ofKey('orders', 'x', 'staging'),
    ).toBeUndefined();
  });
});
