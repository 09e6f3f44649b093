/**
 * `TicketTracker` over GitHub Issues (REST, api version 2022-11-28). Every Steward issue carries the
 * `config-steward` label and a hidden marker `<!-- steward:<dedupKey> -->` in its body. Open issues are
 * found by listing the label's open issues (consistent, unlike the search API, whose index lags and
 * would let two quick runs file twice); the list is read once per tracker instance and kept current.
 */
import type { OpenTicket, TicketRef, TicketRequest, TicketTracker } from '../../ports/ticket-tracker.ts';
import { type HttpOptions, TrackerHttp } from './http.ts';

export const GITHUB_LABEL = 'config-steward';

export interface GitHubTrackerOptions extends HttpOptions {
  readonly owner: string;
  readonly repo: string;
  /** @default https://api.github.com */
  readonly apiUrl?: string;
  /** Returns the token; called on every request, so it should cache (see `lazySecretValue`). */
  readonly token: () => Promise<string>;
}

interface GitHubIssue {
  number: number;
  html_url: string;
  body?: string | null;
  state: string;
  pull_request?: unknown;
}

const MARKER = /<!-- steward:(.+?) -->/;
/** How long `file` trusts the list of open issues it read (one run's worth). */
const OPEN_LIST_TTL_MS = 10 * 60_000;

/** The hidden marker that identifies a Steward issue's dedup key. */
export function githubMarker(dedupKey: string): string {
  // `--` may not appear inside an HTML comment.
  return `<!-- steward:${dedupKey.replaceAll('--', '%2D%2D')} -->`;
}

/**
 * @example
 * const tracker = new GitHubTicketTracker({ owner: 'acme', repo: 'platform', token: lazySecretValue(sm, 'github-token') });
 */
export class GitHubTicketTracker implements TicketTracker {
  private readonly http: TrackerHttp;
  private readonly base: string;
  private openIssues?: Promise<Map<string, TicketRef>>;
  private readAt = 0;

  constructor(private readonly options: GitHubTrackerOptions) {
    this.http = new TrackerHttp('github', options);
    this.base = `${(options.apiUrl ?? 'https://api.github.com').replace(/\/$/, '')}/repos/${encodeURIComponent(options.owner)}/${encodeURIComponent(options.repo)}`;
  }

  async file(request: TicketRequest): Promise<{ ref: TicketRef; created: boolean }> {
    const open = await this.open();
    const existing = open.get(request.dedupKey);
    if (existing) return { ref: existing, created: false };
    const { body } = await this.http
      .json<GitHubIssue>({
        method: 'POST',
        url: `${this.base}/issues`,
        headers: await this.headers(),
        what: `repository ${this.options.owner}/${this.options.repo}`,
        body: {
          title: request.title.slice(0, 256),
          body: `${githubMarker(request.dedupKey)}\n${request.body}`.slice(0, 65_000),
          labels: [GITHUB_LABEL, `severity:${request.severity}`, `category:${request.category}`],
        },
      })
      .catch((error: unknown) => {
        // The issue may exist even though the call failed: the next attempt reads the list afresh.
        this.openIssues = undefined;
        throw error;
      });
    const ref: TicketRef = { tracker: 'github', id: String(body.number), url: body.html_url };
    open.set(request.dedupKey, ref);
    return { ref, created: true };
  }

  async listOpen(prefix = ''): Promise<OpenTicket[]> {
    const open = await this.open(true);
    return [...open]
      .filter(([dedupKey]) => dedupKey.startsWith(prefix))
      .map(([dedupKey, ref]) => ({ dedupKey, ref }));
  }

  async resolve(ref: TicketRef, comment: string): Promise<void> {
    const issue = `${this.base}/issues/${encodeURIComponent(ref.id)}`;
    const headers = await this.headers();
    await this.http.json({
      method: 'POST',
      url: `${issue}/comments`,
      headers,
      // A comment sent twice is noise, not harm; a resolution that gives up on a 5xx leaves the issue open.
      retryable: true,
      body: { body: comment },
      what: `issue #${ref.id}`,
    });
    await this.http.json({
      method: 'PATCH',
      url: issue,
      headers,
      body: { state: 'closed', state_reason: 'completed' },
      what: `issue #${ref.id}`,
    });
    const open = await this.open();
    for (const [key, value] of open) if (value.id === ref.id) open.delete(key);
  }

  /**
   * The open issues by dedup key. `listOpen` always re-reads; `file` reuses a list younger than
   * {@link OPEN_LIST_TTL_MS}, because a warm Lambda keeps this instance from one night to the next.
   */
  private open(refresh = false): Promise<Map<string, TicketRef>> {
    const now = (this.options.now ?? Date.now)();
    if (refresh || !this.openIssues || now - this.readAt > OPEN_LIST_TTL_MS) {
      this.readAt = now;
      this.openIssues = this.readOpen().catch((error) => {
        this.openIssues = undefined;
        throw error;
      });
    }
    return this.openIssues;
  }

  private async readOpen(): Promise<Map<string, TicketRef>> {
    const result = new Map<string, TicketRef>();
    let url: string | undefined = `${this.base}/issues?state=open&labels=${GITHUB_LABEL}&per_page=100`;
    while (url) {
      const page: { body: GitHubIssue[]; headers: Headers } = await this.http.json<GitHubIssue[]>({
        method: 'GET',
        url,
        headers: await this.headers(),
        what: `repository ${this.options.owner}/${this.options.repo}`,
      });
      for (const issue of page.body) {
        if (issue.pull_request) continue;
        const marker = MARKER.exec(issue.body ?? '');
        if (marker?.[1]) {
          result.set(marker[1].replaceAll('%2D%2D', '--'), {
            tracker: 'github',
            id: String(issue.number),
            url: issue.html_url,
          });
        }
      }
      url = nextLink(page.headers.get('link'));
    }
    return result;
  }

  private async headers(): Promise<Record<string, string>> {
    return {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${await this.options.token()}`,
      'x-github-api-version': '2022-11-28',
      'user-agent': 'config-steward',
    };
  }
}

/** The `rel="next"` URL of a GitHub `Link` header. */
function nextLink(link: string | null): string | undefined {
  return link
    ?.split(',')
    .map((part) => /<([^>]+)>;\s*rel="next"/.exec(part)?.[1])
    .find(Boolean);
}
