/**
 * The desired-state model: services with typed keys, per-environment values, declared overrides,
 * secrets and feature flags. `defineService` keeps desired values typed, so `tsc` rejects
 * `'max-retries': 'five'` in `config/`.
 */
import type { BreakingChangeAcknowledgement } from './breaking-change-rules.ts';
import type { EvaluationContextSchema } from './flags/evaluation-context.ts';
import type { KeySpec, ValueOf } from './keys.ts';

export type KeyMap = Record<string, KeySpec<unknown>>;

/** Desired values of one environment: each key optional, each value of its key's type. */
export type DesiredValues<K extends KeyMap> = { readonly [P in keyof K]?: ValueOf<K[P]> };

export type SecretShape = 'postgres' | 'api-key';
export type RotationStrategy = 'random' | 'postgres-alternating-users' | 'postgres-single-user';

export interface RandomSecretSpec {
  /** Characters in the generated value. */
  readonly length: number;
  readonly alphabet: 'alphanumeric' | 'hex' | 'base64url';
  /** The JSON field of the secret that holds the value. */
  readonly field: string;
}

/** Where a PostgreSQL database is reached in one environment. Not secret: it is part of the secret's value. */
export interface PostgresEndpoint {
  /** The DNS name (or IP address) alone, e.g. an RDS instance endpoint or an Aurora cluster's writer endpoint. */
  readonly host: string;
  /** @default 5432 */
  readonly port?: number;
  /** @default the service name */
  readonly dbname?: string;
  /** The application's database user (the alternating strategy adds `<username>_clone`). @default the service name */
  readonly username?: string;
}

export interface SecretDefinition {
  readonly description: string;
  readonly shape: SecretShape;
  readonly rotation: {
    readonly strategy: RotationStrategy;
    /** `rate(30 days)` or `cron(0 3 ? * SUN *)`, as Secrets Manager's ScheduleExpression takes it. */
    readonly schedule: string;
    /** How long Secrets Manager may take to start the rotation after the scheduled time, e.g. `3h`. */
    readonly window?: string;
  };
  /** For `random`: how the value is generated and where it lives in the secret's JSON. */
  readonly random?: RandomSecretSpec;
  /**
   * For PostgreSQL strategies: the secret holding the master credentials (`username`, `password`; `host`,
   * `port`, `dbname` default to the rotated secret's). A name relative to the service (`db-master` →
   * `<root>/<environment>/<service>/db-master`), a full name (with a `/`, or RDS's own `rds!...`), or an ARN.
   */
  readonly masterSecret?: string;
  /**
   * For PostgreSQL strategies: the database of every environment that holds the secret. It goes into
   * the secret's generated value (host, port, dbname, username; the password is generated), which is
   * where the rotation function and the service's clients read it.
   */
  readonly database?: Readonly<Record<string, PostgresEndpoint>>;
  /** Environments that hold this secret; all when omitted. */
  readonly environments?: readonly string[];
}

export type FlagType = 'release' | 'experiment' | 'operational' | 'kill-switch' | 'permission';

/** Flag types that must carry an `expires` date: everything but kill switches and permission flags. */
export const FLAG_TYPES_THAT_EXPIRE: readonly FlagType[] = ['release', 'experiment', 'operational'];

export type FlagVariantValue = boolean | string | number | Readonly<Record<string, unknown>>;

/** How a flag evaluates in one environment. */
export interface FlagEnvironmentValue {
  readonly enabled: boolean;
  /** Percentage (0–100) of targeting keys that get the flag, by consistent hashing of flag and key. */
  readonly rolloutPercent?: number;
  /** Targeting keys that always get the flag when it is enabled. */
  readonly allow?: readonly string[];
  /** Groups whose members always get the flag when it is enabled. */
  readonly groups?: readonly string[];
  /** The value served when the flag is on, for non-boolean flags. */
  readonly value?: FlagVariantValue;
  /**
   * Rules and variants: evaluated in order, the first whose rule matches is served; the last, without
   * a rule, is the default. Rules are AppConfig's rule language (`(and (eq $tier "pro") (split
   * pct::20 by::$targetingKey))`); the flag ships as an AppConfig multi-variant flag.
   */
  readonly variants?: readonly FlagVariantDefinition[];
}

/** One variant of a rule-based flag. For a boolean flag `value` is whether the flag is on. */
export interface FlagVariantDefinition {
  readonly name: string;
  /** AppConfig rule; omitted on the default variant, which comes last. */
  readonly rule?: string;
  readonly value: FlagVariantValue;
}

export interface FlagDefinition {
  readonly description: string;
  readonly owner: string;
  readonly type: FlagType;
  /** The day the flag was introduced (YYYY-MM-DD), for age against its type's lifetime. */
  readonly created: string;
  /**
   * The day the flag should be gone (YYYY-MM-DD), stored as the `expires` attribute. AppConfig's own
   * `_deprecation` has only a status, no date, so the date lives in an attribute. Required except
   * for kill switches and permission flags; `steward check` enforces it.
   */
  readonly expires?: string;
  /** The value kind of a multi-valued flag; boolean when omitted. */
  readonly valueKind?: 'boolean' | 'string' | 'number' | 'object';
  /** Served when the flag is off or the targeting does not match, for non-boolean flags. */
  readonly defaultValue?: FlagVariantValue;
  readonly environments: Readonly<Record<string, FlagEnvironmentValue>>;
}

export interface ServiceDefinition<K extends KeyMap = KeyMap> {
  readonly name: string;
  readonly description?: string;
  readonly keys: K;
  /** Desired values per environment name. A key with a schema default may be omitted. */
  readonly values: Readonly<Record<string, DesiredValues<K>>>;
  /** Keys whose values may legitimately differ between environments, each with the reason why. */
  readonly expectedOverrides?: { readonly [P in keyof K]?: string };
  readonly secrets?: Readonly<Record<string, SecretDefinition>>;
  readonly flags?: Readonly<Record<string, FlagDefinition>>;
  /** The attributes the service's flag rules read, type-checked by `steward check`. */
  readonly evaluationContext?: EvaluationContextSchema;
  /** Breaking changes `steward check --against <rev>` should accept for this service, each with a reason. */
  readonly breakingChanges?: readonly BreakingChangeAcknowledgement[];
}

/** The service name whose keys every service of an environment inherits. */
export const SHARED_SERVICE = 'shared';

/**
 * Declare a service. The identity function exists for its types: desired values are checked
 * against each key's value type by `tsc`.
 *
 * @example
 * export const orders = defineService({
 *   name: 'orders',
 *   keys: { 'max-retries': integer({ min: 0, max: 10 }, { default: 3 }) },
 *   values: { production: { 'max-retries': 5 } },
 *   expectedOverrides: { 'max-retries': 'production absorbs provider brown-outs' },
 * });
 */
export function defineService<const K extends KeyMap>(service: ServiceDefinition<K>): ServiceDefinition<K> {
  return service;
}

/** The whole desired state: every service, `shared` among them. */
export interface Organisation {
  readonly services: readonly ServiceDefinition[];
  /** Breaking changes of services no longer declared (a service removed), each naming its `service`. */
  readonly breakingChanges?: readonly (BreakingChangeAcknowledgement & { readonly service: string })[];
}
