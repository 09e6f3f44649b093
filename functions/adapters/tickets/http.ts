/**
 * JSON over HTTP for the GitHub and Jira trackers: one place that turns statuses into the domain
 * errors, waits out short rate limits (`retry-after`, `x-ratelimit-reset`) and retries 5xx a bounded
 * number of times (never a POST that may have created something). Error messages carry the status
 * and the request path, never a body or a token.
 */
import {
  TicketTrackerError,
  TrackerAuthenticationError,
  TrackerNotFoundError,
  TrackerRateLimitedError,
  TrackerUnavailableError,
} from '../../ports/ticket-tracker.errors.ts';

export interface HttpOptions {
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Milliseconds since the epoch, for `x-ratelimit-reset`. @default Date.now */
  readonly now?: () => number;
  /** Retries after a 5xx or a network error. @default 3 */
  readonly serverRetries?: number;
  /** The longest rate-limit wait honoured before giving up with TrackerRateLimitedError. @default 60000 */
  readonly maxRateLimitWaitMs?: number;
}

export interface JsonRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT';
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
  /** What is being fetched, for a 404's message (e.g. `repository acme/config`). */
  readonly what: string;
  /**
   * Whether a 5xx or a network failure may be sent again. A POST that creates something may have
   * done so before failing, and a resend would create it twice. @default true, except for POST
   */
  readonly retryable?: boolean;
}

export interface JsonResponse<T> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/**
 * @example
 * const { body } = await http.json<Issue[]>({ method: 'GET', url, headers, what: 'issues' });
 */
export class TrackerHttp {
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly serverRetries: number;
  private readonly maxWaitMs: number;

  constructor(
    private readonly tracker: 'github' | 'jira',
    options: HttpOptions = {},
  ) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.serverRetries = options.serverRetries ?? 3;
    this.maxWaitMs = options.maxRateLimitWaitMs ?? 60_000;
  }

  async json<T>(request: JsonRequest): Promise<JsonResponse<T>> {
    const serverRetries = (request.retryable ?? request.method !== 'POST') ? this.serverRetries : 0;
    let serverFailures = 0;
    let rateLimitWaits = 0;
    for (;;) {
      let response: Response;
      try {
        response = await this.fetch(request.url, {
          method: request.method,
          headers: {
            accept: 'application/json',
            ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...request.headers,
          },
          body: request.body === undefined ? undefined : JSON.stringify(request.body),
        });
      } catch (error) {
        if (serverFailures++ < serverRetries) {
          await this.sleep(backoff(serverFailures));
          continue;
        }
        throw new TrackerUnavailableError(this.tracker, 0, { cause: error });
      }
      if (response.ok) {
        const text = await response.text();
        return {
          status: response.status,
          headers: response.headers,
          body: (text ? JSON.parse(text) : undefined) as T,
        };
      }
      // Drain the body so the connection is reused; it is never put into an error.
      await response.text().catch(() => undefined);
      const status = response.status;
      const wait = this.rateLimitWait(response);
      if (wait !== undefined) {
        if (wait.ms <= this.maxWaitMs && rateLimitWaits++ < 3) {
          await this.sleep(wait.ms);
          continue;
        }
        throw new TrackerRateLimitedError(this.tracker, status, new Date(this.now() + wait.ms));
      }
      if (status === 401) throw new TrackerAuthenticationError(this.tracker, status);
      if (status === 404) throw new TrackerNotFoundError(this.tracker, request.what, status);
      if (status >= 500) {
        if (serverFailures++ < serverRetries) {
          await this.sleep(backoff(serverFailures));
          continue;
        }
        throw new TrackerUnavailableError(this.tracker, status);
      }
      throw new TicketTrackerError(
        `${this.tracker}: ${request.method} ${new URL(request.url).pathname} failed with HTTP ${status}`,
        this.tracker,
        status,
      );
    }
  }

  /**
   * How long a rate-limited response asks us to wait, or undefined when it is not a rate limit.
   * GitHub: 403/429 with `retry-after` (secondary limits) or `x-ratelimit-remaining: 0` and
   * `x-ratelimit-reset` (epoch seconds). Jira: 429 with `retry-after` or `x-ratelimit-reset` (ISO date).
   */
  private rateLimitWait(response: Response): { ms: number } | undefined {
    if (response.status !== 403 && response.status !== 429) return undefined;
    const retryAfter = response.headers.get('retry-after');
    if (retryAfter !== null && /^\d+$/.test(retryAfter.trim())) return { ms: Number(retryAfter) * 1000 };
    const remaining = response.headers.get('x-ratelimit-remaining');
    const reset = response.headers.get('x-ratelimit-reset');
    if (reset !== null && (remaining === '0' || response.status === 429)) {
      const resetMs = /^\d+$/.test(reset) ? Number(reset) * 1000 : Date.parse(reset);
      if (Number.isFinite(resetMs)) return { ms: Math.max(0, resetMs - this.now()) + 1000 };
    }
    // A 429 without hints: back off a little rather than fail.
    return response.status === 429 ? { ms: 5000 } : undefined;
  }
}

function backoff(attempt: number): number {
  return Math.min(8000, 250 * 2 ** (attempt - 1));
}
