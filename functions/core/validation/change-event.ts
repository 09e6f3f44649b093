/**
 * The EventBridge `Parameter Store Change` event, parsed leniently where AWS may add fields and strictly
 * on what validation depends on: `id`, `time`, `detail.name` and `detail.operation`.
 */
import * as z from 'zod/mini';
import { MalformedEventError } from '../errors.ts';
import { PARAMETER_CHANGE_DETAIL_TYPE, PARAMETER_CHANGE_SOURCE } from '../names.ts';
import '../zod-messages.ts';

export const PARAMETER_OPERATIONS = ['Create', 'Update', 'Delete', 'LabelParameterVersion'] as const;
export type ParameterOperation = (typeof PARAMETER_OPERATIONS)[number];

export const parameterStoreChangeEventSchema = z.looseObject({
  id: z.string().check(z.minLength(1)),
  time: z.iso.datetime({ offset: true }),
  source: z.optional(z.literal(PARAMETER_CHANGE_SOURCE)),
  'detail-type': z.optional(z.literal(PARAMETER_CHANGE_DETAIL_TYPE)),
  resources: z.optional(z.array(z.string())),
  detail: z.looseObject({
    name: z.string().check(z.startsWith('/', 'expected a parameter name starting with /')),
    operation: z.enum(PARAMETER_OPERATIONS),
    type: z.optional(z.string()),
  }),
});

/** What the validator takes from a change event: it carries no value, version or actor. */
export interface ParameterChange {
  readonly eventId: string;
  readonly time: string;
  readonly name: string;
  readonly operation: ParameterOperation;
  /** The parameter's ARN, when the event names it. */
  readonly resourceArn?: string;
}

/**
 * Parse a change event; a malformed one throws {@link MalformedEventError} naming its id and the
 * fields at fault.
 *
 * @example
 * const change = parseParameterChange(event);
 */
export function parseParameterChange(raw: unknown): ParameterChange {
  const parsed = parameterStoreChangeEventSchema.safeParse(raw);
  if (!parsed.success) {
    const id = eventIdOf(raw);
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`);
    throw new MalformedEventError(
      `malformed Parameter Store Change event ${id ?? '(no id)'}: ${fields.join('; ')}`,
    );
  }
  const event = parsed.data;
  return {
    eventId: event.id,
    time: event.time,
    name: event.detail.name,
    operation: event.detail.operation,
    resourceArn: event.resources?.[0],
  };
}

/** The `id` of an event, if it has a string one: for logging a malformed event. */
export function eventIdOf(raw: unknown): string | undefined {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}
