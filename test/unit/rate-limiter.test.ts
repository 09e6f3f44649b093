import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../functions/adapters/rate-limiter.ts';

function virtualLimiter(requestsPerSecond: number, burst?: number) {
  const clock = { now: 0 };
  const limiter = new RateLimiter({
    requestsPerSecond,
    burst,
    now: () => clock.now,
    sleep: async (ms) => {
      clock.now += ms;
    },
  });
  return { limiter, clock };
}

describe('Class: RateLimiter', () => {
  it('spaces requests at the configured rate on virtual time', async () => {
    // Prepare
    const { limiter, clock } = virtualLimiter(20);

    // Act
    for (let i = 0; i < 21; i++) await limiter.acquire();

    // Assess: the first token is free, the next 20 cost 50 ms each
    expect(clock.now).toBeCloseTo(1000, 6);
    expect(limiter.acquired).toBe(21);
  });

  it('lets a burst through at once, then falls back to the rate', async () => {
    // Prepare
    const { limiter, clock } = virtualLimiter(10, 5);

    // Act
    for (let i = 0; i < 5; i++) await limiter.acquire();
    const afterBurst = clock.now;
    await limiter.acquire();

    // Assess
    expect(afterBurst).toBe(0);
    expect(clock.now).toBeCloseTo(100, 6);
  });

  it('serves concurrent callers in arrival order without exceeding the rate', async () => {
    // Prepare
    const { limiter, clock } = virtualLimiter(40);
    const order: number[] = [];

    // Act
    await Promise.all([0, 1, 2, 3].map((i) => limiter.acquire().then(() => order.push(i))));

    // Assess
    expect(order).toEqual([0, 1, 2, 3]);
    expect(clock.now).toBeCloseTo(75, 6);
  });

  it('refills while idle', async () => {
    // Prepare
    const { limiter, clock } = virtualLimiter(10);
    await limiter.acquire();
    clock.now += 1000;

    // Act
    await limiter.acquire();

    // Assess
    expect(limiter.waitedMs).toBe(0);
  });

  it('rejects a non-positive rate', () => {
    // Act / Assess
    expect(() => new RateLimiter({ requestsPerSecond: 0 })).toThrow(RangeError);
  });
});
