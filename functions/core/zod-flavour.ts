/**
 * Tells classic zod (`import * as z from 'zod'`) from zod/mini in a schema tree, and writes the
 * zod/mini source of a schema, so `steward check` can refuse a classic schema under `json()` with
 * the fix in hand. config/ is bundled into the Lambdas: one classic schema pulls all of classic zod
 * into every bundle that imports it.
 *
 * Both flavours are zod 4 and share the `_zod` internals (`def`, `traits`); they differ in the
 * trait each constructor records (`ZodType` for classic, `ZodMiniType` for mini) and in classic's
 * chainable methods (`.optional()`, `.min()`, ...), which mini leaves out. Reading those needs no
 * import of classic zod, so this module adds nothing to a bundle.
 */

export type ZodFlavour = 'classic' | 'mini' | 'core';

/** The zod 4 internals this module reads; both flavours carry them. */
interface ZodInternals {
  readonly def: Readonly<Record<string, unknown>> & { readonly type?: string; readonly check?: string };
  readonly traits?: ReadonlySet<string>;
}
type ZodNode = { readonly _zod: ZodInternals };

function isZodNode(value: unknown): value is ZodNode {
  if (typeof value !== 'object' || value === null || !('_zod' in value)) return false;
  const internals = (value as { _zod: unknown })._zod;
  return typeof internals === 'object' && internals !== null && 'def' in internals;
}

/**
 * The flavour of one schema node: `classic` for `zod`, `mini` for `zod/mini`, `core` for a schema
 * built from `zod/v4/core` alone (no classic code either).
 *
 * @example
 * flavourOf(z.string()); // 'mini' after `import * as z from 'zod/mini'`, 'classic' after `from 'zod'`
 */
export function flavourOf(schema: unknown): ZodFlavour | undefined {
  if (!isZodNode(schema)) return undefined;
  const traits = schema._zod.traits;
  if (traits?.has('ZodMiniType')) return 'mini';
  if (traits?.has('ZodType')) return 'classic';
  // A zod 4 release that renamed the traits: classic still chains, mini never did.
  const chainable = schema as unknown as { optional?: unknown; refine?: unknown };
  if (typeof chainable.optional === 'function' && typeof chainable.refine === 'function') return 'classic';
  return 'core';
}

/** Every zod node reachable from a schema's definition (itself included), each once. */
function* nodesOf(schema: ZodNode): Generator<ZodNode> {
  const seen = new Set<object>();
  const pending: unknown[] = [schema];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    if (isZodNode(value)) {
      yield value;
      pending.push(...Object.values(value._zod.def));
      // z.lazy() keeps its schema behind a getter; follow it once (the seen set stops recursion).
      const getter = value._zod.def['getter'];
      if (value._zod.def.type === 'lazy' && typeof getter === 'function') pending.push(getter());
    } else if (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype) {
      pending.push(...Object.values(value));
    }
  }
}

/**
 * True when any part of a schema is classic zod: a mini object holding one classic field still
 * bundles classic zod.
 *
 * @example
 * containsClassicZod(mini.object({ total: classic.number() })); // true
 */
export function containsClassicZod(schema: unknown): boolean {
  if (!isZodNode(schema)) return false;
  for (const node of nodesOf(schema)) if (flavourOf(node) === 'classic') return true;
  return false;
}

export interface MiniSource {
  /** zod/mini source that builds the same schema, for `import * as z from 'zod/mini'`. */
  readonly source: string;
  /** False when some part could not be translated and is left as a comment to write by hand. */
  readonly complete: boolean;
}

/**
 * The zod/mini source of a schema of either flavour: checks move into `.check(...)` and wrappers
 * become functions. Error messages given to classic methods are not carried over.
 *
 * @example
 * miniSourceOf(classic.strictObject({ n: classic.number().nonnegative().optional() })).source;
 * // 'z.strictObject({ n: z.optional(z.number().check(z.gte(0))) })'
 */
export function miniSourceOf(schema: unknown): MiniSource {
  let complete = true;
  const byHand = (what: string) => {
    complete = false;
    return `/* ${what}: write by hand */`;
  };

  const checkSource = (check: ZodNode): { base?: string; check?: string } => {
    const def = check._zod.def;
    // A format schema used as a check (classic `z.string().email()`, `z.number().int()`) is the
    // mini base itself: `z.email()`, `z.int()`.
    if (def.type === 'string' || def.type === 'number') return { base: print(check) };
    switch (def.check) {
      case 'min_length':
        return { check: `z.minLength(${String(def['minimum'])})` };
      case 'max_length':
        return { check: `z.maxLength(${String(def['maximum'])})` };
      case 'length_equals':
        return { check: `z.length(${String(def['length'])})` };
      case 'min_size':
        return { check: `z.minSize(${String(def['minimum'])})` };
      case 'max_size':
        return { check: `z.maxSize(${String(def['maximum'])})` };
      case 'greater_than':
        return { check: `z.${def['inclusive'] ? 'gte' : 'gt'}(${literal(def['value'])})` };
      case 'less_than':
        return { check: `z.${def['inclusive'] ? 'lte' : 'lt'}(${literal(def['value'])})` };
      case 'multiple_of':
        return { check: `z.multipleOf(${literal(def['value'])})` };
      case 'number_format':
        return { base: def['format'] === 'safeint' ? 'z.int()' : `z.${String(def['format'])}()` };
      case 'string_format':
        return { check: stringFormatCheck(def) };
      case 'custom':
        return { check: `z.refine(${functionSource(def['fn'])})` };
      case 'overwrite':
        return { check: `z.overwrite(${functionSource(def['tx'])})` };
      default:
        return { check: byHand(`check ${String(def.check)}`) };
    }
  };

  const stringFormatCheck = (def: Readonly<Record<string, unknown>>): string => {
    switch (def['format']) {
      case 'regex':
        return `z.regex(${String(def['pattern'])})`;
      case 'starts_with':
        return `z.startsWith(${literal(def['prefix'])})`;
      case 'ends_with':
        return `z.endsWith(${literal(def['suffix'])})`;
      case 'includes':
        return `z.includes(${literal(def['includes'])})`;
      case 'lowercase':
      case 'uppercase':
        return `z.${def['format']}()`;
      default:
        return byHand(`string format ${String(def['format'])}`);
    }
  };

  const withChecks = (node: ZodNode, base: string): string => {
    const checks = (node._zod.def['checks'] as unknown[] | undefined) ?? [];
    const parts: string[] = [];
    for (const check of checks) {
      if (!isZodNode(check)) continue;
      const translated = checkSource(check);
      if (translated.base !== undefined) base = translated.base;
      if (translated.check !== undefined && !parts.includes(translated.check)) parts.push(translated.check);
    }
    return parts.length === 0 ? base : `${base}.check(${parts.join(', ')})`;
  };

  const print = (value: unknown): string => {
    if (!isZodNode(value)) return byHand('not a zod schema');
    const def = value._zod.def;
    const inner = (field: string) => print(def[field]);
    switch (def.type) {
      case 'string':
        return withChecks(value, typeof def['format'] === 'string' ? `z.${def['format']}()` : 'z.string()');
      case 'number':
        return withChecks(
          value,
          def['format'] === 'safeint'
            ? 'z.int()'
            : typeof def['format'] === 'string'
              ? `z.${def['format']}()`
              : 'z.number()',
        );
      case 'boolean':
      case 'bigint':
      case 'null':
      case 'undefined':
      case 'any':
      case 'unknown':
      case 'never':
      case 'date':
        return withChecks(value, `z.${def.type}()`);
      case 'literal': {
        const values = def['values'] as unknown[];
        return `z.literal(${values.length === 1 ? literal(values[0]) : `[${values.map(literal).join(', ')}]`})`;
      }
      case 'enum': {
        const entries = def['entries'] as Record<string, unknown>;
        const plain = Object.entries(entries).every(([key, entry]) => key === entry);
        return plain
          ? `z.enum([${Object.values(entries).map(literal).join(', ')}])`
          : `z.enum(${JSON.stringify(entries)})`;
      }
      case 'object':
        return withChecks(value, objectSource(def));
      case 'array':
        return withChecks(value, `z.array(${inner('element')})`);
      case 'optional':
      case 'nullable':
      case 'readonly':
      case 'nonoptional':
        return `z.${def.type}(${inner('innerType')})`;
      case 'default':
      case 'prefault':
        return `z.${def.type === 'default' ? '_default' : 'prefault'}(${inner('innerType')}, ${literal(def['defaultValue'])})`;
      case 'record':
        return `z.record(${inner('keyType')}, ${inner('valueType')})`;
      case 'union':
        return `z.union([${(def['options'] as unknown[]).map(print).join(', ')}])`;
      case 'tuple': {
        const items = (def['items'] as unknown[]).map(print).join(', ');
        return def['rest'] ? `z.tuple([${items}], ${inner('rest')})` : `z.tuple([${items}])`;
      }
      case 'intersection':
        return `z.intersection(${inner('left')}, ${inner('right')})`;
      case 'pipe':
        return `z.pipe(${inner('in')}, ${inner('out')})`;
      default:
        return byHand(`z.${String(def.type)}`);
    }
  };

  const objectSource = (def: Readonly<Record<string, unknown>>): string => {
    const shape = def['shape'] as Record<string, unknown>;
    const fields = Object.entries(shape).map(([key, field]) => `${propertyName(key)}: ${print(field)}`);
    const body = fields.length === 0 ? '{}' : `{ ${fields.join(', ')} }`;
    const catchall = def['catchall'];
    const catchallType = isZodNode(catchall) ? catchall._zod.def.type : undefined;
    if (catchallType === undefined) return `z.object(${body})`;
    if (catchallType === 'never') return `z.strictObject(${body})`;
    if (catchallType === 'unknown') return `z.looseObject(${body})`;
    return `z.catchall(z.object(${body}), ${print(catchall)})`;
  };

  const source = print(schema);
  return { source, complete };
}

function literal(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined) return 'undefined';
  return JSON.stringify(value);
}

function propertyName(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
}

function functionSource(fn: unknown): string {
  return typeof fn === 'function' ? fn.toString() : '/* your function */';
}
