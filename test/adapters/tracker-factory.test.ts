import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeOpsItemsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTicketTracker } from '../../functions/adapters/tickets/create-ticket-tracker.ts';
import { GitHubServer } from '../support/github-server.ts';
import { JiraServer } from '../support/jira-server.ts';

const secrets = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);

describe('Function: createTicketTracker', () => {
  let github: GitHubServer;
  let jira: JiraServer;
  beforeEach(async () => {
    secrets.reset();
    ssm.reset();
    github = await new GitHubServer().start();
    jira = await new JiraServer().start();
  });
  afterEach(async () => {
    await github.stop();
    await jira.stop();
  });

  it('builds OpsCenter without touching Secrets Manager', async () => {
    // Prepare
    ssm.on(DescribeOpsItemsCommand).resolves({ OpsItemSummaries: [] });

    // Act
    const tracker = createTicketTracker({ tracker: 'opscenter' }, { ssm: new SSMClient({}) });
    const open = await tracker.listOpen();

    // Assess
    expect(open).toEqual([]);
    expect(secrets).not.toReceiveAnyCommand();
  });

  it('reads the GitHub token by secret name once, lazily, and caches it', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'test-token' });
    const tracker = createTicketTracker(
      {
        tracker: 'github',
        owner: 'acme',
        repo: 'platform',
        tokenSecret: 'steward/github',
        apiUrl: github.url,
      },
      { secretsManager: new SecretsManagerClient({}) },
    );
    expect(secrets).not.toReceiveAnyCommand();

    // Act
    await tracker.file({ dedupKey: 'missing:/a', title: 't', body: 'b', severity: 'low', category: 'drift' });
    await tracker.listOpen();

    // Assess
    expect(secrets).toReceiveCommandTimes(GetSecretValueCommand, 1);
    expect(secrets).toReceiveCommandWith(GetSecretValueCommand, { SecretId: 'steward/github' });
    expect(github.issues).toHaveLength(1);
  });

  it('reads the token again once when the tracker rejects it (a rotated secret)', async () => {
    // Prepare
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: 'old-token' })
      .resolves({ SecretString: 'test-token' });
    const tracker = createTicketTracker(
      {
        tracker: 'github',
        owner: 'acme',
        repo: 'platform',
        tokenSecret: 'steward/github',
        apiUrl: github.url,
      },
      { secretsManager: new SecretsManagerClient({}) },
    );

    // Act
    const open = await tracker.listOpen();

    // Assess
    expect(open).toEqual([]);
    expect(secrets).toReceiveCommandTimes(GetSecretValueCommand, 2);
    expect(github.requests.map((r) => r.authorization)).toEqual(['Bearer old-token', 'Bearer test-token']);
  });

  it('accepts a GitHub token stored as JSON', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ token: 'test-token' }) });
    const tracker = createTicketTracker(
      {
        tracker: 'github',
        owner: 'acme',
        repo: 'platform',
        tokenSecret: 'steward/github',
        apiUrl: github.url,
      },
      { secretsManager: new SecretsManagerClient({}) },
    );

    // Act
    const open = await tracker.listOpen();

    // Assess
    expect(open).toEqual([]);
  });

  it('reads Jira credentials as JSON from the secret', async () => {
    // Prepare
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ email: 'bot@example.com', token: 'jira-token' }) });
    const tracker = createTicketTracker(
      { tracker: 'jira', baseUrl: jira.url, project: 'OPS', tokenSecret: 'steward/jira' },
      { secretsManager: new SecretsManagerClient({}) },
    );

    // Act
    const { created } = await tracker.file({
      dedupKey: 'missing:/a',
      title: 't',
      body: 'b',
      severity: 'low',
      category: 'drift',
    });

    // Assess
    expect(created).toBe(true);
    expect(jira.issues).toHaveLength(1);
  });

  it('retries the secret read after a failure instead of caching it, and never leaks the secret', async () => {
    // Prepare
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error('AccessDenied'))
      .resolves({ SecretString: 'not-json-but-secret-XYZ' });
    const tracker = createTicketTracker(
      { tracker: 'jira', baseUrl: jira.url, project: 'OPS', tokenSecret: 'steward/jira' },
      { secretsManager: new SecretsManagerClient({}) },
    );

    // Act
    const first = await tracker.listOpen().catch((e) => e);
    const second = await tracker.listOpen().catch((e) => e);

    // Assess
    expect(first.message).toBe('AccessDenied');
    expect(second.name).toBe('ConfigurationError');
    expect(second.message).not.toContain('not-json-but-secret-XYZ');
    expect(secrets).toReceiveCommandTimes(GetSecretValueCommand, 2);
  });

  it('rejects a GitHub token secret that is broken JSON without quoting the secret', async () => {
    // Prepare
    const secret = '{"token": ghp_SECRETVALUE123';
    secrets.on(GetSecretValueCommand).resolves({ SecretString: secret });
    const tracker = createTicketTracker(
      {
        tracker: 'github',
        owner: 'acme',
        repo: 'platform',
        tokenSecret: 'steward/github',
        apiUrl: github.url,
      },
      { secretsManager: new SecretsManagerClient({}) },
    );

    // Act
    const error = await tracker.listOpen().catch((e: Error) => e);

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('ConfigurationError');
    expect(`${(error as Error).message} ${(error as Error).stack}`).not.toContain('SECRETVALUE');
    expect(github.issues).toHaveLength(0);
  });
});
