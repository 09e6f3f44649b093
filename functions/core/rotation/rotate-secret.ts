/**
 * Secrets Manager's rotation contract, one step per invocation: createSecret, setSecret, testSecret,
 * finishSecret. Every step checks what AWS's own templates check (rotation enabled, the token is a
 * version, already AWSCURRENT means nothing to do, otherwise it must be AWSPENDING) and is safe to
 * repeat, because Secrets Manager re-runs the whole rotation after any failure.
 */
import type { Clock } from '../../ports/clock.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import {
  AWSCURRENT,
  AWSPENDING,
  type SecretDescription,
  type SecretStore,
} from '../../ports/secret-store.ts';
import { SecretVersionConflictError } from '../../ports/secret-store.errors.ts';
import type { TicketTracker } from '../../ports/ticket-tracker.ts';
import { stewardEvent } from '../events.ts';
import type { Organisation, RotationStrategy } from '../model.ts';
import {
  RotationError,
  RotationNotEnabledError,
  RotationStepFailedError,
  RotationTokenError,
  UnknownSecretError,
} from './errors.ts';
import { type RotationLogger, silentLogger } from './logger.ts';
import { type DeclaredSecret, findDeclaredSecret, secretNameFromId } from './naming.ts';
import { Redactor } from './redactor.ts';
import type { SecretRotationStrategy, StrategyContext } from './strategies/strategy.ts';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/**
 * A custom staging label parked on a version whose AWSPENDING label was cleared as stale, so the
 * `Secret Rotated` event at finishSecret (usually another invocation) can name it. finishSecret
 * removes it.
 */
export const STALE_PENDING_STAGE = 'STEWARD_STALE_PENDING';

export interface RotationRequest {
  readonly step: RotationStep;
  readonly secretId: string;
  /** ClientRequestToken: the id of the version being rotated in. */
  readonly token: string;
  /** Passed on to PutSecretValue, as Secrets Manager asks. */
  readonly rotationToken?: string;
}

export type StepOutcome = 'done' | 'already-current' | 'reused-pending';

export interface RotationDependencies {
  readonly store: SecretStore;
  readonly strategies: Readonly<Partial<Record<RotationStrategy, SecretRotationStrategy>>>;
  readonly publisher: EventPublisher;
  readonly tickets: TicketTracker;
  readonly clock: Clock;
  readonly organisation: Organisation;
  readonly parameterRoot: string;
  readonly environments: readonly string[];
  readonly logger?: RotationLogger;
  /** Called once per failed step, after scrubbing; the handler emits the RotationFailed metric here. */
  readonly onFailure?: (step: RotationStep, errorClass: string) => void;
}

interface StepScope {
  readonly request: RotationRequest;
  readonly description: SecretDescription;
  readonly declared: DeclaredSecret;
  readonly strategy: SecretRotationStrategy;
  readonly context: StrategyContext;
  readonly redactor: Redactor;
}

type TokenState = 'current' | 'pending' | 'not-pending' | 'unknown';

export class SecretRotator {
  private readonly logger: RotationLogger;

  constructor(private readonly deps: RotationDependencies) {
    this.logger = deps.logger ?? silentLogger;
  }

  /**
   * Run one rotation step. On failure: log, publish `Secret Rotation Failed`, file a ticket, and throw
   * a RotationStepFailedError whose message is scrubbed of every secret value the step saw.
   *
   * @example
   * await rotator.runStep({ step: 'createSecret', secretId: arn, token: clientRequestToken, rotationToken });
   */
  async runStep(request: RotationRequest): Promise<StepOutcome> {
    const redactor = new Redactor();
    let secretName = secretNameFromId(request.secretId);
    let arn: string | undefined;
    try {
      const description = await this.deps.store.describe(request.secretId);
      secretName = description.name;
      arn = description.arn;
      if (!description.rotationEnabled) {
        throw new RotationNotEnabledError(`secret "${secretName}" does not have rotation enabled`);
      }
      const scope = this.scope(request, description, redactor);
      const outcome = await this.step(scope);
      this.logger.info('rotation step finished', {
        secretName,
        step: request.step,
        versionId: request.token,
        outcome,
      });
      return outcome;
    } catch (error) {
      throw await this.reportFailure(request, secretName, arn, redactor, error);
    }
  }

  private step(scope: StepScope): Promise<StepOutcome> {
    switch (scope.request.step) {
      case 'createSecret':
        return this.createSecret(scope);
      case 'setSecret':
        return this.setSecret(scope);
      case 'testSecret':
        return this.testSecret(scope);
      case 'finishSecret':
        return this.finishSecret(scope);
    }
  }

  private scope(request: RotationRequest, description: SecretDescription, redactor: Redactor): StepScope {
    const declared = findDeclaredSecret(
      this.deps.organisation,
      this.deps.parameterRoot,
      this.deps.environments,
      description.name,
    );
    const strategyName = declared.definition.rotation.strategy;
    const strategy = this.deps.strategies[strategyName];
    if (!strategy) {
      throw new UnknownSecretError(`no implementation of strategy "${strategyName}" is configured`);
    }
    const fields = strategy.secretFields(declared);
    const { store } = this.deps;
    const context: StrategyContext = {
      secretId: request.secretId,
      declared,
      logger: this.logger,
      currentValue: async () => {
        const currentId = requireStage(description, AWSCURRENT);
        const current = await store.getValue(request.secretId, { versionId: currentId });
        redactor.addSecretValue(current.value, fields);
        return current.value;
      },
      readSecret: async (secretId) => {
        const other = await store.getValue(secretId, { stage: AWSCURRENT });
        redactor.addSecretValue(other.value, ['password']);
        return other.value;
      },
    };
    return { request, description, declared, strategy, context, redactor };
  }

  private async createSecret(scope: StepScope): Promise<StepOutcome> {
    const { request, description, strategy, context, redactor, declared } = scope;
    const { store } = this.deps;
    const state = tokenState(description, request.token);
    if (state === 'current') return 'already-current';

    const currentId = requireStage(description, AWSCURRENT);
    const staleId = Object.entries(description.versions).find(
      ([id, stages]) => id !== request.token && id !== currentId && stages.includes(AWSPENDING),
    )?.[0];
    if (staleId) {
      await this.clearStalePending(scope, staleId);
    } else {
      requirePending(state, request.token, declared.name);
    }

    const fields = strategy.secretFields(declared);
    const current = await store.getValue(request.secretId, { versionId: currentId });
    redactor.addSecretValue(current.value, fields);
    const candidate = strategy.nextValue(current.value, context);
    redactor.addSecretValue(candidate, fields);
    try {
      // PutSecretValue is idempotent per version id: trying the write first costs one call when the
      // version is new, and its conflict tells us when a value is already stored for this token.
      await store.putPendingValue(request.secretId, request.token, candidate, request.rotationToken);
      return 'done';
    } catch (error) {
      if (!(error instanceof SecretVersionConflictError)) throw error;
      const stored = await store.getValue(request.secretId, { versionId: request.token });
      redactor.addSecretValue(stored.value, fields);
      this.logger.info('reusing the AWSPENDING value already stored for this token', {
        secretName: declared.name,
        versionId: request.token,
      });
      return 'reused-pending';
    }
  }

  private async setSecret(scope: StepScope): Promise<StepOutcome> {
    const pending = await this.pendingValue(scope);
    if (pending === undefined) return 'already-current';
    await scope.strategy.setSecret(pending, scope.context);
    return 'done';
  }

  private async testSecret(scope: StepScope): Promise<StepOutcome> {
    const pending = await this.pendingValue(scope);
    if (pending === undefined) return 'already-current';
    await scope.strategy.testSecret(pending, scope.context);
    return 'done';
  }

  private async finishSecret(scope: StepScope): Promise<StepOutcome> {
    const { request, description, declared, strategy } = scope;
    const { store } = this.deps;
    const state = tokenState(description, request.token);
    if (state === 'current') return 'already-current';
    requirePending(state, request.token, declared.name);

    const currentId = requireStage(description, AWSCURRENT);
    // Read before the move (from memory when the same instance ran createSecret): a failure here
    // leaves nothing half done.
    const pending = await store.getValue(request.secretId, { versionId: request.token });
    scope.redactor.addSecretValue(pending.value, strategy.secretFields(declared));
    await store.moveStage(request.secretId, AWSCURRENT, { to: request.token, from: currentId });

    const staleId = findStage(description, STALE_PENDING_STAGE);
    const now = this.deps.clock.now();
    const durationMs = pending.createdDate ? Math.max(0, now.getTime() - pending.createdDate.getTime()) : 0;
    await this.publishQuietly(() =>
      stewardEvent('Secret Rotated', {
        secretName: declared.name,
        strategy: strategy.name,
        newVersionId: request.token,
        previousVersionId: currentId,
        durationMs,
        ...(staleId ? { clearedStalePendingVersionId: staleId } : {}),
      }),
    );
    if (staleId) {
      // Best effort: a label left behind is reported again, never harmful.
      try {
        await store.moveStage(request.secretId, STALE_PENDING_STAGE, { from: staleId });
      } catch (error) {
        this.logger.warn('could not remove the stale-pending marker', {
          secretName: declared.name,
          versionId: staleId,
          errorClass: (error as Error).name,
        });
      }
    }
    return 'done';
  }

  /** The pending value for setSecret and testSecret; undefined when the token is already current. */
  private async pendingValue(scope: StepScope): Promise<string | undefined> {
    const { request, description, declared, strategy, redactor } = scope;
    const state = tokenState(description, request.token);
    if (state === 'current') return undefined;
    requirePending(state, request.token, declared.name);
    const pending = await this.deps.store.getValue(request.secretId, { versionId: request.token });
    redactor.addSecretValue(pending.value, strategy.secretFields(declared));
    return pending.value;
  }

  /**
   * An AWSPENDING label on a version that is neither this rotation's nor AWSCURRENT was left by an
   * earlier rotation that never finished (cancelled, or out of retries). Secrets Manager refuses to
   * start rotations while it is there; clear it, and park a marker so finishSecret reports it.
   */
  private async clearStalePending(scope: StepScope, staleId: string): Promise<void> {
    const { request, description, declared } = scope;
    const { store } = this.deps;
    const marked = findStage(description, STALE_PENDING_STAGE);
    if (marked !== staleId) {
      await store.moveStage(request.secretId, STALE_PENDING_STAGE, {
        to: staleId,
        ...(marked ? { from: marked } : {}),
      });
    }
    await store.moveStage(request.secretId, AWSPENDING, { from: staleId });
    this.logger.warn('cleared a stale AWSPENDING label left by an earlier rotation', {
      secretName: declared.name,
      staleVersionId: staleId,
      versionId: request.token,
    });
  }

  private async reportFailure(
    request: RotationRequest,
    secretName: string,
    arn: string | undefined,
    redactor: Redactor,
    error: unknown,
  ): Promise<RotationStepFailedError> {
    const errorClass = error instanceof Error ? error.name : typeof error;
    const message = redactor.scrub(error instanceof Error ? error.message : String(error));
    this.logger.error('rotation step failed', {
      secretName,
      step: request.step,
      versionId: request.token,
      errorClass,
      errorMessage: message,
    });
    this.deps.onFailure?.(request.step, errorClass);
    await this.publishQuietly(() =>
      stewardEvent('Secret Rotation Failed', {
        secretName,
        step: request.step,
        versionId: request.token,
        errorClass,
        message,
      }),
    );
    try {
      await this.deps.tickets.file({
        dedupKey: `rotation-failed:${secretName}`,
        title: `Rotation of ${secretName} failed at ${request.step}`,
        body: [
          `Secrets Manager's rotation of \`${secretName}\` failed at **${request.step}** (version \`${request.token}\`).`,
          '',
          `- Error: \`${errorClass}\``,
          `- Message: ${message}`,
          '',
          'Secrets Manager retries the whole rotation; every step is idempotent. AWSCURRENT still holds the ' +
            'previous credentials until finishSecret succeeds. If the failure persists, fix the cause and ' +
            'rotate again (`aws secretsmanager rotate-secret`).',
        ].join('\n'),
        severity: 'high',
        category: 'rotation',
        ...(arn ? { resourceArns: [arn] } : {}),
        data: { secretName, step: request.step, versionId: request.token, errorClass },
      });
    } catch (ticketError) {
      this.logger.error('could not file the rotation ticket', {
        secretName,
        errorClass: (ticketError as Error).name,
        errorMessage: redactor.scrub((ticketError as Error).message),
      });
    }
    return new RotationStepFailedError(
      `${request.step} of ${secretName} failed: ${errorClass}: ${message}`,
      request.step,
      errorClass,
    );
  }

  /**
   * Events report; they must not turn a finished rotation into a failed one, nor replace the error
   * of a failed step. Built inside the guard, so a detail the catalog rejects is only logged too.
   */
  private async publishQuietly(build: () => ReturnType<typeof stewardEvent>): Promise<void> {
    let detailType = 'unknown';
    try {
      const event = build();
      detailType = event.detailType;
      await this.deps.publisher.publish([event]);
    } catch (error) {
      this.logger.warn('could not publish a rotation event', {
        detailType,
        errorClass: (error as Error).name,
      });
    }
  }
}

function findStage(description: SecretDescription, stage: string): string | undefined {
  return Object.entries(description.versions).find(([, stages]) => stages.includes(stage))?.[0];
}

function requireStage(description: SecretDescription, stage: string): string {
  const id = findStage(description, stage);
  if (!id) throw new RotationError(`secret "${description.name}" has no ${stage} version`);
  return id;
}

function tokenState(description: SecretDescription, token: string): TokenState {
  const stages = description.versions[token];
  if (!stages) return 'unknown';
  if (stages.includes(AWSCURRENT)) return 'current';
  return stages.includes(AWSPENDING) ? 'pending' : 'not-pending';
}

function requirePending(state: TokenState, token: string, secretName: string): void {
  if (state === 'unknown') {
    throw new RotationTokenError(`version ${token} is not a version of secret "${secretName}"`);
  }
  if (state === 'not-pending') {
    throw new RotationTokenError(`version ${token} of secret "${secretName}" is not labelled AWSPENDING`);
  }
}
