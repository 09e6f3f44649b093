/**
 * The part of the platform settings a Lambda needs at run time, passed as environment variables.
 * The stack and `steward invoke` derive them from the same settings with {@link runtimeEnvironment},
 * and handlers read them back with {@link parseRuntimeEnvironment}; a handler that needs variables of
 * its own extends the schema with them ({@link functionEnvironment}).
 */
import * as z from 'zod/mini';
import { ConfigurationError } from './errors.ts';
import { codeReferenceDigestSchema } from './flags/code-reference-digest.ts';
import { DEFAULT_FLAG_USAGE_DAYS } from './names.ts';
import { readBudget } from './pipeline/read-budget.ts';
import type { Settings } from './settings.ts';
import './zod-messages.ts';

const ticketSettings = z.discriminatedUnion('tracker', [
  z.object({ tracker: z.literal('opscenter') }),
  z.object({
    tracker: z.literal('github'),
    owner: z.string(),
    repo: z.string(),
    tokenSecret: z.string(),
    apiUrl: z.string(),
  }),
  z.object({ tracker: z.literal('jira'), baseUrl: z.string(), project: z.string(), tokenSecret: z.string() }),
]);
export type TicketSettings = z.output<typeof ticketSettings>;

const jsonOf = <T extends z.ZodMiniType>(schema: T) =>
  z.pipe(
    z.pipe(
      z.string(),
      z.transform((text: string, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.issues.push({ code: 'custom', message: 'expected JSON', input: text });
          return z.NEVER;
        }
      }),
    ),
    schema,
  );

export const runtimeEnvironmentSchema = z.object({
  STEWARD_PARAMETER_ROOT: z.string().check(z.minLength(1)),
  STEWARD_PARAMETER_TIER: z.enum(['Standard', 'Advanced']),
  STEWARD_ENVIRONMENTS: jsonOf(
    z.array(z.object({ name: z.string(), enforcement: z.enum(['enforce', 'report']) })).check(z.minLength(1)),
  ),
  STEWARD_EVENT_BUS: z.string().check(z.minLength(1)),
  STEWARD_TICKETS: jsonOf(ticketSettings),
  STEWARD_DRIFT_RPS: z._default(z.coerce.number().check(z.positive()), 20),
  STEWARD_FLAG_WARN_DAYS: z._default(z.coerce.number().check(z.int(), z.minimum(0)), 14),
  /** Parameter Store requests per second of one pipeline function instance (see pipeline/read-budget.ts). */
  STEWARD_READS_PER_SECOND: z._default(z.coerce.number().check(z.positive()), 4),
});

export type RuntimeSettings = z.output<typeof runtimeEnvironmentSchema>;

/** Environment variables every Steward function gets, derived from the platform settings. */
export function runtimeEnvironment(settings: Settings): Record<string, string> {
  return {
    STEWARD_PARAMETER_ROOT: settings.parameterRoot,
    STEWARD_PARAMETER_TIER: settings.parameterTier,
    STEWARD_ENVIRONMENTS: JSON.stringify(
      settings.environments.map(({ name, enforcement }) => ({ name, enforcement })),
    ),
    STEWARD_EVENT_BUS: settings.eventBus.name,
    STEWARD_TICKETS: JSON.stringify(settings.tickets),
    STEWARD_DRIFT_RPS: String(settings.drift.requestsPerSecond),
    STEWARD_FLAG_WARN_DAYS: String(settings.flags.warnWithinDays),
    STEWARD_READS_PER_SECOND: String(readBudget(settings).perInstance),
  };
}

/** Read the runtime settings from environment variables; a missing or malformed one is named. */
export function parseRuntimeEnvironment(env: Record<string, string | undefined>): RuntimeSettings {
  return parseFunctionEnvironment(runtimeEnvironmentSchema, env);
}

/** `STEWARD_POSTGRES_SSL`: `verify-full` (the default), `require` (encrypted, unverified) or `disable`. */
export const POSTGRES_TLS_MODES = ['verify-full', 'require', 'disable'] as const;
export type PostgresTlsMode = (typeof POSTGRES_TLS_MODES)[number];

/** An optional variable; set but empty counts as not set (a local run leaves ids of the stack empty). */
const optionalText = z.pipe(
  z.optional(z.string()),
  z.transform((text: string | undefined) => (text === '' ? undefined : text)),
);

let codeReferencesVariable:
  z.ZodMiniOptional<ReturnType<typeof jsonOf<ReturnType<typeof codeReferenceDigestSchema>>>> | undefined;

/**
 * Variables only some functions get, each from the construct that owns what it names (or from
 * `steward invoke`). A handler picks its own with {@link functionEnvironment}.
 */
export const functionVariables = {
  /** AppConfig ids per service, JSON; read by the targets parser, which names what is wrong. */
  STEWARD_APPCONFIG: optionalText,
  /** Where the stack wrote the AppConfig and kill-switch ids, when they are not given as JSON (runtime/stack-targets.ts). */
  STEWARD_APPCONFIG_TARGETS_PATH: optionalText,
  /** Prefix of the AppConfig application names the validator looks ids up by. */
  STEWARD_APPCONFIG_PREFIX: z._default(z.string(), ''),
  /** The FIFO delivery queue; without it (a local run) deliveries run in process or not at all. */
  STEWARD_DELIVERY_QUEUE_URL: optionalText,
  /** How long a busy or failed delivery group waits before its next try. */
  STEWARD_DELIVERY_RETRY_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive()), 60),
  /** The role validate-change writes with, so its own restores are recognised. */
  STEWARD_VALIDATOR_PRINCIPAL: optionalText,
  /** The role the desired-parameters reconcile writes with. */
  STEWARD_RECONCILER_PRINCIPAL: optionalText,
  /** The fingerprint key's ARN; without it the key is found by its alias (core/fingerprint.ts). */
  STEWARD_FINGERPRINT_KEY: optionalText,
  /** TLS to the databases of PostgreSQL rotations. */
  STEWARD_POSTGRES_SSL: z._default(z.enum(POSTGRES_TLS_MODES), 'verify-full'),
  /** Kill-switch profile and environment ids, JSON (core/flags/kill-switch-targets.ts): drift checks their `until`. */
  STEWARD_KILL_SWITCHES: optionalText,
  /**
   * The code references synth found, for the flag-expiry tickets (core/flags/code-reference-digest.ts).
   * A getter, so only the function that asks for it ({@link functionEnvironment}) builds the schema.
   */
  get STEWARD_FLAG_CODE_REFERENCES() {
    return (codeReferencesVariable ??= z.optional(jsonOf(codeReferenceDigestSchema())));
  },
  /** Days of evaluation counts the flag-expiry job judges usage by (core/flags/usage.ts). */
  STEWARD_FLAG_USAGE_DAYS: z._default(
    z.coerce.number().check(z.int(), z.positive()),
    DEFAULT_FLAG_USAGE_DAYS,
  ),
};

type FunctionVariable = keyof typeof functionVariables;

/**
 * The runtime settings schema extended with the variables one function needs.
 *
 * @example
 * const environment = functionEnvironment('STEWARD_DELIVERY_QUEUE_URL');
 * const settings = parseFunctionEnvironment(environment, process.env);
 */
export function functionEnvironment<K extends FunctionVariable>(...names: K[]) {
  const own = Object.fromEntries(names.map((name) => [name, functionVariables[name]]));
  return z.extend(runtimeEnvironmentSchema, own as Pick<typeof functionVariables, K>);
}

/**
 * Parse a function's environment once, at cold start; a missing or malformed variable is named.
 *
 * @example
 * parseFunctionEnvironment(functionEnvironment('STEWARD_POSTGRES_SSL'), process.env).STEWARD_POSTGRES_SSL;
 */
export function parseFunctionEnvironment<S extends z.ZodMiniType<RuntimeSettings>>(
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  const parsed = z.safeParse(schema, env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigurationError(`function environment is incomplete: ${problems}`);
  }
  return parsed.data;
}
