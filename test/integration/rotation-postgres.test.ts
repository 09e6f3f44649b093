/**
 * Rotation against the local PostgreSQL, with Secrets Manager played by the in-memory store: all four
 * steps of both PostgreSQL strategies, a client that never stops logging in, crashes after each step,
 * a stale AWSPENDING, and the guarantee that no password leaves the function.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { PostgresDatabaseUsers } from '../../functions/adapters/postgres-database-users.ts';
import type { DatabaseCredentials } from '../../functions/ports/database-users.ts';
import { ROTATION_STEPS } from '../../functions/core/rotation/rotate-secret.ts';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from '../../functions/ports/secret-store.ts';
import {
  createRotationFixture,
  dropRotationFixture,
  logInAndRead,
  type RotationFixture,
  requirePostgres,
  runScopedPrefix,
} from '../support/postgres.ts';
import { RotationHarness, rejection } from '../support/rotation-harness.ts';

const PREFIX = runScopedPrefix('steward_rot_it');
const postgres = await requirePostgres();

interface Setup {
  harness: RotationHarness;
  fixture: RotationFixture;
  arn: string;
  masterArn: string;
}

function secretJson(credentials: DatabaseCredentials, masterArn: string): string {
  return JSON.stringify({ engine: 'postgres', ...credentials, masterarn: masterArn });
}

function credentialsIn(value: string | undefined): DatabaseCredentials {
  return JSON.parse(value as string) as DatabaseCredentials;
}

function expectConverged(stages: Record<string, string[]>, token: string) {
  const holders = (stage: string) =>
    Object.entries(stages)
      .filter(([, s]) => s.includes(stage))
      .map(([id]) => id);
  expect(holders(AWSCURRENT)).toEqual([token]);
  expect(holders(AWSPREVIOUS)).toHaveLength(1);
  expect(holders(AWSPENDING).filter((id) => id !== token)).toEqual([]);
}

describe.skipIf(!postgres)('Class: SecretRotator (PostgreSQL)', () => {
  let fixture: RotationFixture;

  beforeEach(async () => {
    if (!postgres) return;
    fixture = await createRotationFixture(postgres, PREFIX);
  });

  afterAll(async () => {
    if (postgres) await dropRotationFixture(postgres, PREFIX);
  });

  function setUp(secret: 'db' | 'ledger-db' = 'db'): Setup {
    const harness = new RotationHarness(new PostgresDatabaseUsers());
    const masterArn = harness.store.create(
      'config/production/orders/db-master',
      JSON.stringify(fixture.master),
    );
    const arn = harness.store.create(
      `config/production/orders/${secret}`,
      secretJson(fixture.app, masterArn),
    );
    return { harness, fixture, arn, masterArn };
  }

  describe('postgres-alternating-users', () => {
    it('creates the clone with the same role memberships, and alternates back with a new password', async () => {
      // Prepare
      const { harness, arn } = setUp();

      // Act
      const first = await harness.rotate(arn);
      const afterFirst = credentialsIn(harness.store.peek(arn));
      const second = await harness.rotate(arn);
      const afterSecond = credentialsIn(harness.store.peek(arn));

      // Assess
      expect(afterFirst.username).toBe(`${PREFIX}_app_clone`);
      expect(afterSecond.username).toBe(`${PREFIX}_app`);
      expect(afterSecond.password).not.toBe(fixture.app.password);
      // The clone reads the table through the group it was given, and AWSPREVIOUS still logs in.
      expect(await logInAndRead(afterFirst)).toBe(42);
      expect(await logInAndRead(afterSecond)).toBe(42);
      const memberships = await postgres?.query<{ role: string }>(
        `SELECT g.rolname AS role FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
           JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = $1`,
        [`${PREFIX}_app_clone`],
      );
      expect(memberships?.rows.map((r) => r.role)).toEqual([fixture.group]);
      expectConverged(harness.store.stages(arn), second);
      expect(harness.store.stages(arn)[first]).toEqual([AWSPREVIOUS]);
      expect(harness.publisher.ofType('Secret Rotated').map((e) => e.detail)).toMatchObject([
        { strategy: 'postgres-alternating-users', newVersionId: first },
        { strategy: 'postgres-alternating-users', newVersionId: second, previousVersionId: first },
      ]);
    });

    it('stores a SCRAM verifier, never the password, in PostgreSQL', async () => {
      // Prepare
      const { harness, arn } = setUp();

      // Act
      await harness.rotate(arn);

      // Assess
      const stored = await postgres?.query<{ rolpassword: string }>(
        'SELECT rolpassword FROM pg_authid WHERE rolname = $1',
        [`${PREFIX}_app_clone`],
      );
      expect(stored?.rows[0]?.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
    });

    it('keeps a client that always logs in with AWSCURRENT working through 50 consecutive rotations', async () => {
      // Prepare
      const { harness, arn } = setUp();
      let running = true;
      let logins = 0;
      let reads = 0;
      let lastCompletedRead = 0;
      const failures: string[] = [];
      const client = (async () => {
        while (running) {
          const read = ++reads;
          try {
            await logInAndRead(credentialsIn(harness.store.peek(arn)));
            logins++;
          } catch (error) {
            failures.push((error as Error).message);
          }
          lastCompletedRead = read;
        }
      })();
      /**
       * Paces the rotations as production does (days apart, against logins of milliseconds): the next
       * rotation starts only once a login that read AWSCURRENT after the last one has completed. Without
       * this a loaded CI machine can rotate twice inside one login, which no schedule does.
       */
      const clientCaughtUp = async () => {
        const mark = reads;
        while (lastCompletedRead <= mark) await new Promise((resolve) => setTimeout(resolve, 1));
      };

      // Act
      for (let i = 0; i < 50; i++) {
        await harness.rotate(arn);
        await clientCaughtUp();
      }
      running = false;
      await client;

      // Assess
      expect(failures).toEqual([]);
      expect(logins).toBeGreaterThan(50);
      expect(harness.publisher.ofType('Secret Rotated')).toHaveLength(50);
      expect(harness.publisher.ofType('Secret Rotation Failed')).toHaveLength(0);
      expect(credentialsIn(harness.store.peek(arn)).username).toBe(`${PREFIX}_app`);
    });

    it.each(ROTATION_STEPS)('converges after a crash right after %s and a re-run', async (crashAfter) => {
      // Prepare
      const { harness, arn } = setUp();
      await harness.rotate(arn);
      const token = harness.store.beginRotation(arn);
      await expect(harness.runSteps(arn, token, crashAfter)).rejects.toThrow('crashed');
      harness.coldStart();

      // Act
      await harness.runSteps(arn, token);

      // Assess
      expectConverged(harness.store.stages(arn), token);
      expect(await logInAndRead(credentialsIn(harness.store.peek(arn)))).toBe(42);
      expect(await logInAndRead(credentialsIn(harness.store.peek(arn, AWSPREVIOUS)))).toBe(42);
      expect(harness.publisher.ofType('Secret Rotated')).toHaveLength(2);
    });

    it('clears a stale AWSPENDING from an abandoned rotation before rotating, with an event', async () => {
      // Prepare: a rotation that set the clone's password and was then abandoned
      const { harness, arn } = setUp();
      const abandoned = harness.store.beginRotation(arn);
      await harness.runStep('createSecret', arn, abandoned);
      await harness.runStep('setSecret', arn, abandoned);
      harness.coldStart();

      // Act
      const token = 'manual-rotation-0001';
      await harness.runSteps(arn, token);

      // Assess
      expectConverged(harness.store.stages(arn), token);
      expect(await logInAndRead(credentialsIn(harness.store.peek(arn)))).toBe(42);
      expect(harness.publisher.ofType('Secret Rotated')[0]?.detail).toMatchObject({
        newVersionId: token,
        clearedStalePendingVersionId: abandoned,
      });
    });

    it('refuses to change the password of the user AWSCURRENT names', async () => {
      // Prepare: a pending version that names the current user (an edit by hand)
      const { harness, arn, masterArn } = setUp();
      const token = harness.store.beginRotation(arn);
      await harness.store.putPendingValue(
        arn,
        token,
        secretJson({ ...fixture.app, password: 'Other-Pw-12345' }, masterArn),
      );

      // Act
      const attempt = harness.runStep('setSecret', arn, token);

      // Assess
      await expect(attempt).rejects.toThrow(/is the AWSCURRENT user; refusing/);
      expect(await logInAndRead(fixture.app)).toBe(42);
    });
  });

  describe('postgres-single-user', () => {
    it('changes the user its own password in four steps; the old one stops working', async () => {
      // Prepare
      const { harness, arn } = setUp('ledger-db');

      // Act
      const token = await harness.rotate(arn);

      // Assess
      const rotated = credentialsIn(harness.store.peek(arn));
      expect(rotated.username).toBe(fixture.app.username);
      expect(await logInAndRead(rotated)).toBe(42);
      await expect(logInAndRead(fixture.app)).rejects.toThrow(/password authentication failed/);
      expectConverged(harness.store.stages(arn), token);
      expect(harness.publisher.ofType('Secret Rotated')[0]?.detail).toMatchObject({
        strategy: 'postgres-single-user',
      });
    });

    it.each(ROTATION_STEPS)('converges after a crash right after %s and a re-run', async (crashAfter) => {
      // Prepare
      const { harness, arn } = setUp('ledger-db');
      const token = harness.store.beginRotation(arn);
      await expect(harness.runSteps(arn, token, crashAfter)).rejects.toThrow('crashed');
      harness.coldStart();

      // Act
      await harness.runSteps(arn, token);

      // Assess
      expectConverged(harness.store.stages(arn), token);
      expect(await logInAndRead(credentialsIn(harness.store.peek(arn)))).toBe(42);
    });

    it('falls back to the master credentials when the current password was changed by hand', async () => {
      // Prepare
      const { harness, arn } = setUp('ledger-db');
      await postgres?.query(`ALTER ROLE ${PREFIX}_app PASSWORD 'changed-by-hand-1'`);

      // Act
      await harness.rotate(arn);

      // Assess
      expect(await logInAndRead(credentialsIn(harness.store.peek(arn)))).toBe(42);
      expect(harness.logger.lines.some((l) => l.includes('using the master credentials'))).toBe(true);
    });
  });

  describe('secrecy', () => {
    it('lets no password out when PostgreSQL rejects the pending login', async () => {
      // Prepare: someone changes the clone's password between setSecret and testSecret
      const { harness, arn } = setUp();
      const token = harness.store.beginRotation(arn);
      await harness.runStep('createSecret', arn, token);
      await harness.runStep('setSecret', arn, token);
      await postgres?.query(`ALTER ROLE ${PREFIX}_app_clone PASSWORD 'someone-else-99'`);

      // Act
      const error = await rejection(harness.runStep('testSecret', arn, token));

      // Assess
      const pending = credentialsIn(harness.store.peek(arn, AWSPENDING));
      const everything = `${harness.captured()}\n${error.message}\n${error.stack}`;
      expect(error.message).toMatch(
        /RotationTestFailedError: PostgreSQL rejected the AWSPENDING credentials/,
      );
      for (const password of [pending.password, fixture.app.password, fixture.master.password]) {
        expect(everything).not.toContain(password);
      }
      expect(harness.tickets.tickets).toHaveLength(1);
      expect(harness.publisher.ofType('Secret Rotation Failed')[0]?.detail).toMatchObject({
        step: 'testSecret',
      });
    });

    it('lets no password out when the master credentials are rejected', async () => {
      // Prepare
      const { harness, arn } = setUp();
      const wrongMaster = { ...fixture.master, password: 'wrong-master-password-77' };
      const wrongMasterArn = harness.store.create(
        'config/production/orders/db-master-old',
        JSON.stringify(wrongMaster),
      );
      const stale = harness.store.create(
        'config/production/orders/db',
        secretJson(fixture.app, wrongMasterArn),
      );
      const token = harness.store.beginRotation(stale);

      // Act
      const error = await rejection(harness.runSteps(stale, token));

      // Assess
      const pending = credentialsIn(harness.store.peek(stale, AWSPENDING));
      const everything = `${harness.captured()}\n${error.message}\n${error.stack}`;
      expect(error.message).toMatch(
        new RegExp(
          `setSecret .* DatabaseLoginError: PostgreSQL rejected the login of user "${PREFIX}_master"`,
        ),
      );
      for (const password of [pending.password, fixture.app.password, wrongMaster.password]) {
        expect(everything).not.toContain(password);
      }
      expect(arn).not.toBe(stale);
    });
  });
});
