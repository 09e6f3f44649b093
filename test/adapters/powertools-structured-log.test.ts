import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  PowertoolsStructuredLog,
  powertoolsAttributes,
} from '../../functions/adapters/powertools-structured-log.ts';

/** The JSON lines a real Powertools Logger writes while `act` runs (the suite silences it otherwise). */
async function writtenLines(act: () => unknown): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  await act();
  return written
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('Class: PowertoolsStructuredLog', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes the config service as configService at every level, beside the Lambda service Powertools keeps', async () => {
    // Prepare
    const log = new PowertoolsStructuredLog(
      new Logger({ serviceName: 'config-steward-deliver-changes', logLevel: 'INFO' }),
    );
    const report = { service: 'orders', environment: 'production', status: 'started' };

    // Act
    const lines = await writtenLines(() => {
      log.info('delivery', report);
      log.warn('delivery', report);
      log.error('delivery', report);
    });

    // Assess: three lines and no "reserved key" warning among them
    expect(lines.map((line) => line['level'])).toEqual(['INFO', 'WARN', 'ERROR']);
    for (const line of lines) {
      expect(line).toEqual(
        expect.objectContaining({
          message: 'delivery',
          service: 'config-steward-deliver-changes',
          configService: 'orders',
          environment: 'production',
          status: 'started',
        }),
      );
    }
  });

  it('passes attributes without a service through unchanged', () => {
    // Prepare
    const attributes = { parameterName: '/config/production/orders/max-retries', version: 3 };

    // Act + Assess
    expect(powertoolsAttributes(attributes)).toEqual(attributes);
    expect(powertoolsAttributes({ service: undefined, environment: 'staging' })).toEqual({
      environment: 'staging',
    });
  });
});
