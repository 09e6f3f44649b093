/**
 * `steward check` on the database of PostgreSQL secrets: an endpoint for every environment that holds
 * the secret, usable host/port/identifiers, and a network path (`vpc`) for the rotation function.
 */
import { describe, expect, it } from 'vitest';
import { organisation as exampleOrganisation } from '../../config/index.ts';
import { type CheckFinding, checkDesiredState } from '../../functions/core/check.ts';
import { defineService, type Organisation, type SecretDefinition } from '../../functions/core/model.ts';
import { masterSecretName } from '../../functions/core/rotation/naming.ts';
import { loadSettings } from '../../lib/settings.ts';

const settings = loadSettings('config/settings.json');

const POSTGRES_SECRET: SecretDefinition = {
  description: 'billing database',
  shape: 'postgres',
  rotation: { strategy: 'postgres-alternating-users', schedule: 'rate(30 days)' },
  masterSecret: 'db-master',
  database: {
    staging: { host: 'billing-db.staging.internal', dbname: 'billing', username: 'billing_app' },
    production: { host: 'billing-db.production.internal', port: 6432 },
  },
};

function billingWith(secret: Partial<SecretDefinition>): Organisation {
  return {
    services: [
      defineService({
        name: 'billing',
        keys: {},
        values: {},
        secrets: { db: { ...POSTGRES_SECRET, ...secret } },
      }),
    ],
  };
}

/** The secret and network findings, as `subject: message`. */
function databaseFindings(findings: CheckFinding[]): string[] {
  return findings
    .filter((f) => f.rule === 'secret' || f.rule === 'network')
    .map((f) => `${f.subject}: ${f.message}`);
}

describe('Function: checkDesiredState (PostgreSQL databases)', () => {
  it('accepts the example organisation and a secret with an endpoint for every environment', () => {
    // Act
    const example = checkDesiredState(exampleOrganisation, settings);
    const billing = checkDesiredState(billingWith({}), settings);

    // Assess
    expect(example).toEqual([]);
    expect(billing).toEqual([]);
  });

  it('reports a PostgreSQL secret without a database, naming the environments and the fields', () => {
    // Act
    const findings = checkDesiredState(billingWith({ database: undefined }), settings);

    // Assess
    expect(databaseFindings(findings)).toEqual([
      'billing:db: database is missing: postgres-alternating-users needs { host, port?, dbname?, username? } ' +
        'for staging, production (the rotation function connects to it, and it goes into the generated secret)',
    ]);
  });

  it('reports an environment without an endpoint, and one that does not hold the secret', () => {
    // Act
    const findings = checkDesiredState(
      billingWith({
        environments: ['production'],
        database: { staging: { host: 'billing-db.staging.internal' } },
      }),
      settings,
    );

    // Assess
    expect(databaseFindings(findings)).toEqual([
      'billing:db: database has no endpoint for production',
      'billing:db: database names environment "staging", which does not hold this secret',
    ]);
  });

  it.each([
    [{ host: '' }, 'database.staging: host is missing'],
    [{ host: 'postgres://billing-db.internal' }, 'is a URL; give the DNS name alone'],
    [{ host: 'billing-db.internal:5432' }, 'carries a port; put it in the port field'],
    [{ host: 'billing db' }, 'host "billing db" is not a DNS name'],
    // The rotation verifies TLS against the host (verify-full), and an RDS certificate names DNS names only
    [{ host: '10.0.12.7' }, 'host "10.0.12.7" is an IP address'],
    [{ host: 'db.internal', port: 0 }, 'port 0 is not an integer from 1 to 65535'],
    [{ host: 'db.internal', port: 5432.5 }, 'port 5432.5 is not an integer from 1 to 65535'],
    [{ host: 'db.internal', dbname: '' }, 'dbname must be a non-empty string'],
    [{ host: 'db.internal', dbname: 'd'.repeat(64) }, 'is longer than 63 bytes'],
    // `<username>_clone` must fit PostgreSQL's 63 bytes too
    [{ host: 'db.internal', username: 'u'.repeat(58) }, 'is longer than 57 bytes'],
  ])('reports an unusable endpoint %j', (endpoint, message) => {
    // Act
    const findings = checkDesiredState(
      billingWith({ database: { ...POSTGRES_SECRET.database, staging: endpoint } }),
      settings,
    );

    // Assess
    const reported = databaseFindings(findings);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toContain(message);
  });

  it('allows a 58-byte user where no clone is made (single user)', () => {
    // Act
    const findings = checkDesiredState(
      billingWith({
        rotation: { strategy: 'postgres-single-user', schedule: 'rate(30 days)' },
        database: {
          staging: { host: 'db.internal', username: 'u'.repeat(58) },
          production: { host: 'db.internal' },
        },
      }),
      settings,
    );

    // Assess
    expect(databaseFindings(findings)).toEqual([]);
  });

  it('reports a database on a random secret', () => {
    // Act
    const findings = checkDesiredState(
      billingWith({
        shape: 'api-key',
        rotation: { strategy: 'random', schedule: 'rate(7 days)' },
        random: { length: 32, alphabet: 'hex', field: 'token' },
      }),
      settings,
    );

    // Assess
    expect(databaseFindings(findings)).toEqual([
      'billing:db: database applies only to PostgreSQL strategies, not random',
    ]);
  });

  it('reports a PostgreSQL secret when the settings have no vpc, naming the field and its sub-fields', () => {
    // Act
    const findings = checkDesiredState(billingWith({}), { ...settings, vpc: undefined });

    // Assess
    const [network, ...others] = findings;
    expect(others).toEqual([]);
    expect(network?.rule).toBe('network');
    expect(network?.subject).toBe('settings.vpc');
    expect(network?.message).toContain(
      'must reach the PostgreSQL database of config/staging/billing/db, config/production/billing/db',
    );
    expect(network?.message).toContain(
      'Add "vpc": { "vpcId": "vpc-...", "subnetIds": ["subnet-...", ...], "securityGroupIds": ["sg-..."], ' +
        '"availabilityZones": ["<region>a", ...] }',
    );
  });

  it('needs no vpc for an organisation whose secrets all rotate randomly', () => {
    // Prepare
    const randomOnly: Organisation = {
      services: exampleOrganisation.services.filter((s) => s.name !== 'orders'),
    };

    // Act
    const findings = checkDesiredState(randomOnly, { ...settings, vpc: undefined });

    // Assess
    expect(findings.filter((f) => f.rule === 'network')).toEqual([]);
  });
});

describe('Function: masterSecretName', () => {
  const declared = (masterSecret: string) => ({
    name: 'config/production/billing/db',
    environment: 'production',
    service: 'billing',
    secret: 'db',
    definition: { ...POSTGRES_SECRET, masterSecret },
  });

  it.each([
    ['db-master', 'config/production/billing/db-master'],
    ['platform/postgres-admin', 'platform/postgres-admin'],
    ['rds!cluster-0a1b2c3d-4e5f', 'rds!cluster-0a1b2c3d-4e5f'],
    [
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0a1b-AbCdEf',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0a1b-AbCdEf',
    ],
  ])('resolves %s to %s', (masterSecret, expected) => {
    // Act
    const name = masterSecretName(declared(masterSecret), 'config');

    // Assess
    expect(name).toBe(expected);
  });
});
