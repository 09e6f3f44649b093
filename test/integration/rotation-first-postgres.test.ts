/**
 * The first rotation of a PostgreSQL secret exactly as the stack creates it: the secret's value is
 * generated from the synthesized template's `GenerateSecretString` (as Secrets Manager would), the
 * README's steps before the first rotation are followed (the role gets the generated password; the
 * master secret holds only `username` and `password`, as an RDS-managed one does), and all four
 * steps run against the local PostgreSQL.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresDatabaseUsers } from '../../functions/adapters/postgres-database-users.ts';
import { defineService, type Organisation, type RotationStrategy } from '../../functions/core/model.ts';
import type { DatabaseCredentials } from '../../functions/ports/database-users.ts';
import { randomString } from '../../functions/core/rotation/random-string.ts';
import { AWSCURRENT, AWSPREVIOUS } from '../../functions/ports/secret-store.ts';
import { SecretRotation } from '../../lib/constructs/secret-rotation.ts';
import { loadSettings } from '../../lib/settings.ts';
import {
  createRotationFixture,
  dropRotationFixture,
  logInAndRead,
  type RotationFixture,
  requirePostgres,
  runScopedPrefix,
} from '../support/postgres.ts';
import { RotationHarness } from '../support/rotation-harness.ts';

const { escapeIdentifier, escapeLiteral } = pg;
/** Roles are cluster-wide: a name of this run's own, so parallel or earlier runs never collide. */
const PREFIX = runScopedPrefix('steward_first');
const SECRET_NAME = 'config/production/orders/db';
const MASTER_NAME = 'config/production/orders/db-master';
const postgres = await requirePostgres();

/** The orders `db` secret as `config/` would declare it, pointing at the fixture's database. */
function ordersOrganisation(fixture: RotationFixture, strategy: RotationStrategy): Organisation {
  return {
    services: [
      defineService({
        name: 'orders',
        keys: {},
        values: {},
        secrets: {
          db: {
            description: 'orders database',
            shape: 'postgres',
            rotation: { strategy, schedule: 'rate(30 days)' },
            masterSecret: 'db-master',
            environments: ['production'],
            database: {
              production: {
                host: fixture.app.host,
                port: fixture.app.port,
                dbname: fixture.database,
                username: fixture.app.username,
              },
            },
          },
        },
      }),
    ],
  };
}

interface GenerateSecretString {
  SecretStringTemplate: string;
  GenerateStringKey: string;
  PasswordLength: number;
  ExcludePunctuation?: boolean;
  IncludeSpace?: boolean;
}

/** Synthesize the rotation construct and take the secret's GenerateSecretString from the template. */
function synthesizedGenerator(organisation: Organisation): GenerateSecretString {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'FirstRotation', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  new SecretRotation(stack, 'SecretRotation', {
    settings: loadSettings('config/settings.json'),
    organisation,
    // The local server speaks no TLS, as the harness connects; so its address is an acceptable host.
    postgresTls: 'disable',
  });
  const secrets = Template.fromStack(stack).findResources('AWS::SecretsManager::Secret', {
    Properties: { Name: SECRET_NAME },
  });
  const [secret] = Object.values(secrets);
  return secret?.Properties.GenerateSecretString as GenerateSecretString;
}

/** What Secrets Manager stores at creation: the template with a generated password at the key. */
function generateAsSecretsManager(generator: GenerateSecretString): string {
  // Without punctuation and spaces, what is left is letters and digits.
  expect(generator).toMatchObject({ ExcludePunctuation: true, IncludeSpace: false });
  return JSON.stringify({
    ...(JSON.parse(generator.SecretStringTemplate) as object),
    [generator.GenerateStringKey]: randomString(generator.PasswordLength, 'alphanumeric'),
  });
}

function credentialsIn(value: string | undefined): DatabaseCredentials & { masterarn?: string } {
  return JSON.parse(value as string) as DatabaseCredentials & { masterarn?: string };
}

describe.skipIf(!postgres)('First rotation of a stack-generated PostgreSQL secret', () => {
  let fixture: RotationFixture;

  beforeAll(async () => {
    if (postgres) fixture = await createRotationFixture(postgres, PREFIX);
  });

  afterAll(async () => {
    if (postgres) await dropRotationFixture(postgres, PREFIX);
  });

  it.each<[RotationStrategy, string]>([
    ['postgres-alternating-users', '_clone'],
    ['postgres-single-user', ''],
  ])('%s: all four steps succeed and the new credentials read the table', async (strategy, suffix) => {
    // Prepare: the secret as the stack generates it
    const generated = generateAsSecretsManager(synthesizedGenerator(ordersOrganisation(fixture, strategy)));
    const initial = credentialsIn(generated);
    // README, before the first rotation: the role gets the generated password ...
    await postgres?.query(
      `ALTER ROLE ${escapeIdentifier(initial.username)} PASSWORD ${escapeLiteral(initial.password)}`,
    );
    // ... and the master secret exists under the name `masterarn` gives, holding what RDS puts in one.
    const harness = new RotationHarness(
      new PostgresDatabaseUsers(),
      {},
      ordersOrganisation(fixture, strategy),
    );
    harness.store.create(
      MASTER_NAME,
      JSON.stringify({ username: fixture.master.username, password: fixture.master.password }),
    );
    const arn = harness.store.create(SECRET_NAME, generated);

    // Act
    const token = await harness.rotate(arn);

    // Assess
    expect(initial).toMatchObject({
      engine: 'postgres',
      host: fixture.app.host,
      port: fixture.app.port,
      dbname: fixture.database,
      username: fixture.app.username,
      masterarn: MASTER_NAME,
    });
    expect(harness.failures).toEqual([]);
    expect(harness.store.stages(arn)[token]).toContain(AWSCURRENT);
    const rotated = credentialsIn(harness.store.peek(arn));
    const { password: initialPassword, ...endpoint } = initial;
    expect(rotated).toMatchObject({ ...endpoint, username: `${fixture.app.username}${suffix}` });
    expect(rotated.password).not.toBe(initialPassword);
    expect(await logInAndRead(rotated)).toBe(42);
    expect(credentialsIn(harness.store.peek(arn, AWSPREVIOUS)).password).toBe(initialPassword);
    expect(harness.publisher.ofType('Secret Rotated').map((e) => e.detail)).toMatchObject([
      { secretName: SECRET_NAME, strategy, newVersionId: token },
    ]);
  });
});
