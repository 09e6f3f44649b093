/**
 * A request AWS throttled, sent again after an exponential backoff: what the adapters that read in
 * bulk (AppConfig's hosted flags, CloudWatch's flag usage) do on top of the SDK's own retries.
 */

export interface ThrottlingRetryOptions {
  /** Attempts per request while AWS throttles. @default 4 */
  readonly maxAttempts?: number;
  /** The first wait in milliseconds; each next one doubles. @default 200 */
  readonly baseDelayMs?: number;
  /** Injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * @example
 * const retry = new ThrottlingRetry(new Set(['ThrottlingException']));
 * const page = await retry.send(() => client.send(command), (cause, name) => new MyPortError(name, { cause }));
 */
export class ThrottlingRetry {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  /** `throttling`: the error names that mean "too many requests, try later". */
  constructor(
    private readonly throttling: ReadonlySet<string>,
    options: ThrottlingRetryOptions = {},
  ) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Send, and send again after a throttling error until the attempts run out; the last throttling
   * error and any other error are thrown as `translate` makes them (the port's own errors).
   */
  async send<T>(send: () => Promise<T>, translate: (cause: unknown, name: string) => Error): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (cause) {
        const name = (cause as { name?: string }).name ?? '';
        if (this.throttling.has(name) && attempt < this.maxAttempts) {
          await this.sleep(this.baseDelayMs * 2 ** (attempt - 1));
          continue;
        }
        throw translate(cause, name);
      }
    }
  }
}
