import { describe, expect, it } from 'vitest';
import { onceUntilFailure } from '../../functions/adapters/once-until-failure.ts';

describe('Function: onceUntilFailure', () => {
  it('loads once for concurrent and later callers, forgets a failure, and reloads after reset', async () => {
    // Prepare: the first load fails, the others succeed with their call number
    let calls = 0;
    const value = onceUntilFailure(async () => {
      calls += 1;
      if (calls === 1) throw new Error('first load fails');
      return calls;
    });

    // Act + Assess
    await expect(value()).rejects.toThrow('first load fails');
    expect(await Promise.all([value(), value()])).toEqual([2, 2]);
    expect(await value()).toBe(2);
    value.reset();
    expect(await value()).toBe(3);
    expect(calls).toBe(3);
  });
});
