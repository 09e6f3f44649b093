/**
 * `steward check` for rule-based flags: every variant's rule parses, the default variant comes last
 * without a rule, values are of the flag's kind, and every rule type-checks against the service's
 * evaluation context. Messages name the environment, the variant and the problem.
 */
import { parseRule, type RuleNode, RuleSyntaxError } from '@config-steward/client/rules';
import type { FlagDefinition, FlagVariantDefinition } from '../model.ts';
import {
  BUILT_IN_ATTRIBUTES,
  type ContextAttribute,
  type EvaluationContextSchema,
} from './evaluation-context.ts';

type Call = Extract<RuleNode, { kind: 'call' }>;

/**
 * Problems with the variants of one flag, as messages; empty when they are sound.
 *
 * @example
 * checkFlagRules(orders.flags['checkout-theme'], orders.evaluationContext);
 * // ['production: variant "pro": rule compares tier (a string) with a number']
 */
export function checkFlagRules(flag: FlagDefinition, context: EvaluationContextSchema | undefined): string[] {
  const problems: string[] = [];
  const schema = { ...BUILT_IN_ATTRIBUTES, ...context };
  const kind = flag.valueKind ?? 'boolean';
  for (const [environment, value] of Object.entries(flag.environments)) {
    const variants = value.variants;
    if (variants === undefined) continue;
    const where = (variant: FlagVariantDefinition) => `${environment}: variant "${variant.name}"`;
    if (variants.length === 0)
      problems.push(`${environment}: variants is empty; give at least a default variant`);
    const names = new Set<string>();
    variants.forEach((variant, index) => {
      const last = index === variants.length - 1;
      if (!variant.name?.trim()) problems.push(`${environment}: variant ${index + 1} has no name`);
      else if (names.has(variant.name)) problems.push(`${where(variant)} is declared twice`);
      names.add(variant.name);
      if (kindOf(variant.value) !== kind) problems.push(`${where(variant)}: value must be a ${kind}`);
      if (last && variant.rule !== undefined)
        problems.push(`${where(variant)}: the default variant (last) takes no rule`);
      if (!last && variant.rule === undefined)
        problems.push(`${where(variant)}: only the last (default) variant may omit its rule`);
      if (variant.rule === undefined) return;
      let tree: RuleNode;
      try {
        tree = parseRule(variant.rule);
      } catch (error) {
        if (!(error instanceof RuleSyntaxError)) throw error;
        problems.push(`${where(variant)}: malformed rule: ${error.message}`);
        return;
      }
      for (const problem of typeProblems(tree, schema)) problems.push(`${where(variant)}: rule ${problem}`);
    });
  }
  return problems;
}

function kindOf(value: unknown): string {
  return typeof value === 'object' && value !== null ? 'object' : typeof value;
}

/** Type errors of a rule against a context schema. */
export function typeProblems(tree: RuleNode, schema: EvaluationContextSchema): string[] {
  const problems: string[] = [];
  const declared = (key: string): ContextAttribute | undefined => {
    const attribute = Object.hasOwn(schema, key) ? schema[key] : undefined;
    if (attribute === undefined) {
      const known = Object.keys(schema).join(', ');
      problems.push(`reads undeclared attribute $${key} (the evaluation context declares ${known})`);
    }
    return attribute;
  };
  const walk = (node: RuleNode): void => {
    if (node.kind === 'context') declared(node.key);
    if (node.kind !== 'call') return;
    checkCall(node, declared, problems);
    for (const arg of node.args) if (arg.kind === 'call') walk(arg);
  };
  walk(tree);
  return [...new Set(problems)];
}

function literalType(node: RuleNode): 'string' | 'number' | 'boolean' | 'timestamp' | undefined {
  if (node.kind !== 'literal') return undefined;
  if (node.timestamp !== undefined) return 'timestamp';
  return typeof node.value as 'string' | 'number' | 'boolean';
}

function checkCall(
  node: Call,
  declared: (key: string) => ContextAttribute | undefined,
  problems: string[],
): void {
  const { op, args, named } = node;
  const attributeOf = (operand: RuleNode | undefined) =>
    operand?.kind === 'context' ? { key: operand.key, type: declared(operand.key) } : undefined;
  if (op === 'eq' || op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte') {
    const [left, right] = args as [RuleNode, RuleNode];
    const attribute = attributeOf(left) ?? attributeOf(right);
    const literal = literalType(left) ?? literalType(right);
    const value = left.kind === 'literal' ? left.value : right.kind === 'literal' ? right.value : undefined;
    if (attribute?.type === undefined || literal === undefined) return;
    const { key, type } = attribute;
    const expected = type.type === 'list' ? 'list' : type.type;
    if (literal === 'timestamp') {
      if (type.type !== 'string') problems.push(`compares ${key} (a ${expected}) with a timestamp`);
      return;
    }
    if (expected !== literal) {
      problems.push(`compares ${key} (a ${expected}) with a ${literal}`);
      return;
    }
    if (op !== 'eq' && type.type !== 'number') problems.push(`orders ${key} (a ${expected}) with ${op}`);
    if (op === 'eq' && type.type === 'string' && type.oneOf && !type.oneOf.includes(String(value))) {
      problems.push(`can never match: ${key} is one of ${type.oneOf.join(', ')}, never "${String(value)}"`);
    }
    if (type.type === 'number' && typeof value === 'number') {
      if (op === 'eq' && type.integer && !Number.isInteger(value))
        problems.push(`can never match: ${key} is an integer, never ${value}`);
      const outside =
        (type.min !== undefined &&
          (op === 'lt'
            ? value <= type.min
            : op === 'lte'
              ? value < type.min
              : op === 'eq' && value < type.min)) ||
        (type.max !== undefined &&
          (op === 'gt'
            ? value >= type.max
            : op === 'gte'
              ? value > type.max
              : op === 'eq' && value > type.max));
      if (outside) problems.push(`can never match: ${key} lies in ${type.min ?? '-∞'}..${type.max ?? '∞'}`);
    }
    return;
  }
  if (op === 'in') {
    const attribute = attributeOf(args[0]);
    const list = args[1];
    if (attribute?.type === undefined || list?.kind !== 'list') return;
    const { key, type } = attribute;
    const wrong = list.items.filter((item) =>
      type.type === 'number'
        ? typeof item !== 'number'
        : type.type === 'string'
          ? typeof item !== 'string'
          : false,
    );
    if (type.type === 'boolean' || type.type === 'list')
      problems.push(`tests ${key} (a ${type.type}) with in`);
    else if (wrong.length > 0)
      problems.push(`lists ${wrong.length} value(s) that are not ${type.type}s for ${key}`);
    else if (list.items.length === 0) problems.push(`can never match: the in list for ${key} is empty`);
    else if (
      type.type === 'string' &&
      type.oneOf &&
      !list.items.some((item) => type.oneOf!.includes(String(item)))
    )
      problems.push(
        `can never match: no value of the in list is one of ${key}'s values (${type.oneOf.join(', ')})`,
      );
    return;
  }
  if (op === 'begins_with' || op === 'ends_with' || op === 'contains') {
    const attribute = attributeOf(args[0]);
    if (attribute?.type === undefined) return;
    const fits = attribute.type.type === 'string' || (op === 'contains' && attribute.type.type === 'list');
    if (!fits) problems.push(`applies ${op} to ${attribute.key} (a ${attribute.type.type})`);
    return;
  }
  if (op === 'matches') {
    const attribute = attributeOf(named['in']);
    if (attribute?.type !== undefined && attribute.type.type !== 'string')
      problems.push(`applies matches to ${attribute.key} (a ${attribute.type.type})`);
    return;
  }
  if (op === 'exists') {
    const key = named['key'];
    if (key?.kind === 'literal') declared(String(key.value));
    return;
  }
  if (op === 'split') {
    const attribute = attributeOf(named['by']);
    if (attribute?.type?.type === 'list') problems.push(`splits by ${attribute.key}, a list`);
  }
}
