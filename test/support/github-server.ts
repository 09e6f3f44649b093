/**
 * A local GitHub REST server with the part of the Issues API the tracker uses: list a repository's
 * issues (state, labels, per_page, page, Link header), create an issue, comment, update state. It
 * checks the bearer token (401 "Bad credentials") and can be told to answer the next requests with a
 * fault (403 rate limit with its headers, 404, 5xx).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: 'open' | 'closed';
  state_reason?: string | null;
  comments: string[];
  pull_request?: { url: string };
}

export interface Fault {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export class GitHubServer {
  readonly issues: FakeIssue[] = [];
  readonly requests: { method: string; path: string; authorization?: string }[] = [];
  private readonly faults: Fault[] = [];
  private server?: Server;
  url = '';

  constructor(
    readonly owner = 'acme',
    readonly repo = 'platform',
    readonly token = 'test-token',
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        res.writeHead(500).end(JSON.stringify({ message: String(error) }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Answer the next request with this fault (queued, one per request). */
  failNext(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      authorization: req.headers.authorization,
    });
    const fault = this.faults.shift();
    if (fault) return send(res, fault.status, fault.body ?? { message: 'fault' }, fault.headers);
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return send(res, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
      });
    }
    const prefix = `/repos/${this.owner}/${this.repo}/issues`;
    if (!url.pathname.startsWith(prefix)) return send(res, 404, { message: 'Not Found' });
    const rest = url.pathname.slice(prefix.length);
    const body = await readJson(req);

    if (rest === '' && req.method === 'GET') {
      const state = url.searchParams.get('state') ?? 'open';
      const labels = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean);
      const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
      const page = Number(url.searchParams.get('page') ?? 1);
      const matching = this.issues
        .filter((i) => state === 'all' || i.state === state)
        .filter((i) => labels.every((l) => i.labels.includes(l)))
        .sort((a, b) => b.number - a.number);
      const slice = matching.slice((page - 1) * perPage, page * perPage);
      const headers: Record<string, string> = {};
      if (page * perPage < matching.length) {
        const next = new URL(url);
        next.searchParams.set('page', String(page + 1));
        headers.link = `<${next.toString()}>; rel="next"`;
      }
      return send(
        res,
        200,
        slice.map((i) => this.view(i)),
        headers,
      );
    }
    if (rest === '' && req.method === 'POST') {
      const input = body as { title?: string; body?: string; labels?: string[] };
      if (!input.title) return send(res, 422, { message: 'Validation Failed' });
      const issue: FakeIssue = {
        number: this.issues.length + 1,
        title: input.title,
        body: input.body ?? '',
        labels: input.labels ?? [],
        state: 'open',
        comments: [],
      };
      this.issues.push(issue);
      return send(res, 201, this.view(issue));
    }
    const match = /^\/(\d+)(\/comments)?$/.exec(rest);
    const issue = match ? this.issues.find((i) => i.number === Number(match[1])) : undefined;
    if (!match || !issue) return send(res, 404, { message: 'Not Found' });
    if (match[2] && req.method === 'POST') {
      issue.comments.push((body as { body: string }).body);
      return send(res, 201, { id: issue.comments.length, body: (body as { body: string }).body });
    }
    if (!match[2] && req.method === 'PATCH') {
      const patch = body as { state?: 'open' | 'closed'; state_reason?: string };
      if (patch.state) issue.state = patch.state;
      if (patch.state_reason) issue.state_reason = patch.state_reason;
      return send(res, 200, this.view(issue));
    }
    return send(res, 404, { message: 'Not Found' });
  }

  private view(issue: FakeIssue) {
    return {
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      state_reason: issue.state_reason ?? null,
      labels: issue.labels.map((name) => ({ name })),
      html_url: `https://github.com/${this.owner}/${this.repo}/issues/${issue.number}`,
      ...(issue.pull_request ? { pull_request: issue.pull_request } : {}),
    };
  }
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(status === 204 ? undefined : JSON.stringify(body));
}
