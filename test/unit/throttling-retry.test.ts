import { describe, expect, it } from 'vitest';
import { ThrottlingRetry } from '../../functions/adapters/throttling-retry.ts';

class PortError extends Error {
  constructor(readonly sdkName: string) {
    super(`translated ${sdkName}`);
  }
}
const failure = (name: string) => Object.assign(new Error(`${name} happened`), { name });
const translate = (_: unknown, name: string) => new PortError(name);

describe('Class: ThrottlingRetry', () => {
  it('sends again after each throttling error, waiting twice as long each time', async () => {
    // Prepare
    const delays: number[] = [];
    const retry = new ThrottlingRetry(new Set(['Throttling']), {
      maxAttempts: 4,
      baseDelayMs: 50,
      sleep: async (ms) => void delays.push(ms),
    });
    let calls = 0;

    // Act
    const answer = await retry.send(async () => {
      calls++;
      if (calls < 3) throw failure('Throttling');
      return 'page';
    }, translate);

    // Assess
    expect(answer).toBe('page');
    expect(calls).toBe(3);
    expect(delays).toEqual([50, 100]);
  });

  it('translates the last throttling error once the attempts run out', async () => {
    // Prepare
    const retry = new ThrottlingRetry(new Set(['Throttling']), { maxAttempts: 3, sleep: async () => {} });
    let calls = 0;

    // Act
    const sent = retry.send(async () => {
      calls++;
      throw failure('Throttling');
    }, translate);

    // Assess
    await expect(sent).rejects.toEqual(new PortError('Throttling'));
    expect(calls).toBe(3);
  });

  it('translates any other error at once, without waiting', async () => {
    // Prepare
    const delays: number[] = [];
    const retry = new ThrottlingRetry(new Set(['Throttling']), { sleep: async (ms) => void delays.push(ms) });

    // Act
    const sent = retry.send(async () => {
      throw failure('AccessDenied');
    }, translate);

    // Assess
    await expect(sent).rejects.toBeInstanceOf(PortError);
    await expect(sent).rejects.toThrow('translated AccessDenied');
    expect(delays).toEqual([]);
  });
});
