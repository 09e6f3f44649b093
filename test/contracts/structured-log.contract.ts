/**
 * The contract every `StructuredLog` meets, run against the recording double and
 * `PowertoolsStructuredLog` over a real Powertools Logger, whose JSON lines are read back. The use
 * cases report per record through it (a change judged, a delivery started): each line must arrive at
 * its level with its message and every attribute, including the configured service a record belongs to.
 */
import { describe, expect, it } from 'vitest';
import type { StructuredLog } from '../../functions/ports/logger.ts';

export interface WrittenLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

/**
 * Runs `act` against a fresh log and answers the lines as a reader of the log sees them: in order,
 * with the attributes the caller gave (an implementation's own keys, such as a timestamp, left out).
 */
export type WrittenLines = (act: (log: StructuredLog) => void) => Promise<readonly WrittenLine[]>;

export function describeStructuredLogContract(name: string, written: WrittenLines): void {
  describe(`Contract: StructuredLog (${name})`, () => {
    it('writes each line at its level with its message and attributes, in order', async () => {
      // Act
      const lines = await written((log) => {
        log.info('change judged', {
          eventId: 'evt-1',
          parameterName: '/config/production/orders/max-retries',
        });
        log.warn('delivery deferred', { environment: 'production', runningDeployment: 7 });
        log.error('malformed change record', { messageId: 'm-bad', error: 'SyntaxError' });
      });

      // Assess
      expect(lines).toEqual([
        {
          level: 'info',
          message: 'change judged',
          attributes: { eventId: 'evt-1', parameterName: '/config/production/orders/max-retries' },
        },
        {
          level: 'warn',
          message: 'delivery deferred',
          attributes: { environment: 'production', runningDeployment: 7 },
        },
        {
          level: 'error',
          message: 'malformed change record',
          attributes: { messageId: 'm-bad', error: 'SyntaxError' },
        },
      ]);
    });

    it('keeps the configured service a record belongs to, at every level, without another line', async () => {
      // Act
      const lines = await written((log) => {
        log.info('delivery', { service: 'orders', status: 'started' });
        log.warn('delivery', { service: 'orders', status: 'busy' });
        log.error('delivery', { service: 'payments', status: 'failed' });
      });

      // Assess
      expect(lines).toEqual([
        { level: 'info', message: 'delivery', attributes: { service: 'orders', status: 'started' } },
        { level: 'warn', message: 'delivery', attributes: { service: 'orders', status: 'busy' } },
        { level: 'error', message: 'delivery', attributes: { service: 'payments', status: 'failed' } },
      ]);
    });

    it('keeps numbers, lists and nested attributes as given, and writes a line without attributes', async () => {
      // Prepare
      const attributes = {
        version: 3,
        issues: [{ path: 'maxRetries', reason: 'above the maximum 10' }],
        counts: { judged: 2, failed: 1 },
      };

      // Act
      const lines = await written((log) => {
        log.warn('document refused', attributes);
        log.info('batch done', {});
      });

      // Assess
      expect(lines).toEqual([
        { level: 'warn', message: 'document refused', attributes },
        { level: 'info', message: 'batch done', attributes: {} },
      ]);
    });
  });
}
