/**
 * The typed evaluation context a service's flag rules are written against, declared beside its
 * flags in `config/`. `steward check` type-checks every rule against it, so a rule over an
 * undeclared attribute, a string compared with a number, or an `in` list no value can meet is a
 * finding before it reaches AppConfig.
 */

export type ContextAttribute =
  | { readonly type: 'string'; readonly oneOf?: readonly string[]; readonly description?: string }
  | {
      readonly type: 'number';
      readonly integer?: boolean;
      readonly min?: number;
      readonly max?: number;
      readonly description?: string;
    }
  | { readonly type: 'boolean'; readonly description?: string }
  | { readonly type: 'list'; readonly description?: string };

/** Attribute name → type. `targetingKey` (string) and `groups` (list) are always declared. */
export type EvaluationContextSchema = Readonly<Record<string, ContextAttribute>>;

/** What every context has, declared or not. */
export const BUILT_IN_ATTRIBUTES: EvaluationContextSchema = {
  targetingKey: { type: 'string', description: 'The stable identity rollouts and splits hash' },
  groups: { type: 'list', description: 'Groups the caller belongs to' },
};

/**
 * Attribute types for {@link EvaluationContextSchema}.
 *
 * @example
 * evaluationContext: {
 *   tier: contextAttribute.oneOf(['free', 'pro']),
 *   country: contextAttribute.string(),
 *   accountAgeDays: contextAttribute.integer({ min: 0 }),
 * }
 */
export const contextAttribute = {
  string: (description?: string): ContextAttribute => ({
    type: 'string',
    ...(description ? { description } : {}),
  }),
  oneOf: (values: readonly string[], description?: string): ContextAttribute => ({
    type: 'string',
    oneOf: values,
    ...(description ? { description } : {}),
  }),
  number: (range: { min?: number; max?: number } = {}): ContextAttribute => ({ type: 'number', ...range }),
  integer: (range: { min?: number; max?: number } = {}): ContextAttribute => ({
    type: 'number',
    integer: true,
    ...range,
  }),
  boolean: (): ContextAttribute => ({ type: 'boolean' }),
  list: (): ContextAttribute => ({ type: 'list' }),
};
