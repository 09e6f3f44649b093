/**
 * A client-side token bucket: callers `acquire()` one token before each request, so a burst of reads
 * stays under Parameter Store's shared throughput instead of relying on throttling and retries.
 * Clock and sleep are injectable so tests and the benchmark can run on virtual time.
 */

export interface RateLimiterOptions {
  /** Sustained requests per second. */
  readonly requestsPerSecond: number;
  /** Tokens the bucket holds when full (the largest burst). @default 1 */
  readonly burst?: number;
  /** Milliseconds since an arbitrary origin. @default Date.now */
  readonly now?: () => number;
  /** Waits the given milliseconds. @default a setTimeout promise */
  readonly sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * @example
 * const limiter = new RateLimiter({ requestsPerSecond: 20 });
 * for (const page of pages) { await limiter.acquire(); await fetchPage(page); }
 */
export class RateLimiter {
  readonly requestsPerSecond: number;
  private readonly capacity: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private tokens: number;
  private updatedAt: number;
  /** Serialises waiters so tokens are handed out in arrival order. */
  private queue: Promise<void> = Promise.resolve();
  /** Tokens handed out so far. */
  acquired = 0;
  /** Total milliseconds callers were made to wait. */
  waitedMs = 0;

  constructor(options: RateLimiterOptions) {
    if (!(options.requestsPerSecond > 0)) throw new RangeError('requestsPerSecond must be positive');
    this.requestsPerSecond = options.requestsPerSecond;
    this.capacity = Math.max(1, options.burst ?? 1);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.tokens = this.capacity;
    this.updatedAt = this.now();
  }

  /** Resolves when a request may be sent. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.take());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async take(): Promise<void> {
    this.refill();
    if (this.tokens < 1) {
      const waitMs = ((1 - this.tokens) * 1000) / this.requestsPerSecond;
      this.waitedMs += waitMs;
      await this.sleep(waitMs);
      this.refill();
      // A sleep may return a hair early on a real clock; never go below the rate.
      this.tokens = Math.max(this.tokens, 1);
    }
    this.tokens -= 1;
    this.acquired += 1;
  }

  private refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.requestsPerSecond) / 1000);
    this.updatedAt = now;
  }
}
