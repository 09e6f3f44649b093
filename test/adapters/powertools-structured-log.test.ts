import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import {
  PowertoolsStructuredLog,
  powertoolsAttributes,
} from '../../functions/adapters/powertools-structured-log.ts';
import { powertoolsLines } from '../support/powertools-output.ts';

describe('Class: PowertoolsStructuredLog', () => {
  it('writes the config service as configService at every level, beside the Lambda service Powertools keeps', async () => {
    // Prepare
    const log = new PowertoolsStructuredLog(
      new Logger({ serviceName: 'config-steward-deliver-changes', logLevel: 'INFO' }),
    );
    const report = { service: 'orders', environment: 'production', status: 'started' };

    // Act
    const lines = await powertoolsLines(() => {
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
