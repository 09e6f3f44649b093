/**
 * The rule ids of `steward check --against <rev>`, apart from the comparison so the model can type the
 * acknowledgements that name them (`model.ts` imports this; `breaking-changes.ts` imports both).
 */
export const BREAKING_CHANGE_RULES = [
  'key-removed',
  'key-type-changed',
  'key-range-narrowed',
  'enum-value-removed',
  'default-removed',
  'flag-removed',
  'flag-renamed',
  'variant-removed',
  'secret-strategy-changed',
] as const;

export type BreakingChangeRule = (typeof BREAKING_CHANGE_RULES)[number];

/**
 * A breaking change accepted on purpose (the contract step of expand-contract), with the reason a
 * reviewer accepts. `key` names what the finding is about: the key, the flag, `<flag>:<variant>`
 * for `variant-removed`, or the secret.
 */
export interface BreakingChangeAcknowledgement {
  readonly rule: BreakingChangeRule;
  readonly key: string;
  /** Why the break is safe now (at least 10 characters), e.g. "no consumer reads it since orders 4.2". */
  readonly reason: string;
}
