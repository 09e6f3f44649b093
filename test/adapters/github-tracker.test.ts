import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  TicketTrackerError,
  TrackerAuthenticationError,
  TrackerNotFoundError,
  TrackerRateLimitedError,
  TrackerUnavailableError,
} from '../../functions/ports/ticket-tracker.errors.ts';
import { GitHubTicketTracker, githubMarker } from '../../functions/adapters/tickets/github.ts';
import type { TicketRequest } from '../../functions/ports/ticket-tracker.ts';
import { GitHubServer } from '../support/github-server.ts';

const request = (dedupKey: string): TicketRequest => ({
  dedupKey,
  title: `Config drift: ${dedupKey}`,
  body: 'The value differs from config/.',
  severity: 'medium',
  category: 'drift',
});

describe('Class: GitHubTicketTracker', () => {
  let server: GitHubServer;
  const sleeps: number[] = [];
  const tracker = (token = 'test-token', now = () => 1_700_000_000_000) =>
    new GitHubTicketTracker({
      owner: 'acme',
      repo: 'platform',
      apiUrl: server.url,
      token: async () => token,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      now,
    });

  beforeEach(async () => {
    server = await new GitHubServer().start();
    sleeps.length = 0;
  });
  afterEach(async () => {
    await server.stop();
  });

  it('creates an issue with the label and the hidden marker', async () => {
    // Act
    const { ref, created } = await tracker().file(
      request('value-drift:/config/production/orders/max-retries'),
    );

    // Assess
    expect(created).toBe(true);
    expect(ref).toEqual({ tracker: 'github', id: '1', url: 'https://github.com/acme/platform/issues/1' });
    expect(server.issues[0]?.labels).toEqual(['config-steward', 'severity:medium', 'category:drift']);
    expect(server.issues[0]?.body).toContain(
      '<!-- steward:value-drift:/config/production/orders/max-retries -->',
    );
  });

  it('does not file the same finding twice across two runs', async () => {
    // Prepare
    const key = 'missing:/config/staging/orders/timeout';
    await tracker().file(request(key));

    // Act: a new instance, as the next night's run would build
    const second = await tracker().file(request(key));
    const open = await tracker().listOpen();

    // Assess
    expect(second).toEqual({ ref: expect.objectContaining({ id: '1' }), created: false });
    expect(server.issues).toHaveLength(1);
    expect(open).toEqual([{ dedupKey: key, ref: expect.objectContaining({ id: '1' }) }]);
  });

  it('does not file twice within one run either', async () => {
    // Prepare
    const github = tracker();

    // Act
    await github.file(request('unmanaged:/config/staging/x'));
    const again = await github.file(request('unmanaged:/config/staging/x'));

    // Assess
    expect(again.created).toBe(false);
    expect(server.issues).toHaveLength(1);
  });

  it('re-reads the open issues after a while, so a warm instance sees issues closed by hand', async () => {
    // Prepare
    let now = 1_700_000_000_000;
    const github = tracker('test-token', () => now);
    await github.file(request('missing:/config/staging/a'));
    server.issues[0]!.state = 'closed';
    now += 24 * 3_600_000;

    // Act
    const again = await github.file(request('missing:/config/staging/a'));

    // Assess
    expect(again.created).toBe(true);
    expect(server.issues).toHaveLength(2);
  });

  it('pages through open issues, skipping pull requests and unmarked issues', async () => {
    // Prepare
    for (let i = 1; i <= 150; i++) {
      server.issues.push({
        number: i,
        title: `t${i}`,
        body: i % 50 === 0 ? 'no marker' : githubMarker(`missing:/config/staging/k${i}`),
        labels: ['config-steward'],
        state: 'open',
        comments: [],
        ...(i === 7 ? { pull_request: { url: 'x' } } : {}),
      });
    }

    // Act
    const open = await tracker().listOpen('missing:');

    // Assess
    expect(open).toHaveLength(146);
    expect(server.requests.filter((r) => r.method === 'GET')).toHaveLength(2);
  });

  it('resolves with a comment and closes the issue as completed', async () => {
    // Prepare
    const github = tracker();
    const { ref } = await github.file(request('invalid:/config/staging/orders/port'));

    // Act
    await github.resolve(ref, 'no longer found');

    // Assess
    expect(server.issues[0]).toMatchObject({
      state: 'closed',
      state_reason: 'completed',
      comments: ['no longer found'],
    });
    expect(await tracker().listOpen()).toEqual([]);
  });

  it('files again once the earlier issue was closed', async () => {
    // Prepare
    const github = tracker();
    const { ref } = await github.file(request('invalid:/config/staging/orders/port'));
    await github.resolve(ref, 'fixed');

    // Act
    const again = await tracker().file(request('invalid:/config/staging/orders/port'));

    // Assess
    expect(again.created).toBe(true);
    expect(server.issues).toHaveLength(2);
  });

  it('raises an authentication error on 401 without retrying', async () => {
    // Act
    const result = tracker('wrong-token').file(request('missing:/x'));

    // Assess
    await expect(result).rejects.toBeInstanceOf(TrackerAuthenticationError);
    expect(server.requests).toHaveLength(1);
  });

  it('waits for x-ratelimit-reset on a 403 with no remaining requests, then succeeds', async () => {
    // Prepare
    const now = 1_700_000_000_000;
    server.failNext({
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 30) },
      body: { message: 'API rate limit exceeded' },
    });

    // Act
    const { created } = await tracker('test-token', () => now).file(request('missing:/y'));

    // Assess
    expect(created).toBe(true);
    expect(sleeps).toEqual([31_000]);
  });

  it('honours retry-after on a secondary rate limit', async () => {
    // Prepare
    server.failNext({
      status: 403,
      headers: { 'retry-after': '2' },
      body: { message: 'secondary rate limit' },
    });

    // Act
    await tracker().listOpen();

    // Assess
    expect(sleeps).toEqual([2000]);
  });

  it('gives up when the rate limit resets too far ahead', async () => {
    // Prepare
    const now = 1_700_000_000_000;
    server.failNext({
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 3600) },
    });

    // Act
    const error = await tracker('test-token', () => now)
      .listOpen()
      .catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(TrackerRateLimitedError);
    expect(error.retryAt.getTime()).toBe(now + 3_601_000);
  });

  it('treats a 403 without rate-limit headers as a plain failure', async () => {
    // Prepare
    server.failNext({ status: 403, body: { message: 'Resource not accessible by integration' } });

    // Act
    const error = await tracker()
      .listOpen()
      .catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(TicketTrackerError);
    expect(error.status).toBe(403);
  });

  it('raises not found on 404', async () => {
    // Prepare
    const github = new GitHubTicketTracker({
      owner: 'acme',
      repo: 'missing',
      apiUrl: server.url,
      token: async () => 'test-token',
    });

    // Act
    const result = github.listOpen();

    // Assess
    await expect(result).rejects.toBeInstanceOf(TrackerNotFoundError);
  });

  it('retries a 5xx a bounded number of times', async () => {
    // Prepare
    server.failNext({ status: 502 }, { status: 503 });

    // Act
    const { created } = await tracker().file(request('missing:/z'));

    // Assess
    expect(created).toBe(true);
    expect(sleeps).toHaveLength(2);
  });

  it('does not resend an issue creation that failed with a 5xx, and re-reads the list next time', async () => {
    // Prepare
    const github = tracker();
    await github.listOpen();
    server.failNext({ status: 502 });

    // Act
    const failed = await github.file(request('missing:/created-twice')).catch((e) => e);
    const retried = await github.file(request('missing:/created-twice'));

    // Assess
    expect(failed).toBeInstanceOf(TrackerUnavailableError);
    expect(sleeps).toEqual([]);
    expect(retried.created).toBe(true);
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'POST', 'GET', 'POST']);
  });

  it('fails with service unavailable after the retries are spent', async () => {
    // Prepare
    server.failNext({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });

    // Act
    const result = tracker().listOpen();

    // Assess
    await expect(result).rejects.toBeInstanceOf(TrackerUnavailableError);
  });

  it('never puts the token in an error message', async () => {
    // Prepare
    const secret = 'ghp_ThisIsASecretTokenValueThatMustNotLeak01';
    server.failNext({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });

    // Act
    const error = await tracker(secret)
      .listOpen()
      .catch((e) => e);

    // Assess
    expect(`${error.message} ${error.stack}`).not.toContain(secret);
    expect(server.requests[0]?.authorization).toBe(`Bearer ${secret}`);
  });
});
