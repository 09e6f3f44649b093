/**
 * The JSON Schemas of the event catalog. Kept apart from `events.ts` so `z.toJSONSchema` (synth-time
 * and tooling only) stays out of every Lambda bundle.
 */
import * as z from 'zod/mini';
import { type DetailType, eventSchemas } from './events.ts';

/** The JSON Schema (draft 2020-12) of every detail type, published with the stack. */
export function eventJsonSchemas(): Record<DetailType, unknown> {
  return Object.fromEntries(
    Object.entries(eventSchemas).map(([detailType, schema]) => [detailType, z.toJSONSchema(schema)]),
  ) as Record<DetailType, unknown>;
}
