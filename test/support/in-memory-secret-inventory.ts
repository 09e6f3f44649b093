/** The drift job's `SecretInventory` as a double: rotation states by secret name (contract: test/contracts). */
import type { SecretInventory, SecretRotationState } from '../../functions/ports/drift.ts';

export class InMemorySecretInventory implements SecretInventory {
  private readonly states = new Map<string, Partial<SecretRotationState>>();

  /** A name given here exists unless its state says `exists: false` (a secret scheduled for deletion). */
  constructor(states: Record<string, Partial<SecretRotationState>> = {}) {
    for (const [name, state] of Object.entries(states)) this.states.set(name, state);
  }

  seed(name: string, state: Partial<SecretRotationState>): void {
    this.states.set(name, state);
  }

  async describe(names: readonly string[]): Promise<SecretRotationState[]> {
    return names.map((name) => ({ name, exists: this.states.has(name), ...this.states.get(name) }));
  }
}
