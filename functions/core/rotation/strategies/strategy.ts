/** What a rotation strategy implements: the new value, putting it in place, and proving it works. */
import type { RotationStrategy } from '../../model.ts';
import type { RotationLogger } from '../logger.ts';
import type { DeclaredSecret } from '../naming.ts';

export interface StrategyContext {
  readonly secretId: string;
  readonly declared: DeclaredSecret;
  readonly logger: RotationLogger;
  /** The AWSCURRENT value. */
  readonly currentValue: () => Promise<string>;
  /** Another secret's AWSCURRENT value (master credentials), remembered for scrubbing. */
  readonly readSecret: (secretId: string) => Promise<string>;
}

export interface SecretRotationStrategy {
  readonly name: RotationStrategy;
  /** JSON fields of the secret's value that are secret, scrubbed from every message. */
  secretFields(declared: DeclaredSecret): readonly string[];
  /** createSecret: the AWSPENDING value, derived from the AWSCURRENT one. */
  nextValue(current: string, context: StrategyContext): string;
  /** setSecret: make the protected resource accept the pending value. Must be safe to repeat. */
  setSecret(pending: string, context: StrategyContext): Promise<void>;
  /** testSecret: prove the pending value works; throw RotationTestFailedError otherwise. */
  testSecret(pending: string, context: StrategyContext): Promise<void>;
}
