/**
 * AWS AppConfig's variant-rule language, parsed once and compiled to closures, so an evaluation is
 * a few property reads and comparisons. Grammar and operators as documented in
 * https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-creating-multi-variant-feature-flags-rules-operators.html:
 * s-expressions over string, number, boolean and timestamp literals, `$key` context values and
 * `[...]` lists; `eq gt gte lt lte`, `and or not`, `begins_with ends_with contains in`,
 * `matches in::$x pattern::"re"`, `exists key::"k"`, `split pct::N by::$key seed::"s"`.
 *
 * `split` hashes with this library's own function (FNV-1a finished with murmur3's fmix32, the same
 * as `rolloutPercent`): AWS does not document the hash its agent uses, so a split evaluated here and
 * one evaluated by the AppConfig agent select the same share of keys, not the same keys.
 */

import { bucketOf, seedHash, SPLIT_BUCKETS } from './hash.js';

/** One variant of a rule-based flag, compiled. */
export interface CompiledVariant {
  readonly name: string;
  /** Null on the default variant. */
  readonly matches: CompiledRule | null;
  /** Whether the rule is a `split` alone, reported as `SPLIT`. */
  readonly split: boolean;
  /** Whether the rule reads `$targetingKey`. */
  readonly readsTargetingKey: boolean;
  /** The context attributes the rule reads. */
  readonly reads: readonly string[];
  readonly enabled: boolean;
  readonly value: unknown;
}

/** A rule that does not parse; the message names the position and the problem, never context values. */
export class RuleSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuleSyntaxError';
  }
}

export type Literal = string | number | boolean;

/** The parsed form of a rule. */
export type RuleNode =
  | { readonly kind: 'literal'; readonly value: Literal; readonly timestamp?: number }
  | { readonly kind: 'context'; readonly key: string }
  | { readonly kind: 'list'; readonly items: readonly Literal[] }
  | {
      readonly kind: 'call';
      readonly op: Operator;
      readonly args: readonly RuleNode[];
      readonly named: Readonly<Record<string, RuleNode>>;
    };

export const OPERATORS = [
  'eq',
  'gt',
  'gte',
  'lt',
  'lte',
  'and',
  'or',
  'not',
  'begins_with',
  'ends_with',
  'contains',
  'in',
  'matches',
  'exists',
  'split',
] as const;
export type Operator = (typeof OPERATORS)[number];

/** What a compiled rule reads: the evaluation context's attributes by name. */
export type RuleContext = Readonly<Record<string, unknown>>;
export type CompiledRule = (context: RuleContext) => boolean;

type Token = {
  text: string;
  at: number;
  kind: 'open' | 'close' | 'lbracket' | 'rbracket' | 'string' | 'word' | 'named';
};

function tokenize(rule: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < rule.length) {
    const c = rule[i]!;
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === ',') i++;
    else if (c === '(') tokens.push({ text: c, at: i++, kind: 'open' });
    else if (c === ')') tokens.push({ text: c, at: i++, kind: 'close' });
    else if (c === '[') tokens.push({ text: c, at: i++, kind: 'lbracket' });
    else if (c === ']') tokens.push({ text: c, at: i++, kind: 'rbracket' });
    else if (c === '"') {
      const start = i++;
      let text = '';
      while (i < rule.length && rule[i] !== '"') {
        if (rule[i] === '\\' && i + 1 < rule.length) i++;
        text += rule[i++];
      }
      if (i >= rule.length) throw new RuleSyntaxError(`unterminated string at ${start}`);
      i++;
      tokens.push({ text, at: start, kind: 'string' });
    } else {
      const start = i;
      while (i < rule.length && !' \n\t\r,()[]"'.includes(rule[i]!)) {
        if (rule[i] === ':' && rule[i + 1] === ':') break;
        i++;
      }
      const text = rule.slice(start, i);
      if (rule[i] === ':' && rule[i + 1] === ':') {
        i += 2;
        tokens.push({ text, at: start, kind: 'named' });
      } else tokens.push({ text, at: start, kind: 'word' });
    }
  }
  return tokens;
}

const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
const TIMESTAMP = /^\d{4}-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[-+]\d{2}:\d{2})?)?)?$/;

function literalOf(token: Token): RuleNode {
  if (token.kind === 'string') return { kind: 'literal', value: token.text };
  const text = token.text;
  if (text === 'true' || text === 'false') return { kind: 'literal', value: text === 'true' };
  if (text.startsWith('$') && text.length > 1) return { kind: 'context', key: text.slice(1) };
  if (NUMBER.test(text)) return { kind: 'literal', value: Number(text) };
  if (TIMESTAMP.test(text)) {
    const time = Date.parse(text.length === 7 ? `${text}-01` : text);
    if (!Number.isNaN(time)) return { kind: 'literal', value: text, timestamp: time };
  }
  throw new RuleSyntaxError(`unexpected "${text}" at ${token.at}`);
}

/** Arity and named operands each operator takes. */
const SHAPES: Readonly<Record<Operator, { args: [number, number]; named: readonly string[] }>> = {
  eq: { args: [2, 2], named: [] },
  gt: { args: [2, 2], named: [] },
  gte: { args: [2, 2], named: [] },
  lt: { args: [2, 2], named: [] },
  lte: { args: [2, 2], named: [] },
  and: { args: [1, Infinity], named: [] },
  or: { args: [1, Infinity], named: [] },
  not: { args: [1, 1], named: [] },
  begins_with: { args: [2, 2], named: [] },
  ends_with: { args: [2, 2], named: [] },
  contains: { args: [2, 2], named: [] },
  in: { args: [2, 2], named: [] },
  matches: { args: [0, 0], named: ['in', 'pattern'] },
  exists: { args: [0, 0], named: ['key'] },
  split: { args: [0, 0], named: ['pct', 'by', 'seed'] },
};

/**
 * Parse a rule into its tree; throws {@link RuleSyntaxError} with the position of the fault.
 *
 * @example
 * parseRule('(and (eq $tier "pro") (gte $accountAgeDays 30))');
 */
export function parseRule(rule: string): RuleNode {
  const tokens = tokenize(rule);
  let position = 0;
  const next = (): Token => {
    const token = tokens[position++];
    if (token === undefined) throw new RuleSyntaxError('the rule ends early');
    return token;
  };
  const expression = (): RuleNode => {
    const token = next();
    if (token.kind === 'open') return call(token);
    if (token.kind === 'lbracket') {
      const items: Literal[] = [];
      for (let item = next(); item.kind !== 'rbracket'; item = next()) {
        const node = literalOf(item);
        if (node.kind !== 'literal') throw new RuleSyntaxError(`a list holds constants only (at ${item.at})`);
        items.push(node.value);
      }
      return { kind: 'list', items };
    }
    if (token.kind === 'string' || token.kind === 'word') return literalOf(token);
    throw new RuleSyntaxError(`unexpected "${token.text}" at ${token.at}`);
  };
  const call = (open: Token): RuleNode => {
    const name = next();
    const op = OPERATORS.find((known) => known === name.text);
    if (name.kind !== 'word' || op === undefined)
      throw new RuleSyntaxError(`unknown operator "${name.text}" at ${name.at}`);
    const args: RuleNode[] = [];
    const named: Record<string, RuleNode> = {};
    for (let token = tokens[position]; ; token = tokens[position]) {
      if (token === undefined) throw new RuleSyntaxError(`"(" at ${open.at} is never closed`);
      if (token.kind === 'close') break;
      if (token.kind === 'named') {
        position++;
        if (!SHAPES[op].named.includes(token.text))
          throw new RuleSyntaxError(`${op} takes no ${token.text}:: (at ${token.at})`);
        named[token.text] = expression();
      } else args.push(expression());
    }
    position++;
    const [min, max] = SHAPES[op].args;
    if (args.length < min || args.length > max)
      throw new RuleSyntaxError(
        `${op} at ${open.at} takes ${min === max ? min : `at least ${min}`} operand(s)`,
      );
    checkNamed(op, named, open.at);
    return { kind: 'call', op, args, named };
  };
  const tree = expression();
  if (position < tokens.length)
    throw new RuleSyntaxError(`unexpected "${tokens[position]!.text}" after the rule`);
  if (tree.kind !== 'call') throw new RuleSyntaxError('a rule is an operator expression in parentheses');
  return tree;
}

function checkNamed(op: Operator, named: Readonly<Record<string, RuleNode>>, at: number): void {
  const need = (name: string, kind: RuleNode['kind'], type?: 'string' | 'number') => {
    const node = named[name];
    if (node === undefined) throw new RuleSyntaxError(`${op} at ${at} needs ${name}::`);
    if (node.kind !== kind || (type !== undefined && node.kind === 'literal' && typeof node.value !== type))
      throw new RuleSyntaxError(`${op} at ${at}: ${name}:: must be a ${type ?? 'context value ($key)'}`);
  };
  if (op === 'matches') {
    need('in', 'context');
    need('pattern', 'literal', 'string');
    const pattern = named['pattern'] as { value: string };
    try {
      new RegExp(pattern.value);
    } catch {
      throw new RuleSyntaxError(`matches at ${at}: pattern:: is not a valid regular expression`);
    }
  }
  if (op === 'exists') need('key', 'literal', 'string');
  if (op === 'split') {
    need('pct', 'literal', 'number');
    need('by', 'context');
    if (named['seed'] !== undefined) need('seed', 'literal', 'string');
    const pct = (named['pct'] as { value: number }).value;
    if (!(pct >= 0 && pct <= 100)) throw new RuleSyntaxError(`split at ${at}: pct:: must be 0-100`);
  }
}

type Read = (context: RuleContext) => unknown;

/**
 * The context's own attribute only: `context[key]` would find `toString` or `constructor` on an
 * empty context, where the AppConfig agent sees nothing.
 */
function attribute(context: RuleContext, key: string): unknown {
  return Object.hasOwn(context, key) ? context[key] : undefined;
}

function reader(node: RuleNode): Read {
  if (node.kind === 'context') {
    const key = node.key;
    return (context) => attribute(context, key);
  }
  if (node.kind === 'list') {
    const items = node.items;
    return () => items;
  }
  if (node.kind === 'literal') {
    const value = node.timestamp ?? node.value;
    return () => value;
  }
  const predicate = compileNode(node, '');
  return predicate;
}

/** A number from a number or a numeric/timestamp string (the agent's `Context` header carries text). */
function numeric(value: unknown, asTime: boolean): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value === '') return undefined;
  const n = asTime ? Date.parse(value) : Number(value);
  return Number.isNaN(n) ? undefined : n;
}

function comparison(
  node: Extract<RuleNode, { kind: 'call' }>,
  test: (order: number) => boolean,
): CompiledRule {
  const [left, right] = node.args as [RuleNode, RuleNode];
  const asTime = [left, right].some((n) => n.kind === 'literal' && n.timestamp !== undefined);
  const numericCompare =
    asTime || [left, right].some((n) => n.kind === 'literal' && typeof n.value === 'number');
  const a = reader(left);
  const b = reader(right);
  if (numericCompare) {
    return (context) => {
      const x = numeric(a(context), asTime);
      const y = numeric(b(context), asTime);
      return x !== undefined && y !== undefined && test(x - y);
    };
  }
  return (context) => {
    const x = a(context);
    const y = b(context);
    if (x === undefined || y === undefined || x === null || y === null) return false;
    if (typeof x === 'number' && typeof y === 'number') return test(x - y);
    if (typeof x === 'boolean' || typeof y === 'boolean') return test(x === y ? 0 : NaN);
    const sx = String(x);
    const sy = String(y);
    return test(sx === sy ? 0 : sx < sy ? -1 : 1);
  };
}

function compileNode(node: RuleNode, flagKey: string): CompiledRule {
  if (node.kind !== 'call') {
    const read = reader(node);
    return (context) => read(context) === true;
  }
  const { op, args, named } = node;
  switch (op) {
    case 'eq':
      return comparison(node, (order) => order === 0);
    case 'gt':
      return comparison(node, (order) => order > 0);
    case 'gte':
      return comparison(node, (order) => order >= 0);
    case 'lt':
      return comparison(node, (order) => order < 0);
    case 'lte':
      return comparison(node, (order) => order <= 0);
    case 'and': {
      const parts = args.map((arg) => compileNode(arg, flagKey));
      return (context) => parts.every((part) => part(context));
    }
    case 'or': {
      const parts = args.map((arg) => compileNode(arg, flagKey));
      return (context) => parts.some((part) => part(context));
    }
    case 'not': {
      const inner = compileNode(args[0]!, flagKey);
      return (context) => !inner(context);
    }
    case 'begins_with':
    case 'ends_with':
    case 'contains': {
      const a = reader(args[0]!);
      const b = reader(args[1]!);
      return (context) => {
        const text = a(context);
        const part = b(context);
        if (part === undefined || part === null) return false;
        if (Array.isArray(text) && op === 'contains')
          return text.some((item) => String(item) === String(part));
        if (typeof text !== 'string') return false;
        const p = String(part);
        return op === 'begins_with'
          ? text.startsWith(p)
          : op === 'ends_with'
            ? text.endsWith(p)
            : text.includes(p);
      };
    }
    case 'in': {
      const a = reader(args[0]!);
      const list = args[1]!;
      if (list.kind === 'list') {
        const members = new Set(list.items.map(String));
        return (context) => {
          const value = a(context);
          return value !== undefined && value !== null && members.has(String(value));
        };
      }
      const b = reader(list);
      return (context) => {
        const value = a(context);
        const within = b(context);
        if (value === undefined || value === null) return false;
        if (Array.isArray(within)) return within.some((item) => String(item) === String(value));
        return typeof within === 'string' && within.includes(String(value));
      };
    }
    case 'matches': {
      const a = reader(named['in']!);
      const pattern = new RegExp((named['pattern'] as { value: string }).value);
      return (context) => {
        const value = a(context);
        return typeof value === 'string' && pattern.test(value);
      };
    }
    case 'exists': {
      const key = (named['key'] as { value: string }).value;
      return (context) => {
        const value = attribute(context, key);
        return value !== undefined && value !== null && value !== '';
      };
    }
    case 'split': {
      const by = reader(named['by']!);
      const seedNode = named['seed'];
      // Without seed:: the split is consistent within the flag (AWS's "locally consistent").
      const seed = seedHash(seedNode?.kind === 'literal' ? String(seedNode.value) : flagKey);
      const threshold = Math.round((named['pct'] as { value: number }).value * 100);
      return (context) => {
        const value = by(context);
        if (value === undefined || value === null || value === '') return false;
        return threshold >= SPLIT_BUCKETS || bucketOf(seed, String(value)) < threshold;
      };
    }
  }
}

/**
 * Compile a parsed rule for one flag: `split` without `seed::` hashes with the flag key.
 *
 * @example
 * const rule = compileRule(parseRule('(split pct::20 by::$userId)'), 'new-checkout');
 * rule({ userId: 'customer-42' });
 */
export function compileRule(tree: RuleNode, flagKey: string): CompiledRule {
  return compileNode(tree, flagKey);
}

/** Whether a rule is a `split` alone (its match is reported as `SPLIT` rather than `TARGETING_MATCH`). */
export function isSplit(tree: RuleNode): boolean {
  return tree.kind === 'call' && tree.op === 'split';
}

/** The context attributes a rule reads, for type checks and for knowing what a split hashes. */
export function attributesOf(tree: RuleNode): string[] {
  const found = new Set<string>();
  const walk = (node: RuleNode): void => {
    if (node.kind === 'context') found.add(node.key);
    if (node.kind !== 'call') return;
    node.args.forEach(walk);
    for (const [name, operand] of Object.entries(node.named)) {
      if (node.op === 'exists' && name === 'key' && operand.kind === 'literal')
        found.add(String(operand.value));
      else walk(operand);
    }
  };
  walk(tree);
  return [...found];
}

/**
 * Compile a flag's ordered variants (lives here, not in the evaluator, so documents without rules
 * never load it). Throws {@link RuleSyntaxError} on the first rule that does not parse.
 */
export function compileVariants(
  flagKey: string,
  texts: readonly unknown[],
  freeze: <T>(value: T) => T,
): CompiledVariant[] {
  const variants = texts.map((text, index) => {
    const variant = (typeof text === 'string' ? JSON.parse(text) : text) as Record<string, unknown> | null;
    const { name, rule, enabled = true, value } = variant ?? {};
    const last = index === texts.length - 1;
    if (typeof name !== 'string' || typeof enabled !== 'boolean' || (rule === undefined) !== last)
      throw new RuleSyntaxError(
        `variant ${index + 1} needs a name, and a rule unless it is the default (last)`,
      );
    if (rule !== undefined && typeof rule !== 'string')
      throw new RuleSyntaxError(`variant ${name}: rule is text`);
    const tree = rule === undefined ? undefined : parseRule(rule);
    const reads = tree === undefined ? [] : attributesOf(tree);
    return {
      name,
      matches: tree === undefined ? null : compileRule(tree, flagKey),
      split: tree !== undefined && isSplit(tree),
      readsTargetingKey: reads.includes('targetingKey'),
      reads,
      enabled,
      value: freeze(value),
    };
  });
  return variants;
}
