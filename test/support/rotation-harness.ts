/** A rotator wired to in-memory ports, and an organisation declaring one secret of each strategy. */

import { defineService, type Organisation, type RotationStrategy } from '../../functions/core/model.ts';
import type { DatabaseUsers } from '../../functions/ports/database-users.ts';
import type { LogAttributes, RotationLogger } from '../../functions/core/rotation/logger.ts';
import {
  ROTATION_STEPS,
  type RotationStep,
  SecretRotator,
  type StepOutcome,
} from '../../functions/core/rotation/rotate-secret.ts';
import {
  postgresAlternatingUsers,
  postgresSingleUser,
} from '../../functions/core/rotation/strategies/postgres.ts';
import { randomStrategy } from '../../functions/core/rotation/strategies/random.ts';
import type { SecretRotationStrategy } from '../../functions/core/rotation/strategies/strategy.ts';
import { VersionCachingSecretStore } from '../../functions/core/rotation/version-cache.ts';
import { InMemorySecretStore } from './in-memory-secret-store.ts';
import { FixedClock, InMemoryTicketTracker, RecordingEventPublisher } from './recording-ports.ts';

export const ROOT = 'config';
export const ENVIRONMENTS = ['staging', 'production'] as const;

export const rotationOrganisation: Organisation = {
  services: [
    defineService({
      name: 'orders',
      keys: {},
      values: {},
      secrets: {
        db: {
          description: 'orders database, alternating users',
          shape: 'postgres',
          rotation: { strategy: 'postgres-alternating-users', schedule: 'rate(30 days)', window: '3h' },
          masterSecret: 'db-master',
        },
        'ledger-db': {
          description: 'ledger database, one user',
          shape: 'postgres',
          rotation: { strategy: 'postgres-single-user', schedule: 'cron(0 4 ? * SAT *)' },
          masterSecret: 'db-master',
        },
        'webhook-key': {
          description: 'webhook signing key',
          shape: 'api-key',
          rotation: { strategy: 'random', schedule: 'rate(7 days)' },
          random: { length: 40, alphabet: 'alphanumeric', field: 'apiKey' },
        },
      },
    }),
  ],
};

/** Log lines as JSON, as CloudWatch would receive them. */
export class CapturingLogger implements RotationLogger {
  readonly lines: string[] = [];
  info(message: string, attributes?: LogAttributes): void {
    this.lines.push(JSON.stringify({ level: 'INFO', message, ...attributes }));
  }
  warn(message: string, attributes?: LogAttributes): void {
    this.lines.push(JSON.stringify({ level: 'WARN', message, ...attributes }));
  }
  error(message: string, attributes?: LogAttributes): void {
    this.lines.push(JSON.stringify({ level: 'ERROR', message, ...attributes }));
  }
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error,
  );
}

export class InjectedCrash extends Error {
  override name = 'InjectedCrash';
}

export class RotationHarness {
  readonly clock = new FixedClock(new Date('2026-11-23T03:00:00Z'));
  readonly store = new InMemorySecretStore(this.clock);
  readonly publisher = new RecordingEventPublisher();
  readonly tickets = new InMemoryTicketTracker();
  readonly logger = new CapturingLogger();
  readonly failures: { step: RotationStep; errorClass: string }[] = [];
  /** What the function sees: the store behind the per-instance version cache. */
  cachedStore = new VersionCachingSecretStore(this.store, { clock: this.clock });
  rotator: SecretRotator;

  constructor(
    private readonly db?: DatabaseUsers,
    private readonly overrides: Partial<Record<RotationStrategy, SecretRotationStrategy>> = {},
    /** The declarations the rotator looks secrets up in. */
    private readonly organisation: Organisation = rotationOrganisation,
  ) {
    this.rotator = this.newRotator();
  }

  /** A cold start: a new function instance with an empty version cache. */
  coldStart(): void {
    this.cachedStore = new VersionCachingSecretStore(this.store, { clock: this.clock });
    this.rotator = this.newRotator();
  }

  runStep(step: RotationStep, secretId: string, token: string): Promise<StepOutcome> {
    return this.rotator.runStep({ step, secretId, token, rotationToken: `rt-${token}` });
  }

  /**
   * What Secrets Manager does for one rotation: create the AWSPENDING version id, then invoke the four
   * steps. `crashAfter` stops after that step, as a function killed before it could answer would.
   */
  async rotate(
    secretId: string,
    options: { token?: string; crashAfter?: RotationStep; begin?: boolean } = {},
  ): Promise<string> {
    const token =
      options.begin === false && options.token
        ? options.token
        : this.store.beginRotation(secretId, options.token);
    await this.runSteps(secretId, token, options.crashAfter);
    return token;
  }

  async runSteps(secretId: string, token: string, crashAfter?: RotationStep): Promise<void> {
    for (const step of ROTATION_STEPS) {
      await this.runStep(step, secretId, token);
      this.clock.advance(250);
      if (step === crashAfter) throw new InjectedCrash(`crashed after ${step}`);
    }
  }

  /** Everything that left the function: log lines, events, tickets. */
  captured(): string {
    return [
      ...this.logger.lines,
      ...this.publisher.events.map((event) => JSON.stringify(event)),
      ...this.tickets.tickets.map((ticket) => JSON.stringify(ticket.request)),
    ].join('\n');
  }

  private newRotator(): SecretRotator {
    return new SecretRotator({
      store: this.cachedStore,
      strategies: {
        random: randomStrategy,
        ...(this.db
          ? {
              'postgres-alternating-users': postgresAlternatingUsers(this.db),
              'postgres-single-user': postgresSingleUser(this.db),
            }
          : {}),
        ...this.overrides,
      },
      publisher: this.publisher,
      tickets: this.tickets,
      clock: this.clock,
      organisation: this.organisation,
      parameterRoot: ROOT,
      environments: ENVIRONMENTS,
      logger: this.logger,
      onFailure: (step, errorClass) => this.failures.push({ step, errorClass }),
    });
  }
}
