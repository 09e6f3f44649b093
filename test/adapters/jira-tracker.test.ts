import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  TrackerAuthenticationError,
  TrackerNotFoundError,
  TrackerRateLimitedError,
  TrackerUnavailableError,
} from '../../functions/ports/ticket-tracker.errors.ts';
import { JiraTicketTracker, jiraDedupLabel } from '../../functions/adapters/tickets/jira.ts';
import type { TicketRequest } from '../../functions/ports/ticket-tracker.ts';
import { JiraServer } from '../support/jira-server.ts';

const request = (dedupKey: string): TicketRequest => ({
  dedupKey,
  title: `Config drift: ${dedupKey}`,
  body: 'Line one.\n\nLine two.',
  severity: 'high',
  category: 'drift',
});

describe('Class: JiraTicketTracker', () => {
  let server: JiraServer;
  const sleeps: number[] = [];
  const tracker = (token = 'jira-token', project = 'OPS') =>
    new JiraTicketTracker({
      baseUrl: server.url,
      project,
      credentials: async () => ({ email: 'bot@example.com', token }),
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });

  beforeEach(async () => {
    server = await new JiraServer().start();
    sleeps.length = 0;
  });
  afterEach(async () => {
    await server.stop();
  });

  it('creates an issue with labels, an ADF description and the dedup key as an entity property', async () => {
    // Act
    const { ref, created } = await tracker().file(
      request('value-drift:/config/production/orders/max-retries'),
    );

    // Assess
    expect(created).toBe(true);
    expect(ref).toEqual({ tracker: 'jira', id: 'OPS-1', url: `${server.url}/browse/OPS-1` });
    const issue = server.issues[0];
    expect(issue?.labels).toEqual([
      'config-steward',
      'steward:value-drift:/config/production/orders/max-retries',
      'severity-high',
      'category-drift',
    ]);
    expect(issue?.properties['config-steward']).toEqual({
      dedupKey: 'value-drift:/config/production/orders/max-retries',
    });
    expect(issue?.description).toMatchObject({ type: 'doc', version: 1, content: expect.any(Array) });
  });

  it('searches with JQL by the dedup label and does not file twice across two runs', async () => {
    // Prepare
    await tracker().file(request('missing:/config/staging/orders/timeout'));

    // Act
    const second = await tracker().file(request('missing:/config/staging/orders/timeout'));

    // Assess
    expect(second).toEqual({ ref: expect.objectContaining({ id: 'OPS-1' }), created: false });
    expect(server.issues).toHaveLength(1);
    expect(server.jql[1]).toBe(
      'project = "OPS" AND labels = "steward:missing:/config/staging/orders/timeout" AND statusCategory != Done',
    );
  });

  it('derives labels without spaces, hashing keys too long for a label', () => {
    // Act
    const spaced = jiraDedupLabel('flag-expired:orders new checkout');
    const long = jiraDedupLabel(`missing:/${'x'.repeat(300)}`);

    // Assess
    expect(spaced).toBe('steward:flag-expired:orders_new_checkout');
    expect(long).toMatch(/^steward:sha256:[0-9a-f]{64}$/);
  });

  it('files a key with spaces, and lists it back by its exact key', async () => {
    // Act
    await tracker().file(request('flag-expired:orders new checkout'));
    const open = await tracker().listOpen('flag-expired:');

    // Assess
    expect(open).toEqual([
      { dedupKey: 'flag-expired:orders new checkout', ref: expect.objectContaining({ id: 'OPS-1' }) },
    ]);
  });

  it('lists open issues across pages', async () => {
    // Prepare
    server.pageSize = 2;
    const jira = tracker();
    for (const k of ['a', 'b', 'c', 'd', 'e']) await jira.file(request(`missing:/config/staging/${k}`));

    // Act
    const open = await tracker().listOpen();

    // Assess
    expect(open.map((t) => t.dedupKey)).toHaveLength(5);
  });

  it('resolves with an ADF comment and a transition to a done status', async () => {
    // Prepare
    const jira = tracker();
    const { ref } = await jira.file(request('invalid:/config/staging/orders/port'));

    // Act
    await jira.resolve(ref, 'no longer found');

    // Assess
    expect(server.issues[0]?.statusCategory).toBe('done');
    expect(server.issues[0]?.comments[0]).toMatchObject({
      type: 'doc',
      content: [{ content: [{ text: 'no longer found' }] }],
    });
    expect(server.requests.find((r) => r.method === 'POST' && r.path.endsWith('/transitions'))?.body).toEqual(
      {
        transition: { id: '31' },
      },
    );
    expect(await tracker().listOpen()).toEqual([]);
  });

  it('raises an authentication error on 401', async () => {
    // Act
    const result = tracker('wrong').listOpen();

    // Assess
    await expect(result).rejects.toBeInstanceOf(TrackerAuthenticationError);
  });

  it('waits out a 429 with Retry-After', async () => {
    // Prepare
    server.failNext({ status: 429, headers: { 'retry-after': '3' } });

    // Act
    const { created } = await tracker().file(request('missing:/q'));

    // Assess
    expect(created).toBe(true);
    expect(sleeps).toEqual([3000]);
  });

  it('gives up on a long rate limit', async () => {
    // Prepare
    server.failNext({ status: 429, headers: { 'retry-after': '600' } });

    // Act
    const result = tracker().listOpen();

    // Assess
    await expect(result).rejects.toBeInstanceOf(TrackerRateLimitedError);
  });

  it('raises not found for an unknown issue', async () => {
    // Act
    const result = tracker().resolve({ tracker: 'jira', id: 'OPS-999' }, 'gone');

    // Assess
    await expect(result).rejects.toBeInstanceOf(TrackerNotFoundError);
  });

  it('retries 5xx and then fails with service unavailable', async () => {
    // Prepare
    server.failNext({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });

    // Act
    const result = tracker().listOpen();

    // Assess
    await expect(result).rejects.toBeInstanceOf(TrackerUnavailableError);
    expect(sleeps).toHaveLength(3);
  });
});
