/**
 * The part of the platform settings a Lambda needs at run time, passed as environment variables.
 * The stack and `steward invoke` derive them from the same settings with {@link runtimeEnvironment},
 * and handlers read them back with {@link parseRuntimeEnvironment}.
 */
import * as z from 'zod/mini';
import { ConfigurationError } from './errors.ts';
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
  const parsed = z.safeParse(runtimeEnvironmentSchema, env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigurationError(`function environment is incomplete: ${problems}`);
  }
  return parsed.data;
}
