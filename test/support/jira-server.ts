/**
 * A local Jira Cloud REST v3 server with the part of the API the tracker uses: enhanced JQL search
 * (`POST /rest/api/3/search/jql`, `nextPageToken`, `fields`, `properties`), create issue (with entity
 * properties), add comment, list and perform transitions. It understands the JQL the tracker writes
 * (`project = "X" AND labels = "Y" AND statusCategory != Done`), checks basic auth, and can answer the
 * next requests with a fault (429 with `Retry-After`, 404, 5xx).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Fault, readJson, send } from './github-server.ts';

export interface FakeJiraIssue {
  id: string;
  key: string;
  summary: string;
  labels: string[];
  description: unknown;
  properties: Record<string, unknown>;
  statusCategory: 'new' | 'indeterminate' | 'done';
  comments: unknown[];
}

const TRANSITIONS = [
  { id: '11', name: 'To Do', to: { statusCategory: { key: 'new' } } },
  { id: '21', name: 'In Progress', to: { statusCategory: { key: 'indeterminate' } } },
  { id: '31', name: 'Done', to: { statusCategory: { key: 'done' } } },
];

export class JiraServer {
  readonly issues: FakeJiraIssue[] = [];
  readonly requests: { method: string; path: string; body?: unknown }[] = [];
  readonly jql: string[] = [];
  private readonly faults: Fault[] = [];
  private server?: Server;
  url = '';
  /** Issues per search page. */
  pageSize = 50;

  constructor(
    readonly project = 'OPS',
    readonly email = 'bot@example.com',
    readonly token = 'jira-token',
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => send(res, 500, { errorMessages: [String(error)] }));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  failNext(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const body = await readJson(req);
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, body });
    const fault = this.faults.shift();
    if (fault) return send(res, fault.status, fault.body ?? { errorMessages: ['fault'] }, fault.headers);
    const expected = `Basic ${Buffer.from(`${this.email}:${this.token}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return send(res, 401, { errorMessages: ['Unauthorized'] });

    if (url.pathname === '/rest/api/3/search/jql' && req.method === 'POST') {
      const input = body as {
        jql: string;
        maxResults?: number;
        nextPageToken?: string;
        properties?: string[];
      };
      this.jql.push(input.jql);
      const matching = this.issues.filter((issue) => this.matches(issue, input.jql));
      const start = input.nextPageToken ? Number(input.nextPageToken) : 0;
      const size = Math.min(input.maxResults ?? 50, this.pageSize);
      const page = matching.slice(start, start + size);
      const more = start + size < matching.length;
      return send(res, 200, {
        issues: page.map((issue) => ({
          id: issue.id,
          key: issue.key,
          fields: { labels: issue.labels },
          properties: Object.fromEntries(
            (input.properties ?? [])
              .filter((k) => k in issue.properties)
              .map((k) => [k, issue.properties[k]]),
          ),
        })),
        ...(more ? { nextPageToken: String(start + size) } : {}),
        isLast: !more,
      });
    }
    if (url.pathname === '/rest/api/3/issue' && req.method === 'POST') {
      const input = body as {
        fields: {
          project: { key: string };
          summary: string;
          labels?: string[];
          description?: unknown;
          issuetype?: unknown;
        };
        properties?: { key: string; value: unknown }[];
      };
      if (input.fields.project.key !== this.project) {
        return send(res, 400, { errors: { project: 'valid project is required' } });
      }
      if (input.fields.labels?.some((l) => /\s/.test(l))) {
        return send(res, 400, { errors: { labels: 'The label cannot contain spaces.' } });
      }
      const id = String(10000 + this.issues.length + 1);
      const issue: FakeJiraIssue = {
        id,
        key: `${this.project}-${this.issues.length + 1}`,
        summary: input.fields.summary,
        labels: input.fields.labels ?? [],
        description: input.fields.description,
        properties: Object.fromEntries((input.properties ?? []).map((p) => [p.key, p.value])),
        statusCategory: 'new',
        comments: [],
      };
      this.issues.push(issue);
      return send(res, 201, { id, key: issue.key, self: `${this.url}/rest/api/3/issue/${id}` });
    }
    const match = /^\/rest\/api\/3\/issue\/([^/]+)\/(comment|transitions)$/.exec(url.pathname);
    const issue = match ? this.issues.find((i) => i.key === match[1] || i.id === match[1]) : undefined;
    if (!match || !issue)
      return send(res, 404, {
        errorMessages: ['Issue does not exist or you do not have permission to see it.'],
      });
    if (match[2] === 'comment' && req.method === 'POST') {
      issue.comments.push((body as { body: unknown }).body);
      return send(res, 201, { id: String(issue.comments.length) });
    }
    if (match[2] === 'transitions' && req.method === 'GET')
      return send(res, 200, { transitions: TRANSITIONS });
    if (match[2] === 'transitions' && req.method === 'POST') {
      const target = TRANSITIONS.find((t) => t.id === (body as { transition: { id: string } }).transition.id);
      if (!target) return send(res, 400, { errorMessages: ['invalid transition'] });
      issue.statusCategory = target.to.statusCategory.key as FakeJiraIssue['statusCategory'];
      return send(res, 204, undefined);
    }
    return send(res, 404, { errorMessages: ['not found'] });
  }

  /** The subset of JQL the tracker writes: `project = "X"`, `labels = "Y"`, `statusCategory != Done`. */
  private matches(issue: FakeJiraIssue, jql: string): boolean {
    const unquote = (s: string) => s.replace(/\\(["\\])/g, '$1');
    const project = /project = "((?:[^"\\]|\\.)*)"/.exec(jql)?.[1];
    if (project !== undefined && unquote(project) !== this.project) return false;
    for (const m of jql.matchAll(/labels = "((?:[^"\\]|\\.)*)"/g)) {
      if (!issue.labels.includes(unquote(m[1] ?? ''))) return false;
    }
    if (/statusCategory != Done/.test(jql) && issue.statusCategory === 'done') return false;
    return true;
  }
}
