/**
 * `TicketTracker` over Jira Cloud REST v3. A Steward issue carries the label `config-steward`, a
 * label derived from its dedup key (labels cannot hold spaces) and an issue entity property
 * `config-steward` holding the exact dedup key. Open issues are found by JQL
 * (`statusCategory != Done`); resolving comments in ADF and moves the issue through the first
 * transition that leads to a Done-category status.
 */
import { createHash } from 'node:crypto';
import type { OpenTicket, TicketRef, TicketRequest, TicketTracker } from '../../ports/ticket-tracker.ts';
import { TicketTrackerError } from '../../ports/ticket-tracker.errors.ts';
import { type HttpOptions, TrackerHttp } from './http.ts';

export const JIRA_LABEL = 'config-steward';
export const JIRA_PROPERTY = 'config-steward';
const MAX_LABEL = 255;

export interface JiraCredentials {
  readonly email: string;
  readonly token: string;
}

export interface JiraTrackerOptions extends HttpOptions {
  readonly baseUrl: string;
  readonly project: string;
  /** Returns `{ email, token }`; called on every request, so it should cache. */
  readonly credentials: () => Promise<JiraCredentials>;
  /** @default Task */
  readonly issueType?: string;
}

interface JiraIssue {
  id: string;
  key: string;
  fields?: { labels?: string[] };
  properties?: Record<string, { dedupKey?: string } | undefined>;
}

interface JiraTransition {
  id: string;
  name: string;
  to?: { statusCategory?: { key?: string } };
}

/**
 * The label that marks an issue's dedup key: `steward:` and the key with whitespace replaced, or a
 * hash when that would be too long.
 */
export function jiraDedupLabel(dedupKey: string): string {
  const label = `steward:${dedupKey.replace(/\s+/g, '_')}`;
  return label.length <= MAX_LABEL
    ? label
    : `steward:sha256:${createHash('sha256').update(dedupKey).digest('hex')}`;
}

/**
 * @example
 * const tracker = new JiraTicketTracker({ baseUrl: 'https://acme.atlassian.net', project: 'OPS', credentials });
 */
export class JiraTicketTracker implements TicketTracker {
  private readonly http: TrackerHttp;
  private readonly base: string;

  constructor(private readonly options: JiraTrackerOptions) {
    this.http = new TrackerHttp('jira', options);
    this.base = `${options.baseUrl.replace(/\/$/, '')}/rest/api/3`;
  }

  async file(request: TicketRequest): Promise<{ ref: TicketRef; created: boolean }> {
    const label = jiraDedupLabel(request.dedupKey);
    const [existing] = await this.search(`labels = ${jqlString(label)}`, 1);
    if (existing) return { ref: this.ref(existing), created: false };
    const { body } = await this.http.json<JiraIssue>({
      method: 'POST',
      url: `${this.base}/issue`,
      headers: await this.headers(),
      what: `project ${this.options.project}`,
      body: {
        fields: {
          project: { key: this.options.project },
          issuetype: { name: this.options.issueType ?? 'Task' },
          summary: request.title.replace(/[\r\n]+/g, ' ').slice(0, 254),
          labels: [JIRA_LABEL, label, `severity-${request.severity}`, `category-${request.category}`],
          description: adf(request.body),
        },
        properties: [{ key: JIRA_PROPERTY, value: { dedupKey: request.dedupKey } }],
      },
    });
    return { ref: this.ref(body), created: true };
  }

  async listOpen(prefix = ''): Promise<OpenTicket[]> {
    const issues = await this.search(`labels = ${jqlString(JIRA_LABEL)}`, Number.POSITIVE_INFINITY);
    const result: OpenTicket[] = [];
    for (const issue of issues) {
      const dedupKey =
        issue.properties?.[JIRA_PROPERTY]?.dedupKey ??
        issue.fields?.labels
          ?.find((l) => l.startsWith('steward:') && !l.startsWith('steward:sha256:'))
          ?.slice(8);
      if (dedupKey?.startsWith(prefix)) result.push({ dedupKey, ref: this.ref(issue) });
    }
    return result;
  }

  async resolve(ref: TicketRef, comment: string): Promise<void> {
    const issue = `${this.base}/issue/${encodeURIComponent(ref.id)}`;
    const headers = await this.headers();
    await this.http.json({
      method: 'POST',
      url: `${issue}/comment`,
      headers,
      // A comment sent twice is noise, not harm; a resolution that gives up on a 5xx leaves the issue open.
      retryable: true,
      body: { body: adf(comment) },
      what: `issue ${ref.id}`,
    });
    const { body } = await this.http.json<{ transitions: JiraTransition[] }>({
      method: 'GET',
      url: `${issue}/transitions`,
      headers,
      what: `issue ${ref.id}`,
    });
    const done =
      body.transitions.find((t) => t.to?.statusCategory?.key === 'done') ??
      body.transitions.find((t) => /^(done|resolve|resolved|close|closed)$/i.test(t.name));
    if (!done) {
      throw new TicketTrackerError(`jira: issue ${ref.id} has no transition to a done status`, 'jira');
    }
    await this.http.json({
      method: 'POST',
      url: `${issue}/transitions`,
      headers,
      body: { transition: { id: done.id } },
      retryable: true,
      what: `issue ${ref.id}`,
    });
  }

  private async search(clause: string, limit: number): Promise<JiraIssue[]> {
    const jql = `project = ${jqlString(this.options.project)} AND ${clause} AND statusCategory != Done`;
    const issues: JiraIssue[] = [];
    let nextPageToken: string | undefined;
    do {
      const { body } = await this.http.json<{ issues?: JiraIssue[]; nextPageToken?: string | null }>({
        method: 'POST',
        url: `${this.base}/search/jql`,
        headers: await this.headers(),
        what: `project ${this.options.project}`,
        // A search only reads: safe to send again.
        retryable: true,
        body: {
          jql,
          maxResults: Math.min(100, limit),
          fields: ['labels'],
          properties: [JIRA_PROPERTY],
          ...(nextPageToken ? { nextPageToken } : {}),
        },
      });
      issues.push(...(body.issues ?? []));
      nextPageToken = body.nextPageToken ?? undefined;
    } while (nextPageToken && issues.length < limit);
    return issues;
  }

  private ref(issue: JiraIssue): TicketRef {
    return {
      tracker: 'jira',
      id: issue.key,
      url: `${this.options.baseUrl.replace(/\/$/, '')}/browse/${issue.key}`,
    };
  }

  private async headers(): Promise<Record<string, string>> {
    const { email, token } = await this.options.credentials();
    return { authorization: `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}` };
  }
}

/** A JQL string literal. */
function jqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Markdown-ish text as an Atlassian Document Format document: one paragraph per line. */
export function adf(text: string): unknown {
  return {
    type: 'doc',
    version: 1,
    content: text
      .split('\n')
      .map((line) =>
        line.trim() === ''
          ? { type: 'paragraph', content: [] }
          : { type: 'paragraph', content: [{ type: 'text', text: line }] },
      ),
  };
}
